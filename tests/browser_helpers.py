"""What the real-browser tests share: the app served by `streamlit run` on a free port, the
chromium settings, and helpers that wait for a Streamlit run and read what a page shows.

A pytest plugin: each browser test module names it in `pytest_plugins`, so its fixtures are
registered once and one Streamlit server serves every browser test in a session. Its helpers
are imported from here (`from tests.browser_helpers import ...`), never copied.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from earlyhelp.tools import loadbench
from earlyhelp.tools.bench import CHROMIUM, CHROMIUM_ARGS, streamlit_command

REPO = Path(__file__).resolve().parent.parent
VIEWPORT = {"width": 1366, "height": 768}
READY_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 60_000


class AppDidNotStart(RuntimeError):
    """`streamlit run` was still starting after READY_TIMEOUT_S (it had not exited)."""


#: The browser tests' only rerun, and only for the two causes seen to be flaky here: on a shared
#: 2-core machine a Streamlit run or a chart's drawing can outlast a wait (Playwright's
#: TimeoutError), and the server can be slow to start (AppDidNotStart). Anything else (a wrong
#: figure, a failed assertion, an axe violation, the server exiting) fails at once. A rerun
#: shows as "R" in the summary.
RERUN_WHEN_SLOW = pytest.mark.flaky(reruns=1, only_rerun=[PlaywrightTimeoutError, AppDidNotStart])


# --- pytest-playwright configuration -------------------------------------------------------------
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


@contextlib.contextmanager
def serve_app(warehouse: Path, log_dir: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free port, serving `warehouse`; yields its URL once healthy
    and stops the server afterwards."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = log_dir / "server.log"
    env = {**os.environ, "EARLYHELP_WAREHOUSE": str(warehouse)}
    command = streamlit_command(REPO / "app.py", port)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not _healthy(url):
            if server.poll() is not None:
                pytest.fail(f"streamlit exited with {server.returncode}:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                raise AppDidNotStart(
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


@pytest.fixture(scope="session")
def app_url(demo_warehouse, tmp_path_factory):
    """The app on the session's demo warehouse, shared by every browser test."""
    with serve_app(demo_warehouse, tmp_path_factory.mktemp("streamlit")) as url:
        yield url


# --- Waiting for Streamlit ---------------------------------------------------------------------
def wait_until_run_finished(page) -> None:
    """The script has finished: the app is rendered and no 'running' status is shown."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
                 && document.querySelector('[data-testid="stApp"]')
                            ?.getAttribute('data-test-script-state') !== 'running'""",
        timeout=PAGE_TIMEOUT_MS,
    )


#: Every element is drawn: Streamlit shows a skeleton while it loads the code for a chart or a
#: table (after the script has finished), then Plotly draws each chart into its SVG.
ALL_DRAWN = """() => !document.querySelector('[data-testid="stSkeleton"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .every(chart => chart.querySelector('.js-plotly-plot .main-svg'))"""


def open_page(page, app_url: str, url_path: str) -> None:
    """Open a page and wait until its script has finished and every chart is drawn."""
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(f"{app_url}/{url_path}")
    wait_until_run_finished(page)
    page.wait_for_function(ALL_DRAWN, timeout=PAGE_TIMEOUT_MS)


_WATCH_RUNS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__ehRuns = 0;
    if (!window.__ehRunWatcher) {
        window.__ehRunWatcher = new MutationObserver(() => {
            if (app.getAttribute('data-test-script-state') === 'running') window.__ehRuns += 1;
        });
        window.__ehRunWatcher.observe(app, {
            attributes: true, attributeFilter: ['data-test-script-state'],
        });
    }
}"""
_RUN_OVER = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && document.querySelector('[data-testid="stApp"]')
           ?.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale="true"]')"""
_RERUN_FINISHED = f"() => window.__ehRuns > 0 && ({_RUN_OVER})()"


