"""DfE published files: read as published, symbols kept, reconciled, loaded into the warehouse,
and the compared figures checked against values read from the files by hand (the csv module,
not the code under test). The real files are ../shared/benchmarks (skipped when absent); the
symbol handling and the refusals use small files written here."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl
import pytest

from earlyhelp.core import config
from earlyhelp.core.errors import UnusableInput
from earlyhelp.load import dfe, warehouse
from earlyhelp.measures import benchmarks
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from tests.apptest import run_cli
from tests.conftest import SHARED

BENCHMARKS = SHARED / "benchmarks"
C1 = BENCHMARKS / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
CSWW = BENCHMARKS / "csww_indicators_2017_to_2025.csv"
POPULATION = BENCHMARKS / "ons_mid-year_population_estimates_2012_to_2024.csv"
NEIGHBOURS = BENCHMARKS / "New_Statistical_Neighbour_Groupings_April_2021.csv"
REAL_FILES = (C1, CSWW, POPULATION, NEIGHBOURS)
ANALYST = Role.parse("analyst")

needs_real_files = pytest.mark.skipif(
    not all(p.exists() for p in REAL_FILES), reason="../shared/benchmarks is not present"
)


# --- Fixtures ------------------------------------------------------------------------------------
def copy_of(demo_warehouse: Path, target: Path) -> Path:
    """The session's demo warehouse copied, so loading figures into it changes no other test's."""
    shutil.copytree(demo_warehouse, target, ignore=shutil.ignore_patterns(".lock"))
    return target


@pytest.fixture(scope="module")
def loaded_warehouse(demo_warehouse, tmp_path_factory) -> Path:
    """The demo warehouse with the real DfE files loaded by the command line."""
    if not all(p.exists() for p in REAL_FILES):
        pytest.skip("../shared/benchmarks is not present")
    target = copy_of(demo_warehouse, tmp_path_factory.mktemp("bench") / "wh")
    result = run_cli("benchmarks", "--warehouse", target, *REAL_FILES)
    assert result.returncode == 0, result.stderr
    return target


@pytest.fixture(scope="module")
def runner(loaded_warehouse) -> QueryRunner:
    runner = QueryRunner.open(loaded_warehouse)
    yield runner
    runner.close()


def rows_of(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def published(path: Path, field: str, year: int, la: str) -> str:
    """One local authority's published cell, by its three-digit number, as text."""
    (row,) = [
        r
        for r in rows_of(path)
        if r["geographic_level"] == "Local authority"
        and r["old_la_code"] == la
        and r["time_period"] == str(year)
    ]
    return row[field]


