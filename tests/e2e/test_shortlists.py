"""Shortlists in demo mode: make one, add offers from their pages, compare them at a quantity
(ranked in Rust), keep a note, and export a CSV that Excel opens safely."""

import csv
import io
import re
from pathlib import Path


def set_and_change(window, element, text: str) -> None:
    """Types into a field and leaves it, firing its change event."""
    window.driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
        element,
        text,
    )


def money(text: str) -> float:
    """Only to check an order in the test; the app never does sums in floats."""
    return float(re.search(r"¥([\d.]+)", text).group(1))


def add_search_result(window, index: int) -> str:
    window.open_page("search")
    window.open_result(index)
    window.wait_until("the list to add to", lambda w: w.by_testid("offer-add").get_attribute("disabled") is None)
    title = window.text_of("page-title")
    window.by_testid("offer-add").click()
    window.wait_for_text("offer-on-lists", "On: 春季保温杯")
    return title


def test_compare_shortlisted_offers_and_export_them(launch, tmp_path):
    window = launch()
    window.open_page("shortlists")
    window.by_testid("shortlists-none")
    window.fill("shortlist-new-name", "春季保温杯")
    window.by_testid("shortlist-create").click()
    window.wait_for_text("shortlist-name", "春季保温杯")
    window.by_testid("shortlist-empty")

    window.fill("shortlist-new-name", "春季保温杯")
    window.by_testid("shortlist-create").click()
    window.wait_until(
        "a second list of the same name refused by name",
        lambda w: 'already a shortlist named "春季保温杯"' in w.text_of("command-failure"),
    )

    window.search_1688("保温杯")
    titles = {add_search_result(window, i) for i in range(3)}

    window.open_page("shortlists")
    window.wait_until("three offers listed", lambda w: len(w.texts_of_all("shortlist-row")) == 3)
    assert set(window.texts_of_all("shortlist-title")) == titles
    window.fill("shortlist-qty", "500")
    window.wait_until(
        "every offer priced at 500 pieces or its minimum above that",
        lambda w: all(re.search(r"× \d+", t) for t in w.texts_of_all("shortlist-total"))
        and all(int(re.search(r"× (\d+)", t).group(1)) >= 500 for t in w.texts_of_all("shortlist-total")),
    )
    totals = [money(t) for t in window.texts_of_all("shortlist-total")]
    assert totals == sorted(totals), f"cheapest total first: {totals}"

    first = window.driver.find_elements("css selector", '[data-testid="shortlist-note"]')[0]
    set_and_change(window, first, '=HYPERLINK("http://evil","点我")')
    window.wait_until(
        "the note kept",
        lambda w: w.driver.find_elements("css selector", '[data-testid="shortlist-note"]')[0].get_attribute("value")
        == '=HYPERLINK("http://evil","点我")',
    )
    window.screenshot("shortlist-en")

    window.by_testid("shortlist-export").click()
    window.wait_until("the export saved", lambda w: w.text_of("shortlist-exported").startswith("Saved to "))
    path = Path(window.text_of("shortlist-exported").removeprefix("Saved to "))
    assert path.name.startswith("春季保温杯 ") and path.suffix == ".csv", path
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a BOM so Excel reads Chinese"
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    assert rows[0][:3] == ["Rank", "Offer ID", "Title"]
    # By header, not position: the export gains columns as the model grows.
    column = {name: i for i, name in enumerate(rows[0])}
    assert {r[column["Title"]] for r in rows[1:]} == titles
    assert rows[1][column["Note"]] == "'=HYPERLINK(\"http://evil\",\"点我\")", rows[1]
    assert all(r[column["Quantity"]] == "500" for r in rows[1:])
    assert {"Service score", "48-hour pickup rate", "Quality refund rate"} <= column.keys()
