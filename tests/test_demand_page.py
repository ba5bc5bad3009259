"""The Demand page (pages/demand.py) and its query, referrals_filtered, on the demo warehouse."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from earlyhelp.core import schema
from earlyhelp.presentation import charts
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from tests.apptest import assert_ran_cleanly, figures, open_app, open_data_tables, run_cli

PAGE = "pages/demand.py"
#: The page's views (tabs, bound to the URL as `view`), with how each one's first chart's title
#: starts (the tab's label is the view's heading: no heading repeats it).
VIEWS = {
    "Over time": "Referrals per month",
    "Against expected": "Referrals against expected",
    "Year on year": "Referrals by financial year",
    "Forecast": "Forecast referrals",
}


def first_chart_title(at: AppTest) -> str:
    return figures(at)[0]["layout"]["title"]["text"]


def run_demand_page(query_params: dict | None = None) -> AppTest:
    return open_app(PAGE, query_params)


def every_view(query_params: dict | None = None) -> dict[str, AppTest]:
    """The page opened on each of its views, from a link naming the view."""
    return {view: run_demand_page({**(query_params or {}), "view": view}) for view in VIEWS}


def select(at: AppTest, key: str, value: str) -> AppTest:
    at.selectbox(key=key).select(value).run()
    return at


def choose(at: AppTest, key: str, value: str) -> AppTest:
    at.segmented_control(key=key).set_value(value).run()
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_demand_page_shows_trend_expected_year_on_year_and_forecast(with_demo):
    at = run_demand_page()
    assert_ran_cleanly(at)
    assert [t.value for t in at.title] == ["Demand for early help"]
    assert [t.label for t in at.tabs] == list(VIEWS)
    # Only the open view is worked out and drawn: the trend, on arrival.
    assert not at.header, "no heading repeats the tab's name"
    assert first_chart_title(at).startswith(VIEWS["Over time"])
    assert len(at.get("plotly_chart")) == 1
    views = every_view()
    for view, at in views.items():
        assert_ran_cleanly(at)
        assert not at.header, view
        assert first_chart_title(at).startswith(VIEWS[view]), view
        (chart,) = at.get("plotly_chart")
        captions = "\n".join(c.value for c in at.caption)
        assert chart.proto.alt and chart.proto.alt not in captions, view
    expected = views["Against expected"]
    findings = next(d.value for d in expected.dataframe if "Kind" in d.value.columns)
    assert findings["Period"].str.startswith("2020").any(), findings
    assert "not the usual September rise" in markdown(expected)


def test_a_view_chosen_from_the_tabs_stays_when_a_filter_changes(with_demo):
    at = run_demand_page()
    at.session_state["view"] = "Forecast"  # what a click on the tab sets
    at.run()
    assert first_chart_title(at).startswith(VIEWS["Forecast"])
    # (That the address then names the view is checked in the browser: test_browser.py.)
    select(at, "district", at.selectbox(key="district").options[1])
    assert first_chart_title(at).startswith(VIEWS["Forecast"]), "a filter keeps the view"


def test_every_chart_has_its_table_and_download(with_demo):
    downloads = 0
    for view, at in every_view().items():
        (chart_table,) = [e for e in at.expander if e.label == "Show data as a table"]
        assert not chart_table.dataframe, f"{view}: the table is drawn only when opened"
        open_data_tables(at)
        (chart_table,) = [e for e in at.expander if e.label == "Show data as a table"]
        assert len(chart_table.dataframe) == 1, view
        labels = [b.label for b in at.download_button]
        downloads += labels.count("Download this table (CSV)")
    assert downloads == 6  # 4 charts, findings, backtest


def test_charts_mark_the_calendar_events_and_are_readable(with_demo):
    trend, expected, yoy, forecast = (figures(at)[0] for at in every_view().values())
    for figure in (trend, expected):
        labels = [a.get("text") or "" for a in figure["layout"].get("annotations", [])]
        assert any("lockdown" in label.lower() for label in labels)
    forecast_labels = [a.get("text") or "" for a in forecast["layout"].get("annotations", [])]
    assert any("Schools return" in label for label in forecast_labels)  # in the key
    for figure in (trend, expected, yoy, forecast):
        assert not figure["layout"].get("showlegend", False)
        assert min(charts.font_sizes(figure)) >= charts.MIN_FONT_PX


def test_forecast_states_its_backtest_accuracy(with_demo):
    at = run_demand_page({"view": "Forecast"})
    text = markdown(at)
    assert "How accurate is it?" in text
    assert "mean absolute percentage error" in text
    assert "Schools return" in text and "on the month before" in text
    backtest = next(d.value for d in at.dataframe if "Error (%)" in d.value.columns)
    assert len(backtest) == 12


def test_changing_the_district_reruns_cleanly(with_demo):
    at = run_demand_page()
    box = at.selectbox(key="district")
    district = box.options[1]
    select(at, "district", district)
    assert_ran_cleanly(at)
    assert at.selectbox(key="district").value == district
    assert f"Referrals per month, {district}" in figures(at)[0]["layout"]["title"]["text"]


def test_filters_are_read_from_the_url(with_demo):
    runner = QueryRunner.open(with_demo)
    district = runner.run("districts", role=Role.parse("analyst"))["district"][1]
    at = run_demand_page(
        {"district": district, "measure": "Contacts to the front door", "per": "Week"}
    )
    assert_ran_cleanly(at)
    assert at.selectbox(key="district").value == district
    assert at.segmented_control(key="measure").value == "Contacts to the front door"
    assert at.segmented_control(key="per").value == "Week"
    assert figures(at)[0]["layout"]["title"]["text"] == f"Contacts per week, {district}"


def test_contacts_disable_the_level_of_need(with_demo):
    at = run_demand_page()
    choose(at, "measure", "Contacts to the front door")
    assert_ran_cleanly(at)
    assert at.selectbox(key="level").disabled
    assert first_chart_title(at).startswith("Contacts per month")


def test_weekly_view_shades_school_holidays(with_demo):
    at = run_demand_page()
    choose(at, "per", "Week")
    assert_ran_cleanly(at)
    trend = figures(at)[0]
    assert "school holidays" in trend["layout"]["title"]["subtitle"]["text"]
    assert len(trend["layout"].get("shapes", [])) > 20, "a shaded span per long holiday"
    weeks = trend["data"][0]["x"]
    assert len(weeks) > 400


def test_rate_per_10000_children_uses_the_population(with_demo):
    runner = QueryRunner.open(with_demo)
    # The page shows the board's protected counts, so its rates come from those.
    monthly = runner.run("referrals_filtered", role=Role.parse("board"))
    at = run_demand_page()
    choose(at, "show", "Rate per 10,000 children")
    assert_ran_cleanly(at)
    trend = figures(at)[0]
    assert "per 10,000 children" in trend["layout"]["title"]["text"]
    last = monthly.row(-1, named=True)
    # Children under 18 over the under-18 population: adults and unknown ages are left out.
    expected_rate = last["referrals_under_18"] / last["children"] * 10_000
    assert trend["data"][0]["y"][-1] == pytest.approx(expected_rate, abs=0.01)
    shown = {m.label: m.value for m in at.metric}
    assert "Per 10,000 children" in shown


def test_level_not_recorded_is_a_choice(with_demo):
    at = run_demand_page()
    assert "0" in at.selectbox(key="level").options or "Level not recorded" in str(
        at.selectbox(key="level").options
    )


def _empty_selection(warehouse: Path) -> dict:
    runner = QueryRunner.open(warehouse)
    analyst = Role.parse("analyst")
    district = runner.run("districts", role=analyst)["district"][0]
    for age_band, source_group, level in product(
        reversed(schema.AGE_BANDS), schema.SOURCE_GROUPS, (4, 3, 2, 1)
    ):
        params = {
            "district": district,
            "age_band": age_band,
            "source_group": source_group,
            "level_of_need": level,
        }
        if runner.run("referrals_filtered", params, role=analyst)["referrals"].sum() == 0:
            return params
    pytest.skip("every filter combination in the demo warehouse has referrals")


def test_a_selection_with_no_referrals_shows_a_message(with_demo):
    params = _empty_selection(with_demo)
    at = run_demand_page()
    select(at, "district", params["district"])
    select(at, "source", params["source_group"])
    select(at, "level", str(params["level_of_need"]))
    select(at, "age", params["age_band"])
    assert_ran_cleanly(at)
    assert any("no referrals" in i.value for i in at.info), [i.value for i in at.info]
    assert not at.get("plotly_chart")


def test_a_small_selection_explains_why_there_is_no_baseline(with_demo):
    for view in ("Against expected", "Forecast"):
        at = run_demand_page({"view": view, "age": "18+"})
        assert_ran_cleanly(at)
        texts = [i.value for i in at.info]
        assert any("too few months" in t for t in texts) or len(at.get("plotly_chart")) == 1


def test_referrals_filtered_without_filters_matches_the_borough_total(demo_warehouse):
    runner = QueryRunner.open(demo_warehouse)
    analyst = Role.parse("analyst")
    filtered = runner.run("referrals_filtered", role=analyst)
    borough = runner.run("referrals_borough_by_month", role=analyst)
    assert filtered["referrals"].sum() == borough["referrals"].sum()
    assert filtered["month"].to_list() == borough["month"].to_list()


def test_referrals_filtered_lists_every_month_even_when_empty(demo_warehouse):
    runner = QueryRunner.open(demo_warehouse)
    analyst = Role.parse("analyst")
    every_month = runner.run("referrals_filtered", role=analyst)["month"].to_list()
    narrow = runner.run("referrals_filtered", {"age_band": "18+", "level_of_need": 4}, analyst)
    assert narrow["month"].to_list() == every_month
    assert narrow["referrals"].null_count() == 0


@pytest.mark.parametrize(
    ("query", "period"),
    [
        ("referrals_filtered_weekly", "week"),
        ("contacts_filtered", "month"),
        ("contacts_filtered_weekly", "week"),
    ],
)
def test_other_series_add_up_to_their_marts(demo_warehouse, query, period):
    runner = QueryRunner.open(demo_warehouse)
    analyst = Role.parse("analyst")
    frame = runner.run(query, role=analyst)
    measure = "contacts" if query.startswith("contacts") else "referrals"
    monthly = runner.run(
        "contacts_filtered" if measure == "contacts" else "referrals_filtered", role=analyst
    )
    assert frame[measure].sum() == monthly[measure].sum()
    assert frame[period].is_sorted() and frame[period].n_unique() == frame.height


def test_population_is_the_nearest_mid_year_estimate(demo_warehouse, demo_extract):
    import polars as pl

    population = pl.read_csv(demo_extract / "population.csv")
    runner = QueryRunner.open(demo_warehouse)
    analyst = Role.parse("analyst")
    frame = runner.run("referrals_filtered", {"district": "North"}, analyst)
    north = population.filter(pl.col("district") == "North")
    by_year = north.group_by("year").agg(pl.col("children").sum())
    latest = by_year.filter(pl.col("year") == by_year["year"].max())["children"][0]
    first = by_year.filter(pl.col("year") == by_year["year"].min())["children"][0]
    assert frame.filter(pl.col("month") == "2026-03")["children"][0] == latest
    assert frame.filter(pl.col("month") == "2018-04")["children"][0] == first
    no_population = runner.run("referrals_filtered", {"age_band": "18+"}, analyst)
    assert no_population["children"].null_count() == no_population.height


# --- Records behind the chart: analysts only ------------------------------------------------------
RECORDS = "Records behind this chart"


@pytest.fixture
def downloads(monkeypatch) -> list[str]:
    """The file names of the page's CSV downloads (AppTest does not expose them)."""
    import streamlit

    names: list[str] = []
    real = streamlit.download_button

    def recording(label, data=None, file_name=None, **kwargs):
        names.append(file_name)
        return real(label, data=data, file_name=file_name, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    return names


def test_analysts_see_the_records_behind_the_chart(with_demo, monkeypatch, downloads):
    from earlyhelp import ui

    monkeypatch.setattr(ui.session, "DEMO_ROLE", "analyst")
    at = run_demand_page({"district": "North", "source": "Schools"})
    assert_ran_cleanly(at)
    expander = next(e for e in at.expander if e.label == RECORDS)
    month = at.selectbox(key="demand_records_month")
    assert month.value == "2026-03", "the latest complete month first"
    runner = QueryRunner.open(with_demo)
    selection = {"district": "North", "source_group": "Schools"}
    monthly = runner.run("referrals_filtered", selection, Role.parse("analyst"))
    expected = monthly.filter(monthly["month"] == "2026-03")["referrals"][0]
    (records,) = [d.value for d in expander.dataframe]
    assert len(records) == expected > 0
    assert set(records["District"]) == {"North"} and set(records["Source group"]) == {"Schools"}
    assert {"Episode id", "Child id", "Worker label", "Team"} <= set(records.columns)
    assert f"**{expected:,}** early help episodes." in "\n".join(m.value for m in expander.markdown)
    # Marked, and named after the page, the month and the selection (ui.name_downloads).
    assert "OFFICIAL-SENSITIVE_demand_referrals_2026-03_records_north_from-schools.csv" in downloads
    month.select("2025-09").run()
    assert_ran_cleanly(at)
    expected = monthly.filter(monthly["month"] == "2025-09")["referrals"][0]
    (records,) = [d.value for d in next(e for e in at.expander if e.label == RECORDS).dataframe]
    assert len(records) == expected
    assert records["Start date"].astype(str).str.startswith("2025-09").all()


def test_the_records_are_of_referrals_not_contacts(with_demo, monkeypatch):
    from earlyhelp import ui

    monkeypatch.setattr(ui.session, "DEMO_ROLE", "analyst")
    at = run_demand_page({"measure": "Contacts to the front door"})
    assert_ran_cleanly(at)
    expander = next(e for e in at.expander if e.label == RECORDS)
    assert not expander.dataframe
    assert "choose Referrals to early help" in expander.info[0].value


@pytest.mark.parametrize("role", ["board", "manager", "manager:North", "district:North"])
def test_no_other_role_sees_the_records(with_demo, monkeypatch, downloads, role):
    from earlyhelp import ui

    monkeypatch.setattr(ui.session, "DEMO_ROLE", role)
    at = run_demand_page()
    assert_ran_cleanly(at)
    assert RECORDS not in [e.label for e in at.expander]
    assert not [k for k in (w.key for w in at.selectbox) if k and "records" in k]
    assert not [d for d in at.dataframe if "Child id" in d.value.columns]
    assert not [name for name in downloads if "records" in name]


def _marked_months(figure: dict) -> set[tuple[str, str, float]]:
    """(month, kind, observed) of every unusually high or low month the chart marks."""
    marked = set()
    for trace in figure["data"]:
        if trace.get("name") in ("Peak", "Trough"):
            for x, y in zip(trace["x"], trace["y"], strict=True):
                marked.add((str(x)[:7], trace["name"].lower(), float(y)))
    return marked


@pytest.mark.parametrize(
    ("role", "claims", "district"),
    [
        ("board", None, None),
        ("board", None, "North"),
        ("analyst", ["EarlyHelp.Analyst"], None),
        ("analyst", ["EarlyHelp.Analyst"], "South"),
    ],
)
def test_peaks_on_the_command_line_are_the_months_the_page_marks(with_demo, role, claims, district):
    """One series, one answer: `peaks` finds the months the Demand page marks as unusual, with
    the same observed counts, for each role (the borough's own count protected, not a sum of
    protected districts)."""
    from tests.test_roles import signed_in_app

    params = {"view": "Against expected", **({"district": district} if district else {})}
    if claims is None:
        at = run_demand_page(params)
    else:
        user = {"email": "someone@example.org", "roles": claims}
        at = signed_in_app(user, PAGE, params)
    assert_ran_cleanly(at)
    on_page = _marked_months(figures(at)[0])
    args = ["peaks", "--warehouse", with_demo, "--format", "json", "--role", role]
    if district:
        args += ["--by", "district"]
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    found = [f for f in json.loads(done.stdout) if district is None or f["district"] == district]
    from_cli = {(f["period"], f["kind"], float(f["observed"])) for f in found}
    assert on_page and from_cli == on_page


def test_a_csv_is_named_after_the_page_measure_and_selection(with_demo, downloads):
    saved_names = downloads
    open_data_tables(run_demand_page())
    assert saved_names == ["demand_referrals_per_month.csv"], "the whole borough: no filter"
    saved_names.clear()
    district = QueryRunner.open(with_demo).run("districts")["district"][0]
    chosen = {"district": district, "age": "5-9", "show": "Rate per 10,000 children"}
    open_data_tables(run_demand_page({**chosen, "view": "Year on year"}))
    slug = district.lower().replace(" ", "-")
    assert saved_names == [
        f"demand_referrals_year_on_year_{slug}_aged-5-9_per-10-000-children.csv"
    ], saved_names