def neighbours_by_hand(la: str) -> list[str]:
    with open(NEIGHBOURS, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        columns = [header.index(f"SN{k}") for k in range(1, 11)]
        for cells in reader:
            if cells and cells[0] == la:
                return [cells[i] for i in columns]
    raise AssertionError(f"{la} not in the groupings")


def rate_by_hand(la: str, year: int) -> float | None:
    referrals = published(C1, "referral_count", year, la)
    try:
        population = published(POPULATION, "population_estimate", year - 1, la)
    except ValueError:
        return None  # no estimate published for it that year
    if not (referrals.isdigit() and population.isdigit()):
        return None
    return round(int(referrals) / int(population) * 10000, 1)


# --- The real files ------------------------------------------------------------------------------
@needs_real_files
@pytest.mark.parametrize(
    "path, layout",
    [(C1, "c1_referrals"), (CSWW, "csww"), (POPULATION, "population"), (NEIGHBOURS, "neighbours")],
)
def test_each_real_file_is_recognised_and_reconciled(path, layout):
    result = dfe.read_file(path)
    assert result.layout == layout
    with open(path, encoding="utf-8-sig", newline="") as handle:
        lines = [cells for cells in csv.reader(handle)][1:]
    non_blank = [cells for cells in lines if any(c.strip() for c in cells)]
    assert result.rows_read == len(non_blank)
    assert result.rows_loaded + result.rows_rejected == result.rows_read
    assert result.rows_loaded > 0


@needs_real_files
def test_every_symbol_in_the_files_is_kept_and_none_is_zero(runner):
    figures = runner._cursor().sql("SELECT * FROM benchmark_figures").pl()
    for path, dataset in ((C1, "c1_referrals"), (CSWW, "csww"), (POPULATION, "population")):
        expected: dict[str, int] = {}
        for row in rows_of(path):
            for column, text in row.items():
                if text in dfe.SYMBOLS and column not in dfe.DESCRIPTIVE_COLUMNS:
                    # a figure published for two councils is held once for each of them
                    twice = 2 if " / " in (row["old_la_code"] or "") else 1
                    expected[text] = expected.get(text, 0) + twice
        part = figures.filter(pl.col("dataset") == dataset)
        found = dict(
            part.filter(pl.col("symbol").is_not_null()).group_by("symbol").len().iter_rows()
        )
        assert found == expected, dataset
        assert part.filter(pl.col("symbol").is_not_null())["value"].null_count() == sum(
            expected.values()
        ), "a symbol with a value"


@needs_real_files
def test_a_suppressed_cell_stays_c(runner):
    row = next(
        r
        for r in rows_of(C1)
        if r["geographic_level"] == "Local authority" and r["rereferral_count"] == "c"
    )
    held = (
        runner._cursor()
        .sql(
            "SELECT value, symbol FROM benchmark_figures WHERE dataset = 'c1_referrals' "
            "AND field = 'rereferral_count' AND la_number = $la AND time_period = $year",
            params={"la": row["old_la_code"], "year": int(row["time_period"])},
        )
        .fetchall()
    )
    assert held == [(None, "c")]


@needs_real_files
def test_oldhams_2024_rate_and_its_neighbours_average_match_the_files(runner):
    standing = runner.run("benchmark_standing", {"la": "353"}, ANALYST)
    row = standing.filter(
        (pl.col("measure") == "referrals_rate") & (pl.col("time_period") == 2024)
    ).row(0, named=True)
    # By hand: 5,481 referrals in the year to 31 March 2024 over 63,186 children at mid-2023.
    assert published(C1, "referral_count", 2024, "353") == "5481"
    assert row["value"] == rate_by_hand("353", 2024) == round(5481 / 63186 * 10000, 1)
    rates = [rate_by_hand(n, 2024) for n in neighbours_by_hand("353")]
    known = [r for r in rates if r is not None]
    assert row["neighbours_with_value"] == len(known) == 10
    assert row["neighbours_value"] == pytest.approx(round(sum(known) / len(known), 1))
    assert row["neighbours_below"] == sum(r < row["value"] for r in known)
    assert row["neighbours_above"] == sum(r > row["value"] for r in known)
    england = next(
        r for r in rows_of(C1) if r["geographic_level"] == "National" and r["time_period"] == "2024"
    )
    england_population = next(
        r
        for r in rows_of(POPULATION)
        if r["geographic_level"] == "National" and r["time_period"] == "2023"
    )
    expected = int(england["referral_count"]) / int(england_population["population_estimate"])
    assert row["england_value"] == round(expected * 10000, 1)
    assert row["region_name"] == "North West"


@needs_real_files
def test_published_percentages_and_caseloads_are_the_files_own(runner):
    comparison = runner.run("benchmark_comparison", {"la": "353"}, ANALYST)
    for measure, path, field, year in (
        ("rereferral_pct", C1, "rereferral_percent", 2024),
        ("caseload_fte", CSWW, "caseload_fte", 2025),
    ):
        part = comparison.filter((pl.col("measure") == measure) & (pl.col("time_period") == year))
        council = part.filter(pl.col("area_role") == "council")["value"].to_list()
        assert council == [float(published(path, field, year, "353"))]
        neighbours = part.filter(pl.col("area_role") == "neighbour").sort("neighbour_rank")
        assert neighbours["la_number"].to_list() == neighbours_by_hand("353")
        rochdale = neighbours.filter(pl.col("area_name") == "Rochdale")["value"].to_list()
        assert rochdale == [float(published(path, field, year, "354"))]


@needs_real_files
def test_the_command_reconciles_each_file_and_names_the_council(demo_warehouse, tmp_path):
    target = copy_of(demo_warehouse, tmp_path / "wh")
    result = run_cli("benchmarks", "--warehouse", target, BENCHMARKS)
    assert result.returncode == 0, result.stderr
    assert "2,132" in result.stdout and "1,463" in result.stdout
    assert "compared as Oldham (353, E08000004" in result.stdout
    manifest = warehouse.read_manifest(warehouse.current_version_dir(target))
    files = {f["layout"]: f for f in manifest["benchmarks"]["files"]}
    assert set(files) == {"c1_referrals", "csww", "population", "neighbours"}
    assert files["c1_referrals"]["rows_read"] == len(rows_of(C1))
    # A later rebuild (and so an ingest, through the same publish) keeps them.
    before = manifest["version"]
    warehouse.rebuild(target)
    after = warehouse.current_version_dir(target)
    assert after.name != before
    assert warehouse.read_manifest(after)["benchmarks"] == manifest["benchmarks"]
    runner = QueryRunner(after)
    try:
        assert runner.run("benchmark_standing", {"la": "353"}, ANALYST).height > 0
    finally:
        runner.close()


# --- Small files written here ------------------------------------------------------------------
C1_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,category,referral_count,rereferral_count,"
    "rereferral_percent"
)
POPULATION_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,age_group,population_estimate"
)


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def la_row(year, number, code, name, referrals, rereferrals, percent, level="Local authority"):
    return (
        f"{year},Reporting year,{level},E92000001,England,E12000002,North West,{number},{code},"
        f"{name},Referrals and Re-referrals,{referrals},{rereferrals},{percent}"
    )


