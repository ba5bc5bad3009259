"""The Caseloads page (pages/caseloads.py) through Streamlit's AppTest on the demo warehouse."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from earlyhelp import ui
from earlyhelp.load.ingest import ingest
from earlyhelp.measures import caseloads
from earlyhelp.presentation import charts
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from tests.apptest import assert_ran_cleanly, figures, open_app, open_data_tables
from tests.test_caseloads import write_tiny_extract

PAGE = "pages/caseloads.py"
#: The page's views (tabs, bound to the URL as `view`), each drawn only when open, with the
#: titles of the charts each one draws on the demo borough (as the board).
VIEWS = {
    "By district": ["Open episodes by district"],
    "Teams and workers": [
        "Open cases by team",
        "Caseload per FTE by team",
        "Workers by caseload per FTE",
    ],
    "Over time": ["Open episodes by district", "Open episodes by level of need"],
    "Waiting for a worker": ["Waiting for a first worker", "Days from referral to first worker"],
    "Changes of worker": [
        "Two or more changes of worker",
        "Two or more changes of worker",
        "Changes of worker by organisation",
    ],
}


#: The headline tiles, left to right: the open episodes, then the parts that add up to them.
HEADLINE_TILES = ["Open episodes", "With a worker", "Waiting for a worker", "Led by partners"]


def run_caseloads_page(view: str | None = None) -> AppTest:
    return open_app(PAGE, {"view": view} if view else None)


def every_view() -> dict[str, AppTest]:
    """The page opened on each of its views, from a link naming the view."""
    return {view: run_caseloads_page(view) for view in VIEWS}


def all_charts(views: dict[str, AppTest]) -> list:
    return [chart for at in views.values() for chart in at.get("plotly_chart")]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def everything_shown(at: AppTest) -> str:
    """Every piece of text the page sends to the browser: text elements, tables, charts, CSVs
    (with every chart's table opened)."""
    open_data_tables(at)
    parts = []
    for kind in ("markdown", "caption", "info", "title", "header", "subheader", "metric"):
        for element in at.get(kind):
            parts.append(str(getattr(element, "value", "")))
            parts.append(str(getattr(element, "label", "")))
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    for chart in at.get("plotly_chart"):
        parts.append(chart.proto.spec)
        parts.append(chart.proto.alt)
    for button in at.download_button:
        parts.append(str(button.proto))
    return "\n".join(parts)


def test_page_runs_cleanly_on_the_demo_warehouse(with_demo):
    at = run_caseloads_page()
    assert_ran_cleanly(at)
    assert [t.value for t in at.title] == ["Caseloads and workforce"]
    assert at.date_input(key="caseloads_as_of").value == date(2026, 3, 31)
    assert at.number_input(key="caseloads_threshold").value == caseloads.DEFAULT_THRESHOLD
    shown = metrics(at)
    expected = QueryRunner.open(with_demo).run("caseload_by_district", {"as_of": "2026-03-31"})
    assert shown["Open episodes"] == f"{expected['open_episodes'].sum():,}"
    assert list(shown) == HEADLINE_TILES
    assert [t.label for t in at.tabs] == list(VIEWS)
    # Above the tabs, on every view: the date's heading and the headline figures; the per-FTE
    # figures on the view the threshold is for.
    assert [h.value for h in at.subheader] == ["Open cases on 31 March 2026"]
    views = every_view()
    for view, shown_at in views.items():
        assert_ran_cleanly(shown_at)
        assert not shown_at.header, (view, "no heading repeats the tab's name")
        per_fte = ["Cases per FTE", "Above 18 per FTE"] if view == "Teams and workers" else []
        assert metrics(shown_at) == {**shown, **{k: metrics(shown_at)[k] for k in per_fte}}, view
        assert shown_at.subheader[0].value == "Open cases on 31 March 2026", view
    # Only the open view is drawn: the first, on arrival.
    assert len(at.get("plotly_chart")) == len(VIEWS["By district"])
    # A sub-heading only where a view holds two different things.
    assert [h.value for h in views["Teams and workers"].subheader][1:] == ["Caseload per worker"]
    assert [h.value for h in views["Changes of worker"].subheader][1:] == [
        "Council teams and commissioned providers"
    ]
    for view in ("By district", "Over time", "Waiting for a worker"):
        assert len(views[view].subheader) == 1, view
    notes = "\n".join(m.value for m in views["Teams and workers"].markdown)
    assert "no FTE recorded" in notes, "how many workers are left out of the per-FTE figures"


def test_each_view_draws_its_own_charts(with_demo):
    for view, at in every_view().items():
        titles = [
            json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")
        ]
        assert [t.split("<br>")[0] for t in titles] == VIEWS[view], (view, titles)


def test_every_chart_has_alt_text_a_table_and_a_download(with_demo):
    views = every_view()
    assert len(all_charts(views)) >= 9
    for view, at in views.items():
        shown = at.get("plotly_chart")
        assert shown, view
        captions = "\n".join(c.value for c in at.caption)
        for chart in shown:
            assert chart.proto.alt, "every chart carries an alt text"
            assert chart.proto.alt not in captions, "alt text is for screen readers only"
        assert [e.label for e in at.expander] == ["Show data as a table"] * len(shown), view
        open_data_tables(at)
        assert len(at.dataframe) >= len(shown), view
        downloads = [b.label for b in at.download_button]
        assert downloads.count("Download this table (CSV)") >= len(shown), view
        for chart in shown:
            figure = json.loads(chart.proto.spec)
            assert not figure["layout"].get("showlegend", False)
            assert min(charts.font_sizes(figure)) >= charts.MIN_FONT_PX


def test_the_trends_mark_the_events_calendar(with_demo):
    alts = [c.proto.alt for c in all_charts(every_view())]
    trends = [a for a in alts if "each month" in a or "by month" in a]
    assert len(trends) >= 3
    assert all("First lockdown" in a for a in trends), trends


def _count(shown: str) -> int | None:
    return None if shown == "c" else int(shown.replace(",", ""))


def test_the_headline_tiles_add_up_to_the_open_episodes(with_demo, monkeypatch):
    """For an analyst (exact counts) with a worker + waiting + led by partners = open episodes,
    as the line under the tiles says; on the demo nobody is between workers."""
    monkeypatch.setattr(ui.session, "DEMO_ROLE", "analyst")
    at = run_caseloads_page()
    assert_ran_cleanly(at)
    tiles = {label: _count(value) for label, value in metrics(at).items()}
    assert list(tiles) == HEADLINE_TILES
    parts = tiles["With a worker"] + tiles["Waiting for a worker"] + tiles["Led by partners"]
    assert parts == tiles["Open episodes"] == 2267
    assert tiles["Led by partners"] == 904, "the demo's open episodes led by schools, health..."
    # Each tile's change is on the same day a year before (out of the demo's warm-up).
    runner = QueryRunner.open(with_demo)
    analyst = Role.parse("analyst")
    before = runner.run("caseload_snapshot_by_district", {"as_of": "2025-03-31"}, analyst)
    change = tiles["Open episodes"] - int(before["open_episodes"].sum())
    assert at.metric[0].delta.startswith(f"{change:+,}")
    assert "Changes are on the same day a year before." in at.caption[0].value
    line = at.caption[0].value
    assert line.startswith("With a worker + waiting + led by partners = open episodes.")


def test_the_board_sees_the_scorecards_waiting_figure_never_one_got_by_subtraction(with_demo):
    """The board: waiting is too few to show in some districts, so the districts' sum is
    withheld; the tile shows the borough's own protected count, the Scorecard's figure (one
    number for one measure), not the open episodes less the other tiles."""
    at = run_caseloads_page()
    tiles = metrics(at)
    board = Role.parse("board")
    runner = QueryRunner.open(with_demo)
    districts = runner.run("caseload_snapshot_by_district", {"as_of": "2026-03-31"}, board)
    assert districts["waiting"].null_count(), "some district's waiting is withheld"
    scorecard = runner.run("kpi_waiting_for_worker", {"as_of": "2026-03-31"}, board)
    borough = scorecard.filter(scorecard["district"] == "Borough")["waiting"][0]
    assert tiles["Waiting for a worker"] == f"{borough:,}"
    line = at.caption[0].value
    assert line.startswith("With a worker + waiting + led by partners = open episodes.")


def test_the_warm_up_is_shaded_on_the_open_cases_over_time(with_demo):
    """Both charts over time shade the demo's warm-up (its first 9 months: April to December
    2018), say so in their alt text, and have the one-sentence note under them."""
    at = run_caseloads_page("Over time")
    assert_ran_cleanly(at)
    shown = at.get("plotly_chart")
    assert len(shown) == 2
    for chart in shown:
        figure = json.loads(chart.proto.spec)
        shades = [s for s in figure["layout"]["shapes"] if s.get("fillcolor") == charts.LIGHT_GREY]
        assert shades and all(str(s["x1"]).startswith("2019-01-01") for s in shades)
        labels = [a["text"] for a in figure["layout"]["annotations"]]
        assert labels.count(caseloads.WARM_UP_LABEL) == 1
        assert "April to December 2018 are shaded as the warm-up" in chart.proto.alt
    notes = [m.value for m in at.markdown if m.value.startswith("Shaded, ")]
    assert (
        notes
        == [
            "Shaded, April to December 2018: the warm-up, when episodes that began before the data "
            "start (3 April 2018) are missing, so open cases are undercounted (9 in 10 episodes "
            "close within 9 months)."
        ]
        * 2
    )


def test_changing_the_snapshot_date_reruns(with_demo):
    at = run_caseloads_page()
    before = metrics(at)["Open episodes"]
    at.date_input(key="caseloads_as_of").set_value(date(2021, 3, 8)).run()
    assert_ran_cleanly(at)
    assert "Open cases on 8 March 2021" in [h.value for h in at.subheader]
    expected = QueryRunner.open(with_demo).run("caseload_by_district", {"as_of": "2021-03-08"})
    assert metrics(at)["Open episodes"] == f"{expected['open_episodes'].sum():,}" != before


def test_changing_the_threshold_changes_the_workers_above_it(with_demo):
    at = run_caseloads_page("Teams and workers")
    distribution = QueryRunner.open(with_demo).run(
        "workers_caseload_distribution", {"as_of": "2026-03-31"}
    )
    total = distribution["workers"].sum()
    assert metrics(at)["Above 18 per FTE"] == (
        f"{caseloads.workers_above(distribution, 18)} of {total}"
    )
    at.number_input(key="caseloads_threshold").set_value(12).run()
    assert_ran_cleanly(at)
    shown = metrics(at)
    assert "Above 18 per FTE" not in shown
    assert shown["Above 12 per FTE"] == f"{caseloads.workers_above(distribution, 12)} of {total}"
    assert caseloads.workers_above(distribution, 12) > caseloads.workers_above(distribution, 18)
    alt = "\n".join(c.proto.alt for c in at.get("plotly_chart"))
    assert "threshold of 12 per FTE" in alt


def test_board_never_sees_worker_names(with_demo):
    views = every_view()
    assert ui.current_role().kind == "board"
    names = pl.read_parquet(next((with_demo / "versions").glob("*/tables/workers.parquet")))[
        "worker_name"
    ].drop_nulls()
    for view, at in views.items():
        assert_ran_cleanly(at)
        text = everything_shown(at)
        assert not [n for n in names if n in text], view
        assert not re.search(r"Worker \d{3}", text), view
    captions = "\n".join(c.value for c in views["Teams and workers"].caption)
    assert "shown to managers and analysts only" in captions


def test_managers_see_each_workers_caseload_by_name(with_demo, monkeypatch):
    monkeypatch.setattr(ui.session, "DEMO_ROLE", "manager")
    at = run_caseloads_page("Teams and workers")
    assert_ran_cleanly(at)
    tables = [frame.value for frame in at.dataframe if "Worker" in frame.value.columns]
    assert len(tables) == 1, "one table of workers, after the charts' tables"
    workers = tables[0]
    assert workers["Worker"].str.match(r"Worker \d{3}").all()
    assert caseloads.FTE_NOT_RECORDED in set(workers["Fte"])
    assert "Download this table (CSV)" in [b.label for b in at.download_button]


def test_a_date_before_the_data_shows_what_to_do(with_demo):
    at = run_caseloads_page()
    first, _ = ui.coverage(QueryRunner.open(with_demo))
    at.date_input(key="caseloads_as_of").set_value(first - timedelta(days=1)).run()
    assert not at.exception
    messages = "\n".join(i.value for i in at.info)
    assert "the data start on" in messages and "Choose a snapshot date" in messages
    assert not at.get("plotly_chart")
    assert not at.metric


# --- Records behind the figures: analysts only ----------------------------------------------------
def _records_expander(at: AppTest):
    found = [e for e in at.expander if e.label.startswith("Records behind these figures")]
    return found[0] if found else None


def test_analysts_see_the_episodes_open_on_the_snapshot_date(with_demo, monkeypatch):
    monkeypatch.setattr(ui.session, "DEMO_ROLE", "analyst")
    at = run_caseloads_page()
    assert_ran_cleanly(at)
    expander = _records_expander(at)
    assert expander is not None and "31 March 2026" in expander.label
    runner = QueryRunner.open(with_demo)
    open_now = runner.run("caseload_by_district", {"as_of": "2026-03-31"}, ui.Role.parse("analyst"))
    expected = dict(open_now.iter_rows())
    (records,) = [d.value for d in expander.dataframe]
    assert len(records) == sum(expected.values())
    at.selectbox(key="caseloads_records_district").select("North").run()
    assert_ran_cleanly(at)
    (records,) = [d.value for d in _records_expander(at).dataframe]
    assert len(records) == expected["North"] and set(records["District"]) == {"North"}
    teams = runner.run("caseload_by_team", {"as_of": "2026-03-31"}, ui.Role.parse("analyst"))
    team = teams["team"][0]
    at.selectbox(key="caseloads_records_district").select("All districts")
    at.selectbox(key="caseloads_records_team").select(team).run()
    (records,) = [d.value for d in _records_expander(at).dataframe]
    assert len(records) == teams["open_cases"][0] and set(records["Team"]) == {team}
    labels = [b.label for b in _records_expander(at).download_button]
    assert labels == ["Download these records (CSV)"]


def test_other_roles_never_see_the_records(with_demo, monkeypatch):
    for role in ("board", "manager", "manager:North"):
        monkeypatch.setattr(ui.session, "DEMO_ROLE", role)
        for view, at in every_view().items():
            assert_ran_cleanly(at)
            assert _records_expander(at) is None, (role, view)
            assert not [d for d in at.dataframe if "Child id" in d.value.columns], (role, view)


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory) -> Path:
    """The hand-made extract of tests/test_caseloads.py: a handful of episodes per district."""
    root = tmp_path_factory.mktemp("tiny_caseloads_page")
    ingest([write_tiny_extract(root / "extract")], root / "wh", key_path=root / "key")
    return root / "wh"


