"""UI layer: every page run through Streamlit's AppTest on the demo warehouse and on none."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from streamlit.testing.v1 import AppTest

from earlyhelp.core.errors import WarehouseOutdated
from earlyhelp.load.warehouse import current_version_dir, read_manifest
from earlyhelp.presentation import charts
from earlyhelp.query.runner import QueryRunner
from tests.apptest import figures, open_app, open_data_tables

PAGES = [
    "pages/overview.py",
    "pages/demand.py",
    "pages/caseloads.py",
    "pages/pathways.py",
    "pages/scorecard.py",
    "pages/district_profile.py",
    "pages/compared.py",
    "pages/data_quality.py",
    "pages/about.py",
]


def run_page(page: str | None = None) -> AppTest:
    return open_app(None if page == PAGES[0] else page)


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


@pytest.fixture
def with_empty_warehouse(tmp_path, monkeypatch):
    empty = tmp_path / "no-warehouse-here"
    empty.mkdir()
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(empty))
    return empty


# --- Every page on the demo warehouse ---------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(with_demo, page):
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_sidebar_shows_role_version_and_coverage(with_demo):
    at = run_page()
    sidebar = texts(at.sidebar.markdown) + "\n" + texts(at.sidebar.caption)
    assert "Demo mode:" in sidebar and "board view" in sidebar
    assert "Data covers" in sidebar
    version = (with_demo / "CURRENT").read_text().strip()
    assert version not in sidebar, "the version id means nothing to a board member"
    # The manifest's publishing time (UTC, ISO) is said in words, in UK time. Not the version id:
    # that is stamped when publishing starts, and the minute can turn before it ends.
    created = read_manifest(current_version_dir(with_demo))["created"]
    published = dt.datetime.fromisoformat(created).astimezone(dt.UTC)
    local = published.astimezone(ZoneInfo("Europe/London"))
    months = ["January", "February", "March", "April", "May", "June", "July", "August"]
    months += ["September", "October", "November", "December"]
    words = f"Data loaded {local.day} {months[local.month - 1]} {local.year} at {local:%H:%M}"
    assert words in sidebar, (words, sidebar)


def test_overview_headline_metrics_match_the_headline_query(with_demo):
    at = run_page()
    shown = {m.label: m for m in at.metric}
    expected = QueryRunner.open(with_demo).run("overview_headlines").row(0, named=True)
    tiles = {
        "Referrals to early help": ("referrals_12m", "referrals_prev_12m"),
        "Open episodes now": ("open_episodes", "open_episodes_year_before"),
        "Contacts": ("contacts_12m", "contacts_prev_12m"),
        "Ended in a step-up": ("step_ups_12m", "step_ups_prev_12m"),
    }
    assert list(shown) == list(tiles)
    for label, (column, before) in tiles.items():
        assert shown[label].value == f"{expected[column]:,}"
        # Every tile has its change on the year before (the demo has a year before each).
        change = expected[column] - expected[before]
        assert shown[label].delta.startswith(f"{change:+,}"), label


def test_overview_charts_have_alt_text_tables_and_downloads(with_demo):
    at = run_page()
    charts_shown = at.get("plotly_chart")
    assert len(charts_shown) == 3
    captions = texts(at.caption)
    for chart in charts_shown:
        assert chart.proto.alt, "every chart carries an alt text"
        assert chart.proto.alt not in captions, "alt text is for screen readers only"
    assert [e.label for e in at.expander] == ["Show data as a table"] * 3
    assert not at.dataframe, "a chart's table is drawn only when its expander is opened"
    open_data_tables(at)
    assert len(at.dataframe) == 3
    assert [b.label for b in at.download_button] == ["Download this table (CSV)"] * 3


def test_overview_trend_marks_events_and_explains_them(with_demo):
    at = run_page()
    trend = figures(at)[0]
    labels = [a.get("text") for a in trend["layout"].get("annotations", [])]
    assert any("lockdown" in (label or "").lower() for label in labels)
    assert any("Schools return" in (label or "") for label in labels)
    notes = texts(at.markdown)
    assert "In the 12 months to" in notes
    assert "than usual" in notes, "the explanation of how the events moved referrals"


def test_overview_charts_are_readable_on_a_projector(with_demo):
    at = run_page()
    for figure in figures(at):
        layout = figure["layout"]
        assert not layout.get("showlegend", False), "lines are labelled directly, not by legend"
        sizes = charts.font_sizes(figure)
        assert sizes and min(sizes) >= charts.MIN_FONT_PX


def test_about_page_has_guide_sources_and_accessibility_statement(with_demo):
    at = run_page("pages/about.py")
    headers = [h.value for h in at.header]
    for wanted in (
        "Using this dashboard",
        "What the measures mean",
        "Where the data comes from",
        "How small numbers are protected",
        "Accessibility statement for Early Help Insight",
    ):
        assert wanted in headers
    body = texts(at.markdown)
    assert "started on or before that date" in body
    assert "partially compliant" in body
    assert "prepared on 23 November 2026" in body
    version = (with_demo / "CURRENT").read_text().strip()
    assert version in body
    assert len(at.dataframe) == 1, "the ingest reconciliation table"
    table = at.dataframe[0].value
    assert {"Rows read", "Loaded", "Rejected"} <= set(table.columns)
    assert (table["Rows read"] == table["Loaded"] + table["Rejected"]).all()


# --- No warehouse: a message, never a traceback -------------------------------------------------
def test_overview_without_warehouse_says_how_to_build_one(with_empty_warehouse):
    at = run_page()
    assert not at.exception
    assert at.error and "no data to show" in at.error[0].value.lower()
    assert "python -m earlyhelp demo --out data/demo" in texts(at.code)
    assert "make run" in texts(at.info)
    assert not at.metric and not at.get("plotly_chart")


def test_overview_with_a_broken_warehouse_shows_a_message(tmp_path, monkeypatch):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "CURRENT").write_text("20990101T000000000000Z\n")  # names a version not there
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(broken))
    at = run_page()
    assert not at.exception
    assert at.error and "no data to show" in at.error[0].value.lower()
    assert not at.metric


def test_a_warehouse_from_an_earlier_release_says_how_to_rebuild_it(
    demo_warehouse, tmp_path, monkeypatch
):
    """A warehouse built before an upgrade added marts: one message and the rebuild command,
    not a database error from every query."""
    import json
    import shutil

    old = tmp_path / "old_release"
    shutil.copytree(demo_warehouse, old)
    manifest_path = current_version_dir(old) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["marts"].remove("mart_selection_events")
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(WarehouseOutdated, match="mart_selection_events"):
        QueryRunner.open(old)
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(old))
    at = run_page("pages/demand.py")
    assert not at.exception
    assert at.error and "rebuilding after an upgrade" in at.error[0].value
    assert f"python -m earlyhelp rebuild --warehouse {old}" in texts(at.code)
    assert not at.get("plotly_chart")
    assert "The data needs rebuilding." in texts(at.sidebar.caption)


def test_about_without_warehouse_still_shows_the_guide(with_empty_warehouse):
    at = run_page("pages/about.py")
    assert not at.exception
    assert "Accessibility statement for Early Help Insight" in [h.value for h in at.header]
    assert any("No data has been loaded yet" in i.value for i in at.info)


@pytest.mark.parametrize(
    ("page", "query_params"),
    [
        (None, None),
        ("pages/demand.py", None),
        ("pages/caseloads.py", None),
        ("pages/pathways.py", None),
        # The Scorecard opens on its summary table; its charts are in each priority's tab.
        ("pages/scorecard.py", {"view": "Earliest possible help"}),
        ("pages/district_profile.py", None),
    ],
)
def test_every_chart_carries_the_theme(with_demo, page, query_params):
    """The theme is Plotly's default template (charts/theme.py), not set figure by figure, and is
    written into each figure as it is sent (charts.browser_figure): every chart a page sends
    must carry it whole."""
    shown = figures(open_app(page, query_params))
    assert shown
    theme = charts.TEMPLATE.to_plotly_json()
    for figure in shown:
        assert figure["layout"].get("template") is None, "sent with the template written in"
        assert figure["layout"]["font"] == theme["layout"]["font"]
        # The template's title size, unless the figure sets its own (the scorecard's are 18).
        assert figure["layout"]["title"]["font"]["size"] >= charts.SUBTITLE_FONT_PX
        assert figure["layout"]["colorway"] == theme["layout"]["colorway"]


def test_a_chart_has_the_theme_even_after_another_default_was_set(monkeypatch):
    """Streamlit makes its own template Plotly's default when its Plotly module is imported,
    which can happen after charts/theme.py: the next chart must still be themed, and the default
    taken back."""
    import plotly.io as pio
    import polars as pl

    monkeypatch.setattr(pio.templates, "default", "plotly")
    frame = pl.DataFrame({"month": ["2025-01", "2025-02"], "referrals": [10.0, 12.0]})
    fig = charts.monthly_trend(frame, "month", "referrals", title="Referrals", y_title="Referrals")
    assert fig.layout.template.layout.font.family == charts.TEMPLATE.layout.font.family
    assert fig.layout.template.layout.colorway == charts.TEMPLATE.layout.colorway
    assert pio.templates.default == charts.THEME


@pytest.mark.parametrize("largest", [7.0, 940.0, 12_345.0, 3_456_789.0])
def test_a_trend_sets_its_own_margins_wide_enough_for_its_labels(largest):
    """A line chart's margins are set, not left to Plotly's automargin (which draws a chart
    twice): the left one must hold the widest y tick label, the right one half the widest date
    label (a tick at the plot's right end)."""
    import polars as pl

    frame = pl.DataFrame({"month": ["2024-01", "2024-06", "2025-03"], "n": [1.0, largest, 3.0]})
    fig = charts.monthly_trend(frame, "month", "n", title="Trend", y_title="Count")
    assert fig.layout.xaxis.automargin is False and fig.layout.yaxis.automargin is False
    top_tick = f"{int(fig.layout.yaxis.range[1]):,}"
    assert fig.layout.margin.l >= charts.text_px(top_tick, charts.BASE_FONT_PX) + 8
    assert fig.layout.margin.r >= charts.text_px("Sep 2026", charts.BASE_FONT_PX) / 2


def test_a_built_chart_is_kept_for_the_same_data_and_rebuilt_for_new_data():
    import polars as pl

    from earlyhelp import ui

    def trend(values: list[float], title: str = "Referrals"):
        frame = pl.DataFrame({"month": ["2025-01", "2025-02"], "referrals": values})
        return ui.cached_figure(
            charts.monthly_trend, frame, "month", "referrals", title=title, y_title="Referrals"
        )

    first = trend([10.0, 12.0])
    assert trend([10.0, 12.0]) is first, "the same builder, data and words: the same figure"
    assert trend([10.0, 13.0]) is not first
    assert list(trend([10.0, 13.0]).data[0].y) == [10.0, 13.0]
    assert trend([10.0, 12.0], title="Contacts").layout.title.text == "Contacts"


def test_the_disclosure_note_is_said_once_at_the_foot_of_the_page(with_demo):
    at = run_page()
    notes = [c.value for c in at.main.caption if "withheld to protect" in c.value]
    assert len(notes) == 1, notes
    assert at.main.caption[-1].value == notes[0], "the last thing on the page"
