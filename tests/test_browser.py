"""UI layer in a real browser: the app served by `streamlit run`, every page opened in chromium.

Deselect with `pytest -m "not browser"`. Uses Debian's chromium (/usr/bin/chromium); Playwright
downloads no browser. Screenshots of every page go to tests/screenshots/ (gitignored) for a
person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.browser_helpers")  # before it is imported, as a plugin
from tests.browser_helpers import (  # noqa: E402
    PAGE_TIMEOUT_MS,
    REPO,
    RERUN_WHEN_SLOW,
    VIEWPORT,
    grow_to_content,
    serve_app,
    wait_until_run_finished,
)

# The server and chromium fixtures (app_url, browser_type_launch_args, browser_context_args):
# one Streamlit server for every browser test module in a session.
pytest_plugins = ["tests.browser_helpers"]

# Rerun once only when slow (a timeout), never on a wrong answer: see RERUN_WHEN_SLOW.
pytestmark = [pytest.mark.browser, RERUN_WHEN_SLOW]

SCREENSHOTS = REPO / "tests" / "screenshots"
#: url path -> (screenshot file name, the page's main heading, charts drawn on it or None)
PAGES = {
    "": ("overview", "Early help overview", 3),
    "demand": ("demand", "Demand for early help", 1),  # its first view; the others follow
    "demand?view=Against+expected": ("demand_against_expected", "Demand for early help", 1),
    "demand?view=Year+on+year": ("demand_year_on_year", "Demand for early help", 1),
    "demand?view=Forecast": ("demand_forecast", "Demand for early help", 1),
    # Caseloads: 11 charts over five views (tabs), each drawn only when open.
    "caseloads": ("caseloads", "Caseloads and workforce", 1),  # By district
    "caseloads?view=Teams+and+workers": ("caseloads_teams", "Caseloads and workforce", 3),
    "caseloads?view=Over+time": ("caseloads_over_time", "Caseloads and workforce", 2),
    "caseloads?view=Waiting+for+a+worker": ("caseloads_waiting", "Caseloads and workforce", 2),
    "caseloads?view=Changes+of+worker": ("caseloads_changes", "Caseloads and workforce", 3),
    # Front door and pathways: 19 charts over six views (tabs), each drawn only when open.
    "pathways": ("pathways", "Front door, pathways and outcomes", 5),  # Front door
    "pathways?view=Levels+of+need": ("pathways_levels", "Front door, pathways and outcomes", 2),
    "pathways?view=Step-ups+and+step-downs": (
        "pathways_steps",
        "Front door, pathways and outcomes",
        4,
    ),
    "pathways?view=Re-referrals": ("pathways_rereferrals", "Front door, pathways and outcomes", 3),
    "pathways?view=How+episodes+end": ("pathways_endings", "Front door, pathways and outcomes", 4),
    "pathways?view=Partners+and+districts": (
        "pathways_partners",
        "Front door, pathways and outcomes",
        1,
    ),
    # Scorecard: At a glance (the status table, no chart), then a tab for each priority, whose
    # charts depend on its data (a trend for each measure, districts for most).
    "scorecard": ("scorecard", "Strategy scorecard", 0),
    "scorecard?view=Earliest+possible+help": ("scorecard_earliest", "Strategy scorecard", None),
    "scorecard?view=Early+help+is+everybody's+business": (
        "scorecard_everybody",
        "Strategy scorecard",
        None,
    ),
    "scorecard?view=Lasting+change+for+families": ("scorecard_lasting", "Strategy scorecard", None),
    "scorecard?view=A+stable+workforce": ("scorecard_workforce", "Strategy scorecard", None),
    "district_profile": ("district_profile", "District profile", None),
    "data_quality": ("data_quality", "Data quality", 0),
    "about": ("about", "About Early Help Insight", 0),
}


def _full_page_screenshot(page, path: Path) -> None:
    grow_to_content(page)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)


@pytest.fixture(scope="module")
def fresh_app_url(demo_warehouse, tmp_path_factory):
    """A server of its own that has served nothing yet (the other browser tests share one)."""
    with serve_app(demo_warehouse, tmp_path_factory.mktemp("streamlit_fresh")) as url:
        yield url


# --- The tests ---------------------------------------------------------------------------------
def test_a_shared_link_reopens_the_same_view(page, fresh_app_url):
    """A link straight to a page must work on a server that has served nothing."""
    app_url = fresh_app_url
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(f"{app_url}/demand?district=South&per=Week")
    wait_until_run_finished(page)
    assert page.locator("h1").first.inner_text().strip() == "Demand for early help"
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Demo mode" in sidebar.inner_text(), "the app's own navigation and sidebar"
    title = page.locator(".js-plotly-plot .gtitle").first
    title.wait_for()
    assert title.text_content() == "Referrals per week, South"

    # Changing a filter or a view puts it in the address; opening that address shows the same.
    page.get_by_role("radio", name="Contacts to the front door").click()
    page.wait_for_url("**measure=Contacts*", timeout=PAGE_TIMEOUT_MS)
    wait_until_run_finished(page)
    page.get_by_role("tab", name="Year on year").click()
    page.wait_for_url("**view=Year*", timeout=PAGE_TIMEOUT_MS)
    wait_until_run_finished(page)
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot .gtitle')?.textContent"
        " === 'Contacts by financial year, South'",
        timeout=PAGE_TIMEOUT_MS,
    )
    shared = page.url
    assert "district=South" in shared and "per=Week" in shared
    page.goto("about:blank")
    page.goto(shared)
    wait_until_run_finished(page)
    title = page.locator(".js-plotly-plot .gtitle").first
    title.wait_for()
    assert title.text_content() == "Contacts by financial year, South"
    selected = page.get_by_role("tab", selected=True)
    assert selected.inner_text().strip() == "Year on year"


# --- The test --------------------------------------------------------------------------------
def test_every_page_renders_in_a_real_browser(page, app_url, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.set_default_timeout(PAGE_TIMEOUT_MS)

    for url_path, (name, heading, chart_count) in PAGES.items():
        page.goto(f"{app_url}/{url_path}")
        wait_until_run_finished(page)
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
    wait_until_run_finished(page)
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
