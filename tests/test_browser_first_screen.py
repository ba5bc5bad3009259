"""The first screen of every page at 1366x768, a committee room's projector: the page's headline
figures and its main chart (on the Scorecard, its status table) are on it, without scrolling.

Measured in the browser, from the drawn page: each headline tile's box, and the plot area of
the first chart (Plotly's drag layer, the rectangle inside the axes). Presentation mode has
larger type and the page list on top, so there the headline figures must fit and the main
chart must begin on the first screen.
"""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.browser_helpers")  # before it is imported, as a plugin
from tests.browser_helpers import RERUN_WHEN_SLOW, VIEWPORT, open_page  # noqa: E402

pytest_plugins = ["tests.browser_helpers"]

# Rerun once only when slow (a timeout), never on a wrong answer: see RERUN_WHEN_SLOW.
pytestmark = [pytest.mark.browser, RERUN_WHEN_SLOW]

#: url path -> what the page leads with after its headline figures.
FIRST_SCREENS = {
    "": "chart",
    "demand": "chart",
    "demand?per=Week": "chart",
    "caseloads": "chart",
    "pathways": "chart",
    "scorecard": "table",
    "district_profile": "chart",
}

#: Boxes (top, bottom, in px from the top of the window, the page not scrolled) of what a
#: person must see first: the tiles, the first chart's plot area, the first static table's
#: header and first three rows.
_MEASURE = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const box = el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; };
    const chart = main.querySelector('[data-testid="stPlotlyChart"] .nsewdrag');
    const table = main.querySelector('[data-testid="stTable"] table');
    const rows = table ? [...table.querySelectorAll('tr')].slice(0, 4) : [];
    return {
        height: window.innerHeight,
        scrolled: window.scrollY + main.scrollTop,
        tiles: [...main.querySelectorAll('[data-testid="stMetric"]')].map(box),
        plot: chart ? box(chart) : null,
        table: rows.length ? [box(rows[0])[0], box(rows[rows.length - 1])[1]] : null,
    };
}"""


def _first_screen(page, app_url: str, url_path: str) -> dict:
    assert page.viewport_size == VIEWPORT
    open_page(page, app_url, url_path)
    found = page.evaluate(_MEASURE)
    assert found["height"] == VIEWPORT["height"]
    assert found["scrolled"] == 0
    return found


@pytest.mark.parametrize("url_path", FIRST_SCREENS, ids=[p or "overview" for p in FIRST_SCREENS])
def test_headline_figures_and_main_chart_are_on_the_first_screen(page, app_url, url_path):
    found = _first_screen(page, app_url, url_path)
    height = found["height"]
    assert found["tiles"], f"/{url_path} has headline figures"
    for top, bottom in found["tiles"]:
        assert top >= 0 and bottom <= height, (url_path, "a headline tile is cut off", top, bottom)
    kind = FIRST_SCREENS[url_path]
    lead = found["table"] if kind == "table" else found["plot"]
    assert lead, f"/{url_path} leads with a {kind}"
    top, bottom = lead
    assert max(b for _, b in found["tiles"]) <= top, "the headline figures come first"
    assert bottom <= height, (url_path, f"the main {kind} ends at {bottom:.0f}px")


@pytest.mark.parametrize("url_path", FIRST_SCREENS, ids=[p or "overview" for p in FIRST_SCREENS])
def test_presenting_keeps_the_headline_figures_on_the_first_screen(page, app_url, url_path):
    joined = "&" if "?" in url_path else "?"
    found = _first_screen(page, app_url, f"{url_path}{joined}present=1")
    height = found["height"]
    assert found["tiles"]
    assert all(bottom <= height for _, bottom in found["tiles"]), url_path
    lead = found["table"] if FIRST_SCREENS[url_path] == "table" else found["plot"]
    assert lead and lead[0] < height - 100, (url_path, "the main chart begins on the first screen")
