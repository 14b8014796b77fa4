"""Browser tests: the real app (`streamlit run streamlit_app.py`) over a fresh data folder, driven by
Debian's chromium through playwright, with the real default engine (kokoro-onnx on the CPU).

Fixtures: `app_url` (the server, one per session, two members with known passwords), `browser`
(headless chromium) and `page` (one tab shared by the ordered tests of a module). The tests of a
module form one scenario: after a failure the later steps are skipped, and the server's log is
attached to the failure report.

Set VOXWEAVE_SCREENSHOTS=<folder> to keep the screenshots there too (docs/screenshots, say).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from voxweave.accounts import AccountStore
from voxweave.config import Settings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: The two members of the scenario, with the passwords they log in with.
MEMBERS = {"ana": ("Ana Member", "ana-e2e-password-1"), "ben": ("Ben Member", "ben-e2e-password-1")}
SERVER_START_S = 90
SERVER_STOP_S = 10
#: Milliseconds: how long one Streamlit run may take before a step gives up.
RUN_TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1440, "height": 1000}
SCREENSHOTS_ENV = "VOXWEAVE_SCREENSHOTS"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
#: Screenshots: the tallest window a screen may grow to, and how long a toast may delay one.
MAX_SHOT_HEIGHT = 2400
TOAST_MS = 8_000
MAIN_HEIGHT_JS = ("() => { const main = document.querySelector(\"[data-testid='stMain']\");"
                  " return main ? Math.ceil(main.scrollHeight) : 0; }")
#: Keys the server must not see: without them, videos are made locally.
CLOUD_KEYS = ("ZAI_API_KEY", "DASHSCOPE_API_KEY")
LOG_TAIL_CHARS = 20_000

_server_log: Path | None = None  # the running server's log, attached to failure reports
_shots: Screenshots | None = None  # where a failed step's screenshot goes


# skipping without a browser ----------------------------------------------------------------------

@pytest.fixture(scope="session")
def _browser_available() -> None:
    """Skip every browser test, saying why, when chromium or playwright is missing (and only then)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (`make browser` installs it)")
    pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package "
                        "(pip install -e '.[test]')")


# the server --------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOXWEAVE_") and k not in CLOUD_KEYS}
    env.update(VOXWEAVE_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1", VOXWEAVE_ALLOW_MODEL_DOWNLOADS="false",
               PYTHONUNBUFFERED="1")
    return env


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.read().decode().strip() == "ok"
    except OSError:
        return False


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=SERVER_STOP_S)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=SERVER_STOP_S)


def server_log_tail() -> str:
    if _server_log is None or not _server_log.exists():
        return "(no server log)"
    return _server_log.read_text(errors="replace")[-LOG_TAIL_CHARS:]


@pytest.fixture(scope="session")
def app_url(_browser_available, tmp_path_factory) -> Iterator[str]:
    """The app served from this checkout over a fresh data folder with the members of MEMBERS."""
    global _server_log
    home = tmp_path_factory.mktemp("e2e-server")
    data_dir = home / "data"
    accounts = AccountStore.from_settings(Settings(data_dir=data_dir))
    for username, (name, password) in MEMBERS.items():
        accounts.add(username, name, password)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    _server_log = home / "server.log"
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1"]
    with _server_log.open("wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=_server_env(data_dir), stdout=log,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while not _healthy(url):
            if server.poll() is not None:
                pytest.fail(f"the app exited with code {server.returncode}:\n{server_log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not answer /_stcore/health within {SERVER_START_S} s:\n{server_log_tail()}")
            time.sleep(0.5)
        yield url
    finally:
        _stop(server)


# the browser -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser(_browser_available) -> Iterator:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=RUN_TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def page(browser, app_url, shots) -> Iterator:
    """One tab for the ordered steps of a module (they share its login cookie and session)."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(RUN_TIMEOUT_MS)
    tab = context.new_page()
    tab.goto(app_url)
    settle(tab)
    yield tab
    context.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Screenshots:
    global _shots
    _shots = Screenshots(tmp_path_factory.mktemp("e2e-screenshots"))
    return _shots


# helpers -----------------------------------------------------------------------------------------

def settle(page, timeout: float = RUN_TIMEOUT_MS) -> None:
    """Wait until the app has finished the run an action started (give it a moment to start first)."""
    page.wait_for_timeout(300)
    page.locator(IDLE).wait_for(state="attached", timeout=timeout)


def login(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Login").click()
    settle(page)
    page.get_by_test_id("stSidebar").get_by_text("Signed in as").wait_for()


def go_to(page, title: str) -> None:
    """Open a screen from the sidebar menu, as a user would."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
    settle(page)
    page.get_by_test_id("stHeading").filter(has_text=title).first.wait_for()


class Screenshots:
    """PNGs of the page under a tmp folder and, with VOXWEAVE_SCREENSHOTS set, in that folder too.

    A tidy shot waits for toasts to fade and grows the window to the height of the screen's content
    (Streamlit scrolls its main area, not the document, so a "full page" shot alone would miss it).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        extra = os.environ.get(SCREENSHOTS_ENV, "").strip()
        self.extra = Path(extra) if extra else None

    def __call__(self, page, name: str, *, tidy: bool = True) -> Path:
        """Save a shot; an untidy one (a failure's) stays in the tmp folder only."""
        path = self.folder / f"{name}.png"
        size = dict(page.viewport_size or VIEWPORT)
        if tidy:
            _wait_for_toasts(page)
            content = page.evaluate(MAIN_HEIGHT_JS) or 0
            page.set_viewport_size({**size, "height": min(max(size["height"], content), MAX_SHOT_HEIGHT)})
            page.wait_for_timeout(400)
        try:
            page.screenshot(path=str(path))
        finally:
            if tidy:
                page.set_viewport_size(size)
        if tidy and self.extra is not None:
            self.extra.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, self.extra / path.name)
        return path


def _wait_for_toasts(page) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.locator("[data-testid='stToast']").first.wait_for(state="detached", timeout=TOAST_MS)
    except PlaywrightTimeout:
        pass  # a toast that stays is in the picture, no more


# one scenario per module: stop at the first failed step, show the server's log ----------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        report.sections.append(("VoxWeave server log (tail)", server_log_tail()))
        tab = item.funcargs.get("page")
        if tab is not None and _shots is not None:
            try:
                path = _shots(tab, f"FAILED-{item.name}", tidy=False)
                report.sections.append(("screenshot of the failure", str(path)))
            except Exception as e:  # the browser may be what broke
                report.sections.append(("screenshot of the failure", f"none: {e}"))
        if call.when == "call":
            item.module.__dict__["_e2e_failed_step"] = item.name


def pytest_runtest_setup(item):
    failed = item.module.__dict__.get("_e2e_failed_step")
    if failed:
        pytest.skip(f"an earlier step of this scenario failed ({failed})")
