"""Searching 1688 in demo mode: the app starts its built-in gateway, authorizes through the
OAuth code path, and stores what it finds — Chinese titles intact end to end."""

import re


def test_search_fetch_details_and_find_them_stored(launch):
    window = launch()
    window.open_page("search")
    window.fill("remote-search-input", "保温杯")
    window.by_testid("remote-search-go").click()
    window.wait_until(
        "a page of 20 results, every title about 保温杯",
        lambda w: w.shows_full_page() and all("保温杯" in t for t in w.texts_of_all("remote-title")),
    )
    shown = len(window.texts_of_all("remote-title"))
    summary = window.text_of("remote-summary")
    assert re.fullmatch(r"\d+ offers found · page 1 of \d+", summary), summary
    window.screenshot("search-en")

    first_title = window.texts_of_all("remote-title")[0]
    window.by_testid("remote-fetch").click()
    window.wait_until(
        "the first offer's detail stored",
        lambda w: w.texts_of_all("remote-detail")[0].startswith("Stored:"),
    )
    # The refresh button asks 1688 again however fresh the stored copy is.
    window.by_testid("remote-refetch").click()
    window.wait_until(
        "the refreshed detail stored again",
        lambda w: w.texts_of_all("remote-detail")[0].startswith("Stored:"),
    )
    window.open_page("health")
    window.wait_until(
        "one detail lookup missed the cache (the refresh skips it)",
        lambda w: w.driver.execute_script(
            """const row = document.querySelector('[data-testid="health-cache-row"][data-kind="detail"]');
               return row && row.querySelector('[data-testid="health-misses"]').innerText;"""
        )
        == "1",
    )
    window.open_page("search")

    window.open_page("offers")
    window.wait_for_text("results-summary", f"1–{shown} of {shown} offers")
    window.fill("search-input", first_title)
    window.wait_until(
        "the fetched offer found among stored offers, priced from its detail",
        lambda w: len(prices := w.texts_of_all("offer-price")) == 1 and "listing" not in prices[0],
    )


def test_an_empty_search_is_not_sent(launch):
    window = launch()
    window.open_page("search")
    assert window.by_testid("remote-search-go").get_attribute("disabled") is not None
