"""UI layer in a real browser: the app served by `streamlit run`, every page opened in chromium.

Deselect with `pytest -m "not browser"`. Uses Debian's chromium (/usr/bin/chromium); Playwright
downloads no browser. Screenshots of every page go to tests/screenshots/ (gitignored) for a
person to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from earlyhelp.bench import CHROMIUM, CHROMIUM_ARGS

# A real browser on a shared 2-core machine: one rerun, reported as "R" in the summary, so a
# slow start does not fail CI while a real fault (failing twice) still does.
pytestmark = [pytest.mark.browser, pytest.mark.flaky(reruns=1)]

REPO = Path(__file__).resolve().parent.parent
SCREENSHOTS = REPO / "tests" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}
READY_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 60_000
#: url path -> (screenshot file name, the page's main heading, charts drawn on it or None)
PAGES = {
    "": ("overview", "Early help overview", 3),
    "demand": ("demand", "Demand for early help", 4),
    "caseloads": ("caseloads", "Caseloads and workforce", 11),
    "pathways": ("pathways", "Front door, pathways and outcomes", 19),
    "scorecard": ("scorecard", "Strategy scorecard", None),
    "district_profile": ("district_profile", "District profile", None),
    "about": ("about", "About Early Help Insight", 0),
}


# --- pytest-playwright configuration (here, not in conftest.py) -------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT, "accept_downloads": True}


# --- The app, served on a free port --------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def app_url(demo_warehouse, tmp_path_factory):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {**os.environ, "EARLYHELP_WAREHOUSE": str(demo_warehouse)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not _healthy(url):
            if server.poll() is not None:
                pytest.fail(f"streamlit exited with {server.returncode}:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit not ready after {READY_TIMEOUT_S} s:\n{log_path.read_text()}"
                )
            time.sleep(0.25)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- Helpers ---------------------------------------------------------------------------------
def _wait_until_run_finished(page) -> None:
    """The script has finished: the app is rendered and no 'running' status is shown."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
                 && document.querySelector('[data-testid="stApp"]')
                            ?.getAttribute('data-test-script-state') !== 'running'""",
        timeout=PAGE_TIMEOUT_MS,
    )


def _grow_to_content(page) -> None:
    """Streamlit scrolls inside its own container: grow the viewport to the whole page, so that
    a screenshot or an accessibility scan sees all of it."""
    height = page.evaluate(
        """() => {
            const block = document.querySelector('[data-testid="stMainBlockContainer"]');
            const sidebar = document.querySelector('[data-testid="stSidebarContent"]');
            const bottom = block.getBoundingClientRect().top + block.scrollHeight;
            return Math.ceil(Math.max(bottom, sidebar ? sidebar.scrollHeight : 0) + 48);
        }"""
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    page.wait_for_timeout(500)  # let Plotly redraw at the new size (not a timing assertion)


def _full_page_screenshot(page, path: Path) -> None:
    _grow_to_content(page)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)


# --- The tests (the shared link first: it must work on a server that has served nothing) -------
def test_a_shared_link_reopens_the_same_view(page, app_url):
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(f"{app_url}/demand?district=South&per=Week")
    _wait_until_run_finished(page)
    assert page.locator("h1").first.inner_text().strip() == "Demand for early help"
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Demo mode" in sidebar.inner_text(), "the app's own navigation and sidebar"
    title = page.locator(".js-plotly-plot .gtitle").first
    title.wait_for()
    assert title.text_content() == "Referrals per week, South"

    # Changing a filter puts it in the address; opening that address shows the same view.
    page.get_by_role("radio", name="Contacts to the front door").click()
    page.wait_for_url("**measure=Contacts*", timeout=PAGE_TIMEOUT_MS)
    _wait_until_run_finished(page)
    shared = page.url
    assert "district=South" in shared and "per=Week" in shared
    page.goto("about:blank")
    page.goto(shared)
    _wait_until_run_finished(page)
    title = page.locator(".js-plotly-plot .gtitle").first
    title.wait_for()
    assert title.text_content() == "Contacts per week, South"


# --- The test --------------------------------------------------------------------------------
def test_every_page_renders_in_a_real_browser(page, app_url, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.set_default_timeout(PAGE_TIMEOUT_MS)

    for url_path, (name, heading, chart_count) in PAGES.items():
        page.goto(f"{app_url}/{url_path}")
        _wait_until_run_finished(page)
        assert page.locator("h1").first.inner_text().strip() == heading
        if chart_count is None:  # a page whose number of charts depends on its data
            page.locator(".js-plotly-plot .main-svg").first.wait_for()
            assert page.locator('[data-testid="stPlotlyChart"]').count() >= 1
        elif chart_count:
            page.locator(".js-plotly-plot .main-svg").nth(chart_count * 2 - 1).wait_for()
            assert page.locator('[data-testid="stPlotlyChart"]').count() == chart_count
        assert page.locator('[data-testid="stException"]').count() == 0, name
        _full_page_screenshot(page, SCREENSHOTS / f"{name}.png")

    # The table under the first chart downloads as the CSV of exactly that table.
    page.goto(app_url)
    _wait_until_run_finished(page)
    page.get_by_text("Show data as a table").first.click()
    with page.expect_download() as download_info:
        page.get_by_text("Download this table (CSV)").first.click()
    download = download_info.value
    saved = tmp_path / "download.csv"
    download.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0] == "Month,Referrals"
    assert len(lines) > 12

    assert not page_errors, page_errors
