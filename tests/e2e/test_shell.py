"""The app shell as a user meets it: the window, navigation, Settings, language."""

import subprocess
import tomllib

from conftest import APP, ROOT, running_app_pids


def cargo_version() -> str:
    with open(ROOT / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["workspace"]["package"]["version"]


def test_the_window_opens_titled_pifa(launch):
    window = launch()
    assert window.driver.title == "Pifa"
    window.wait_for_text("nav-settings", "Settings")
    # The app opens on the first screen (see test_home.py).
    window.wait_for_text("page-title", "What to do next")
    window.wait_for_text("mode-badge", "Demo data")


def test_settings_shows_version_data_dir_and_mode(launch, tmp_path):
    data_dir = tmp_path / "采购部" / "数据"
    window = launch(data_dir)
    window.open_page("settings")
    window.wait_for_text("app-version", cargo_version())
    # The Chinese path made the round trip through the IPC intact.
    window.wait_for_text("data-dir", str(data_dir))
    assert "Demo" in window.text_of("app-mode")
    window.screenshot("settings-en")


def test_switching_language_changes_text_and_is_remembered(launch, tmp_path):
    data_dir = tmp_path / "data"
    window = launch(data_dir)
    window.open_page("settings")
    window.wait_for_text("page-title", "Settings")
    window.choose("language-select", "zh-CN")
    window.wait_for_text("page-title", "设置")
    window.wait_for_text("nav-settings", "设置")
    window.wait_for_text("mode-badge", "演示数据")
    window.screenshot("settings-zh-CN")

    launch.stop_all()
    window = launch(data_dir)
    window.wait_for_text("nav-offers", "本地商品")
    window.open_page("settings")
    window.wait_for_text("page-title", "设置")

    window.choose("language-select", "system")
    window.wait_for_text("page-title", "Settings")


def test_an_unusable_data_dir_is_named_in_the_window(launch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    window = launch(blocker / "data")
    problem = window.text_of("startup-problem")
    assert "data_dir.unusable" in problem
    assert str(blocker / "data") in problem


def test_a_second_launch_hands_over_to_the_running_window(launch, tmp_path):
    data_dir = tmp_path / "data"
    window = launch(data_dir)
    window.open_page("settings")
    window.wait_for_text("page-title", "Settings")
    (first,) = running_app_pids()
    second = subprocess.run(
        [str(APP), "--data-dir", str(data_dir)], timeout=30, capture_output=True
    )
    assert second.returncode == 0, second.stderr.decode(errors="replace")
    assert running_app_pids() == [first]
    window.wait_for_text("page-title", "Settings")