def rerun_after(page, action, shown: str | None = None, arg=None) -> None:
    """Do `action` (a click or key press that changes a widget) and wait until the Streamlit run
    it starts has finished and the page is drawn again.

    The script state is watched from before the action, so a run that starts and ends between
    two polls is still seen, and the old page is never mistaken for the new one. A quick run
    whose messages reach the browser together is drawn once, already finished, so its
    'running' state is never seen: where the run draws something new, `shown` (a JavaScript
    predicate, given `arg`) is the proof of it instead. What a run draws is drawn after its
    start, so once `shown` holds and the app is not running, that run is over."""
    page.evaluate(_WATCH_RUNS)
    action()
    if shown is None:
        page.wait_for_function(_RERUN_FINISHED, timeout=PAGE_TIMEOUT_MS)
    else:
        page.wait_for_function(
            f"(arg) => ({shown})(arg) && ({_RUN_OVER})()", arg=arg, timeout=PAGE_TIMEOUT_MS
        )
    page.wait_for_function(ALL_DRAWN, timeout=PAGE_TIMEOUT_MS)


def grow_to_content(page) -> None:
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


#: A chart's "Show data as a table" expander (ui.chart_with_data) draws its table and download
#: only once it is open, in the Streamlit run that opening it starts.
_DATA_TABLES = '[data-testid="stLayoutWrapper"][class*="st-key-data-"]'
#: Every expander open, and every chart's data table drawn with its download.
_ALL_TABLES_OPEN = """(tables) =>
    [...document.querySelectorAll('[data-testid="stExpander"] details')].every(d => d.open)
    && [...document.querySelectorAll(tables)]
        .every(t => t.querySelector('[data-testid="stDownloadButton"]'))"""
_CLICK_CLOSED_EXPANDERS = """() => document.querySelectorAll(
        '[data-testid="stExpander"] details:not([open]) > summary'
    ).forEach(summary => summary.click())"""


def open_every_expander(page) -> None:
    """Open every expander on the page: a click on each one's summary (dispatched in one go:
    a pointer click each, with its scrolling and checks, takes most of a second apiece), then
    wait for the run that draws the charts' tables and for every table's download."""
    closed_tables = page.locator(f"{_DATA_TABLES} details:not([open])").count()
    if closed_tables:
        rerun_after(
            page, lambda: page.evaluate(_CLICK_CLOSED_EXPANDERS), _ALL_TABLES_OPEN, _DATA_TABLES
        )
    else:
        page.evaluate(_CLICK_CLOSED_EXPANDERS)
        page.wait_for_function(_ALL_TABLES_OPEN, arg=_DATA_TABLES)
        page.wait_for_function(ALL_DRAWN)


# --- What a page shows -------------------------------------------------------------------------
#: The widgets a person can change on a page (not buttons or downloads): Streamlit's test ids.
WIDGET_TEST_IDS = (
    "stSelectbox",
    "stMultiSelect",
    "stRadio",
    "stButtonGroup",
    "stDateInput",
    "stTimeInput",
    "stNumberInput",
    "stTextInput",
    "stTextArea",
    "stCheckbox",
    "stToggle",
    "stSlider",
    "stSelectSlider",
    "stColorPicker",
    "stFileUploader",
)

_CONTROLS = f"""() => {{
    const ids = {list(WIDGET_TEST_IDS)!r};
    // The main column, and the sidebar's place for the page's filters (ui.page_controls).
    const areas = [...document.querySelectorAll('[data-testid="stMain"], .st-key-page-controls')];
    return ids.flatMap(id => areas.flatMap(area => [...area.querySelectorAll(
        `[data-testid="${{id}}"]`)])).map(w => {{
        const box = w.closest('[data-testid="stElementContainer"]');
        const key = [...(box?.classList || [])].find(name => name.startsWith('st-key-'));
        return key ? key.slice('st-key-'.length)
                   : (w.querySelector('[data-testid="stWidgetLabel"]')?.innerText || '').trim();
    }});
}}"""


def controls_on_page(page) -> set[str]:
    """The key (or, without one, the label) of every widget a person can change on the page."""
    return set(page.evaluate(_CONTROLS))


