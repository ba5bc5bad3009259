"""Query file headers and what the runner makes of them: every named query declares its columns
and counts, runs on the demo warehouse and returns the counts it declares; `-- roles:` refuses
other roles; and the front-door marts keep a contact with no decision as null, not 11 days."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from earlyhelp.core.config import QUERIES_DIR
from earlyhelp.core.errors import QueryError
from earlyhelp.load.ingest import ingest
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import NamedQuery, QueryRunner, load_queries, parse_query_file
from tests.apptest import run_cli

ANALYST = Role.parse("analyst")
QUERIES = load_queries(QUERIES_DIR)
# The demo extract's last day; a period parameter's start is a year before it.
LAST_DATE = "2026-03-31"
PERIOD_START = "2025-04-01"


@pytest.fixture(scope="module")
def runner(demo_warehouse) -> QueryRunner:
    return QueryRunner.open(demo_warehouse)


# Required text parameters that choose a series rather than filter one.
CHOICES = {"measure": "referrals", "period": "month"}


def required_params(query: NamedQuery) -> dict[str, str]:
    params = {}
    for parameter in query.parameters.values():
        if not parameter.required:
            continue
        if parameter.name in CHOICES:
            params[parameter.name] = CHOICES[parameter.name]
            continue
        if parameter.kind != "date":
            pytest.fail(f"{query.name}: give the test a value for required {parameter.name!r}")
        params[parameter.name] = PERIOD_START if parameter.name == "from" else LAST_DATE
    return params


# --- Headers ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_declared_counts_are_among_the_declared_columns(name):
    query = QUERIES[name]
    assert query.columns, f"{name}: no '-- columns:'"
    undeclared = [c for c in query.counts if c not in query.columns]
    assert not undeclared, f"{name}: counts {undeclared} are not in its columns {query.columns}"


#: A column whose name says it is worked out from counts: a median, mean or average, a
#: percentage, share, ratio or rate. Each must be declared in `-- statistics:`.
STATISTIC_LIKE = re.compile(
    r"(^|_)(median|mean|avg|average|pct|percent|per_cent|rate|share|ratio|proportion)(_|$)"
)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_statistic_column_is_declared_with_its_counts(name):
    query = QUERIES[name]
    undeclared = [
        c for c in query.columns if STATISTIC_LIKE.search(c) and c not in query.statistics
    ]
    assert not undeclared, (
        f"{name}: {undeclared} look like statistics worked out from counts; declare each in "
        "'-- statistics: NAME (from COUNT[, COUNT])' so it is withheld with its counts"
    )
    for statistic, bases in query.statistics.items():
        assert statistic in query.columns, (name, statistic)
        assert set(bases) <= set(query.counts), (name, statistic, bases)


def test_the_statistics_the_pages_show_are_declared():
    assert QUERIES["allocation_by_district"].statistics == {
        "median_days": ("allocated",),
        "average_days": ("allocated",),
    }
    assert QUERIES["allocation_by_organisation"].statistics == {
        "median_days": ("allocated",),
        "average_days": ("allocated",),
    }
    assert QUERIES["outcomes_by_level"].statistics == {"median_days_open": ("closed",)}
    assert QUERIES["pathway_summary"].statistics == {
        "median_days_open": ("closed",),
        "median_days_to_step_up": ("step_ups",),
    }
    assert QUERIES["workers_caseload"].statistics == {"cases_per_fte": ("open_cases",)}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_runs_for_the_analyst_and_returns_what_it_declares(runner, name):
    query = QUERIES[name]
    frame = runner.run(name, required_params(query), role=ANALYST)
    missing = [c for c in query.counts if c not in frame.columns]
    assert not missing, f"{name}: declared count columns {missing} are not in its output"
    assert tuple(frame.columns) == query.columns, name


def _write(tmp_path: Path, text: str, name: str = "sample.sql") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_counts_and_columns_continue_over_following_comment_lines(tmp_path):
    query = parse_query_file(
        _write(
            tmp_path,
            "-- A sample.\n"
            "-- columns: a (text, one, two), b (count),\n"
            "--   c (count, spread over\n"
            "--   two lines)\n"
            "-- counts: b,\n"
            "--   c\n"
            "-- roles: manager,\n"
            "--   analyst\n"
            "SELECT 1\n",
        )
    )
    assert query.columns == ("a", "b", "c")
    assert query.counts == ("b", "c")
    assert query.roles == ("manager", "analyst")
    assert query.purpose == "A sample."


def test_statistics_name_the_counts_they_are_worked_out_from(tmp_path):
    query = parse_query_file(
        _write(
            tmp_path,
            "-- A sample.\n"
            "-- columns: grp (text), part (count), whole (count), pct (number),\n"
            "--   median_days (number)\n"
            "-- counts: part, whole\n"
            "-- statistics: pct (from part, whole),\n"
            "--   median_days (from whole)\n"
            "SELECT 1\n",
        )
    )
    assert query.statistics == {"pct": ("part", "whole"), "median_days": ("whole",)}
    assert query.counts == ("part", "whole")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("-- columns: a (count)\n-- counts: a\n--   not a name here\n", "not a name"),
        ("-- columns: a (count)\n-- roles: manager, admin\n", "unknown role 'admin'"),
        ("-- columns: a (count)\n-- counts: a\n-- counts: a\n", "given twice"),
        ("-- columns: a (count), m\n-- counts: a\n-- statistics: m\n", "worked out from"),
        ("-- columns: a (count), m\n-- counts: a\n-- statistics: m (a)\n", "worked out from"),
        ("-- columns: a (count), m\n-- counts: a\n-- statistics: m (from b)\n", "'b'"),
        ("-- columns: a (count), m\n-- counts: a\n-- statistics: z (from a)\n", "not in"),
        ("-- columns: a (count)\n-- counts: a\n-- statistics: a (from a)\n", "is a count"),
        (
            "-- columns: a (count), m\n-- counts: a\n-- statistics: m (from a), m (from a)\n",
            "given twice",
        ),
        ("-- columns: a (count), m\n-- counts: a\n-- statistics: m (from a; b)\n", "worked"),
    ],
)
def test_a_header_that_cannot_be_read_is_refused(tmp_path, header, message):
    with pytest.raises(QueryError, match=message):
        parse_query_file(_write(tmp_path, "-- A sample.\n" + header + "SELECT 1 AS a\n"))


def test_a_declared_count_column_the_query_does_not_return_is_refused(demo_warehouse, tmp_path):
    # 'referrals' is declared but returned as 'n': disclosure control would miss it.
    sql = _write(
        tmp_path,
        "-- Referrals, under another name.\n"
        "-- columns: n (count)\n"
        "-- counts: referrals\n"
        "SELECT count(*) AS n FROM early_help_episodes\n",
        "renamed.sql",
    )
    version = QueryRunner.open(demo_warehouse).version_dir
    runner = QueryRunner(version, queries={"renamed": parse_query_file(sql)})
    for role in ("analyst", "board"):
        with pytest.raises(QueryError, match="declares count column.*referrals"):
            runner.run("renamed", role=Role.parse(role))


def test_a_declared_statistic_the_query_does_not_return_is_refused(demo_warehouse, tmp_path):
    sql = _write(
        tmp_path,
        "-- A median under another name.\n"
        "-- columns: n (count), median_days (number)\n"
        "-- counts: n\n"
        "-- statistics: median_days (from n)\n"
        "SELECT 3 AS n, 12.0 AS middle\n",
        "renamed_median.sql",
    )
    version = QueryRunner.open(demo_warehouse).version_dir
    runner = QueryRunner(version, queries={"renamed_median": parse_query_file(sql)})
    for role in ("analyst", "board"):
        with pytest.raises(QueryError, match="declares statistic column.*median_days"):
            runner.run("renamed_median", role=Role.parse(role))


SYNTHETIC = """-- Small synthetic figures: a median and a percentage beside their counts.
-- param district: text, optional. Only this district.
-- columns: district (text), closed (count), met (count), median_days (number),
--   met_pct (number)
-- counts: closed, met
-- statistics: median_days (from closed), met_pct (from met, closed)
SELECT * FROM (VALUES
    ('North', 4, 2, 30.0, 50.0),
    ('South', 40, 3, 60.0, 7.5),
    ('East', 80, 60, 90.0, 75.0),
    ('West', 0, 0, NULL, NULL),
    ('Central', 7, 6, 45.0, 85.7),
    ('Borough', 131, 71, 70.0, 54.2)
) AS t(district, closed, met, median_days, met_pct)
WHERE $district IS NULL OR district IN ($district, 'Borough')
"""


@pytest.fixture
def synthetic(demo_warehouse, tmp_path) -> QueryRunner:
    version = QueryRunner.open(demo_warehouse).version_dir
    path = _write(tmp_path, SYNTHETIC, "synthetic_outcomes.sql")
    return QueryRunner(version, queries={"synthetic_outcomes": parse_query_file(path)})


def test_statistics_are_withheld_with_their_counts_for_protected_roles(synthetic):
    exact = synthetic.run("synthetic_outcomes", role=ANALYST)
    assert exact["median_days"].to_list() == [30.0, 60.0, 90.0, None, 45.0, 70.0]
    board = {r["district"]: r for r in synthetic.run("synthetic_outcomes").to_dicts()}
    # North: 4 closed (c), so its median and its percentage are withheld.
    assert board["North"]["closed"] is None
    assert board["North"]["median_days"] is None and board["North"]["met_pct"] is None
    # South: 40 closed but 3 met (c): the median stays, the percentage of 3 goes.
    assert board["South"]["median_days"] == 60.0 and board["South"]["met_pct"] is None
    assert board["East"]["median_days"] == 90.0 and board["East"]["met_pct"] == 75.0
    # West: nothing closed, nothing to work out: empty, not withheld.
    assert board["West"]["closed"] == 0 and board["West"]["median_days"] is None
    # Central (7) would be shown as 5, read as a small count: withheld; its median goes with it.
    assert board["Central"]["closed"] is None and board["Central"]["median_days"] is None
    district = synthetic.run("synthetic_outcomes", role=Role.parse("district:North"))
    assert district["district"].to_list() == ["North", "Borough"]
    assert district["closed"][0] is None and district["median_days"][0] is None


def test_a_manager_of_one_district_sees_its_statistics_exactly(synthetic):
    manager = synthetic.run("synthetic_outcomes", role=Role.parse("manager:North"))
    rows = {r["district"]: r for r in manager.to_dicts()}
    assert (rows["North"]["closed"], rows["North"]["median_days"]) == (4, 30.0)
    assert rows["North"]["met_pct"] == 50.0
    assert set(rows) == {"North", "Borough"}, "no other district's row"
    assert rows["Borough"]["closed"] == 130, "borough totals protected (rounded)"
    # Asked for their own district, the Borough row is still the borough's: protected.
    own = synthetic.run("synthetic_outcomes", {"district": "North"}, Role.parse("manager:North"))
    assert own.to_dicts()[0] == rows["North"] and own["closed"].to_list()[1] == 130


# --- Roles ------------------------------------------------------------------------------------
def test_workers_caseload_is_only_for_managers_and_analysts(runner):
    assert QUERIES["workers_caseload"].roles == ("manager", "analyst")
    day = {"as_of": LAST_DATE}
    for role in ("board", "district:North"):
        with pytest.raises(QueryError) as refused:
            runner.run("workers_caseload", day, role=Role.parse(role))
        assert str(refused.value) == "workers_caseload is only for managers and analysts"
    for role in ("manager", "analyst", "manager:North"):
        assert runner.run("workers_caseload", day, role=Role.parse(role)).height > 0
    # A query without `-- roles:` is for everyone.
    assert runner.run("districts", role=Role.parse("board")).height == 5


def test_episode_records_are_only_for_analysts(runner):
    assert QUERIES["episode_records"].roles == ("analyst",)
    month = {"started_from": "2026-03-01", "started_to": "2026-03-31"}
    for role in ("board", "district:North", "manager", "manager:North"):
        with pytest.raises(QueryError) as refused:
            runner.run("episode_records", month, role=Role.parse(role))
        assert str(refused.value) == "episode_records is only for analysts"
    assert runner.run("episode_records", month, role=ANALYST).height > 0


@pytest.mark.parametrize(
    ("name", "param", "role", "message"),
    [
        ("workers_caseload", f"as_of={LAST_DATE}", "board", "managers and analysts"),
        ("episode_records", f"open_on={LAST_DATE}", "board", "analysts"),
        ("episode_records", f"open_on={LAST_DATE}", "manager", "analysts"),
        ("episode_records", f"open_on={LAST_DATE}", "manager:North", "analysts"),
        ("episode_records", f"open_on={LAST_DATE}", "district:North", "analysts"),
    ],
)
def test_cli_refuses_a_query_not_for_the_role_in_one_line(
    demo_warehouse, name, param, role, message
):
    done = run_cli("query", name, "--warehouse", demo_warehouse, "--param", param, "--role", role)
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.strip() == f"error: {name} is only for {message}"
    assert "Traceback" not in done.stderr


# --- Front-door marts: no decision stays null ---------------------------------------------------
def test_a_contact_with_no_decision_has_null_decision_days_in_the_marts(tmp_path):
    tables = tmp_path / "canonical"
    tables.mkdir()
    pl.DataFrame(
        {
            "contact_id": ["C1", "C2", "C3"],
            "child_id": ["1", "2", "3"],
            "contact_date": ["2024-06-03", "2024-06-03", "2024-06-03"],
            "source_code": ["2A", "2A", "2A"],
            "decision": ["Early help - targeted", "Early help - targeted", None],
            "decision_date": ["2024-06-04", "2024-07-01", None],  # 1 and 20 working days
        }
    ).write_parquet(tables / "contacts.parquet")
    result = ingest([tables], tmp_path / "wh", key_path=tmp_path / "key")
    for mart, period in (("mart_contacts_monthly", None), ("mart_contacts_by_period", "week")):
        frame = pl.read_parquet(result.version_dir / "marts" / f"{mart}.parquet")
        if period:
            frame = frame.filter(period=period)
        days = dict(frame.group_by("decision_days").agg(pl.col("contacts").sum()).iter_rows())
        assert days == {1: 1, 11: 1, None: 1}, mart
