"""Accessibility in a real browser (WCAG 2.2 AA, DESIGN.md item 9): every page scanned by
axe-core, every filter reached by keyboard alone, every chart described, chart text readable.

Uses the same Streamlit server and chromium as the other browser tests (the fixtures in
tests/browser_helpers.py, shared, not copied). axe-core comes bundled in the
`axe-playwright-python` package, so nothing is downloaded at test time. Deselect with
`pytest -m "not browser"`.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from earlyhelp.presentation.charts import MIN_TEXT_CONTRAST, contrast_ratio

pytest.register_assert_rewrite("tests.browser_helpers")  # before it is imported, as a plugin
from tests.browser_helpers import (  # noqa: E402
    REPO,
    RERUN_WHEN_SLOW,
    grow_to_content,
    open_every_expander,
    open_page,
)

# The server and chromium fixtures of the real-browser suite (app_url and the chromium
# settings): one Streamlit server for every browser test module in a session.
pytest_plugins = ["tests.browser_helpers"]

# Rerun once only when slow (a timeout), never on a wrong answer: see RERUN_WHEN_SLOW.
pytestmark = [pytest.mark.browser, RERUN_WHEN_SLOW]

#: The axe-core rule sets for WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = ("serious", "critical")
#: Violations of Streamlit's own markup that the app cannot change, each with its reason:
#: (axe rule id, regular expression matched against a node's target selector, reason).
#: Keep it empty unless a fix is impossible; never allow a whole rule.
ALLOWED: list[tuple[str, str, str]] = []


def _app_pages() -> list[str]:
    """The url paths of the pages app.py serves ('' is the home page)."""
    app = (REPO / "app.py").read_text()
    optional = [name for name in ("scorecard", "district_profile") if f"pages/{name}.py" in app]
    views = [path for name in optional for path in OPTIONAL_VIEWS.get(name, [name])]
    return ["", *DEMAND_VIEWS, *CASELOADS_VIEWS, *PATHWAYS_VIEWS, *views, "about"]


#: The Demand page draws only its open view (a tab, named in the address): each is scanned.
DEMAND_VIEWS = [
    "demand",
    "demand?view=Against+expected",
    "demand?view=Year+on+year",
    "demand?view=Forecast",
]


#: The Caseloads page draws only its open view too: its first view and the one with most on it
#: (teams, per FTE, the workers' distribution), to keep the number of page loads down.
CASELOADS_VIEWS = ["caseloads", "caseloads?view=Teams+and+workers"]
#: Front door and pathways: its first view, and How episodes end (the outcome panels, the
#: journeys Sankey and the one control inside a tab).
PATHWAYS_VIEWS = ["pathways", "pathways?view=How+episodes+end"]
#: The Scorecard draws only its open tab: At a glance (the coloured status table), then each
#: strategy priority's measures (data/kpis.yaml), every one scanned.
SCORECARD_VIEWS = [
    "scorecard",
    "scorecard?view=Earliest+possible+help",
    "scorecard?view=Early+help+is+everybody's+business",
    "scorecard?view=Lasting+change+for+families",
    "scorecard?view=A+stable+workforce",
]
OPTIONAL_VIEWS = {"scorecard": SCORECARD_VIEWS}


PAGES = _app_pages()


# --- Helpers ---------------------------------------------------------------------------------
def _show_everything(page) -> None:
    """Open every expander (the tables under the charts) and grow the viewport to the whole
    page. Streamlit scrolls inside its own container, and axe checks the contrast of text only
    where it is on screen, so without this most of a long page would go unchecked."""
    open_every_expander(page)
    grow_to_content(page)


def _allowed(rule: str, target: str) -> bool:
    return any(rule == r and re.search(pattern, target) for r, pattern, _ in ALLOWED)


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:3]]
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} nodes]")
        lines.extend(f"    {target}" for target in targets)
        summary = (v["nodes"][0].get("failureSummary") or "").splitlines()
        if len(summary) > 1:
            lines.append(f"    {summary[1].strip()}")
    return "\n".join(lines)


# --- 1. axe-core: WCAG 2.2 A and AA on every page --------------------------------------------
@pytest.mark.parametrize("url_path", PAGES, ids=[p or "overview" for p in PAGES])
def test_page_has_no_serious_wcag_violations(page, app_url, url_path):
    open_page(page, app_url, url_path)
    _show_everything(page)
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    failing = []
    for violation in results.response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        nodes = [
            node
            for node in violation["nodes"]
            if not _allowed(violation["id"], " ".join(map(str, node["target"])))
        ]
        if nodes:
            failing.append({**violation, "nodes": nodes})
    assert not failing, f"axe-core on /{url_path}:\n{_describe(failing)}"


# --- 2. Keyboard alone reaches every control ---------------------------------------------------
_FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const within = testid => el.closest(`[data-testid="${testid}"]`);
    const keyClass = [...(el.closest('[data-testid="stElementContainer"]')?.classList || [])]
        .find(name => name.startsWith('st-key-'));
    const key = keyClass ? keyClass.slice('st-key-'.length) : null;
    return {
        key,
        nav: within('stSidebarNav') && el.href ? new URL(el.href).pathname : null,
        expander: within('stExpander') && el.tagName === 'SUMMARY' ? el.textContent.trim() : null,
        download: key && key.startsWith('download-') ? key : null,
        tab: el.getAttribute('role') === 'tab' ? el.textContent.trim() : null,
        label: (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 60),
    };
}"""
FILTERS = ("measure", "per", "show", "district", "source", "level", "age")
MAX_TABS = 150


