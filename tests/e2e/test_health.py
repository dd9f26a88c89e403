"""The status page: the brief's five health targets against their thresholds (adjustable in
Settings), the error log by class after a batch against a faulty gateway (a live one, and the demo
gateway with faults simulated from Settings) with the navigation badge that follows, each
gateway's figures apart, what is stored and how the cache answers, with Chinese search terms."""

import subprocess
import time

import pytest

from conftest import CLI, ROOT

GATEWAY = ROOT / "target" / "debug" / "pifa-gateway"

# The dashboard's targets in order, with the brief's thresholds as the page words them.
BRIEF = {
    "successRate": "Threshold: at least 99.5%",
    "latencyMeanMs": "Threshold: at most 500 ms",
    "cacheHitRate": "Threshold: at least 80%",
    "throttledToday": "Threshold: at most 10",
    "updateLagMaxMinutes": "Threshold: at most 10 min",
}


def targets(window) -> list[dict]:
    """Every target card as the user sees it, read in one go."""
    return window.driver.execute_script(
        """return Array.from(document.querySelectorAll('[data-testid="health-target"]')).map(c => ({
            key: c.dataset.key, state: c.dataset.state,
            shownState: c.querySelector('[data-testid="health-target-state"]').innerText.trim(),
            value: c.querySelector('[data-testid="health-target-value"]').innerText.trim(),
            threshold: (c.querySelector('[data-testid="health-target-threshold"]') || {}).innerText,
            trendPoints: Number((c.querySelector('[data-testid="health-trend"]') || {dataset: {points: -1}}).dataset.points),
        }));"""
    )


def target(window, key: str) -> dict | None:
    return next((t for t in targets(window) if t["key"] == key), None)


def wait_long(window, what: str, condition, seconds: float = 90) -> None:
    """`window.wait_until` for what takes longer than its wait: a batch meeting retries."""
    deadline = time.monotonic() + seconds
    while not condition(window):
        if time.monotonic() > deadline:
            raise AssertionError(f"after {seconds} s still not: {what}")
        time.sleep(0.25)


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

    # The five targets, in order, each against the brief's threshold with its state in words.
    window.wait_until("the five targets shown", lambda w: [t["key"] for t in targets(w)] == list(BRIEF))
    gateway = window.by_testid("health-gateway")
    assert (gateway.get_attribute("data-kind"), gateway.get_attribute("data-faults")) == ("demo", "off")
    assert gateway.text.startswith("Figures of the demo gateway"), gateway.text
    shown = {t["key"]: t for t in targets(window)}
    assert {k: t["threshold"] for k, t in shown.items()} == BRIEF, shown
    # The demo authorization's token call and one search, both answered; a chart of the hour.
    assert shown["successRate"]["value"] == "100%", shown
    assert shown["successRate"]["state"] == "ok" and shown["successRate"]["shownState"] == "OK", shown
    assert shown["successRate"]["trendPoints"] >= 1, shown
    # One fresh hit out of two search lookups: below the brief's 80%.
    assert shown["cacheHitRate"]["value"] == "50%", shown
    assert shown["cacheHitRate"]["shownState"] == "Breached", shown
    assert shown["updateLagMaxMinutes"]["shownState"] == "No data", shown
    window.by_testid("health-no-errors")
    window.by_testid("health-window-7d").click()
    window.wait_until(
        "the week's figures",
        lambda w: w.by_testid("health-targets").get_attribute("data-window") == "7d"
        and (target(w, "successRate") or {}).get("value") == "100%",
    )
    window.by_testid("health-window-24h").click()
    window.wait_until(
        "back to the day",
        lambda w: w.by_testid("health-targets").get_attribute("data-window") == "24h",
    )
    window.screenshot("status-en")