@pytest.mark.parametrize(
    "text, value, symbol, usable",
    [
        ("c", None, "c", True),
        ("[c]", None, "c", True),
        ("low", None, "low", True),
        ("k", None, "k", True),
        ("x", None, "x", True),
        (":", None, ":", True),
        ("z", None, "z", True),
        ("u", None, "u", True),
        ("0", 0.0, None, True),
        ("1,234", 1234.0, None, True),
        ("22.6", 22.6, None, True),
        ("", None, None, True),
        ("12a", None, None, False),
        ("n/a", None, None, False),
    ],
)
def test_a_cell_is_a_number_a_symbol_or_neither(text, value, symbol, usable):
    assert dfe.cell(text) == (value, symbol, usable)


def test_symbols_are_kept_and_a_bad_value_is_cleared_and_listed(tmp_path):
    path = write(
        tmp_path / "c1.csv",
        C1_HEADER,
        la_row(2024, "353", "E08000004", "Oldham", "5481", "c", "low"),
        la_row(2024, "354", "E08000005", "Rochdale", "12a", "0", "0"),
        la_row(2024, "355", "E08000006", "Salford", "x", "z", "u"),
    )
    result = dfe.read_file(path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 3, 0)
    assert result.values_cleared == 1
    assert result.rejects == [
        (str(path), 3, "referral_count", "12a", "not a number or a GSS symbol: cleared")
    ]
    got = {
        (r["la_number"], r["field"]): (r["value"], r["symbol"])
        for r in result.rows.iter_rows(named=True)
    }
    assert got[("353", "referral_count")] == (5481.0, None)
    assert got[("353", "rereferral_count")] == (None, "c")
    assert got[("353", "rereferral_percent")] == (None, "low")
    assert got[("354", "referral_count")] == (None, None)
    assert got[("354", "rereferral_count")] == (0.0, None)  # a true zero stays 0
    assert got[("355", "referral_count")] == (None, "x")
    assert result.symbols == {"c": 1, "low": 1, "x": 1, "z": 1, "u": 1}


def test_a_row_without_a_level_year_or_area_is_rejected(tmp_path):
    path = write(
        tmp_path / "c1.csv",
        C1_HEADER,
        la_row(2024, "353", "E08000004", "Oldham", "10", "2", "20"),
        la_row(2024, "353", "E08000004", "Oldham", "10", "2", "20", level="Ward"),
        la_row("2024-25", "353", "E08000004", "Oldham", "10", "2", "20"),
        la_row(2024, "", "E08000004", "Oldham", "10", "2", "20"),
        "",
    )
    result = dfe.read_file(path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 1, 3)
    assert [r[1:3] for r in result.rejects] == [
        (3, "geographic_level"),
        (4, "time_period"),
        (5, "old_la_code"),
    ]


