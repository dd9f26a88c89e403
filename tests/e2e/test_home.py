"""The first screen: a fresh demo install opens on a guided start whose sample need goes to the
Pick page; later it leads back to the last searches; and every offer opens on 1688 (through
PIFA_BROWSER, which `.dev/e2e` points at a script that notes the address and fetches nothing)
and copies its link."""

import os
import re
from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys


def opened_urls() -> list[str]:
    log = os.environ.get("PIFA_BROWSER_LOG")
    assert log, "run through .dev/e2e, which sets PIFA_BROWSER and PIFA_BROWSER_LOG"
    path = Path(log)
    return path.read_text().splitlines() if path.exists() else []


def is_active(window, testid: str) -> bool:
    return "active" in (window.by_testid(testid).get_attribute("class") or "").split()


def test_a_fresh_demo_install_opens_on_a_guided_start(launch):
    window = launch()
    window.wait_for_text("page-title", "What to do next")
    assert is_active(window, "nav-home")
    window.by_testid("home-guided")
    window.wait_for_text(
        "home-sample-need", "500 × 保温杯 under ¥15.00 each, from a 实力商家 (power merchant)"
    )
    window.by_testid("home-nothing-yet")
    window.wait_for_text("home-count-offers", "0 stored offers")
    window.screenshot("home-en")

    window.by_testid("home-sample-pick").click()
    window.wait_until("the Pick page shown", lambda w: is_active(w, "nav-pick"))
    assert not is_active(window, "nav-home")


def test_home_leads_back_to_a_search_and_offers_open_on_1688(launch):
    window = launch()
    window.search_1688("保温杯")

    # Open on 1688: the address is built in Rust from the row's offer ID and handed to the
    # browser; a test's browser only notes it.
    row = window.by_testid("remote-row")
    offer_id = row.get_attribute("data-offer-id")
    before = opened_urls()
    window.by_testid("offer-open-1688").click()
    expected = f"https://detail.1688.com/offer/{offer_id}.html"
    window.wait_until(f"{expected} opened", lambda _: opened_urls()[len(before):] == [expected])

    # Copy link: confirmed in the row, and what the clipboard holds pastes as the address.
    window.by_testid("offer-copy-link").click()
    window.wait_for_text("offer-copied", "Copied ✓")
    field = window.by_testid("remote-search-input")
    window.fill("remote-search-input", "")
    field.click()
    ActionChains(window.driver).key_down(Keys.CONTROL).send_keys("v").key_up(Keys.CONTROL).perform()
    window.wait_until(
        "the copied link pasted",
        lambda w: w.by_testid("remote-search-input").get_attribute("value") == expected,
    )

    window.open_page("home")
    window.wait_for_text("page-title", "What to do next")
    window.by_testid("home-counts")
    assert not window.driver.find_elements("css selector", '[data-testid="home-guided"]')
    assert re.fullmatch(r"[1-9]\d* stored offers", window.text_of("home-count-offers"))
    assert window.texts_of_all("home-search") == ["保温杯"]

    # A recent search opens the Search page with its keyword, searched again.
    window.by_testid("home-search").click()
    window.wait_for_text("page-title", "Search 1688")
    assert window.by_testid("remote-search-input").get_attribute("value") == "保温杯"
    window.wait_until("the search shown again", lambda w: w.shows_full_page())