#: Everything on the page that a filter could change, except the widgets themselves: headings,
#: metrics, captions, static tables, and for each chart its title, its alt text and the data it
#: plots (Plotly's own copy of the traces it drew, so the numbers a person sees in the chart).
_VIEW = """() => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    const text = el => (el ? el.innerText : '').trim();
    const arrays = (key, value) => ArrayBuffer.isView(value) ? Array.from(value) : value;
    const FIELDS = ['type', 'name', 'x', 'y', 'z', 'values', 'labels', 'text', 'base',
                    'customdata', 'node', 'link', 'orientation', 'marker'];
    const trace = t => Object.fromEntries(FIELDS.filter(f => t[f] !== undefined)
                                                .map(f => [f, t[f]]));
    return {
        url: location.pathname + location.search,
        headings: [...main.querySelectorAll('h1, h2, h3')].map(text),
        metrics: [...main.querySelectorAll('[data-testid="stMetric"]')].map(m => ({
            label: text(m.querySelector('[data-testid="stMetricLabel"]')),
            value: text(m.querySelector('[data-testid="stMetricValue"]')),
            delta: text(m.querySelector('[data-testid="stMetricDelta"]')),
        })),
        captions: [...main.querySelectorAll('[data-testid="stCaptionContainer"]')].map(text),
        tables: [...main.querySelectorAll('[data-testid="stTable"]')].map(text),
        charts: [...main.querySelectorAll('[data-testid="stPlotlyChart"]')].map(chart => {
            const plot = chart.querySelector('.js-plotly-plot');
            const layout = plot?.layout || {};
            const shapes = (layout.shapes || []).map(s => [s.x0, s.x1, s.y0, s.y1]);
            const notes = (layout.annotations || []).map(a => [a.x, a.y, a.text]);
            const box = chart.closest('[data-testid="stElementContainer"]');
            const key = [...(box?.classList || [])].find(name => name.startsWith('st-key-'));
            return {
                key: key ? key.slice('st-key-'.length) : null,
                title: layout.title?.text ?? '',
                alt: chart.getAttribute('aria-label') || '',
                data: JSON.stringify([(plot?.data || []).map(trace), shapes, notes], arrays),
            };
        }),
    };
}"""


def view(page) -> dict:
    """What the page shows now (see _VIEW), read once its charts are drawn."""
    page.wait_for_function(ALL_DRAWN, timeout=PAGE_TIMEOUT_MS)
    return page.evaluate(_VIEW)


def chart(snapshot: dict, key: str) -> dict:
    """The chart drawn by `st.plotly_chart(key=key)` in a view."""
    found = [c for c in snapshot["charts"] if c["key"] == key]
    assert len(found) == 1, (key, [c["key"] for c in snapshot["charts"]])
    return found[0]


def metric(snapshot: dict, label_prefix: str) -> dict:
    found = [m for m in snapshot["metrics"] if m["label"].startswith(label_prefix)]
    assert len(found) == 1, (label_prefix, [m["label"] for m in snapshot["metrics"]])
    return found[0]


