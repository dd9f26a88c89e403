"""Price watches in demo mode: watch an offer at a quantity from its page, see its price and
chart, check it on demand, stop watching. (Price moves and alerts are tested against a
fast-clock gateway in the Rust suite: demo prices move once a day.)"""

import re


def test_watch_an_offer_see_its_chart_check_it_and_stop(launch):
    window = launch()
    window.search_1688("保温杯")
    window.open_result(0)
    window.wait_until("the detail stored", lambda w: "诚信通" in w.text_of("offer-supplier"))
    offer_id = re.search(r"#(\d+)", window.text_of("offer-meta")).group(1)

    window.fill("offer-watch-qty", "200")
    window.by_testid("offer-watch-start").click()
    window.wait_until(
        "the watch confirmed with the price at 200 pieces",
        lambda w: re.fullmatch(r"Watching at 200 pieces: ¥\d+(\.\d+)? now\.", w.text_of("offer-watching")),
    )

    window.open_page("watches")
    window.wait_until(
        "the watch listed with its price",
        lambda w: w.by_testid("watch-row").get_attribute("data-offer-id") == offer_id
        and w.text_of("watch-price").startswith("¥"),
    )
    window.wait_until(
        "a chart of at least one price point",
        lambda w: int(w.by_testid("price-chart").get_attribute("data-points")) >= 1,
    )
    window.by_testid("alerts-none")

    window.by_testid("watches-check").click()
    window.wait_for_text("watches-last-check", "1 checked, 0 failed, 0 new alerts.")
    window.screenshot("watches-en")

    window.by_testid("watch-remove").click()
    window.by_testid("watches-none")
