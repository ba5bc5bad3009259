"""Strategy KPIs (earlyhelp/measures/kpis/, data/kpis.yaml, `python -m earlyhelp kpis`): the RAG
rule in both directions and at its boundaries, every default KPI on the demo borough, rates from the
protected counts, KPI files that cannot be used refused with the file, the KPI and the problem,
and the command line's output."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import yaml

from earlyhelp.measures import kpis
from earlyhelp.presentation import charts, kpi_charts
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner, load_queries

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FILE = REPO / "data" / "kpis.yaml"
ANALYST = Role.parse("analyst")
BOARD = Role.parse("board")


# --- RAG ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (95.0, "green"),  # exactly on target
        (99.0, "green"),
        (94.9, "amber"),
        (90.0, "amber"),  # exactly at the amber edge
        (89.9, "red"),  # just beyond it
        (0.0, "red"),
    ],
)
def test_rag_when_higher_is_better(value, expected):
    assert kpis.rag(value, 95, 5, "higher") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (8.0, "green"),  # exactly on target
        (2.0, "green"),
        (8.1, "amber"),
        (9.0, "amber"),  # exactly at the amber edge
        (9.1, "red"),  # just beyond it
    ],
)
def test_rag_when_lower_is_better(value, expected):
    assert kpis.rag(value, 8, 1, "lower") == expected


@pytest.mark.parametrize(
    ("value", "target", "tolerance", "direction", "expected"),
    [
        # 0.35 + 0.1 is 0.44999999999999996 in floating point: 0.45 is still at the edge.
        (0.45, 0.35, 0.1, "lower", "amber"),
        (0.46, 0.35, 0.1, "lower", "red"),
        # 0.3 - 0.1 is 0.19999999999999998: 0.2 is at the edge.
        (0.2, 0.3, 0.1, "higher", "amber"),
        (0.19, 0.3, 0.1, "higher", "red"),
        # No tolerance: anything off target is red.
        (50.0, 50, 0, "higher", "green"),
        (49.9, 50, 0, "higher", "red"),
        (50.1, 50, 0, "lower", "red"),
    ],
)
def test_rag_at_boundaries_that_are_not_exact_in_binary(
    value, target, tolerance, direction, expected
):
    assert kpis.rag(value, target, tolerance, direction) == expected


def test_no_value_has_no_status_and_is_not_shown_by_colour_alone():
    assert kpis.rag(None, 10, 1, "higher") == "none"
    assert kpis.rag(float("nan"), 10, 1, "lower") == "none"
    assert kpis.status_text("none") == "– Not available"
    assert kpis.status_text("green") == "✔ On target"
    assert kpis.status_text("amber") == "▲ Close to target"
    assert kpis.status_text("red") == "✖ Off target"


def test_status_is_decided_on_the_value_as_shown():
    kpi = kpis.load_kpis(DEFAULT_FILE).kpis[0]
    rounded = kpis.values._measure(
        kpis.Kpi(**{**kpi.__dict__, "denominator": "d", "scale": 100.0, "decimals": 1}),
        899.6,
        1000,
    )
    assert rounded.value == 90.0  # 89.96% shows as 90.0%, so it is on a 90% target
    assert kpis.rag(rounded.value, 90, 5, "higher") == "green"


# --- The default KPI file -----------------------------------------------------------------------
def test_the_default_file_has_the_kpis_domain_md_names():
    kpi_set = kpis.load_kpis(DEFAULT_FILE)
    ids = [k.id for k in kpi_set.kpis]
    assert len(ids) >= 12 and len(set(ids)) == len(ids)
    for wanted in (
        "referrals",
        "referral_rate",
        "decisions_in_time",
        "rereferrals",
        "step_ups",
        "step_downs",
        "outcomes_met",
        "median_episode_days",
        "caseload_per_fte",
        "workers_above_threshold",
        "worker_changes",
        "partner_led",
        "waiting_for_worker",
    ):
        assert wanted in ids
    used = {k.priority for k in kpi_set.kpis}
    assert used == {p.id for p in kpi_set.priorities}, "every priority has a KPI"
    for kpi in kpi_set.kpis:
        assert kpi.definition and kpi.source_notes and kpi.title


@pytest.fixture(scope="module")
def runner(demo_warehouse) -> QueryRunner:
    return QueryRunner.open(demo_warehouse)


def evaluate(runner: QueryRunner, role: Role, path: Path = DEFAULT_FILE) -> list[kpis.KpiResult]:
    kpi_set = kpis.load_kpis(path, runner.queries)
    first, last = kpis.coverage(runner.manifest)
    return kpis.evaluate_all(kpi_set, lambda n, p: runner.run(n, p, role), first, last, role)


@pytest.fixture(scope="module")
def analyst_results(runner) -> list[kpis.KpiResult]:
    return evaluate(runner, ANALYST)


def test_every_default_kpi_computes_on_the_demo_for_the_analyst(analyst_results):
    for result in analyst_results:
        assert result.value() is not None, result.kpi.id
        assert result.status() in ("green", "amber", "red"), result.kpi.id
        assert result.previous() is not None, f"{result.kpi.id}: a year before"
        assert len(result.series()) == kpis.TREND_POINTS
        assert all(v is not None for v in result.series()), result.kpi.id
        if result.has_districts:
            assert result.districts == ["Central", "East", "North", "South", "West"]
            assert all(result.value(d) is not None for d in result.districts)


def test_the_demo_targets_give_some_of_each_status(analyst_results):
    statuses = {r.status() for r in analyst_results}
    assert {"green", "amber", "red"} <= statuses


def test_latest_period_is_the_last_12_complete_months_and_snapshots_the_last_day(
    analyst_results,
):
    for result in analyst_results:
        point = result.latest_point
        if result.kpi.kind == "period":
            assert (point.start, point.end) == (date(2025, 4, 1), date(2026, 3, 31))
            assert result.previous_point.end == date(2025, 3, 31)
        else:
            assert point.start == point.end == date(2026, 3, 31)
            assert result.previous_point.end == date(2025, 3, 31)


def test_values_match_the_named_queries(runner, analyst_results):
    by_id = {r.kpi.id: r for r in analyst_results}
    summary = runner.run("pathway_summary", role=ANALYST)
    borough = summary.filter(pl.col("district") == "Borough").row(0, named=True)
    assert by_id["referrals"].value() == borough["referrals"]
    assert by_id["rereferrals"].value() == round(
        100 * borough["rereferrals_12m"] / borough["referrals"], 1
    )
    assert by_id["median_episode_days"].value() == round(borough["median_days_open"])
    front = runner.run("frontdoor_summary", {"standard": 2}, ANALYST)
    row = front.filter(pl.col("district") == "North").row(0, named=True)
    assert by_id["decisions_in_time"].value("North") == round(
        100 * row["within_standard"] / row["decided"], 1
    )
    # continuity_by_district has no borough row: the districts' counts are added up.
    continuity = runner.run(
        "continuity_by_district", {"from": "2025-04-01", "to": "2026-03-31"}, ANALYST
    )
    expected = continuity["worker_changes"].sum() / continuity["episodes_closed"].sum()
    assert by_id["worker_changes"].value() == round(expected, 2)
    # The borough's waiting children are counted for the borough: the districts add up to it.
    waiting = runner.run("caseload_snapshot_by_district", {"as_of": "2026-03-31"}, ANALYST)
    assert by_id["waiting_for_worker"].value() == waiting["waiting"].sum()
    for row in waiting.iter_rows(named=True):
        assert by_id["waiting_for_worker"].value(row["district"]) == row["waiting"]


def test_a_count_target_is_for_the_whole_borough_only(analyst_results):
    referrals = next(r for r in analyst_results if r.kpi.id == "referrals")
    assert referrals.status("North") == "none"
    assert "No district target" in referrals.status_text("North")
    rate = next(r for r in analyst_results if r.kpi.id == "referral_rate")
    assert rate.status("North") in ("green", "amber", "red")


def test_rates_for_the_board_are_worked_out_from_the_protected_counts(runner, analyst_results):
    results = {r.kpi.id: r for r in evaluate(runner, BOARD)}
    summary = runner.run("pathway_summary", role=BOARD)
    row = summary.filter(pl.col("district") == "Borough").row(0, named=True)
    assert results["step_ups"].value() == round(100 * row["step_ups"] / row["closed"], 1)
    exact = {r.kpi.id: r for r in analyst_results}
    for kpi_id, result in results.items():
        assert exact[kpi_id].value() is not None, kpi_id
        # Every borough figure is shown to the board (children waiting for a worker has two
        # districts withheld, 6 and 7, but its borough row is counted, not added up).
        assert result.value() is not None, kpi_id


def test_a_suppressed_count_gives_no_value_and_no_borough_total():
    kpi_set = kpis.load_kpis(DEFAULT_FILE)
    changes = next(k for k in kpi_set.kpis if k.id == "worker_changes")
    frame = pl.DataFrame(
        {
            "district": ["East", "North"],
            "episodes_closed": [400, 300],
            "worker_changes": [None, 120],
            "two_or_more_changes": [30, 20],
        }
    )
    found = kpis.measure_frame(changes, frame)
    assert found["East"].value is None
    assert found["North"].value == 0.4
    assert found["Borough"].value is None, "a total beside a hidden count would give it away"
    # A district user's result holds only their district: it is not the borough's total.
    own = kpis.measure_frame(changes, frame.slice(1), add_up_districts=False)
    assert set(own) == {"North"}


def test_a_district_role_sees_its_own_district_and_the_borough(runner):
    role = Role.parse("district:North")
    results = evaluate(runner, role)
    rate = next(r for r in results if r.kpi.id == "referral_rate")
    assert rate.districts == ["North"]
    assert rate.value() is not None, "the borough row of a query that has one"
    waiting = next(r for r in results if r.kpi.id == "waiting_for_worker")
    assert waiting.value() is None, "not North's figure passed off as the borough's"
    assert kpis.visible_areas(rate, role) == ["North"]


def test_trend_points_step_back_three_months_and_stop_at_the_data_start():
    points = kpis.trend_points("period", date(2024, 1, 15), date(2026, 3, 20))
    assert len(points) == kpis.TREND_POINTS
    assert points[-1].end == date(2026, 2, 28), "the last complete month"
    assert points[-1].start == date(2025, 3, 1)
    assert [p.end.month for p in points[-3:]] == [8, 11, 2]
    assert points[0].end == date(2024, 2, 29) and not points[0].usable
    assert points[-1].usable
    snapshots = kpis.trend_points("snapshot", date(2018, 4, 1), date(2026, 3, 20))
    assert snapshots[-1].end == date(2026, 3, 20)
    assert snapshots[-2].end == date(2025, 12, 31)


def test_the_figures_are_readable_and_carry_alt_text(analyst_results):
    for result in analyst_results:
        figures = [kpi_charts.trend_figure(result)]
        if result.has_districts:
            figures.append(kpi_charts.district_figure(result, [*result.districts, kpis.BOROUGH]))
        for fig in figures:
            assert charts.alt_text(fig).endswith(".")
            assert not fig.layout.showlegend
            assert min(charts.font_sizes(fig)) >= charts.MIN_FONT_PX
    rate = next(r for r in analyst_results if r.kpi.id == "referral_rate")
    alt = charts.alt_text(kpi_charts.district_figure(rate, [*rate.districts, kpis.BOROUGH]))
    assert "against a target of 1,200" in alt and "on target" in alt


def test_trend_axes_start_at_zero_and_hold_every_value_and_the_target(analyst_results):
    """A cut axis (6,900 to 7,100) makes a 1% move look dramatic: every KPI's trend starts at
    zero, and its top is above the highest value and the target."""
    for result in analyst_results:
        low, high = kpi_charts.trend_figure(result).layout.yaxis.range
        values = [v for v in result.series(kpis.BOROUGH) if v is not None]
        assert low == 0, result.kpi.id
        assert high > max([*values, result.kpi.target]), result.kpi.id


def test_change_words_say_whether_the_change_is_better(analyst_results):
    for result in analyst_results:
        words = result.change_words()
        assert words.startswith(("Up", "Down", "No change")), words
        if words.startswith(("Up", "Down")):
            better = (result.change() > 0) == (result.kpi.direction == "higher")
            assert words.endswith("better" if better else "worse")


# --- Files that cannot be used ------------------------------------------------------------------
def write_variant(tmp_path: Path, change) -> Path:
    """The default file with one change made to its data (change(data) edits it in place)."""
    data = yaml.safe_load(DEFAULT_FILE.read_text())
    change(data)
    path = tmp_path / "kpis.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def kpi(data: dict, kpi_id: str) -> dict:
    return next(k for k in data["kpis"] if k["id"] == kpi_id)


def refused(path: Path) -> str:
    with pytest.raises(kpis.KpiFileError) as caught:
        kpis.load_kpis(path, load_queries())
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    assert str(path) in message or path.name in message, message
    return message


def test_a_yaml_syntax_error_names_the_line_and_the_kpi(tmp_path):
    text = DEFAULT_FILE.read_text().replace(
        "    query: kpi_partner_led\n", "    query: kpi_partner_led\n   : [unclosed\n"
    )
    path = tmp_path / "kpis.yaml"
    path.write_text(text)
    message = refused(path)
    assert "not valid YAML at line" in message
    assert "'partner_led'" in message


def test_an_unknown_query_is_refused(tmp_path):
    path = write_variant(tmp_path, lambda d: kpi(d, "step_ups").update(query="step_upz"))
    message = refused(path)
    assert "KPI 'step_ups'" in message and "unknown query 'step_upz'" in message


def test_a_missing_field_is_refused(tmp_path):
    path = write_variant(tmp_path, lambda d: kpi(d, "rereferrals").pop("target"))
    message = refused(path)
    assert "KPI 'rereferrals'" in message and "missing field 'target'" in message


def test_a_bad_direction_is_refused(tmp_path):
    path = write_variant(tmp_path, lambda d: kpi(d, "outcomes_met").update(direction="up"))
    message = refused(path)
    assert "KPI 'outcomes_met'" in message and "direction must be 'higher' or 'lower'" in message


def test_a_target_that_is_not_a_number_is_refused(tmp_path):
    path = write_variant(tmp_path, lambda d: kpi(d, "referrals").update(target="seven thousand"))
    message = refused(path)
    assert "KPI 'referrals'" in message and "target must be a number" in message


def test_a_duplicate_id_is_refused(tmp_path):
    def duplicate(data):
        data["kpis"][3]["id"] = data["kpis"][0]["id"]

    message = refused(write_variant(tmp_path, duplicate))
    assert "KPI 'referrals' (number 4)" in message and "already used by KPI number 1" in message


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("priority", "nowhere", "priority 'nowhere' is not one of the priorities"),
        ("unit", "parsecs", "unit 'parsecs' is not one of"),
        ("value", "no_such_column", "value column 'no_such_column' is not among the columns"),
        ("tolerance", -1, "tolerance must be a number of 0 or more"),
        ("params", {"standard": "two"}, "parameter 'standard' must be a int"),
        ("params", {"to": "2026-03-31"}, "params must not set 'to'"),
        ("taget", 5, "unknown field 'taget'"),
    ],
)
def test_other_bad_values_are_refused(tmp_path, field, value, problem):
    path = write_variant(tmp_path, lambda d: kpi(d, "decisions_in_time").update({field: value}))
    message = refused(path)
    assert "KPI 'decisions_in_time'" in message and problem in message, message


def test_a_query_with_no_period_is_refused(tmp_path):
    path = write_variant(tmp_path, lambda d: kpi(d, "referrals").update(query="districts"))
    with pytest.raises(kpis.KpiFileError, match="value column 'referrals' is not among"):
        kpis.load_kpis(path, load_queries())
    path = write_variant(
        tmp_path, lambda d: kpi(d, "referrals").update(query="districts", value="district")
    )
    with pytest.raises(kpis.KpiFileError, match="takes neither 'as_of' nor 'from' and 'to'"):
        kpis.load_kpis(path, load_queries())


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(kpis.KpiFileError, match="no-such.yaml: the KPI file cannot be read"):
        kpis.load_kpis(tmp_path / "no-such.yaml")


# --- Command line -------------------------------------------------------------------------------
def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "earlyhelp", "kpis", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
    )


def test_cli_json_gives_each_kpi_with_its_value_target_rag_and_period(demo_warehouse):
    done = run_cli("--warehouse", str(demo_warehouse), "--role", "analyst", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    kpi_set = kpis.load_kpis(DEFAULT_FILE)
    assert [r["id"] for r in rows] == [k.id for k in kpi_set.kpis]
    for row in rows:
        assert {"id", "title", "value", "target", "rag", "period"} <= set(row)
        assert row["rag"] in ("green", "amber", "red")
        assert isinstance(row["value"], int | float)
        assert row["area"] == "Borough"
    by_id = {r["id"]: r for r in rows}
    assert by_id["referrals"]["period"] == "2025-04-01 to 2026-03-31"
    assert by_id["waiting_for_worker"]["period"] == "2026-03-31"


def test_cli_for_a_district_and_the_board_role(demo_warehouse):
    done = run_cli("--warehouse", str(demo_warehouse), "--district", "North", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {r["id"]: r for r in json.loads(done.stdout)}
    assert rows["referral_rate"]["area"] == "North"
    assert rows["referrals"]["rag"] == "none", "a count's target is the borough's"
    assert rows["caseload_per_fte"]["value"] is None, "counted for the whole borough only"
    assert rows["step_ups"]["rag"] in ("green", "amber", "red")


def test_cli_text_lists_every_kpi(demo_warehouse):
    done = run_cli("--warehouse", str(demo_warehouse))
    assert done.returncode == 0, done.stderr
    for kpi_def in kpis.load_kpis(DEFAULT_FILE).kpis:
        assert kpi_def.id in done.stdout
    assert "board view" in done.stdout


def test_cli_refuses_a_bad_kpi_file_in_one_line(demo_warehouse, tmp_path):
    path = write_variant(tmp_path, lambda d: kpi(d, "step_downs").update(direction="sideways"))
    done = run_cli("--warehouse", str(demo_warehouse), "--kpis", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert str(path) in lines[0] and "KPI 'step_downs'" in lines[0] and "direction" in lines[0]


def test_cli_refuses_an_unknown_district(demo_warehouse):
    done = run_cli("--warehouse", str(demo_warehouse), "--district", "Atlantis")
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error: no district named 'Atlantis'")
