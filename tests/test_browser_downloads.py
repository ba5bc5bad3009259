"""Every CSV download returns the table shown above it, in a real browser.

On each page every expander is opened, as a person would, and each "Download ... (CSV)" button
is clicked. The file the browser saves is compared, cell by cell, with the table it belongs to
as the page shows it:

- an st.table is real HTML, read as it is;
- an st.dataframe is drawn on a canvas (glide-data-grid), which keeps an accessible copy of
  the cells in view as an ARIA grid (aria-rowcount, aria-colcount, one gridcell per cell). The
  grid is scrolled across and down until every cell has been read.

Headers must match exactly, the number of rows must match the grid's aria-rowcount, and every
cell must match once numbers are compared as numbers (the grid shows 10 where the CSV has 10.0;
st.table shows 2,095 where the CSV may have 2095). Demo mode runs as the board, whose figures
are protected (marked OFFICIAL), so no file name carries the OFFICIAL-SENSITIVE marking.

Deselect with `pytest -m "not browser"`.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from earlyhelp.core import csv_safe
from earlyhelp.load.warehouse import current_version_dir
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner

pytest.register_assert_rewrite("tests.browser_helpers")  # before it is imported, as a plugin
from tests.browser_helpers import (  # noqa: E402
    READ_GRID,
    READ_HTML_TABLE,
    RERUN_WHEN_SLOW,
    choose_option,
    normalise,
    open_every_expander,
    open_page,
    read_csv,
    wait_until_run_finished,
)

pytest_plugins = ["tests.browser_helpers"]

# Rerun once only when slow (a timeout), never on a wrong answer: see RERUN_WHEN_SLOW.
pytestmark = [pytest.mark.browser, RERUN_WHEN_SLOW]

#: url path -> the CSV downloads the page offers on the demo borough (at least this many: a
#: page that lost its tables or buttons fails here, one that gains some is still checked).
PAGES = {
    "": 3,
    "demand": 1,  # each view of the Demand page is a tab with its own downloads
    "demand?view=Against+expected": 2,  # the chart's and the unusual months'
    "demand?view=Year+on+year": 1,
    "demand?view=Forecast": 2,  # the chart's and the backtest's
    "caseloads": 1,  # each view (tab) of the Caseloads page has its own: 11 in all
    "caseloads?view=Teams+and+workers": 3,
    "caseloads?view=Over+time": 2,
    "caseloads?view=Waiting+for+a+worker": 2,
    "caseloads?view=Changes+of+worker": 3,
    "pathways": 5,  # each view (tab) of Front door and pathways has its own: 20 in all
    "pathways?view=Levels+of+need": 2,
    "pathways?view=Step-ups+and+step-downs": 4,
    "pathways?view=Re-referrals": 3,
    "pathways?view=How+episodes+end": 4,
    "pathways?view=Partners+and+districts": 2,  # the chart's and the districts at a glance
    "scorecard": 1,  # At a glance: the summary; each priority's tab has its charts' tables
    "scorecard?view=Earliest+possible+help": 8,
    "scorecard?view=Early+help+is+everybody's+business": 2,
    "scorecard?view=Lasting+change+for+families": 10,
    "scorecard?view=A+stable+workforce": 3,  # two of its measures are the borough's only
    "district_profile": 6,
}

#: Each download button with the table it belongs to: the nearest table before it in the page,
#: which must sit in the same block (the same expander, or straight above the button).
_PAIRS = """() => {
    const TABLE = '[data-testid="stDataFrame"], [data-testid="stTable"]';
    const all = [...document.querySelectorAll(
        `${TABLE}, [data-testid="stDownloadButton"]`)];
    const tables = all.filter(el => el.matches(TABLE));
    const pairs = [];
    let last = null;
    for (const el of all) {
        if (el.matches(TABLE)) { last = el; continue; }
        const block = e => e.closest('[data-testid="stVerticalBlock"]');
        pairs.push({
            label: el.innerText.trim(),
            table: last ? tables.indexOf(last) : null,
            kind: last ? last.getAttribute('data-testid') : null,
            same_block: !!last && block(last) === block(el),
        });
    }
    return pairs;
}"""
_TABLES = '[data-testid="stDataFrame"], [data-testid="stTable"]'


def _shown(page, index: int, kind: str) -> dict:
    table = page.locator(_TABLES).nth(index)
    table.scroll_into_view_if_needed()
    shown = table.evaluate(READ_GRID if kind == "stDataFrame" else READ_HTML_TABLE)
    assert shown is not None, f"table {index} has no readable grid"
    return shown


#: What the page was doing when a click on a download gave no file.
_MISSED_DOWNLOAD = """button => {
    const box = button.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    const app = document.querySelector('[data-testid="stApp"]');
    return {
        disabled: button.disabled,
        box: [box.x, box.y, box.width, box.height].map(Math.round),
        at_centre: hit === null ? null
            : button.contains(hit) ? 'the button' : hit.outerHTML.slice(0, 160),
        script_state: app.getAttribute('data-test-script-state'),
        stale: document.querySelectorAll('[data-stale="true"]').length,
    };
}"""


def _click_for_download(page, index: int, failed_media: list[str]):
    for attempt in (1, 2):
        button = page.get_by_test_id("stDownloadButton").nth(index).get_by_role("button")
        try:
            with page.expect_download(timeout=30_000 if attempt == 1 else 60_000) as info:
                button.click()
            return info.value
        except PlaywrightTimeoutError:
            state = button.evaluate(_MISSED_DOWNLOAD) if button.count() else "the button is gone"
            if attempt == 2:
                raise AssertionError(
                    f"download {index} gave no file twice; the page: {state}; "
                    f"media requests that failed: {failed_media or 'none'}"
                ) from None
            print(f"download {index}: first click gave no file ({state}, {failed_media}); again")
            wait_until_run_finished(page)


def _download(page, index: int, tmp_path):
    """Click download `index` and save its file. A first click that gives no file is tried once
    more, after the page's run is over, with the reason printed: on a loaded CI machine a click
    has been seen to give no file with the page idle and the button in place. Two misses fail
    the test, with what the page and the server said."""
    failed_media = []

    def note_failed_media(response):
        if "/media/" in response.url and response.status >= 400:
            failed_media.append(f"{response.status} {response.url}")

    page.on("response", note_failed_media)
    try:
        download = _click_for_download(page, index, failed_media)
    finally:
        page.remove_listener("response", note_failed_media)
    tmp_path.mkdir(parents=True, exist_ok=True)
    saved = tmp_path / f"{index:02d}_{download.suggested_filename}"
    download.save_as(saved)
    return download.suggested_filename, saved


def _differences(shown: dict, headers: list[str], rows: list[list[str]]) -> list[str]:
    """How the CSV differs from the table shown (empty when they are the same table)."""
    found = []
    if shown["headers"] != headers:
        found.append(f"headers: shown {shown['headers']}, CSV {headers}")
    if len(shown["rows"]) != len(rows):
        found.append(f"rows: {len(shown['rows'])} shown, {len(rows)} in the CSV")
    for number, (seen, saved) in enumerate(zip(shown["rows"], rows, strict=False), start=1):
        # A text cell a spreadsheet would run as a formula ('-28% on expected') is saved with a
        # quote in front (earlyhelp.core.csv_safe): the same cell, made safe to open.
        seen = [v if v is None else csv_safe.safe_text(v) for v in seen]
        if [normalise(v) for v in seen] != [normalise(v) for v in saved]:
            found.append(f"row {number}: shown {seen}, CSV {saved}")
    return found[:5]


def _check_every_download(page, tmp_path) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Click every download on the page and compare each CSV with its table; returns the CSVs
    by file name."""
    pairs = page.evaluate(_PAIRS)
    problems, files = [], {}
    for index, pair in enumerate(pairs):
        name, saved = _download(page, index, tmp_path)
        headers, rows = read_csv(saved)
        files[name] = (headers, rows)
        where = f"{pair['label']!r} -> {name}"
        if not name.endswith(".csv") or name.startswith("OFFICIAL"):
            problems.append(f"{where}: the board's file name should be <table>.csv, unmarked")
        if pair["table"] is None or not pair["same_block"]:
            problems.append(f"{where}: no table shown with this download")
            continue
        shown = _shown(page, pair["table"], pair["kind"])
        assert shown["rows"], f"{where}: the table shown is empty"
        found = _differences(shown, headers, rows)
        if found and pair["kind"] == "stDataFrame":
            # The grid's accessible copy of its cells (what is read here) can lag its drawing
            # after a rerun that changes the data under the same headers: read it once more.
            page.wait_for_timeout(1500)
            found = _differences(_shown(page, pair["table"], pair["kind"]), headers, rows)
        problems.extend(f"{where}: {d}" for d in found)
    assert not problems, "\n".join(problems)
    return files