def test_a_figure_published_for_two_councils_is_held_for_each(tmp_path):
    path = write(
        tmp_path / "c1.csv",
        C1_HEADER,
        la_row(
            2024,
            "940 / 941",
            "E06000061 / E06000062",
            "North Northamptonshire / West Northamptonshire",
            "100",
            "20",
            "20",
        ),
    )
    rows = dfe.read_file(path).rows.filter(pl.col("field") == "referral_count")
    assert rows.select("la_number", "area_code", "area_name").rows() == [
        ("940", "E06000061", "North Northamptonshire"),
        ("941", "E06000062", "West Northamptonshire"),
    ]
    assert rows["published_for"].unique().to_list() == [
        "North Northamptonshire / West Northamptonshire"
    ]


def test_a_file_of_another_layout_gets_one_line_naming_it(tmp_path, demo_warehouse):
    other = write(tmp_path / "attendance.csv", "school,pupils,absence_rate", "A,100,5.1")
    with pytest.raises(UnusableInput) as raised:
        dfe.read_file(other)
    message = str(raised.value)
    assert str(other) in message and "\n" not in message
    assert "not a DfE published file this command reads" in message
    target = copy_of(demo_warehouse, tmp_path / "wh")
    version = warehouse.current_version_dir(target).name
    result = run_cli("benchmarks", "--warehouse", target, other)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "attendance.csv" in lines[0]
    assert warehouse.current_version_dir(target).name == version  # nothing published


def test_two_files_of_one_layout_are_refused(tmp_path):
    first = write(tmp_path / "a.csv", C1_HEADER, la_row(2024, "353", "E1", "Oldham", "1", "1", "1"))
    second = write(
        tmp_path / "b.csv", C1_HEADER, la_row(2025, "353", "E1", "Oldham", "1", "1", "1")
    )
    with pytest.raises(UnusableInput, match="a second file of children in need referrals"):
        dfe.read_paths([first, second])


def test_a_rate_takes_the_symbol_of_its_referrals_or_population(demo_warehouse, tmp_path):
    c1 = write(
        tmp_path / "c1.csv",
        C1_HEADER,
        la_row(2024, "353", "E08000004", "Oldham", "500", "100", "20"),
        la_row(2024, "354", "E08000005", "Rochdale", "c", "c", "c"),
        la_row(2024, "355", "E08000006", "Salford", "300", "30", "10"),
    )
    population = write(
        tmp_path / "population.csv",
        POPULATION_HEADER,
        *(
            f"2023,Reporting year,Local authority,E92000001,England,E12000002,North West,{n},"
            f"{code},{name},Children aged 0 to 17 years,{value}"
            for n, code, name, value in (
                ("353", "E08000004", "Oldham", "50000"),
                ("354", "E08000005", "Rochdale", "40000"),
                ("355", "E08000006", "Salford", "x"),
            )
        ),
    )
    target = copy_of(demo_warehouse, tmp_path / "wh")
    result = run_cli("benchmarks", "--warehouse", target, c1, population)
    assert result.returncode == 0, result.stderr
    runner = QueryRunner.open(target)
    try:
        rates = (
            runner._cursor()
            .sql(
                "SELECT la_number, value, symbol FROM mart_benchmark_measures "
                "WHERE measure = 'referrals_rate' ORDER BY la_number"
            )
            .fetchall()
        )
    finally:
        runner.close()
    assert rates == [("353", 100.0, None), ("354", None, "c"), ("355", None, "x")]


def test_loading_one_layout_keeps_the_others(demo_warehouse, tmp_path):
    c1 = write(tmp_path / "c1.csv", C1_HEADER, la_row(2024, "353", "E1", "Oldham", "9", "1", "11"))
    population = write(
        tmp_path / "p.csv",
        POPULATION_HEADER,
        "2023,Reporting year,Local authority,E92000001,England,E12000002,North West,353,E1,"
        "Oldham,Children aged 0 to 17 years,900",
    )
    target = copy_of(demo_warehouse, tmp_path / "wh")
    assert run_cli("benchmarks", "--warehouse", target, c1, population).returncode == 0
    newer = write(
        tmp_path / "c1b.csv", C1_HEADER, la_row(2024, "353", "E1", "Oldham", "18", "1", "6")
    )
    assert run_cli("benchmarks", "--warehouse", target, newer).returncode == 0
    manifest = warehouse.read_manifest(warehouse.current_version_dir(target))
    assert sorted(f["layout"] for f in manifest["benchmarks"]["files"]) == [
        "c1_referrals",
        "population",
    ]
    runner = QueryRunner.open(target)
    try:
        rate = runner.run("benchmark_standing", {"la": "353"}, ANALYST)
    finally:
        runner.close()
    assert rate.filter(pl.col("measure") == "referrals_rate")["value"].to_list() == [200.0]


