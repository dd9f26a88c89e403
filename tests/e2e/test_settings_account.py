"""Connecting a 1688 app in Settings: the app key and secret go to the OS keyring, the user
authorizes in the browser, Pifa switches to live mode and stays there across restarts, and
logging out returns to demo data. The "live" gateway here is a separate pifa-gateway process
with its own app key and catalog."""

import subprocess

import pytest

from conftest import CLI, ROOT

GATEWAY = ROOT / "target" / "debug" / "pifa-gateway"


@pytest.fixture
def live_gateway():
    process = subprocess.Popen(
        [str(GATEWAY), "--addr", "127.0.0.1:0", "--app-key", "live-app", "--app-secret", "live-secret",
         "--seed", "77", "--offers", "500"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base_url = process.stdout.readline().strip()
    assert base_url.startswith("http://127.0.0.1:"), base_url
    yield base_url
    process.terminate()
    process.wait(timeout=10)
    # Whatever happened, leave the keyring as the other tests expect it: no 1688 app.
    subprocess.run([str(CLI), "auth", "logout", "--forget-app"], capture_output=True)


def test_connect_a_1688_app_and_log_out(launch, live_gateway, tmp_path):
    data_dir = tmp_path / "data"
    window = launch(data_dir)
    window.wait_for_text("mode-badge", "Demo data")
    window.open_page("settings")
    window.fill("account-app-key", "live-app")
    window.fill("account-app-secret", "live-secret")
    window.fill("account-gateway", live_gateway)
    window.by_testid("account-connect").click()
    window.wait_until("live mode with the app connected", lambda w: "live-app" in w.text_of("account-live"))
    window.wait_for_text("mode-badge", "Live 1688")

    window.open_page("search")
    window.fill("remote-search-input", "保温杯")
    window.by_testid("remote-search-go").click()
    window.wait_until(
        "results from the live gateway's own catalog (seed 77 IDs)",
        lambda w: (rows := w.driver.execute_script(
            "return Array.from(document.querySelectorAll('[data-testid=remote-row]')).map(r => r.dataset.offerId)"
        )) and all(r.startswith("6077") for r in rows),
    )

    launch.stop_all()
    window = launch(data_dir)
    window.wait_for_text("mode-badge", "Live 1688")
    window.open_page("settings")
    window.by_testid("account-use-demo").click()
    window.wait_for_text("mode-badge", "Demo data")
