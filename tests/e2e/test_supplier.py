"""The supplier book in demo mode: from an offer's supplier card to the supplier's page, where
the buyer keeps a phone, a WeChat ID and notes in Chinese; they are there again after moving
away and after a restart, and the raw pifa.db never holds them in plaintext. The page also
charts the supplier's signals over time once they changed between two answers."""

import json
import re
import sqlite3
import subprocess
from pathlib import Path

import zstandard

from conftest import CLI, ROOT

# Pifa keeps raw answers zstd-compressed with its own dictionary (store/raw_answers.rs).
ANSWER_DICTIONARY = ROOT / "src-tauri/crates/pifa-core/src/store/raw_answers.dict"


def stored_answer(body: bytes) -> dict:
    if body.startswith(b"\x28\xb5\x2f\xfd"):
        dictionary = zstandard.ZstdCompressionDict(ANSWER_DICTIONARY.read_bytes())
        body = zstandard.ZstdDecompressor(dict_data=dictionary).decompress(body)
    return json.loads(body)

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


def with_other_signals(answer: dict) -> tuple[dict, str]:
    """The same detail answer with one more badge and a 48-hour pickup rate of 50% (the
    double's are 85% or more); and the badge added."""
    detail = json.loads(json.dumps(answer))
    node = detail
    while "sellerDataInfo" not in node:
        node = node["result"]
    said = json.dumps(node.get("offerIdentities"), ensure_ascii=False)
    badges = [b for b in ("超级工厂", "实力商家", "诚信通") if b in said]
    added = next(b for b in ("超级工厂", "实力商家", "诚信通") if b not in badges)
    node["offerIdentities"] = [",".join([*badges, added])]
    node["sellerDataInfo"]["collect30DayWithin48HPercent"] = "0.5"
    return detail, added


def test_the_supplier_page_charts_its_signals_after_they_changed(launch, tmp_path):
    data_dir = tmp_path / "数据"
    window = launch(data_dir)
    window.search_1688("保温杯")
    window.open_result(0)
    window.wait_until("the detail stored", lambda w: "诚信通" in w.text_of("offer-supplier"))
    offer_id = re.search(r"#(\d+)", window.text_of("offer-meta")).group(1)
    window.by_testid("offer-supplier-book").click()
    window.wait_until(
        "one observation so far",
        lambda w: w.text_of("supplier-history-only-one").startswith("Tracking since "),
    )

    # A later answer of the same offer with other supplier signals, imported beside the app.
    with sqlite3.connect(f"file:{data_dir / 'pifa.db'}?mode=ro", uri=True) as db:
        (body,) = db.execute(
            "SELECT body FROM raw_answers WHERE offer_id = ? AND source <> 'keywordQuery'", (offer_id,)
        ).fetchone()
    later, added = with_other_signals(stored_answer(body))
    answers = tmp_path / "later.jsonl"
    answers.write_text(json.dumps(later, ensure_ascii=False) + "\n", encoding="utf-8")
    subprocess.run([str(CLI), "--data-dir", str(data_dir), "import", str(answers)], check=True, timeout=60)

    # Then fetched from the gateway again: its signals as they were, a change back. Newest first.
    window.by_testid("supplier-back").click()
    window.wait_until("the imported answer shown", lambda w: w.text_of("offer-supplier-pickup") == "50%")
    window.by_testid("offer-refresh").click()
    window.wait_until("the gateway's answer shown", lambda w: w.text_of("offer-supplier-pickup") not in ("", "50%"))
    window.by_testid("offer-supplier-book").click()
    window.wait_until(
        "three observations charted",
        lambda w: w.by_testid("supplier-history").get_attribute("data-observations") == "3"
        and int(w.by_testid("supplier-history-chart").get_attribute("data-points")) >= 3
        and w.by_testid("supplier-history-chart").find_elements("css selector", "canvas"),
    )
    assert window.text_of("supplier-history-since").startswith("Tracking since ")
    changes = [re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d\s+", "", c) for c in window.texts_of_all("supplier-history-change")]
    assert changes == [f"no longer {added}", f"became {added}"], changes
    history = window.by_testid("supplier-history")
    window.driver.execute_script("arguments[0].scrollIntoView()", history)
    window.screenshot("supplier-history-en")
