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


def test_the_status_page_shows_the_log_file_and_its_latest_problems_with_chinese_intact(launch, tmp_path):
    data_dir = tmp_path / "数据"
    logs = data_dir / "logs"
    logs.mkdir(parents=True)
    (logs / "pifa.2026-01-02.log").write_text(
        "2026-01-02T03:04:05.000001Z  INFO pifa_core: fine\n"
        "garbage that is not a log line\n"
        "2026-01-02T03:04:06.000001Z  WARN pifa_workbench::sourcing: "
        "refreshing a stale search page failed: 网关超时 keyword=保温杯 code=gateway.transient\n",
        encoding="utf-8",
    )
    window = launch(data_dir)
    window.open_page("health")
    window.wait_until(
        "the logged warning listed",
        lambda w: w.texts_of_all("health-problem") != [],
    )
    rows = window.texts_of_all("health-problem")
    assert len(rows) == 1, rows
    assert "网关超时 keyword=保温杯" in rows[0], rows
    assert str(logs) in window.text_of("health-log-file")
    window.open_page("settings")
    assert window.text_of("open-log-folder") == "Open log folder"
    window.choose("language-select", "zh-CN")
    window.wait_for_text("open-log-folder", "打开日志文件夹")
    window.open_page("health")
    window.wait_until(
        "the level in Chinese, the logged text as written",
        lambda w: any("警告" in row and "网关超时" in row for row in w.texts_of_all("health-problem")),
    )
    window.screenshot("status-log-zh")