def test_without_figures_the_queries_return_no_rows(demo_warehouse):
    runner = QueryRunner.open(demo_warehouse)
    try:
        assert benchmarks.loaded_entry(runner.manifest) is None
        for name in ("benchmark_local_authorities", "benchmark_comparison", "benchmark_standing"):
            assert runner.run(
                name, {"la": "353"} if name != "benchmark_local_authorities" else {}, ANALYST
            ).is_empty()
    finally:
        runner.close()


# --- Which council, and the words ----------------------------------------------------------------
AREAS = pl.DataFrame(
    {
        "la_number": ["353", "354"],
        "area_code": ["E08000004", "E08000005"],
        "area_name": ["Oldham", "Rochdale"],
        "region_code": ["E12000002", "E12000002"],
        "region_name": ["North West", "North West"],
    }
)


@pytest.mark.parametrize("setting", ["E08000004", "e08000004", "353", "Oldham", " oldham "])
def test_the_council_is_found_by_code_number_or_name(setting):
    council = benchmarks.resolve_local_authority(setting, AREAS)
    assert isinstance(council, benchmarks.Council) and council.name == "Oldham"


def test_an_unknown_council_is_a_sentence_naming_it():
    found = benchmarks.resolve_local_authority("Atlantis", AREAS)
    assert isinstance(found, str) and "'Atlantis'" in found


def test_the_demo_borough_is_oldham_unless_configured(monkeypatch):
    monkeypatch.delenv("EARLYHELP_LOCAL_AUTHORITY", raising=False)
    assert config.local_authority() == "E08000004" and not config.local_authority_is_set()
    monkeypatch.setenv("EARLYHELP_LOCAL_AUTHORITY", "Rochdale")
    assert config.local_authority() == "Rochdale" and config.local_authority_is_set()


def standing_row(**values) -> dict:
    row = {
        "time_period": 2025,
        "value": 654.9,
        "symbol": None,
        "neighbours_with_value": 10,
        "neighbours_below": 8,
        "neighbours_above": 2,
        "neighbours_value": 544.5,
        "region_name": "North West",
        "region_value": 529.1,
        "england_value": 519.4,
    }
    return {**row, **values}


def test_where_the_council_stands_in_words():
    rate = benchmarks.MEASURE_BY_ID["referrals_rate"]
    assert benchmarks.standing_sentence("Oldham", standing_row(), rate) == (
        "In the year to 31 March 2025, Oldham (654.9) was higher than 8 of its 10 neighbours, "
        "above their average (544.5), above North West (529.1) and above England (519.4): a "
        "higher figure means more referrals for its child population."
    )
    lower = standing_row(value=400.0, neighbours_below=1, neighbours_above=9)
    assert "was lower than 9 of its 10 neighbours, below their average" in (
        benchmarks.standing_sentence("Oldham", lower, rate)
    )
    top = standing_row(neighbours_below=10, neighbours_above=0)
    assert "higher than all 10 neighbours" in benchmarks.standing_sentence("Oldham", top, rate)
    withheld = standing_row(value=None, symbol="c")
    assert benchmarks.standing_sentence("Oldham", withheld, rate) == (
        "In the year to 31 March 2025, Oldham's figure is confidential (suppressed to protect "
        "individuals), so it cannot be ranked."
    )
    caseload = benchmarks.MEASURE_BY_ID["caseload_fte"]
    assert benchmarks.standing_sentence("Oldham", standing_row(), caseload).startswith(
        "At 30 September 2025, Oldham (654.9)"
    )
