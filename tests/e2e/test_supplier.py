"""The supplier book in demo mode: from an offer's supplier card to the supplier's page, where
the buyer keeps a phone, a WeChat ID and notes in Chinese; they are there again after moving
away and after a restart, and the raw pifa.db never holds them in plaintext."""

import sqlite3
from pathlib import Path

PHONE = "+86 135-7531-8642"
WECHAT = "wx_e2e_cup_factory_77"
NOTE = "样品保温六小时，谈好单价八元二角"


def value_of(window, testid: str) -> str:
    return window.by_testid(testid).get_attribute("value")


def database_bytes(data_dir: Path) -> bytes:
    return b"".join(
        (data_dir / name).read_bytes() for name in ("pifa.db", "pifa.db-wal") if (data_dir / name).exists()
    )


def assert_no_plaintext(data_dir: Path) -> None:
    raw = database_bytes(data_dir)
    assert raw, "the database was written"
    for secret in (PHONE, WECHAT, NOTE, "保温六小时"):
        assert secret.encode() not in raw, f"{secret!r} is in pifa.db in plaintext"


def test_keep_a_suppliers_contacts_encrypted_and_see_them_again(launch, tmp_path):
    data_dir = tmp_path / "数据"
    window = launch(data_dir)
    window.search_1688("保温杯")
    window.open_result(0)
    window.wait_until(
        "the detail fetched, so the supplier is named",
        lambda w: "listing data only" not in w.text_of("offer-meta"),
    )
    window.wait_until("the supplier named", lambda w: w.text_of("offer-supplier-name") not in ("", "—"))
    supplier_name = window.text_of("offer-supplier-name")
    window.by_testid("offer-supplier-book").click()

    window.wait_for_text("page-title", supplier_name)
    window.wait_until("the offer listed among the supplier's", lambda w: len(w.texts_of_all("supplier-offer")) >= 1)
    assert value_of(window, "supplier-phone") == ""
    window.fill("supplier-phone", PHONE)
    window.fill("supplier-wechat", WECHAT)
    window.fill("supplier-note", NOTE)
    window.by_testid("supplier-save").click()
    window.by_testid("supplier-saved")
    window.screenshot("supplier-en")

    # Away and back: through the book this time.
    window.by_testid("supplier-back").click()
    window.by_testid("offer-quote")
    window.open_page("home")
    window.open_page("suppliers")
    window.by_testid("suppliers-with-contacts").click()
    window.wait_until("only the supplier with contacts", lambda w: w.texts_of_all("suppliers-name") == [supplier_name])
    window.by_testid("suppliers-name").click()
    window.wait_until("the phone shown again", lambda w: value_of(w, "supplier-phone") == PHONE)
    assert value_of(window, "supplier-wechat") == WECHAT
    assert value_of(window, "supplier-note") == NOTE
    assert_no_plaintext(data_dir)

    # The plaintext export, only after the warning.
    window.by_testid("supplier-back").click()
    window.by_testid("supplier-export-start").click()
    window.by_testid("supplier-export-warning")
    window.by_testid("supplier-export-confirm").click()
    window.wait_until("the export saved", lambda w: w.text_of("supplier-exported").startswith("Saved to "))
    exported = Path(window.text_of("supplier-exported").removeprefix("Saved to "))
    assert exported.parent == tmp_path / "exports", exported
    csv = exported.read_text(encoding="utf-8-sig")
    assert WECHAT in csv and NOTE in csv

    # After a restart: the key comes back from the keyring.
    launch.stop_all()
    assert_no_plaintext(data_dir)
    window = launch(data_dir)
    window.open_page("suppliers")
    window.wait_until("the book lists the supplier", lambda w: supplier_name in w.texts_of_all("suppliers-name"))
    window.driver.find_elements("css selector", '[data-testid="suppliers-name"]')[
        window.texts_of_all("suppliers-name").index(supplier_name)
    ].click()
    window.wait_until("the contacts again after a restart", lambda w: value_of(w, "supplier-wechat") == WECHAT)
    assert value_of(window, "supplier-phone") == PHONE
    assert value_of(window, "supplier-note") == NOTE

    # A key check that the keyring's key does not open (as after restoring pifa.db next to
    # another keyring): the contacts show as locked, the rest of the page still works.
    launch.stop_all()
    with sqlite3.connect(data_dir / "pifa.db") as db:
        db.execute("UPDATE contacts_key_check SET sealed = zeroblob(64)")
    window = launch(data_dir)
    window.open_page("suppliers")
    window.by_testid("suppliers-name").click()
    window.wait_until("the contacts locked", lambda w: "contacts.locked" in w.text_of("supplier-contacts-locked"))
    assert WECHAT not in window.text_of("supplier-contacts")
    assert len(window.texts_of_all("supplier-offer")) >= 1
