"""The Front door and pathways page (pages/pathways.py) through Streamlit's AppTest on the demo
warehouse: it runs cleanly, the standard and the filters rerun it, and every chart comes with
its alt text, its data as a table and a CSV download."""

from __future__ import annotations

import json

import polars as pl
from streamlit.testing.v1 import AppTest

from earlyhelp.measures import pathways
from earlyhelp.presentation import charts
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from tests.apptest import assert_ran_cleanly, figures, open_app, open_data_tables

PAGE = "pages/pathways.py"
#: The page's views (tabs, bound to the URL as `view`), each drawn only when open, with the
#: titles of the charts each draws on the demo borough (the whole borough, the last 12 months).
VIEWS = {
    "Front door": [
        "Contacts decided within 2 working days",
        "Contacts decided within 2 working days, by district",
        "Working days from contact to decision",
        "Contacts by who made them",
        "Contacts by decision",
    ],
    "Levels of need": ["Referrals by level of need", "Open episodes on 31 March 2026"],
    "Step-ups and step-downs": [
        "Step-ups and step-downs each month",
        "Step-ups, by district",
        "Step-downs, by district",
        "Time from the start of early help to step-up",
    ],
    "Re-referrals": [
        "Re-referrals within 12 months",
        "Re-referrals, by district",
        "Referrals by the child's episode number",
    ],
    "How episodes end": [
        "Outcomes at closure, by level of need",
        "How long episodes were open",
        "Median days open, by level of need",
        "From referral to closure",
    ],
    "Partners and districts": ["Early help episodes led by partners"],
}


def run_page(view: str | None = None) -> AppTest:
    return open_app(PAGE, {"view": view} if view else None)


def every_view() -> dict[str, AppTest]:
    """The page opened on each of its views, from a link naming the view."""
    return {view: run_page(view) for view in VIEWS}


def titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def alts(at: AppTest) -> list[str]:
    return [chart.proto.alt for chart in at.get("plotly_chart")]


def test_page_runs_and_every_chart_has_alt_text_a_table_and_a_download(with_demo):
    at = run_page()
    assert_ran_cleanly(at)
    assert [t.value for t in at.title] == ["Front door, pathways and outcomes"]
    assert [t.label for t in at.tabs] == list(VIEWS)
    headline = metrics(at)
    # Only the open view is drawn: the front door, on arrival.
    assert titles(at) == VIEWS["Front door"]
    views = every_view()
    assert sum(len(at.get("plotly_chart")) for at in views.values()) >= 10
    for view, at in views.items():
        assert_ran_cleanly(at)
        assert metrics(at) == headline, (view, "the headline figures are above the tabs")
        assert not at.header, (view, "no heading repeats the tab's name")
        shown = at.get("plotly_chart")
        assert titles(at) == VIEWS[view], view
        captions = "\n".join(c.value for c in at.caption)
        for chart in shown:
            assert chart.proto.alt, "every chart carries an alt text"
            assert chart.proto.alt not in captions, "alt text is for screen readers only"
        assert [e.label for e in at.expander] == ["Show data as a table"] * len(shown), view
        open_data_tables(at)
        districts_table = 1 if view == "Partners and districts" else 0
        downloads = [b.label for b in at.download_button]
        assert downloads == ["Download this table (CSV)"] * (len(shown) + districts_table), view
        assert len(at.dataframe) == len(shown) + districts_table, view
        for chart in shown:
            figure = json.loads(chart.proto.spec)
            assert not figure["layout"].get("showlegend", False), "labelled directly, not by legend"
            assert min(charts.font_sizes(figure)) >= charts.MIN_FONT_PX
    # A sub-heading only where a view holds two different things.
    assert [h.value for h in views["How episodes end"].subheader] == ["Journeys through early help"]
    assert [h.value for h in views["Partners and districts"].subheader] == ["Districts at a glance"]
    assert all(not views[v].subheader for v in list(VIEWS)[:4])
    sankey = alts(views["How episodes end"])
    assert any(alt.startswith("Sankey diagram of early help episodes closed") for alt in sankey)
    body = "\n".join(i.value for i in views["Levels of need"].info)
    assert "not recorded in this data" in body, "moves between levels are not invented"


def test_headline_figures_match_the_named_queries(with_demo):
    at = run_page()
    runner = QueryRunner.open(with_demo)
    board = Role.parse("board")
    summary = runner.run("pathway_summary", role=board).filter(pl.col("district") == "Borough")
    row = summary.row(0, named=True)
    front = runner.run("frontdoor_summary", {"standard": 2}, board)
    front_row = front.filter(pl.col("district") == "Borough").row(0, named=True)
    shown = metrics(at)
    assert shown["Referrals"] == f"{row['referrals']:,}"
    assert shown["Step-ups"] == f"{row['step_ups']:,}"
    assert shown["Step-downs"] == f"{row['step_downs']:,}"
    share = pathways.percent(front_row["within_standard"], front_row["decided"])
    assert shown["Decided in time"] == pathways.format_percent(share)
    assert shown["Re-referrals"] == pathways.format_percent(
        pathways.percent(row["rereferrals_12m"], row["referrals"])
    )


def test_the_standard_changes_the_share_decided_in_time(with_demo):
    at = run_page()
    before = metrics(at)["Decided in time"]
    at.number_input(key="pathways_standard").set_value(0).run()
    assert_ran_cleanly(at)
    after = metrics(at)["Decided in time"]
    assert float(after.rstrip("%")) < float(before.rstrip("%"))
    assert any("within the same day" in alt for alt in alts(at))
    at.number_input(key="pathways_standard").set_value(5).run()
    assert_ran_cleanly(at)
    assert float(metrics(at)["Decided in time"].rstrip("%")) > float(before.rstrip("%"))


def test_choosing_a_district_reruns_with_it_against_the_borough(with_demo):
    at = run_page()
    borough = metrics(at)["Referrals"]
    box = at.selectbox(key="pathways_district")
    district = box.options[1]
    box.select(district).run()
    assert_ran_cleanly(at)
    assert at.selectbox(key="pathways_district").value == district
    assert metrics(at)["Referrals"] != borough
    assert any(f"{district} against the whole borough" in alt for alt in alts(at))
    assert any(f"Showing {district}" in c.value for c in at.caption)


def test_another_period_and_outcomes_by_district_rerun_cleanly(with_demo):
    at = run_page("How episodes end")
    box = at.selectbox(key="pathways_period")
    year = next(o for o in box.options if o.startswith("Financial year 2020-21"))
    box.select(year).run()
    assert_ran_cleanly(at)
    assert any("April 2020 to March 2021" in c.value for c in at.caption)
    at.radio(key="pathways_outcomes_by").set_value("District").run()
    assert_ran_cleanly(at)
    assert any("by district: one panel for each outcome" in alt for alt in alts(at))


def test_without_a_warehouse_the_page_says_how_to_build_one(tmp_path, monkeypatch):
    empty = tmp_path / "no-warehouse-here"
    empty.mkdir()
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(empty))
    at = run_page()
    assert not at.exception
    assert at.error and "no data to show" in at.error[0].value.lower()
    assert not at.get("plotly_chart")


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
