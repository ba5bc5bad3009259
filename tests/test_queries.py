"""Named queries checked against an independent computation on the same extract, and the
runner's guarantees: parameters only, read-only, roles, every query file well formed."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import polars as pl
import pytest

from earlyhelp.core.config import QUERIES_DIR
from earlyhelp.core.errors import QueryError
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner, load_queries
from tests import demo_files, small_extract
from tests.apptest import run_cli

ANALYST = Role.parse("analyst")


@pytest.fixture(scope="module")
def runner(demo_warehouse) -> QueryRunner:
    return QueryRunner.open(demo_warehouse)


@pytest.fixture(scope="module")
def episodes_with_district(demo_extract) -> pl.DataFrame:
    """District of each episode worked out here from the raw extract (the child's home address
    on the start date), not by the library."""
    episodes = demo_files.episodes(demo_extract)
    joined = demo_files.districts_at_start(demo_extract, episodes, "person", "start")
    assert joined.height == episodes.height, "every demo episode has one address valid at its start"
    return joined.select(pl.col("episode").alias("earl_episode_id"), "start", "end", "district")


def test_referrals_by_month_matches_an_independent_count(runner, episodes_with_district):
    expected = (
        episodes_with_district.group_by(
            pl.col("start").dt.strftime("%Y-%m").alias("month"), "district"
        )
        .agg(pl.len().cast(pl.Int64).alias("referrals"))
        .sort("month", "district")
    )
    actual = runner.run("referrals_by_month", role=ANALYST)
    assert actual.columns == ["month", "district", "referrals"]
    assert actual.equals(expected)


def _open_on(episodes: pl.DataFrame, day: date) -> dict[str, int]:
    open_ = episodes.filter(
        (pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") > day))
    )
    return dict(open_.group_by("district").len().iter_rows())


def test_caseload_by_district_matches_on_ordinary_and_boundary_dates(
    runner, episodes_with_district
):
    some = episodes_with_district.filter(pl.col("end").is_not_null()).row(100, named=True)
    days = [
        date(2018, 3, 31),  # before any data
        date(2020, 3, 23),
        date(2021, 3, 8),
        some["start"],  # an episode's start day: open
        some["end"],  # its end day: not open
        some["end"] - timedelta(days=1),
        date(2026, 3, 31),
        date(2030, 1, 1),  # after the data: as at the last day
    ]
    districts = sorted(episodes_with_district["district"].unique())
    for day in days:
        expected = _open_on(episodes_with_district, day)
        actual = runner.run("caseload_by_district", {"as_of": day}, role=ANALYST)
        assert actual["district"].to_list() == districts
        got = dict(actual.iter_rows())
        assert got == {d: expected.get(d, 0) for d in districts}, day


def test_filters_and_parameters(runner):
    north = runner.run(
        "referrals_by_month",
        {"district": "North", "from": "2020-03-15", "to": "2020-05-01"},
        role=ANALYST,
    )
    assert north["district"].unique().to_list() == ["North"]
    assert north["month"].to_list() == ["2020-03", "2020-04", "2020-05"]
    borough = runner.run(
        "referrals_borough_by_month", {"from": "2020-03-01", "to": "2020-05-31"}, role=ANALYST
    )
    all_districts = runner.run(
        "referrals_by_month", {"from": "2020-03-01", "to": "2020-05-31"}, role=ANALYST
    )
    assert borough["referrals"].sum() == all_districts["referrals"].sum()


def test_overview_headlines_agree_with_other_queries(runner):
    headline = runner.run("overview_headlines", role=ANALYST).row(0, named=True)
    assert headline["period_end"] == date(2026, 3, 31)
    assert headline["period_start"] == date(2025, 4, 1)
    months = runner.run(
        "referrals_borough_by_month", {"from": "2025-04-01", "to": "2026-03-31"}, role=ANALYST
    )
    assert headline["referrals_12m"] == months["referrals"].sum()
    assert 5_000 <= headline["referrals_12m"] <= 7_500
    caseload = runner.run("caseload_by_district", {"as_of": "2026-03-31"}, role=ANALYST)
    assert headline["open_episodes"] == caseload["open_episodes"].sum()


@pytest.mark.parametrize(
    "hostile",
    [
        "North'; DROP TABLE early_help_episodes; --",
        "' OR 1=1 --",
        "/* comment */ North",
        "x" * 100_000,
        "Nörth – 北",
        "North\x00",
    ],
)
def test_hostile_filter_values_are_data(runner, hostile):
    frame = runner.run("referrals_by_month", {"district": hostile}, role=ANALYST)
    assert frame.height == 0
    assert runner.run("districts").height == 5


def test_connection_is_read_only_and_locked_down(runner):
    cursor = runner._cursor()
    for statement in (
        "CREATE TABLE x (a INT)",
        "DELETE FROM early_help_episodes",
        "SELECT * FROM read_csv('/etc/passwd')",
        "COPY early_help_episodes TO '/tmp/leak.csv'",
        "SET enable_external_access = true",
        "INSTALL httpfs",
    ):
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do
            cursor.sql(statement).fetchall()


def test_unknown_query_parameter_and_role_are_refused(runner):
    with pytest.raises(QueryError, match="no query named"):
        runner.run("../secrets")
    with pytest.raises(QueryError, match="no parameter"):
        runner.run("districts", {"district": "North"})
    with pytest.raises(QueryError, match="needs parameter 'as_of'"):
        runner.run("caseload_by_district")
    with pytest.raises(QueryError, match="must be a date"):
        runner.run("caseload_by_district", {"as_of": "31/03/2026; DROP"})
    for bad in ("admin", "district:", "board:North"):
        with pytest.raises(QueryError):
            Role.parse(bad)


def test_board_role_suppresses_small_counts_analyst_sees_them(tmp_path_factory):
    # On the demo borough no month of a district has 1 to 7 referrals, so this runs on the small
    # extract (tests/small_extract.py), where North's referrals are counted by hand: E01 (April
    # 2025), E03 (October), E02 E04 E05 (January 2026), E06 E07 E08, E09 E10 E11 E12.
    small = QueryRunner.open(small_extract.small_warehouse(tmp_path_factory))
    exact = small.run("referrals_by_month", {"district": "North"}, role=ANALYST)
    protected = small.run("referrals_by_month", {"district": "North"}, role=Role.parse("board"))
    months = ["2025-04", "2025-10", "2026-01", "2026-02", "2026-03"]
    assert exact.rows() == list(zip(months, ["North"] * 5, [1, 1, 3, 3, 4], strict=True))
    assert protected.rows() == [(month, "North", None) for month in months], "all withheld"
    small.close()


def test_cursor_per_thread_gives_consistent_answers(runner):
    expected = runner.run("caseload_by_district", {"as_of": "2021-03-08"}, role=ANALYST)
    results, errors = [], []

    def work():
        try:
            for _ in range(5):
                results.append(
                    runner.run("caseload_by_district", {"as_of": "2021-03-08"}, role=ANALYST)
                )
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 20 and all(r.equals(expected) for r in results)


def test_every_query_file_declares_what_it_returns():
    queries = load_queries(QUERIES_DIR)
    assert {"referrals_by_month", "caseload_by_district"} <= set(queries)
    for query in queries.values():
        header = [line for line in query.sql.splitlines() if line.startswith("--")]
        assert any(line.startswith("-- columns:") for line in header), query.name
        assert query.purpose, query.name
        for name in query.parameters:
            assert f"${name}" in query.sql, (query.name, name)


def test_cli_query_json_and_csv(demo_warehouse):
    cli = run_cli
    done = cli(
        "query",
        "caseload_by_district",
        "--warehouse",
        str(demo_warehouse),
        "--param",
        "as_of=2021-03-08",
        "--format",
        "json",
        "--role",
        "analyst",
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [set(r) for r in rows] == [{"district", "open_episodes"}] * 5
    assert all(isinstance(r["open_episodes"], int) for r in rows)
    done = cli("query", "referrals_by_month", "--warehouse", str(demo_warehouse))
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "month,district,referrals"
    done = cli("query", "caseload_by_district", "--warehouse", str(demo_warehouse))
    assert done.returncode == 2 and "needs parameter 'as_of'" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_peaks_finds_the_covid_trough_and_school_return_peak(demo_warehouse):
    done = run_cli("peaks", "--warehouse", demo_warehouse, "--format", "json")
    assert done.returncode == 0, done.stderr
    findings = json.loads(done.stdout)
    assert all(
        set(f)
        == {"measure", "district", "period", "kind", "observed", "expected", "change_pct", "event"}
        for f in findings
    )
    by_period = {f["period"]: f for f in findings}
    lockdown = [f for f in findings if f["period"] in ("2020-04", "2020-05")]
    assert lockdown and all(f["kind"] == "trough" for f in lockdown)
    assert lockdown[0]["event"] == "First lockdown"
    assert by_period["2020-09"]["kind"] == "peak"
    # A peak is a departure from the season, not the season: ordinary Septembers are not flagged.
    assert not [p for p in by_period if p.endswith("-09") and p != "2020-09"]


# --- Record-level drill-down for analysts ---------------------------------------------------------
RECORD_COLUMNS = (
    "episode_id",
    "child_id",
    "district",
    "team",
    "worker_label",
    "start_date",
    "end_date",
    "level_of_need",
    "source_group",
    "age_band",
    "end_reason",
    "matching",
)


def test_episode_records_are_the_referrals_behind_a_demand_figure(runner):
    selection = {"district": "North", "source_group": "Schools", "age_band": "10-15"}
    monthly = runner.run("referrals_filtered", selection, role=ANALYST)
    for month, expected in (
        monthly.filter(pl.col("month") >= "2025-01").select("month", "referrals").iter_rows()
    ):
        start = date.fromisoformat(f"{month}-01")
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        records = runner.run(
            "episode_records",
            {**selection, "started_from": start, "started_to": end},
            role=ANALYST,
        )
        assert records.height == expected, month
        assert records.height == 0 or records["matching"][0] == expected
        assert records["start_date"].is_between(start, end).all()
        assert set(records["district"]) <= {"North"} and set(records["age_band"]) <= {"10-15"}
    level = runner.run("referrals_filtered", {"level_of_need": 0}, role=ANALYST)
    not_recorded = runner.run(
        "episode_records",
        {"level_of_need": 0, "started_from": "2025-03-01", "started_to": "2025-03-31"},
        role=ANALYST,
    )
    assert not_recorded.height == level.filter(pl.col("month") == "2025-03")["referrals"][0]


def test_episode_records_are_the_episodes_behind_a_caseload_figure(runner):
    day = "2026-03-31"
    open_by_district = runner.run("caseload_by_district", {"as_of": day}, role=ANALYST)
    for district, expected in open_by_district.iter_rows():
        records = runner.run("episode_records", {"open_on": day, "district": district}, ANALYST)
        assert records.height == expected, district
        assert records["end_date"].drop_nulls().gt(date.fromisoformat(day)).all()
    teams = runner.run("caseload_by_team", {"as_of": day}, role=ANALYST)
    for team, expected in teams.select("team", "open_cases").iter_rows():
        records = runner.run("episode_records", {"open_on": day, "team": team}, ANALYST)
        assert records.height == expected, team
        assert records["worker_label"].str.starts_with("Practitioner ").all()


def test_episode_records_hold_pseudonyms_never_names_and_are_capped(runner, demo_extract):
    records = runner.run("episode_records", {}, role=ANALYST)
    assert records.columns == list(RECORD_COLUMNS)
    assert records.height == 5_000 < records["matching"][0], "capped, with the true number"
    assert records["start_date"].is_sorted()
    assert records["child_id"].str.contains(r"^[0-9a-f]{20}$").all(), "the keyed hash"
    raw = pl.read_csv(demo_extract / "ssd_early_help_episodes.csv", infer_schema=False)
    assert not set(records["child_id"]) & set(raw["earl_person_id"]), "never the case-system id"
    people = pl.read_csv(demo_extract / "ssd_person.csv", infer_schema=False)
    names = set()
    for column in ("pers_forename", "pers_surname"):
        if column in people.columns:
            names |= set(people[column].drop_nulls())
    workers = pl.read_csv(demo_extract / "ssd_professionals.csv", infer_schema=False)
    names |= set(workers["prof_professional_name"].drop_nulls())
    text = records.write_csv()
    assert not [name for name in names if f",{name}," in text]


@pytest.mark.parametrize(
    "hostile", ["North' OR '1'='1", "x" * 10_000, "\x00", "Nörth"], ids=range(4)
)
def test_episode_record_filters_are_data(runner, hostile):
    records = runner.run(
        "episode_records", {"district": hostile, "team": hostile, "age_band": hostile}, ANALYST
    )
    assert records.is_empty()