def test_withheld_medians_are_shown_as_c(tiny_warehouse, monkeypatch):
    """Three families in North and two in South were given a worker: the board sees neither
    count, nor the median and average wait worked out from them (c), not an empty cell."""
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(tiny_warehouse))
    tables = []
    for view in ("Waiting for a worker", "Changes of worker"):
        at = run_caseloads_page(view)
        at.date_input(key="caseloads_as_of").set_value(date(2021, 2, 28)).run()
        assert_ran_cleanly(at)
        if view == "Waiting for a worker":
            assert any("Too few families were given their first worker" in i.value for i in at.info)
        open_data_tables(at)
        tables += [d.value for d in at.dataframe if "Median days" in d.value.columns]
    (table,) = [t for t in tables if "District" in t.columns]
    assert table["Allocated"].to_list() == ["c", "c"]
    assert table["Median days"].to_list() == ["c", "c"]
    assert table["Average days"].to_list() == ["c", "c"]
    # The council teams and providers table: the same rule, organisation by organisation.
    (providers,) = [t for t in tables if "Organisation" in t.columns]
    withheld = providers["Allocated"] == "c"
    assert withheld.any()
    assert (providers.loc[withheld, "Median days"] == "c").all()
    assert (providers.loc[withheld, "Average days"] == "c").all()
    exact = QueryRunner.open(tiny_warehouse).run(
        "allocation_by_district",
        {"from": "2020-03-01", "to": "2021-02-28"},
        ui.Role.parse("analyst"),
    )
    assert exact["allocated"].to_list() == [3, 2] and exact["median_days"].null_count() == 0


def test_every_chart_on_every_view_carries_the_theme(with_demo):
    """As tests/test_pages.py checks each page's first view: every view's charts are sent with
    the theme written in (charts.browser_figure)."""
    theme = charts.TEMPLATE.to_plotly_json()
    for view, at in every_view().items():
        shown = figures(at)
        assert shown, view
        for figure in shown:
            assert figure["layout"].get("template") is None, view
            assert figure["layout"]["font"] == theme["layout"]["font"], view
            assert figure["layout"]["title"]["font"]["size"] >= charts.SUBTITLE_FONT_PX, view
            assert figure["layout"]["colorway"] == theme["layout"]["colorway"], view
