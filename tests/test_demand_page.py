"""The Demand page (pages/demand.py) and its query, referrals_filtered, on the demo warehouse."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from earlyhelp import schema
from earlyhelp.queries import QueryRunner
from earlyhelp.roles import Role

APP = Path(__file__).resolve().parent.parent / "app.py"
PAGE = "pages/demand.py"
RUN_TIMEOUT = 120  # a generous ceiling for a slow machine, not a speed check


@pytest.fixture
def with_demo(demo_warehouse, monkeypatch):
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(demo_warehouse))
    return demo_warehouse


def run_demand_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)
    at.run()
    at.switch_page(PAGE).run()
    return at


def select(at: AppTest, key: str, value: str) -> AppTest:
    at.selectbox(key=key).select(value).run()
    return at


def assert_ran_cleanly(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_demand_page_runs_and_lists_a_2020_finding(with_demo):
    at = run_demand_page()
    assert_ran_cleanly(at)
    assert [t.value for t in at.title] == ["Demand for early help"]
    assert len(at.get("plotly_chart")) == 1
    chart = at.get("plotly_chart")[0]
    assert chart.proto.alt and "expected" in chart.proto.alt
    assert len(at.dataframe) == 2, "the chart's data, then the unusual months"
    findings = at.dataframe[1].value
    assert findings["Period"].str.startswith("2020").any(), findings
    assert "not the usual September rise" in "\n".join(m.value for m in at.markdown)


def test_changing_the_district_reruns_cleanly(with_demo):
    at = run_demand_page()
    box = at.selectbox(key="demand_district")
    district = box.options[1]
    select(at, "demand_district", district)
    assert_ran_cleanly(at)
    assert at.selectbox(key="demand_district").value == district
    assert at.get("plotly_chart") or at.info, "a chart, or a message saying why not"


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
    select(at, "demand_district", params["district"])
    select(at, "demand_source_group", params["source_group"])
    select(at, "demand_level_of_need", str(params["level_of_need"]))
    select(at, "demand_age_band", params["age_band"])
    assert_ran_cleanly(at)
    assert any("no referrals" in i.value for i in at.info), [i.value for i in at.info]
    assert not at.get("plotly_chart")


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