def test_keyboard_alone_reaches_every_control_on_demand(page, app_url):
    open_page(page, app_url, "demand")  # focus starts at the top of the page
    reached: list[dict] = []
    opened = False
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None:
            continue
        reached.append(focused)
        if not opened and (focused["expander"] or "").endswith("Show data as a table"):
            # Open it from the keyboard: its table and download are drawn in the run that
            # starts, and the download is the next thing Tab reaches.
            page.keyboard.press("Enter")
            opened = True
            page.wait_for_selector(
                '[data-testid="stExpander"] details[open] [data-testid="stDownloadButton"]'
            )

    keys = {f["key"] for f in reached}
    path = ", ".join(f["key"] or f["nav"] or f["label"] for f in reached[:80])
    missing = [name for name in FILTERS if name not in keys]
    assert not missing, f"filters never focused with Tab: {missing}; focus went: {path}"
    # The views are tabs: Tab reaches the open one, and the arrow keys move between them.
    tabs = [f["tab"] for f in reached if f["tab"]]
    assert "Over time" in tabs, f"the Demand page's views never focused with Tab: {path}"
    expanders = [f["expander"] for f in reached if f["expander"]]
    assert any(e.endswith("Show data as a table") for e in expanders), path
    downloads = {f["download"] for f in reached if f["download"]}
    assert downloads, f"no download button focused: {path}"
    assert any(d.startswith("download-referrals") for d in downloads), (
        f"the download inside the expander opened with Enter was not focused: {path}"
    )
    nav = {f["nav"].rstrip("/").rsplit("/", 1)[-1] for f in reached if f["nav"]}
    missing_nav = [p or "/" for p in PAGES if "?" not in p and p not in nav]
    assert not missing_nav, f"sidebar links never focused: {missing_nav}; got {sorted(nav)}"


# --- 3 and 4. Charts: a text alternative, and text that can be read ----------------------------
_CHARTS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(chart => {
    const container = chart.closest('[data-testid="stElementContainer"]');
    const next = container && container.nextElementSibling;
    const caption = next && next.querySelector('[data-testid="stCaptionContainer"]');
    return {
        key: [...(container?.classList || [])].find(name => name.startsWith('st-key-')),
        role: chart.getAttribute('role'),
        name: (chart.getAttribute('aria-label') || '').trim(),
        caption: caption ? caption.innerText.trim() : null,
    };
})"""

#: Every piece of text Plotly drew: its colour and the chart's background (axe leaves SVG text
#: as 'needs review', so the contrast of chart text is checked here).
_CHART_TEXT = """() => {
    const out = [];
    for (const svg of document.querySelectorAll('[data-testid="stPlotlyChart"] svg.main-svg')) {
        const background = getComputedStyle(svg).backgroundColor;
        for (const text of svg.querySelectorAll('text')) {
            const style = getComputedStyle(text);
            if (!text.textContent.trim() || style.display === 'none'
                || style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
            // Text in a box of its own (an event's numbered badge) is read on the box.
            const box = text.closest('.annotation')?.querySelector('rect.bg');
            const boxStyle = box ? getComputedStyle(box) : null;
            const own = boxStyle && Number(boxStyle.fillOpacity) === 1 ? boxStyle.fill : '';
            out.push({text: text.textContent.trim().slice(0, 40), fill: style.fill,
                      opacity: style.fillOpacity, background, own});
        }
    }
    return out;
}"""


def _hex(css: str) -> str | None:
    """'rgb(18, 67, 109)' -> '#12436D'; None for anything translucent or not a colour."""
    match = re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)", css.strip())
    if not match or (match.group(4) is not None and float(match.group(4)) < 1):
        return None
    return "#" + "".join(f"{int(match.group(i)):02X}" for i in (1, 2, 3))


#: Tables, no charts: About, Data quality and the Scorecard's At a glance tab.
CHART_PAGES = [p for p in PAGES if p not in ("about", "data_quality", "scorecard")]


@pytest.mark.parametrize("url_path", CHART_PAGES, ids=[p or "overview" for p in CHART_PAGES])
def test_every_chart_is_described_and_its_text_is_readable(page, app_url, url_path):
    open_page(page, app_url, url_path)
    charts = page.evaluate(_CHARTS)
    assert charts, f"no charts on /{url_path}"
    for chart in charts:
        # Streamlit 1.67 renders st.plotly_chart(alt=...) as role="figure" aria-label="...";
        # the words are for screen readers: not printed again under the chart (issue 19).
        assert chart["role"] == "figure", chart
        assert len(chart["name"]) > 20, f"{chart['key']} has no accessible name: {chart}"
        assert chart["caption"] != chart["name"], f"{chart['key']}: alt text printed as well"

    unreadable = set()
    for item in page.evaluate(_CHART_TEXT):
        fill = _hex(item["fill"])
        background = _hex(item["own"]) or _hex(item["background"]) or "#FFFFFF"
        if fill is None or float(item["opacity"] or 1) < 1:
            unreadable.add((item["text"], item["fill"], f"opacity {item['opacity']}"))
        elif contrast_ratio(fill, background) < MIN_TEXT_CONTRAST:
            ratio = f"{contrast_ratio(fill, background):.2f}:1 on {background}"
            unreadable.add((item["text"], fill, ratio))
    assert not unreadable, f"chart text below {MIN_TEXT_CONTRAST}:1 on /{url_path}: {unreadable}"
