"""Compare side by side in demo mode: fetch three offers, tick them on Stored offers, compare
them at one quantity (rounded, priced and marked in Rust) with the tier chart, change the
quantity, refresh all from the demo gateway, and export the comparison as CSV."""

import csv
import io
import subprocess
from pathlib import Path

from conftest import CLI

OFFERS = ["668800000011", "668800000031", "668800000051"]


def set_and_change(window, element, text: str) -> None:
    """Types into a field and leaves it, firing its change event."""
    window.driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', { bubbles: true }));"
        "arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
        element,
        text,
    )


def chart_points(window) -> int:
    return int(window.by_testid("compare-chart").get_attribute("data-points") or 0)


def test_compare_three_offers_side_by_side_refresh_and_export(launch):
    window = launch()
    window.open_page("batch")
    window.fill("batch-input", "\n".join(OFFERS))
    window.by_testid("batch-start").click()
    window.wait_until(
        "the three offers fetched",
        lambda w: w.text_of("batch-summary").startswith("Finished: 3 stored"),
    )

    window.open_page("offers")
    window.wait_until(
        "the three offers stored",
        lambda w: len(w.driver.find_elements("css selector", '[data-testid="offer-pick"]')) == 3,
    )
    for box in window.driver.find_elements("css selector", '[data-testid="offer-pick"]'):
        box.click()
    window.wait_for_text("pick-compare", "Compare (3)")
    window.by_testid("pick-compare").click()

    window.wait_for_text("page-title", "Compare side by side")
    window.wait_until("three columns", lambda w: len(w.texts_of_all("compare-column")) == 3)
    ids = window.driver.execute_script(
        "return Array.from(document.querySelectorAll('[data-testid=\"compare-column\"]')).map(e => e.dataset.offerId);"
    )
    assert sorted(ids) == sorted(OFFERS)
    window.wait_until("the tier chart drawn", lambda w: chart_points(w) > 0)
    assert window.driver.find_elements("css selector", '[data-testid="compare-chart"] canvas')
    assert window.by_testid("compare-chart").get_attribute("data-marker") == "500"
    window.wait_until("one cheapest total", lambda w: len(w.texts_of_all("compare-cheapest")) >= 1)
    assert window.texts_of_all("compare-best"), "some row has a winner"
    totals_500 = window.texts_of_all("compare-total")
    assert all(t.startswith("¥") for t in totals_500), totals_500

    set_and_change(window, window.by_testid("compare-qty"), "5000")
    window.wait_until("the totals change with the quantity", lambda w: w.texts_of_all("compare-total") != totals_500)
    window.wait_until(
        "the chart marks the new quantity",
        lambda w: w.by_testid("compare-chart").get_attribute("data-marker") == "5000",
    )
    assert all("5000" in t or "→" in t for t in window.texts_of_all("compare-order"))

    window.by_testid("compare-refresh").click()
    window.wait_until(
        "all three refreshed",
        lambda w: w.text_of("compare-refresh-summary") == "Refreshed 3 of 3 from 1688.",
    )
    window.wait_until(
        "every column fresh",
        lambda w: all(a.startswith("0 min old") for a in w.texts_of_all("compare-age")),
    )
    window.wait_until(
        "the pictures shown",
        lambda w: w.driver.execute_script(
            "const imgs = Array.from(document.querySelectorAll('[data-testid=\"compare-thumb\"]'));"
            "return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);"
        ),
    )
    window.screenshot("compare-en")

    window.by_testid("compare-export").click()
    window.wait_until("the export saved", lambda w: w.text_of("compare-exported").startswith("Saved to "))
    path = Path(window.text_of("compare-exported").removeprefix("Saved to "))
    assert path.suffix == ".csv", path
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a BOM so Excel reads Chinese"
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    column = {name: i for i, name in enumerate(rows[0])}
    assert {"Offer ID", "Billed quantity", "Lot size", "SKU", "Total (CNY)", "Cheapest total"} <= column.keys()
    assert sorted(r[column["Offer ID"]] for r in rows[1:]) == sorted(OFFERS)
    assert all(r[column["Quantity"]] == "5000" for r in rows[1:])
    assert sum(r[column["Cheapest total"]] == "yes" for r in rows[1:]) >= 1


# One demo supplier's three offers, each sold in lots (10, 12, 10 pieces), with 混批 from ¥50.
SAME_SUPPLIER = ["668800000153", "668800000155", "668800000157"]


def test_a_shortlist_opens_the_comparison_and_checks_mixed_batches(launch, tmp_path):
    data_dir = tmp_path / "数据"
    cli = [str(CLI), "--data-dir", str(data_dir)]
    subprocess.run([*cli, "--demo", "item", *SAME_SUPPLIER], check=True, capture_output=True)
    subprocess.run([*cli, "shortlist", "create", "春季"], check=True, capture_output=True)
    subprocess.run([*cli, "shortlist", "add", "春季", *SAME_SUPPLIER], check=True, capture_output=True)
    window = launch(data_dir)
    window.open_page("shortlists")
    window.wait_until("three offers listed", lambda w: len(w.texts_of_all("shortlist-row")) == 3)
    # The supplier's 混批 minimum is checked against all three of its offers on the list.
    window.wait_until("a 混批 check on every row", lambda w: len(w.texts_of_all("shortlist-mix")) == 3)
    checks = set(window.texts_of_all("shortlist-mix"))
    assert len(checks) == 1, checks
    said = checks.pop()
    assert said == "Meets 混批 ¥50" or said.endswith(" short of 混批 ¥50"), said

    window.fill("shortlist-qty", "25")
    window.wait_for_text("shortlist-compare", "Compare (3)")
    window.by_testid("shortlist-compare").click()
    window.wait_for_text("page-title", "Compare side by side")
    window.wait_until("three columns", lambda w: len(w.texts_of_all("compare-column")) == 3)
    assert window.by_testid("compare-qty").get_attribute("value") == "25"
    orders = window.texts_of_all("compare-order")
    assert "25 → 36, sold in lots of 12" in orders, orders
    assert any(o.startswith("25 → 50, the minimum order") for o in orders), orders
    window.by_testid("compare-remove").click()
    window.wait_until("two columns left", lambda w: len(w.texts_of_all("compare-column")) == 2)
