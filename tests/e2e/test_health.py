"""The status page: what is stored and how the cache answers, with Chinese search terms."""


def test_a_repeated_search_is_served_from_the_cache_and_counted(launch):
    window = launch()
    first = window.search_1688("保温杯")
    window.by_testid("remote-search-go").click()
    window.wait_until("the same page again", lambda w: w.texts_of_all("remote-title") == first)

    window.open_page("health")
    window.wait_until(
        "search lookups counted: one miss, then one hit",
        lambda w: w.driver.execute_script(
            """const row = document.querySelector('[data-testid="health-cache-row"][data-kind="search"]');
               return row && [row.querySelector('[data-testid="health-hits"]').innerText,
                              row.querySelector('[data-testid="health-misses"]').innerText];"""
        )
        == ["1", "1"],
    )
    assert window.text_of("health-offers") == "20"
    window.by_testid("health-no-paused")
    window.screenshot("status-en")


def test_refresh_intervals_are_checked_and_remembered(launch, tmp_path):
    data_dir = tmp_path / "数据"
    window = launch(data_dir)
    window.open_page("settings")
    window.fill("ttl-search", "0")
    window.by_testid("ttl-save").click()
    window.wait_until(
        "an interval of 0 refused by name",
        lambda w: "0 minutes is not a usable interval" in w.text_of("command-failure"),
    )
    window.fill("ttl-search", "30")
    window.fill("watch-interval", "15")
    window.by_testid("ttl-save").click()
    window.by_testid("ttl-saved")
    launch.stop_all()

    window = launch(data_dir)
    window.open_page("settings")
    window.wait_until(
        "the lifetime and the watch interval kept across starts",
        lambda w: w.by_testid("ttl-search").get_attribute("value") == "30"
        and w.by_testid("watch-interval").get_attribute("value") == "15",
    )