@pytest.fixture
def faulty_gateway():
    """A standalone gateway double that answers every business call 502 (token calls work)."""
    process = subprocess.Popen(
        [str(GATEWAY), "--addr", "127.0.0.1:0", "--app-key", "faulty-app", "--app-secret", "faulty-secret",
         "--seed", "77", "--offers", "50", "--error-rate", "100"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base_url = process.stdout.readline().strip()
    assert base_url.startswith("http://127.0.0.1:"), base_url
    yield base_url
    process.terminate()
    process.wait(timeout=10)
    # Leave the keyring as the other tests expect it: no 1688 app.
    subprocess.run([str(CLI), "auth", "logout", "--forget-app"], capture_output=True)


def test_a_faulty_batch_breaches_the_success_rate_and_the_badge_shows_it(launch, faulty_gateway):
    window = launch()
    window.open_page("settings")
    window.fill("account-app-key", "faulty-app")
    window.fill("account-app-secret", "faulty-secret")
    window.fill("account-gateway", faulty_gateway)
    window.by_testid("account-connect").click()
    window.wait_for_text("mode-badge", "Live 1688")
    # Nothing breached yet: the badge is not there.
    assert window.texts_of_all("health-breached-count") == []

    # Offers of the double's catalog (seed 77); every try of each is answered 502.
    window.open_page("batch")
    window.fill("batch-input", "607700000001\n607700000002\n607700000003\n607700000004\n")
    window.by_testid("batch-start").click()
    window.wait_for_text("batch-summary", "Finished: 0 stored, 4 failed, 0 cancelled.")

    window.wait_until("the Status button's badge", lambda w: w.texts_of_all("health-breached-count") not in ([], ["0"]))
    window.open_page("health")
    window.wait_until(
        "the success rate breached",
        lambda w: (t := target(w, "successRate")) is not None and t["state"] == "breached",
    )
    success = target(window, "successRate")
    assert success["shownState"] == "Breached", success
    assert success["threshold"] == BRIEF["successRate"], success
    # That gateway's figures, by its address.
    assert window.by_testid("health-gateway").get_attribute("data-kind") == "custom"
    assert faulty_gateway in window.text_of("health-gateway")
    # At most the token calls succeeded: far below the threshold.
    assert float(success["value"].rstrip("%")) < 50, success

    classes = window.driver.execute_script(
        """return Array.from(document.querySelectorAll('[data-testid="health-error-class"]')).map(c => ({
            outcome: c.dataset.outcome, text: c.innerText}));"""
    )
    transient = next((c for c in classes if c["outcome"] == "transient"), None)
    assert transient, classes
    # Four offers, each tried up to four times, every try counted.
    count = int(window.driver.execute_script(
        "return document.querySelector('[data-testid=\"health-error-class\"][data-outcome=\"transient\"] "
        "[data-testid=\"health-error-count\"]').innerText.match(/[0-9]+/)[0];"
    ))
    assert 4 <= count <= 16, count
    assert "Temporary failure" in transient["text"] and "502" in transient["text"], transient
    assert "faulty-secret" not in window.driver.page_source
    window.screenshot("status-breached-en")


def test_demo_mode_with_faults_simulated_from_settings_breaches_a_target_with_the_error_log(launch, tmp_path):
    data_dir = tmp_path / "数据"
    window = launch(data_dir)
    window.open_page("settings")
    window.wait_until(
        "the demo faults off by default",
        lambda w: w.by_testid("demo-faults-select").get_attribute("value") == "off",
    )
    assert "simulated" in window.text_of("demo-faults").lower()
    window.choose("demo-faults-select", "realistic")
    window.by_testid("demo-faults-saved")
    window.wait_for_text("mode-badge", "Demo data")

    # Applied from the next call, no restart: a batch of demo offers meets the simulated faults
    # (10% 5xx, 3% dropped, 2% cut off, 1% throttled) and their retries.
    window.open_page("batch")
    window.fill("batch-input", "\n".join(f"6688000{n:05d}" for n in range(40)))
    window.by_testid("batch-start").click()
    wait_long(
        window,
        "the batch finished",
        lambda w: any(text.startswith("Finished:") for text in w.texts_of_all("batch-summary")),
    )

    window.wait_until("the Status button's badge", lambda w: w.texts_of_all("health-breached-count") not in ([], ["0"]))
    window.open_page("health")
    window.wait_until(
        "the success rate breached",
        lambda w: (t := target(w, "successRate")) is not None and t["state"] == "breached",
    )
    gateway = window.by_testid("health-gateway")
    assert (gateway.get_attribute("data-kind"), gateway.get_attribute("data-faults")) == ("demo", "realistic")
    assert "simulates faults now (realistic" in gateway.text and "simulated, not 1688's" in gateway.text, gateway.text
    success = target(window, "successRate")
    assert success["shownState"] == "Breached" and success["threshold"] == BRIEF["successRate"], success
    assert 50 < float(success["value"].rstrip("%")) < 99.5, success
    # Every target against the brief's threshold.
    assert {t["key"]: t["threshold"] for t in targets(window)} == BRIEF

    transient = window.driver.execute_script(
        """const c = document.querySelector('[data-testid="health-error-class"][data-outcome="transient"]');
           return c && {count: Number(c.querySelector('[data-testid="health-error-count"]').innerText.match(/[0-9]+/)[0]),
                        text: c.innerText};"""
    )
    assert transient and transient["count"] > 0, transient
    assert "Temporary failure" in transient["text"], transient
    window.screenshot("status-demo-faults-en")

    # The choice is kept across starts.
    launch.stop_all()
    window = launch(data_dir)
    window.open_page("settings")
    window.wait_until(
        "the simulated faults remembered",
        lambda w: w.by_testid("demo-faults-select").get_attribute("value") == "realistic",
    )


def test_thresholds_are_checked_kept_and_reset_to_the_brief(launch, tmp_path):
    data_dir = tmp_path / "数据"
    window = launch(data_dir)
    window.open_page("settings")
    window.wait_until(
        "the brief's thresholds in the fields",
        lambda w: w.by_testid("threshold-successRateBp").get_attribute("value") == "99.5"
        and w.by_testid("threshold-latencyMeanMs").get_attribute("value") == "500",
    )
    window.fill("threshold-successRateBp", "101")
    window.by_testid("threshold-save").click()
    window.wait_until(
        "a success rate over 100% refused by name",
        lambda w: "success rate" in w.text_of("command-failure") and "0 to 10000" in w.text_of("command-failure"),
    )
    window.fill("threshold-successRateBp", "99")
    window.fill("threshold-latencyMeanMs", "800")
    window.by_testid("threshold-save").click()
    window.by_testid("threshold-saved")
    launch.stop_all()

    window = launch(data_dir)
    window.open_page("health")
    window.wait_until(
        "the user's thresholds judge the targets",
        lambda w: (t := target(w, "latencyMeanMs")) is not None and t["threshold"] == "Threshold: at most 800 ms"
        and target(w, "successRate")["threshold"] == "Threshold: at least 99%",
    )
    window.open_page("settings")
    window.wait_until(
        "the thresholds kept across starts",
        lambda w: w.by_testid("threshold-latencyMeanMs").get_attribute("value") == "800",
    )
    assert window.by_testid("health-notify").is_selected() is False
    window.by_testid("threshold-reset").click()
    window.wait_until(
        "the brief's values back",
        lambda w: w.by_testid("threshold-latencyMeanMs").get_attribute("value") == "500"
        and w.by_testid("threshold-successRateBp").get_attribute("value") == "99.5",
    )


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