# --- Tables: read as shown, compared with a CSV ---------------------------------------------------
#: Every cell of an st.dataframe. Streamlit draws it on a canvas (glide-data-grid), which keeps
#: an accessible copy of the cells in view as an ARIA grid for screen readers; the grid is
#: scrolled across and down, as a person would, until every cell has been read.
READ_GRID = """async (root) => {
    const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));
    const grid = () => root.querySelector('table[role="grid"]');
    for (let i = 0; i < 600 && !grid(); i++) await frame();
    if (!grid()) return null;
    const scroller = root.querySelector('.dvn-scroller');
    const rowCount = Number(grid().getAttribute('aria-rowcount')) - 1;
    const colCount = Number(grid().getAttribute('aria-colcount'));
    const headers = {}, cells = {};
    const inView = () => [...grid().querySelectorAll('tr[aria-rowindex] > [aria-colindex]')]
        .map(c => c.parentElement.getAttribute('aria-rowindex') + ':'
                  + c.getAttribute('aria-colindex'))
        .join(',');
    const collect = () => {
        for (const th of grid().querySelectorAll('thead th[aria-colindex]')) {
            headers[th.getAttribute('aria-colindex')] = th.textContent;
        }
        for (const tr of grid().querySelectorAll('tbody tr[aria-rowindex]')) {
            const row = (cells[tr.getAttribute('aria-rowindex')] ||= {});
            for (const td of tr.querySelectorAll('td[aria-colindex]')) {
                row[td.getAttribute('aria-colindex')] = td.textContent;
            }
        }
    };
    const complete = () => Object.keys(headers).length >= colCount
        && Object.keys(cells).length >= rowCount
        && Object.values(cells).every(row => Object.keys(row).length >= colCount);
    const scrollTo = async (left, top) => {
        left = Math.min(left, scroller.scrollWidth - scroller.clientWidth);
        top = Math.min(top, scroller.scrollHeight - scroller.clientHeight);
        if (left === scroller.scrollLeft && top === scroller.scrollTop) return;
        const before = inView();
        scroller.scrollLeft = left;
        scroller.scrollTop = top;
        for (let i = 0; i < 120 && inView() === before; i++) await frame();
    };
    collect();
    const stepY = Math.max(scroller.clientHeight - 80, 35);
    const stepX = Math.max(scroller.clientWidth - 80, 40);
    for (let top = 0; !complete() && top < scroller.scrollHeight; top += stepY) {
        for (let left = 0; left < scroller.scrollWidth; left += stepX) {
            await scrollTo(left, top);
            collect();
        }
    }
    await scrollTo(0, 0);
    const columns = [...Array(colCount).keys()].map(i => String(i + 1));
    return {
        headers: columns.map(c => headers[c] ?? null),
        rows: [...Array(rowCount).keys()].map(
            i => columns.map(c => (cells[String(i + 2)] || {})[c] ?? null)),
    };
}"""

#: Every cell of an st.table: a real HTML table.
READ_HTML_TABLE = """(root) => {
    const cells = tr => [...tr.children].map(cell => cell.innerText.trim());
    return {
        headers: [...root.querySelectorAll('thead tr')].flatMap(cells),
        rows: [...root.querySelectorAll('tbody tr')].map(cells),
    };
}"""

_NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][-+]?\d+)?")


def normalise(value: str | None):
    """A cell as a comparable value: the grid shows 10 where the CSV has 10.0, and st.table
    shows 2,095 where the CSV may have 2095; an empty cell is None."""
    if value is None:
        return "<not shown>"
    text = value.strip()
    if text in ("", "None", "null"):
        return None
    if _NUMBER.fullmatch(text) and any(ch.isdigit() for ch in text):
        number = float(text.replace(",", ""))
        return round(number, 9) if math.isfinite(number) else text
    return text


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(io.StringIO(handle.read())))
    return lines[0], lines[1:]


# --- Changing widgets as a person would --------------------------------------------------------
#: Resolves once the element has stopped moving (the page's smooth scrolling has finished).
_STILL = loadbench.STILL  # until an element has stopped moving


def scroll_to(locator) -> None:
    """Scroll an element into view and wait until the page has stopped scrolling: a list or
    menu opened while the page still scrolls closes again at once."""
    locator.scroll_into_view_if_needed()
    locator.evaluate(_STILL)


def choose_option(page, label: str, option: str | int) -> str:
    """Open the select box named `label` with a click and click `option` (its text, or its
    place in the list) in its list; wait for the run that starts. Returns the option's text."""
    box = page.get_by_role("combobox", name=label, exact=True)
    scroll_to(box)
    box.click()
    listbox = page.get_by_role("listbox")  # only one list is open at a time
    listbox.wait_for()
    choice = (
        listbox.get_by_role("option").nth(option)
        if isinstance(option, int)
        else listbox.get_by_role("option", name=option, exact=True)
    )
    text = choice.inner_text().strip()
    rerun_after(page, choice.click)
    return text


def click_choice(page, key: str, name: str) -> None:
    """Click the choice `name` of a radio group or segmented control (the widget with `key`)."""
    choice = page.locator(f".st-key-{key}").get_by_text(name, exact=True)
    scroll_to(choice)
    rerun_after(page, choice.click)


def type_number(page, label: str, value: int) -> None:
    """Click into the number box named `label`, replace its number by typing and press Enter."""
    box = page.get_by_role("spinbutton", name=label, exact=True)
    scroll_to(box)

    def type_it():
        box.click()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type(str(value))
        page.keyboard.press("Enter")

    rerun_after(page, type_it)
