"""Safe under attack and accident: input that is absurd, hostile or broken never makes ingest
print a traceback or an internal error, never loses a row to one bad value, and never turns
pseudonymisation off.

Each extract is written here by hand, and every figure expected is counted from its rows.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from earlyhelp.core.errors import UnusableInput
from earlyhelp.load.ingest import ingest, reconciliation_text
from earlyhelp.load.pseudonymise import load_or_create_key, pseudonym
from earlyhelp.load.warehouse import current_version_dir
from tests.test_ingest import cli_ingest

TODAY = date(2026, 3, 31)
EPISODES_HEADER = "earl_episode_id,earl_person_id,earl_episode_start_date,earl_episode_end_date\n"


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _episodes(folder: Path, rows: int = 5) -> Path:
    """`rows` ordinary episodes, E1.., children 1.., starting on Mondays of January 2025."""
    lines = [f"E{i},{i},2025-01-{6 + (i - 1) % 4 * 7:02d}," for i in range(1, rows + 1)]
    return _write(folder / "ssd_early_help_episodes.csv", EPISODES_HEADER + "\n".join(lines) + "\n")


def _rejects(version_dir: Path) -> pl.DataFrame:
    return pl.read_csv(version_dir / "rejects.csv", infer_schema=False)


def _table(version_dir: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(version_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def _manifest(version_dir: Path) -> dict:
    return json.loads((version_dir / "manifest.json").read_text())


def _reject(rejects: pl.DataFrame, file_name: str, row: int, column: str) -> dict:
    """The one reject line for a file (by name), row and column."""
    hits = rejects.filter(
        pl.col("source_file").str.ends_with(file_name)
        & (pl.col("source_row") == str(row))
        & (pl.col("column") == column)
    )
    assert hits.height == 1, (file_name, row, column, rejects)
    return hits.row(0, named=True)


# --- Absurd numbers ------------------------------------------------------------------------------


def test_absurd_numbers_in_fte_caseload_and_population_are_cleared_not_fatal(tmp_path):
    extract = tmp_path / "extract"
    _episodes(extract)
    _write(
        extract / "ssd_professionals.csv",
        "prof_professional_id,prof_professional_name,prof_full_time_equivalency,"
        "prof_professional_caseload\n"
        "W1,Ann,1e30,12\n"  # row 2
        "W2,Bob,inf,99999999999999999999\n"  # row 3
        "W3,Cy,-inf,1e30\n"  # row 4
        "W4,Di,nan,-inf\n"  # row 5: nan is an empty cell, as in every column
        "W5,Ed,0.8,15\n",  # row 6: the one believable worker
    )
    # 40 believable cells (2 districts, 4 years, 5 bands) and 4 absurd ones: the population's
    # children are required, so an absurd count rejects its row (10% or fewer are allowed).
    good = [
        f"{district},{year},{band},{1000 + year}"
        for district in ("North", "South")
        for year in (2021, 2022, 2023, 2024)
        for band in ("Under 1", "1-4", "5-9", "10-15", "16-17")
    ]
    bad = ["East,2024,1-4,1e30", "East,2024,5-9,inf", "East,2024,10-15,nan"]
    bad.append("East,2024,16-17,99999999999999999999")
    _write(
        extract / "population.csv",
        "district,year,age_band,children\n" + "\n".join(good + bad) + "\n",
    )

    done = cli_ingest(extract, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.strip() == ""

    version = current_version_dir(tmp_path / "wh")
    workers = _table(version, "SELECT worker_id, fte, recorded_caseload FROM workers ORDER BY 1")
    assert workers == [
        ("W1", None, 12),
        ("W2", None, None),
        ("W3", None, None),
        ("W4", None, None),
        ("W5", 0.8, 15),
    ]
    rejects = _rejects(version)
    fte = "not a number from 0 to 1.5"
    caseload = "not a whole number of 0 or more, up to 1,000"
    expected = {
        (2, "fte"): f"{fte}: '1e30'",
        (3, "fte"): f"{fte}: 'inf'",
        (3, "recorded_caseload"): f"{caseload}: '99999999999999999999'",
        (4, "fte"): f"{fte}: '-inf'",
        (4, "recorded_caseload"): f"{caseload}: '1e30'",
        (5, "recorded_caseload"): f"{caseload}: '-inf'",
    }
    worker_rejects = rejects.filter(pl.col("table") == "workers")
    assert worker_rejects.height == len(expected)
    for (row, column), reason in expected.items():
        line = _reject(worker_rejects, "ssd_professionals.csv", row, column)
        assert line["reason"] == reason
        assert line["action"] == "value cleared"

    population = rejects.filter(pl.col("table") == "population")
    children = "not a whole number of 0 or more, up to 10,000,000"
    assert _reject(population, "population.csv", 42, "children")["reason"] == f"{children}: '1e30'"
    assert _reject(population, "population.csv", 43, "children")["reason"] == f"{children}: 'inf'"
    assert _reject(population, "population.csv", 44, "children")["reason"] == (
        "required value is missing"
    )
    assert _reject(population, "population.csv", 45, "children")["reason"] == (
        f"{children}: '99999999999999999999'"
    )
    assert set(population["action"]) == {"row rejected"}
    manifest = _manifest(version)
    by_table = {r["table"]: r for r in manifest["reconciliation"]}
    assert (by_table["workers"]["loaded"], by_table["workers"]["values_cleared"]) == (5, 6)
    assert (by_table["population"]["rows_read"], by_table["population"]["loaded"]) == (44, 40)


def test_absurd_numbers_in_canonical_parquet_are_cleared(tmp_path):
    folder = tmp_path / "canonical"
    folder.mkdir()
    pl.DataFrame(
        {
            "episode_id": ["E1"],
            "child_id": ["1"],
            "start_date": [date(2025, 1, 6)],
            "level_of_need": [1e30],
        }
    ).write_parquet(folder / "early_help_episodes.parquet")
    pl.DataFrame(
        {"worker_id": ["W1", "W2", "W3"], "fte": [float("inf"), float("nan"), 1.0]}
    ).write_parquet(folder / "workers.parquet")
    pl.DataFrame(
        {
            "district": ["North", "North"],
            "year": [2024, 2024],
            "age_band": ["1-4", "5-9"],
            "children": [2**62, 900],
        }
    ).write_parquet(folder / "population.parquet")
    result = ingest(
        [folder], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k", max_rejected_pct=100
    )
    workers = _table(result.version_dir, "SELECT worker_id, fte FROM workers ORDER BY 1")
    assert workers == [("W1", None), ("W2", None), ("W3", 1.0)]
    episodes = _table(
        result.version_dir, "SELECT episode_id, level_of_need FROM early_help_episodes"
    )
    assert episodes == [("E1", None)]
    population = _table(result.version_dir, "SELECT age_band, children FROM population")
    assert population == [("5-9", 900)]
    rejects = _rejects(result.version_dir)
    assert _reject(rejects, "workers.parquet", 1, "fte")["reason"] == (
        "not a number from 0 to 1.5: 'inf'"
    )
    assert _reject(rejects, "early_help_episodes.parquet", 1, "level_of_need")["action"] == (
        "value cleared"
    )
    assert _reject(rejects, "population.parquet", 1, "children")["reason"] == (
        f"not a whole number of 0 or more, up to 10,000,000: '{2**62}'"
    )


# --- Control characters --------------------------------------------------------------------------


def test_nul_and_control_characters_are_removed_and_counted(tmp_path):
    extract = tmp_path / "extract"
    _write(
        extract / "ssd_early_help_episodes.csv",
        "earl_episode_id,earl_person_id,earl_episode_start_date,earl_episode_organisation,"
        "earl_episode_worker_id\n"
        "E\x001,1\x00,2025-01-06,Team\x07 North,W\x1b1\n"
        'E2,2,2025-01-13,"Team\tSouth\r\nhub",W2\n'
        "E3,3,2025-01-20,\u202eTeam East,W3\n"
        "E4,4,2025-01-27,Team West,W4\n",
    )
    _write(
        extract / "ssd_professionals.csv",
        "prof_professional_id,prof_professional_name\nW1,Ann\x00 Smith\nW2,Bob\n",
    )
    result = ingest([extract], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    version = result.version_dir
    episodes = _table(
        version, "SELECT episode_id, child_id, organisation, worker_id FROM early_help_episodes"
    )
    key = load_or_create_key(tmp_path / "k")
    assert sorted(episodes) == [
        ("E1", pseudonym(key, "1"), "Team North", "W1"),
        ("E2", pseudonym(key, "2"), "Team South hub", "W2"),
        ("E3", pseudonym(key, "3"), "Team East", "W3"),
        ("E4", pseudonym(key, "4"), "Team West", "W4"),
    ]
    assert _table(version, "SELECT worker_name FROM workers ORDER BY 1") == [
        ("Ann Smith",),
        ("Bob",),
    ]
    expected = {
        "early_help_episodes.child_id": 1,
        "early_help_episodes.episode_id": 1,
        "early_help_episodes.organisation": 3,
        "early_help_episodes.worker_id": 1,
        "workers.worker_name": 1,
    }
    assert result.control_characters == expected
    assert _manifest(version)["control_characters_removed"] == expected
    assert (
        "Control characters (NUL...) removed from: 7 values (early_help_episodes.child_id 1, "
        "early_help_episodes.episode_id 1, early_help_episodes.organisation 3, "
        "early_help_episodes.worker_id 1, workers.worker_name 1)"
    ) in reconciliation_text(result)
    stored = "".join(str(v) for row in episodes for v in row)
    assert not any(ord(c) < 32 or c == "\u202e" for c in stored)


def test_control_characters_in_an_annex_a_child_id_do_not_make_another_child(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "List 1"
    sheet.append(["Child Unique ID", "Date of Contact", "Contact Source"])
    sheet.append(["101", datetime(2025, 1, 6), "6"])
    sheet.append(["101\u200b", datetime(2025, 1, 7), "6"])  # a zero-width space
    path = tmp_path / "annex_a.xlsx"
    book.save(path)
    result = ingest([path], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    key = load_or_create_key(tmp_path / "k")
    children = _table(result.version_dir, "SELECT DISTINCT child_id FROM contacts")
    assert children == [(pseudonym(key, "101"),)]
    # One child (the reader compares ids as validation reads them), mentioned twice.
    assert _table(result.version_dir, "SELECT count(*) FROM children") == [(1,)]
    assert result.control_characters == {"contacts.child_id": 1}


# --- Placeholder dates ---------------------------------------------------------------------------


def test_placeholder_dates_are_missing_and_listed_in_every_source(tmp_path):
    extract = tmp_path / "extract"
    _write(
        extract / "ssd_early_help_episodes.csv",
        EPISODES_HEADER + "E1,1,1900-01-01 00:00:00.000,\n"  # row 2: required, rejected
        "E2,2,1899-12-31,\n"  # row 3
        "E3,3,9999-12-31,\n"  # row 4
        "E4,4,2025-01-06,1900-01-01\n"  # row 5: optional, cleared; the row is kept
        "E5,5,2025-02-03,9999-12-31 00:00:00.000\n"  # row 6
        "E6,6,2025-03-03,31/12/1899\n"  # row 7
        "E7,7,2025-03-10,2025-03-20\n",  # row 8
    )
    _write(
        extract / "ssd_person.csv",
        "pers_person_id,pers_dob\n4,1900-01-01\n5,2015-06-01\n",
    )
    result = ingest(
        [extract], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k", max_rejected_pct=100
    )
    version = result.version_dir
    episodes = _table(
        version, "SELECT episode_id, start_date, end_date FROM early_help_episodes ORDER BY 1"
    )
    assert episodes == [
        ("E4", date(2025, 1, 6), None),
        ("E5", date(2025, 2, 3), None),
        ("E6", date(2025, 3, 3), None),
        ("E7", date(2025, 3, 10), date(2025, 3, 20)),
    ]
    coverage = _table(
        version,
        "SELECT first_date FROM mart_coverage WHERE table_name = 'early_help_episodes'",
    )
    assert coverage == [(date(2025, 1, 6),)]
    rejects = _rejects(version)
    early = "placeholder or implausible date (1900-01-01 or earlier), treated as missing"
    late = "placeholder date (the year 9999), treated as missing"
    file = "ssd_early_help_episodes.csv"
    for row, column, reason, action in (
        (2, "start_date", early, "row rejected"),
        (3, "start_date", early, "row rejected"),
        (4, "start_date", late, "row rejected"),
        (5, "end_date", early, "value cleared"),
        (6, "end_date", late, "value cleared"),
        (7, "end_date", early, "value cleared"),
    ):
        line = _reject(rejects, file, row, column)
        assert line["reason"].startswith(reason) and line["action"] == action
    # Not also "end date is before start date": the placeholder is simply missing.
    assert rejects.filter(pl.col("reason").str.contains("before")).height == 0
    dob = _reject(rejects, "ssd_person.csv", 2, "birth_month")
    assert dob["action"] == "value cleared" and dob["value"] is None  # never shown
    expected = {
        "children.birth_month": 1,
        "early_help_episodes.end_date": 3,
        "early_help_episodes.start_date": 3,
    }
    assert result.placeholder_dates == expected
    assert _manifest(version)["placeholder_dates"] == expected
    assert "treated as missing: 7 values (children.birth_month 1" in reconciliation_text(result)


def test_placeholder_dates_in_annex_a_and_canonical_parquet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "List 2"
    sheet.append(["Child Unique ID", "Assessment start date", "Assessment completion date"])
    sheet.append(["1", datetime(1900, 1, 1), None])  # row 2: rejected
    sheet.append(["2", datetime(2025, 1, 6), datetime(9999, 12, 31)])  # row 3: end cleared
    for child in range(3, 12):
        sheet.append([str(child), datetime(2025, 2, 3), "01/01/1900"])  # end cleared
    annex = tmp_path / "annex_a.xlsx"
    book.save(annex)
    canonical = tmp_path / "canonical"
    canonical.mkdir()
    pl.DataFrame(
        {
            "referral_id": ["R1", "R2"],
            "child_id": ["1", "2"],
            "referral_date": ["2025-01-06", "1900-01-01"],
            "close_date": ["9999-12-31", None],
        }
    ).write_parquet(canonical / "cin_referrals.parquet")
    result = ingest(
        [annex, canonical],
        tmp_path / "wh",
        today=TODAY,
        key_path=tmp_path / "k",
        max_rejected_pct=100,
    )
    counts = {r["table"]: (r["rows_read"], r["loaded"]) for r in result.reconciliation}
    assert counts["early_help_episodes"] == (11, 10)
    assert counts["cin_referrals"] == (2, 1)
    assert _table(result.version_dir, "SELECT min(start_date) FROM early_help_episodes") == [
        (date(2025, 1, 6),)
    ]
    assert _table(result.version_dir, "SELECT referral_id, close_date FROM cin_referrals") == [
        ("R1", None)
    ]
    assert result.placeholder_dates == {
        "cin_referrals.close_date": 1,
        "cin_referrals.referral_date": 1,
        "early_help_episodes.end_date": 10,
        "early_help_episodes.start_date": 1,
    }


# --- Pseudonymisation is never turned off by what a source says ----------------------------------


def test_a_manifest_saying_pseudonymised_does_not_stop_raw_ids_being_hashed(tmp_path):
    key = load_or_create_key(tmp_path / "k")
    already = pseudonym(key, "1003")  # one id in the keyed hash's form: kept as it is
    tables = tmp_path / "version" / "tables"
    tables.mkdir(parents=True)
    _write(tmp_path / "version" / "manifest.json", json.dumps({"pseudonymised": True}))
    _write(tables / "manifest.json", json.dumps({"pseudonymised": True}))
    pl.DataFrame({"child_id": ["1001", "1002", already]}).write_parquet(tables / "children.parquet")
    pl.DataFrame(
        {
            "episode_id": ["E1", "E2", "E3", "E4"],
            "child_id": ["1001", "1002", already, "1001"],
            "start_date": ["2025-01-06", "2025-01-13", "2025-01-20", "2025-02-03"],
        }
    ).write_parquet(tables / "early_help_episodes.parquet")
    result = ingest([tmp_path / "version"], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    stored = _table(result.version_dir, "SELECT episode_id, child_id FROM early_help_episodes")
    assert sorted(stored) == [
        ("E1", pseudonym(key, "1001")),
        ("E2", pseudonym(key, "1002")),
        ("E3", already),
        ("E4", pseudonym(key, "1001")),
    ]
    children = _table(result.version_dir, "SELECT child_id FROM children ORDER BY 1")
    assert children == sorted((pseudonym(key, i),) for i in ("1001", "1002", "1003"))
    expected = {"children.child_id": 2, "early_help_episodes.child_id": 3}
    assert result.hashed_ids == expected
    assert _manifest(result.version_dir)["child_ids_hashed_not_in_hashed_form"] == expected
    assert (
        "Child ids hashed, as they were not in the keyed hash's form: 5 values "
        "(children.child_id 2, early_help_episodes.child_id 3)"
    ) in reconciliation_text(result)
    not_used = dict(result.not_used)
    assert "whatever a manifest says" in not_used[str(tables / "manifest.json")]

    # Our own tables, ingested again: nothing is hashed twice.
    again = ingest([result.version_dir], tmp_path / "wh2", today=TODAY, key_path=tmp_path / "k")
    assert sorted(_table(again.version_dir, "SELECT episode_id, child_id FROM early_help_episodes"))
    assert again.hashed_ids == {}
    assert sorted(
        _table(again.version_dir, "SELECT episode_id, child_id FROM early_help_episodes")
    ) == sorted(stored)


# --- Every file and sheet read, or named with why ------------------------------------------------


@pytest.mark.parametrize(
    "name", ["ssd_early_help_episodes (1).csv", "ssd_early_help_episodes - Copy.csv"]
)
def test_a_copy_of_a_table_with_no_original_is_read_as_the_table(tmp_path, name):
    extract = tmp_path / "extract"
    original = _episodes(extract, rows=3)
    original.rename(extract / name)
    result = ingest([extract], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    counts = {r["table"]: r for r in result.reconciliation}["early_help_episodes"]
    assert (counts["rows_read"], counts["loaded"]) == (3, 3)
    assert counts["files"] == [str(extract / name)]
    assert result.not_used == []


def test_a_copy_beside_its_original_is_named_not_read(tmp_path):
    extract = tmp_path / "extract"
    _episodes(extract, rows=3)
    _write(extract / "ssd_early_help_episodes (1).csv", EPISODES_HEADER + "X1,9,2025-01-06,\n")
    _write(extract / "ssd_early_help_episodes (2).csv", EPISODES_HEADER + "X2,9,2025-01-06,\n")
    (extract / "old exports").mkdir()
    result = ingest([extract], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    counts = {r["table"]: r for r in result.reconciliation}["early_help_episodes"]
    assert (counts["rows_read"], counts["loaded"]) == (3, 3)
    reasons = {Path(name).name: why for name, why in result.not_used}
    assert reasons == {
        "ssd_early_help_episodes (1).csv": "looks like a copy of ssd_early_help_episodes.csv, "
        "which is read instead",
        "ssd_early_help_episodes (2).csv": "looks like a copy of ssd_early_help_episodes.csv, "
        "which is read instead",
        "old exports": "a folder: not read (give it as a path of its own)",
    }
    assert "ssd_early_help_episodes (1).csv: looks like a copy" in reconciliation_text(result)


def test_continued_sheets_of_a_list_are_read(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    header = ["Child Unique ID", "Date of Contact", "Contact Source"]
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = {
        "List 1": [header, ["1", datetime(2025, 1, 6), "6"]],
        "List 1 (continued)": [header, ["2", datetime(2025, 1, 7), "6"]],
        "List 1 continued 2": [["3", datetime(2025, 1, 8), "6"]],  # no header row
        "Contacts (cont.)": [header, ["4", datetime(2025, 1, 9), "6"]],
        "Notes": [["Read me"]],
    }
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "annex_a.xlsx"
    book.save(path)
    result = ingest([path], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    counts = {r["table"]: r for r in result.reconciliation}["contacts"]
    assert (counts["rows_read"], counts["loaded"]) == (4, 4)
    assert dict(result.not_used) == {f"{path}#Notes": "not an Annex A list sheet"}


@pytest.mark.parametrize(
    "name, number",
    [
        ("List 1 (continued)", 1),
        ("List1 continued", 1),
        ("Contacts (continued)", 1),
        ("Contacts cont'd", 1),
        ("Contacts continued 2", 1),
        ("Contacts_2", 1),
        ("Referrals (cont.)", 3),
        ("Early Help (Part 2)", 2),
        ("Children in need (2)", 6),
        ("Guidance", None),
    ],
)
def test_continuation_sheet_names(name, number):
    from earlyhelp.load.sources.annex_a import sheet_list

    assert sheet_list(name) == number


# --- Garbage files -------------------------------------------------------------------------------


def _corpus(folder: Path) -> dict[str, Path]:
    """Broken files as they arrive by accident: each named after the problem it has."""
    return {
        "empty": _write(folder / "empty" / "ssd_person.csv", b""),
        "binary": _write(folder / "binary" / "ssd_contacts.csv", bytes(range(256)) * 64),
        "not a workbook": _write(folder / "book.xlsx", "this is text, not a workbook\n"),
        "header only": _write(folder / "header" / "ssd_early_help_episodes.csv", EPISODES_HEADER),
        "huge line": _write(folder / "huge" / "ssd_cin_episodes.csv", "x" * 5_000_000),
        "huge row": _write(
            folder / "long" / "ssd_early_help_episodes.csv",
            EPISODES_HEADER + "E1,1,2025-01-06," + "y," * 1_000_000 + "\n",
        ),
    }


def _paths(files: dict[str, Path]) -> list[Path]:
    return [p if p.suffix == ".xlsx" else p.parent for p in files.values()]


def test_a_corpus_of_garbage_files_gives_one_clear_line_per_problem(tmp_path):
    files = _corpus(tmp_path / "corpus")
    done = cli_ingest_many(_paths(files), tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert all(line.startswith("error: ") for line in lines), lines
    assert all(len(line) < 400 for line in lines), "no line carries a file's contents"
    # Read first, before anything is staged: each file that cannot be read names itself.
    expected = {
        "binary": "required column 'cont_contact_id' is missing",
        "not a workbook": "cannot be read as an Excel workbook",
        "huge line": "required column 'cine_referral_id' is missing",
        "empty": "not read: an empty file (no header, no rows): nothing to read",
    }
    for problem, words in expected.items():
        named = [line for line in lines if str(files[problem]) in line]
        assert len(named) == 1 and words in named[0], (problem, lines)
    assert not (tmp_path / "wh" / "CURRENT").exists()


@pytest.mark.parametrize(
    "problem, words",
    [
        ("empty", "no recognisable early help, contact or referral table"),
        ("binary", "required column 'cont_contact_id' is missing"),
        ("not a workbook", "cannot be read as an Excel workbook"),
        ("header only", "no rows to load"),
        ("huge line", "required column 'cine_referral_id' is missing"),
        ("huge row", "a row has more fields than the header row names"),
    ],
)
def test_each_garbage_file_alone_is_refused_in_clear_lines(tmp_path, problem, words):
    path = _paths({problem: _corpus(tmp_path / "corpus")[problem]})[0]
    done = cli_ingest(path, tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert all(line.startswith("error: ") and len(line) < 400 for line in lines), lines
    assert words in lines[0] and str(path) in lines[0]
    assert not (tmp_path / "wh" / "CURRENT").exists()


def cli_ingest_many(paths: list[Path], tmp_path: Path):
    from tests.test_ingest import cli

    env = {"EARLYHELP_KEY_FILE": str(tmp_path / "k"), "PATH": "/usr/bin:/bin"}
    return cli("ingest", *paths, "--warehouse", tmp_path / "wh", env=env)


def test_a_header_only_file_beside_a_good_one_is_no_problem(tmp_path):
    extract = tmp_path / "extract"
    _episodes(extract, rows=2)
    _write(extract / "ssd_contacts.csv", "cont_contact_id,cont_person_id,cont_contact_date\n")
    result = ingest([extract], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    counts = {r["table"]: (r["rows_read"], r["loaded"]) for r in result.reconciliation}
    assert counts["contacts"] == (0, 0) and counts["early_help_episodes"] == (2, 2)


def test_garbage_in_the_ingest_function_raises_unusable_input_only(tmp_path):
    files = _corpus(tmp_path / "corpus")
    with pytest.raises(UnusableInput) as raised:
        ingest(_paths(files), tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    assert str(files["binary"]) in str(raised.value)


# --- The organisations file a council edits ------------------------------------------------------


def test_the_organisations_file_loses_control_characters_and_refuses_a_huge_field(tmp_path):
    from earlyhelp.load.warehouse import load_organisation_types

    clean = _write(
        tmp_path / "organisations.csv",
        "organisation,type\nPositive\x00 Steps\u202e,commissioned\nSchool\tOne,school\n",
    )
    frame = load_organisation_types(clean)
    assert frame.rows() == [("Positive Steps", "commissioned"), ("School One", "school")]
    huge = _write(tmp_path / "huge.csv", "organisation,type\n" + "x" * 200_000 + ",council\n")
    with pytest.raises(UnusableInput, match=r"huge.csv: line \d+: cannot be read"):
        load_organisation_types(huge)


def test_a_file_name_holding_terminal_escapes_is_printed_harmless(tmp_path):
    extract = tmp_path / "extract"
    _episodes(extract, rows=2)
    _write(extract / "notes\x1b[2J.txt", "hello\n")
    result = ingest([extract], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    text = reconciliation_text(result)
    assert "\x1b" not in text and "notes\\x1b[2J.txt: not an SSD table" in text
    done = cli_ingest(tmp_path / "gone\x1b[31m", tmp_path)
    assert done.returncode == 2 and "\x1b" not in done.stderr
    assert done.stderr.strip() == f"error: {tmp_path}/gone\\x1b[31m: no such file or folder"


def test_an_empty_original_leaves_its_copy_to_be_read(tmp_path):
    extract = tmp_path / "extract"
    _episodes(extract, rows=2).rename(extract / "ssd_early_help_episodes (1).csv")
    _write(extract / "ssd_early_help_episodes.csv", b"")
    _write(extract / "ssd_contacts (1).csv", b"")
    result = ingest([extract], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    counts = {r["table"]: r for r in result.reconciliation}["early_help_episodes"]
    assert (counts["rows_read"], counts["loaded"]) == (2, 2)
    empty = "an empty file (no header, no rows): nothing to read"
    assert {Path(name).name: why for name, why in result.not_used} == {
        "ssd_contacts (1).csv": empty,
        "ssd_early_help_episodes.csv": empty,
    }
