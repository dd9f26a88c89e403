"""Price watches in demo mode: watch an offer at a quantity from its page, see its price and
chart, check it on demand, stop watching; set alert rules on the offer page and find them on the
Watches page, snooze and resume; a price already under the target alerts once on the next check;
a watch on an offer sold in lots says which order its price is for.
(Price moves and every rule's alerts are tested against a
fast-clock gateway and real answers in the Rust suite: demo prices move once a day.)"""

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
    window.wait_until(
        "the row's sparkline",
        lambda w: int(w.by_testid("sparkline").get_attribute("data-points")) >= 1,
    )
    window.by_testid("alerts-none")

    window.by_testid("watches-check").click()
    window.wait_for_text("watches-last-check", "1 checked, 0 failed, 0 new alerts.")
    window.screenshot("watches-en")

    window.by_testid("watch-remove").click()
    window.by_testid("watches-none")


def test_a_target_price_set_on_the_offer_page_is_listed_on_the_watches_page(launch):
    window = launch()
    window.search_1688("保温杯")
    window.open_result(1)
    window.wait_until("the detail stored", lambda w: "诚信通" in w.text_of("offer-supplier"))
    offer_id = re.search(r"#(\d+)", window.text_of("offer-meta")).group(1)

    window.fill("offer-watch-qty", "300")
    window.fill("offer-watch-target", "9.5")
    window.choose("offer-watch-direction", "down")
    window.by_testid("offer-watch-tiers").click()
    window.fill("offer-watch-cap", "3")
    card = window.by_testid("offer-watch")
    window.driver.execute_script("arguments[0].scrollIntoView()", card)
    window.screenshot("offer-watch-en")
    window.by_testid("offer-watch-start").click()
    window.wait_until(
        "the watch confirmed at 300 pieces",
        lambda w: w.text_of("offer-watching").startswith("Watching at 300 pieces"),
    )

    window.open_page("watches")
    window.wait_until(
        "the watch listed with its rules",
        lambda w: w.by_testid("watch-row").get_attribute("data-offer-id") == offer_id
        and w.texts_of_all("watch-rule") == ["drops 5%", "at or below ¥9.50", "tiers change", "at most 3 a day"],
    )
    window.wait_until("the state shows where moves are measured from",
                      lambda w: w.text_of("watch-state").startswith("moves measured from ¥"))

    window.choose("watch-snooze", "target")
    window.wait_for_text("watch-snoozed", "snoozed until the price crosses the target")
    window.screenshot("watches-rules-en")
    window.by_testid("watch-unsnooze").click()
    window.by_testid("watch-snooze")

    # Back on the offer page the card shows the rules as set.
    window.by_testid("watch-row").find_element("css selector", "button.title").click()
    window.wait_until(
        "the card filled from the watch",
        lambda w: w.by_testid("offer-watch-target").get_attribute("value") == "9.50"
        and w.by_testid("offer-watch-direction").get_attribute("value") == "down"
        and w.by_testid("offer-watch-tiers").is_selected(),
    )


def test_a_price_already_under_the_target_alerts_once_on_the_next_check(launch):
    window = launch()
    window.search_1688("保温杯")
    window.open_result(0)
    window.wait_until("the detail stored", lambda w: "诚信通" in w.text_of("offer-supplier"))

    # Every demo cup costs less than ¥999 at 100 pieces: the next fetched price is at the target.
    window.fill("offer-watch-qty", "100")
    window.fill("offer-watch-target", "999")
    window.by_testid("offer-watch-start").click()
    window.wait_until(
        "the watch confirmed at 100 pieces",
        lambda w: w.text_of("offer-watching").startswith("Watching at 100 pieces"),
    )

    window.open_page("watches")
    window.by_testid("alerts-none")
    window.by_testid("watches-check").click()
    window.wait_for_text("watches-last-check", "1 checked, 0 failed, 1 new alerts.")
    alert = window.by_testid("alert")
    assert alert.get_attribute("data-kind") == "atOrBelowTarget"
    assert "¥999.00" in alert.text, alert.text
    window.wait_for_text("alerts-count", "1")

    # A second check of the same price raises nothing new.
    window.by_testid("watches-check").click()
    window.wait_for_text("watches-last-check", "1 checked, 0 failed, 0 new alerts.")
    assert len(window.driver.find_elements("css selector", '[data-testid="alert"]')) == 1


def test_a_watch_on_an_offer_sold_in_lots_says_which_order_its_price_is_for(launch):
    # Demo offer 668800000001 sells in lots of 12 from 50 pieces: 245 pieces are ordered as 252,
    # which reach its 250-piece tier.
    window = launch()
    window.open_page("batch")
    window.fill("batch-input", "668800000001")
    window.by_testid("batch-start").click()
    window.wait_until(
        "the offer fetched",
        lambda w: w.text_of("batch-summary").startswith("Finished: 1 stored"),
    )
    window.open_page("offers")
    window.wait_until("the stored offer listed", lambda w: len(w.texts_of_all("offer-title")) == 1)
    window.by_testid("offer-title").click()
    window.wait_until("the offer page", lambda w: "#668800000001" in w.text_of("offer-meta"))

    window.fill("offer-watch-qty", "245")
    window.by_testid("offer-watch-start").click()
    window.wait_for_text("offer-watching-order", "Priced as ordered: 245 → 252, sold in lots of 12.")
    assert window.text_of("offer-watching").startswith("Watching at 245 pieces: ¥")

    window.open_page("watches")
    window.wait_for_text("watch-order", "245 → 252, sold in lots of 12")
