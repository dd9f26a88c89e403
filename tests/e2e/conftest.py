"""Fixtures that drive the real Pifa window: tauri-driver (which starts WebKitWebDriver) on free
ports, one fresh app process per test with its own data directory, and helpers that wait for
what a user would see. Run through `.dev/e2e`, which provides Xvfb and a D-Bus session."""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
# The app benchmark (.dev/bench-app) runs a release build.
APP = Path(os.environ.get("PIFA_APP", ROOT / "target" / "debug" / "pifa")).resolve()
CLI = ROOT / "target" / "debug" / "pifa-cli"
OUTPUT = ROOT / "tests" / "e2e" / "output"
WAIT_S = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tauri-driver exited early with code {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"tauri-driver did not listen on port {port} within {timeout} s")


def running_app_pids() -> list[int]:
    """PIDs of Pifa processes started from this build."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "exe")) == APP:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


# The D-Bus name Pifa's single-instance guard owns (tauri.conf.json identifier + suffix).
SINGLE_INSTANCE_NAME = "app.pifa.desktop.SingleInstance"


def single_instance_name_owned() -> bool:
    answer = subprocess.run(
        [
            "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
            f"string:{SINGLE_INSTANCE_NAME}",
        ],
        capture_output=True, text=True, check=True,
    )
    return "boolean true" in answer.stdout


def wait_until_no_app_runs(timeout: float = 15) -> None:
    # Pifa is single-instance: a new session must not start while the last one is shutting down,
    # or the new process would hand over to the old one and exit. A process loses its /proc/exe
    # link before its sockets close, so the D-Bus name is the reliable sign that it is gone.
    deadline = time.monotonic() + timeout
    while running_app_pids() or single_instance_name_owned():
        if time.monotonic() > deadline:
            raise RuntimeError(f"Pifa is still running (PIDs {running_app_pids()})")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def driver_url():
    if not APP.exists():
        pytest.exit(f"{APP} is missing: build it with `cargo build --bin pifa` first", returncode=2)
    binary = shutil.which("tauri-driver")
    if binary is None:
        pytest.exit("tauri-driver is not on PATH (cargo install tauri-driver --locked)", returncode=2)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    port, native_port = free_port(), free_port()
    log = open(OUTPUT / "tauri-driver.log", "w")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--native-port", str(native_port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process, timeout=20)
        yield f"http://127.0.0.1:{port}"
    finally:
        # SIGTERM lets tauri-driver stop WebKitWebDriver too; SIGKILL would leave it behind.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


class PifaWindow:
    """The app as a user sees it, found by the data-testid attributes of the UI."""

    def __init__(self, driver: webdriver.Remote):
        self.driver = driver

    @staticmethod
    def _selector(testid: str) -> str:
        return f'[data-testid="{testid}"]'

    def by_testid(self, testid: str):
        try:
            return WebDriverWait(self.driver, WAIT_S).until(
                lambda d: d.find_element(By.CSS_SELECTOR, self._selector(testid))
            )
        except TimeoutException:
            raise AssertionError(
                f"no element [data-testid={testid}] appeared within {WAIT_S} s"
            ) from None

    def text_of(self, testid: str) -> str:
        return self.by_testid(testid).text

    def wait_for_text(self, testid: str, expected: str) -> None:
        shown = None

        def shows_expected(driver) -> bool:
            nonlocal shown
            found = driver.find_elements(By.CSS_SELECTOR, self._selector(testid))
            shown = found[0].text if found else None
            return shown == expected

        try:
            WebDriverWait(self.driver, WAIT_S).until(shows_expected)
        except TimeoutException:
            what = "no such element" if shown is None else f"it shows {shown!r}"
            raise AssertionError(
                f"[data-testid={testid}] should show {expected!r} but after {WAIT_S} s {what}"
            ) from None

    def open_page(self, name: str) -> None:
        self.by_testid(f"nav-{name}").click()

    def fill(self, testid: str, text: str) -> None:
        """Types into a field as one edit (WebKitWebDriver's key events cannot type Chinese)."""
        field = self.by_testid(testid)
        self.driver.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
            field,
            text,
        )

    def wait_until(self, what: str, condition, poll_s: float = 0.5) -> None:
        """Waits for `condition(window)` to hold, looking every `poll_s` seconds; fails naming
        `what` otherwise."""
        try:
            WebDriverWait(self.driver, WAIT_S, poll_frequency=poll_s).until(lambda _: condition(self))
        except TimeoutException:
            raise AssertionError(f"after {WAIT_S} s still not: {what}") from None

    def texts_of_all(self, testid: str) -> list[str]:
        """The visible texts of every match, read in one go so a re-render cannot go stale."""
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText.trim());",
            self._selector(testid),
        )

    def choose(self, testid: str, value: str) -> None:
        """Picks an option of a <select> the way a user does, firing its change event."""
        select = self.by_testid(testid)
        self.driver.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
            select,
            value,
        )

    def shows_full_page(self, size: int = 20) -> bool:
        """A whole search page is shown: its offers plus the repeats 1688 sent and the app hid."""
        counts = self.driver.execute_script(
            """const s = document.querySelector('[data-testid="remote-summary"]');
               return s && [document.querySelectorAll('[data-testid="remote-title"]').length,
                            Number(s.dataset.shown), Number(s.dataset.duplicates)];"""
        )
        return bool(counts) and counts[0] == counts[1] > 0 and counts[1] + counts[2] == size

    def search_1688(self, keyword: str) -> list[str]:
        """Searches 1688 (the demo gateway) and waits for a full first page; its titles."""
        self.open_page("search")
        self.fill("remote-search-input", keyword)
        self.by_testid("remote-search-go").click()
        self.wait_until("a page of 20 results", lambda w: w.shows_full_page())
        return self.texts_of_all("remote-title")

    def open_result(self, index: int) -> None:
        """Opens the offer page of a search result."""
        self.driver.find_elements(By.CSS_SELECTOR, self._selector("remote-title"))[index].click()

    def screenshot(self, name: str) -> Path:
        path = OUTPUT / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path