# --- 1. Every download on every page ----------------------------------------------------------
#: The district profile's downloads are checked by test_the_downloads_follow_the_filter.
CHECKED_HERE = [p for p in PAGES if p != "district_profile"]


@pytest.mark.parametrize("url_path", CHECKED_HERE, ids=[p or "overview" for p in CHECKED_HERE])
def test_every_download_is_the_table_shown(page, app_url, url_path, tmp_path, demo_warehouse):
    open_page(page, app_url, url_path)
    assert not page.get_by_test_id("stException").count(), f"/{url_path} raised an exception"
    marking = page.get_by_test_id("stMarkdownContainer").filter(has_text="OFFICIAL").first
    assert marking.inner_text().startswith("OFFICIAL:"), "demo mode shows protected figures"
    open_every_expander(page)
    page.get_by_test_id("stDownloadButton").nth(PAGES[url_path] - 1).wait_for()
    buttons = page.get_by_test_id("stDownloadButton").count()
    assert buttons >= PAGES[url_path], f"/{url_path} offers {buttons} CSV downloads"
    files = _check_every_download(page, tmp_path)

    if url_path == "":
        # The numbers themselves: the first table is the board's protected monthly referrals,
        # exactly as the library's named query gives them for the same 12 months.
        runner = QueryRunner(current_version_dir(demo_warehouse))
        board = Role.parse("board")
        end = runner.run("overview_headlines", {}, board)["period_end"][0]
        expected = runner.run("referrals_borough_by_month", {"to": end}, board)
        headers, rows = files["overview_referrals_by_month.csv"]  # named after the page
        assert headers == ["Month", "Referrals"]
        assert [[r[0], normalise(r[1])] for r in rows] == [
            [month, "c" if n is None else float(n)] for month, n in expected.iter_rows()
        ]


# --- 2. A download follows the filters ------------------------------------------------------------
def test_the_downloads_follow_the_filter(page, app_url, tmp_path):
    """After the district changes, every CSV is the new table shown, not the one before."""
    open_page(page, app_url, "district_profile")
    open_every_expander(page)
    page.get_by_test_id("stDownloadButton").nth(PAGES["district_profile"] - 1).wait_for()
    before = _check_every_download(page, tmp_path / "central")

    choose_option(page, "District", "South")
    open_every_expander(page)
    after = _check_every_download(page, tmp_path / "south")
    # Each file is named after the district it holds (ui.name_downloads).
    assert all(name.removesuffix(".csv").endswith("_central") for name in before), before.keys()
    assert {name.replace("_south.csv", "_central.csv") for name in after} == before.keys()
    for name, (headers, rows) in after.items():
        was = before[name.replace("_south.csv", "_central.csv")]
        assert (headers, rows) != was, f"{name} is the same for South as for Central"
        if name.startswith("district_profile_") and "per_10000" not in name:
            assert headers[1] == "South", (name, headers)  # each measure for the district
