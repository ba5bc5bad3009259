"""Query file headers and what the runner makes of them: every named query declares its columns
and counts, runs on the demo warehouse and returns the counts it declares; `-- roles:` refuses
other roles; and the front-door marts keep a contact with no decision as null, not 11 days."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from earlyhelp.config import QUERIES_DIR
from earlyhelp.errors import QueryError
from earlyhelp.ingest import ingest
from earlyhelp.queries import NamedQuery, QueryRunner, load_queries, parse_query_file
from earlyhelp.roles import Role

REPO = Path(__file__).resolve().parent.parent
ANALYST = Role.parse("analyst")
QUERIES = load_queries(QUERIES_DIR)
# The demo extract's last day; a period parameter's start is a year before it.
LAST_DATE = "2026-03-31"
PERIOD_START = "2025-04-01"


@pytest.fixture(scope="module")
def runner(demo_warehouse) -> QueryRunner:
    return QueryRunner.open(demo_warehouse)


def required_params(query: NamedQuery) -> dict[str, str]:
    params = {}
    for parameter in query.parameters.values():
        if not parameter.required:
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


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("-- columns: a (count)\n-- counts: a\n--   not a name here\n", "not a name"),
        ("-- columns: a (count)\n-- roles: manager, admin\n", "unknown role 'admin'"),
        ("-- columns: a (count)\n-- counts: a\n-- counts: a\n", "given twice"),
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


# --- Roles ------------------------------------------------------------------------------------
def test_workers_caseload_is_only_for_managers_and_analysts(runner):
    assert QUERIES["workers_caseload"].roles == ("manager", "analyst")
    day = {"as_of": LAST_DATE}
    for role in ("board", "district:North"):
        with pytest.raises(QueryError) as refused:
            runner.run("workers_caseload", day, role=Role.parse(role))
        assert str(refused.value) == "workers_caseload is only for managers and analysts"
    for role in ("manager", "analyst"):
        assert runner.run("workers_caseload", day, role=Role.parse(role)).height > 0
    # A query without `-- roles:` is for everyone.
    assert runner.run("districts", role=Role.parse("board")).height == 5


def test_cli_refuses_a_query_not_for_the_role_in_one_line(demo_warehouse):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "earlyhelp",
            "query",
            "workers_caseload",
            "--warehouse",
            str(demo_warehouse),
            "--param",
            f"as_of={LAST_DATE}",
            "--role",
            "board",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.strip() == "error: workers_caseload is only for managers and analysts"
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
    for mart in ("mart_contacts_monthly", "mart_contacts_weekly"):
        frame = pl.read_parquet(result.version_dir / "marts" / f"{mart}.parquet")
        days = dict(frame.group_by("decision_days").agg(pl.col("contacts").sum()).iter_rows())
        assert days == {1: 1, 11: 1, None: 1}, mart