@pytest.fixture
def launch(driver_url, tmp_path):
    """Starts Pifa: `launch()` with a fresh data directory, `launch(data_dir)` with a given one."""
    drivers = []

    def start(data_dir: Path | None = None) -> PifaWindow:
        wait_until_no_app_runs()
        data_dir = data_dir or tmp_path / "数据"
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability(
            "tauri:options",
            # Exports go to a folder of the test's: WebDriver cannot answer a native save dialog.
            {"application": str(APP), "args": ["--data-dir", str(data_dir), "--save-to", str(tmp_path / "exports")]},
        )
        driver = webdriver.Remote(command_executor=driver_url, options=options)
        drivers.append(driver)
        window = PifaWindow(driver)
        window.by_testid("page-title")
        return window

    def stop_all() -> None:
        while drivers:
            drivers.pop().quit()
        wait_until_no_app_runs()

    start.stop_all = stop_all
    yield start
    stop_all()


@pytest.fixture
def launch_elsewhere(tmp_path):
    """A second desktop beside `launch`'s: Pifa in a D-Bus session and keyring of its own (as on
    another computer; Pifa is single-instance per session), driven by a tauri-driver of its own.
    Request it after `launch`, so it is stopped first."""
    binary = shutil.which("tauri-driver")
    home = tmp_path / "elsewhere-home"
    home.mkdir()
    env = dict(
        os.environ,
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
    )
    port, native_port = free_port(), free_port()
    log = open(OUTPUT / "tauri-driver-elsewhere.log", "w")
    unlock = 'printf %s pifa-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"'
    process = subprocess.Popen(
        ["dbus-run-session", "--", "bash", "-c", unlock, "bash", binary,
         "--port", str(port), "--native-port", str(native_port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    drivers = []

    def start(data_dir: Path) -> PifaWindow:
        wait_for_port(port, process, timeout=20)
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability("tauri:options", {"application": str(APP), "args": ["--data-dir", str(data_dir)]})
        driver = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=options)
        drivers.append(driver)
        window = PifaWindow(driver)
        window.by_testid("page-title")
        return window

    yield start
    while drivers:
        drivers.pop().quit()
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    # The keyring daemon of that session, known by its HOME, outlives it otherwise.
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "gnome-keyring-d" and \
                        f"HOME={home}".encode() in (entry / "environ").read_bytes().split(b"\0"):
                    os.kill(int(entry.name), signal.SIGTERM)
            except OSError:
                pass
    log.close()


@pytest.fixture
def team_database():
    """An empty database on the throwaway PostgreSQL of `.dev/with-postgres`: (address without
    password, password)."""
    url = os.environ.get("PIFA_TEST_POSTGRES_URL")
    password = os.environ.get("PIFA_TEST_POSTGRES_PASSWORD")
    if not url or not password:
        pytest.fail("team tests need .dev/with-postgres (the E2E command runs under it)")
    name = f"e2e_{os.getpid()}_{int(time.monotonic() * 1000)}"
    env = dict(os.environ, PGPASSWORD=password)
    subprocess.run(["psql", url, "-qc", f"CREATE DATABASE {name}"], env=env, check=True)
    yield url.rsplit("/", 1)[0] + "/" + name, password
    subprocess.run(["psql", url, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], env=env, check=False)
