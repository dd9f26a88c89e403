"""Price history charts in demo mode: the offer page shows a uPlot step chart of the unit price
with its low, high and current price, and the range buttons redraw it; lists show sparklines.
(Compaction, downsampling and the chart data over years are tested in the Rust suite.)"""

import re


def test_the_offer_page_charts_the_price_and_the_range_buttons_change_it(launch):
    window = launch()
    window.search_1688("保温杯")
    window.open_result(0)
    window.wait_until("the detail stored", lambda w: "诚信通" in w.text_of("offer-supplier"))

    window.wait_until(
        "a uPlot chart of at least one price",
        lambda w: int(w.by_testid("price-chart").get_attribute("data-points")) > 0
        and w.by_testid("price-chart").find_elements("css selector", "canvas"),
    )
    assert window.by_testid("price-history").get_attribute("data-range") == "30d"
    marks = window.text_of("history-marks")
    assert re.search(r"Low ¥\d+(\.\d+)? .*High ¥\d+(\.\d+)? .*Now ¥\d+(\.\d+)?", marks), marks

    for button in ["7d", "1y", "all"]:
        window.by_testid(f"history-range-{button}").click()
        window.wait_until(
            f"the chart redrawn for {button}",
            lambda w: w.by_testid("price-history").get_attribute("data-range") == button
            and w.by_testid(f"history-range-{button}").get_attribute("aria-pressed") == "true"
            and int(w.by_testid("price-chart").get_attribute("data-points")) > 0,
        )
    window.by_testid("history-range-30d").click()
    window.wait_until("back to 30 days", lambda w: w.by_testid("price-history").get_attribute("data-range") == "30d")
    chart = window.by_testid("price-history")
    window.driver.execute_script("arguments[0].scrollIntoView()", chart)
    window.screenshot("offer-chart-en")
