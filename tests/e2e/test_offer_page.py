"""The offer page in demo mode: opened from a search, it fetches the detail and prices the
buyer's quantity in Rust; Chinese titles and spec names arrive intact."""

import re

QUOTE = re.compile(r"^(\d+) pieces at ¥\d+(\.\d+)? each = ¥\d+(\.\d+)?$")


def test_open_an_offer_price_a_quantity_and_go_back(launch):
    window = launch()
    titles = window.search_1688("保温杯")
    window.open_result(0)

    window.wait_for_text("page-title", titles[0])
    window.wait_until(
        "the detail fetched: a supplier with 诚信通 years",
        lambda w: "诚信通" in w.text_of("offer-supplier") and "listing data only" not in w.text_of("offer-meta"),
    )
    window.wait_until("a quote at the minimum order", lambda w: QUOTE.match(w.text_of("offer-quote")))

    window.fill("offer-qty", "100000")
    window.wait_until(
        "100,000 pieces priced",
        lambda w: (m := QUOTE.match(w.text_of("offer-quote"))) and m.group(1) == "100000",
    )
    window.screenshot("offer-en")

    window.by_testid("offer-refresh").click()
    window.wait_until(
        "the refreshed copy still priced",
        lambda w: (m := QUOTE.match(w.text_of("offer-quote"))) and m.group(1) == "100000",
    )

    window.by_testid("offer-back").click()
    window.wait_until("the search still there", lambda w: w.texts_of_all("remote-title") == titles)

