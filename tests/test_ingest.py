"""Ingest: reconciliation, pseudonymisation, district at event date, atomic publish, bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from earlyhelp.core.errors import UnusableInput
from earlyhelp.core.schema import SOURCE_CODES
from earlyhelp.load import warehouse
from earlyhelp.load.ingest import ingest
from earlyhelp.load.pseudonymise import load_or_create_key, pseudonym
from earlyhelp.query.runner import QueryRunner

REPO = Path(__file__).resolve().parent.parent


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "earlyhelp", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        **kwargs,
    )


def cli_ingest(path: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """`python -m earlyhelp ingest` into tmp_path/wh, with a key of its own."""
    env = {"EARLYHELP_KEY_FILE": str(tmp_path / "k"), "PATH": "/usr/bin:/bin"}
    return cli("ingest", path, "--warehouse", tmp_path / "wh", env=env)


def version_dir(warehouse_dir: Path) -> Path:
    return warehouse.current_version_dir(warehouse_dir)


def test_reconciliation_accounts_for_every_row(demo_extract, demo_warehouse):
    manifest = warehouse.read_manifest(version_dir(demo_warehouse))
    rejects = pl.read_csv(version_dir(demo_warehouse) / "rejects.csv", infer_schema=False)
    for row in manifest["reconciliation"]:
        assert row["rows_read"] == row["loaded"] + row["rejected"], row
        rejected_in_file = (
            rejects.filter((pl.col("table") == row["table"]) & (pl.col("action") == "row rejected"))
            .select("source_file", "source_row")
            .unique()
            .height
        )
        assert rejected_in_file == row["rejected"], row["table"]
    episodes_in_extract = pl.read_csv(demo_extract / "ssd_early_help_episodes.csv").height
    by_table = {r["table"]: r for r in manifest["reconciliation"]}
    assert by_table["early_help_episodes"]["rows_read"] == episodes_in_extract


def test_no_names_no_addresses_and_hashed_child_ids(demo_extract, demo_warehouse, _isolated_key):
    folder = version_dir(demo_warehouse)
    persons = pl.read_csv(demo_extract / "ssd_person.csv", infer_schema=False)
    forenames = set(persons["pers_forename"].drop_nulls())
    raw_ids = set(persons["pers_person_id"])
    postcodes = set(pl.read_csv(demo_extract / "ssd_address.csv")["addr_address_postcode"])
    children = pl.read_parquet(folder / "tables" / "children.parquet")
    assert not (set(children["child_id"]) & raw_ids)
    key = load_or_create_key(_isolated_key)
    some_id = sorted(raw_ids)[0]
    assert pseudonym(key, some_id) in set(children["child_id"])
    # Kept to the month; a child whose birth date is only estimated (pers_expected_dob) has none.
    assert set(children["birth_month"].dt.day().drop_nulls().unique()) == {1}
    names = set(persons["pers_surname"].drop_nulls()) | forenames
    for parquet in (folder / "tables").glob("*.parquet"):
        frame = pl.read_parquet(parquet)
        stored = set()
        for column in frame.select(pl.col(pl.String)).columns:
            stored |= set(frame[column].drop_nulls().unique().to_list())
        if parquet.stem != "workers":  # staff names are kept for managers; children's never
            assert not (stored & names), parquet.name
        assert not (stored & postcodes), parquet.name
        if "child_id" in frame.columns:
            assert not (set(frame["child_id"].drop_nulls()) & raw_ids), parquet.name


def test_keyed_hash_is_stable_and_depends_on_the_key(tmp_path):
    key_a = load_or_create_key(tmp_path / "a.key")
    assert load_or_create_key(tmp_path / "a.key") == key_a
    assert (tmp_path / "a.key").stat().st_mode & 0o777 == 0o600
    key_b = load_or_create_key(tmp_path / "b.key")
    assert pseudonym(key_a, "123") == pseudonym(key_a, "123")
    assert pseudonym(key_a, "123") != pseudonym(key_b, "123")
    assert pseudonym(key_a, "123") != pseudonym(key_a, "124")


def write_minimal_ssd(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ssd_person.csv").write_text(
        "pers_person_id,pers_sex,pers_dob,pers_forename,pers_surname\n"
        "1,M,2012-05-04,Alice,Example\n2,F,2015-08-15,Bob,Example\n"
    )
    (folder / "ssd_address.csv").write_text(
        "addr_person_id,addr_address_postcode,addr_address_start_date,addr_address_end_date\n"
        "1,ZZ1 1AA,2010-01-01,2020-06-30\n1,ZZ2 1AB,2020-07-01,\n2,zz21ab,2015-08-15,\n"
    )
    (folder / "district_lookup.csv").write_text(
        "postcode_sector,district\nZZ1 1,North\nZZ2 1,South\nZZ3 1,East\n"
    )
    (folder / "ssd_early_help_episodes.csv").write_text(
        "earl_episode_id,earl_person_id,earl_episode_start_date,earl_episode_end_date\n"
        "E1,1,2020-01-10,2020-05-01\nE2,1,2020-09-10,\nE3,2,2021-03-08,2021-03-09\n"
    )
    return folder


def test_district_is_the_one_of_the_address_valid_on_the_event_date(tmp_path):
    extract = write_minimal_ssd(tmp_path / "extract")
    ingest([extract], tmp_path / "wh", key_path=tmp_path / "k")
    runner = QueryRunner.open(tmp_path / "wh")
    frame = runner.run("referrals_by_month", role=_analyst())
    assert frame.rows() == [
        ("2020-01", "North", 1),
        ("2020-09", "South", 1),
        ("2021-03", "South", 1),
    ]
    # East has no events but is a known district: it is listed with zero.
    caseload = runner.run("caseload_by_district", {"as_of": "2021-03-08"}, role=_analyst())
    assert caseload.rows() == [("East", 0), ("North", 0), ("South", 2)]
    assert "Alice" not in (tmp_path / "wh").joinpath("CURRENT").read_text()


def _analyst():
    from earlyhelp.query.roles import Role

    return Role.parse("analyst")


def test_failed_ingest_leaves_the_previous_version_serving(tmp_path, monkeypatch):
    extract = write_minimal_ssd(tmp_path / "extract")
    wh = tmp_path / "wh"
    ingest([extract], wh, key_path=tmp_path / "k")
    before = (wh / "CURRENT").read_text()
    runner = QueryRunner.open(wh)

    def broken_mart_build(*args, **kwargs):
        raise RuntimeError("disk full while building marts")

    monkeypatch.setattr(warehouse, "_build_version", broken_mart_build)
    with pytest.raises(RuntimeError):
        ingest([extract], wh, key_path=tmp_path / "k")
    assert (wh / "CURRENT").read_text() == before
    assert not list(wh.glob(".staging-*"))
    assert runner.run("districts").height == 3
    assert QueryRunner.open(wh).version == before.strip()


def test_new_version_is_published_and_old_ones_pruned(tmp_path):
    extract = write_minimal_ssd(tmp_path / "extract")
    wh = tmp_path / "wh"
    versions = [ingest([extract], wh, key_path=tmp_path / "k").version for _ in range(5)]
    assert (wh / "CURRENT").read_text().strip() == versions[-1]
    kept = sorted(p.name for p in (wh / "versions").iterdir())
    assert kept == versions[-warehouse.KEEP_VERSIONS :]
    for name in kept:
        assert (wh / "versions" / name / "rejects.csv").exists()


def test_warehouse_tables_round_trip_as_canonical_parquet(tmp_path, demo_warehouse):
    tables = version_dir(demo_warehouse) / "tables"
    result = ingest([tables], tmp_path / "wh2", key_path=tmp_path / "other.key")
    original = QueryRunner.open(demo_warehouse).run("referrals_by_month", role=_analyst())
    again = QueryRunner.open(tmp_path / "wh2").run("referrals_by_month", role=_analyst())
    assert result.rejects == 0
    assert again.equals(original)
    children_a = pl.read_parquet(tables / "children.parquet")["child_id"].sort()
    children_b = pl.read_parquet(result.version_dir / "tables" / "children.parquet")["child_id"]
    assert children_b.sort().equals(children_a)  # not hashed twice


def test_parquet_extract_gives_the_same_warehouse_as_csv(tmp_path, demo_warehouse):
    from earlyhelp.tools.demo import write_demo

    write_demo(tmp_path / "pq", seed=2021, fmt="parquet")
    ingest([tmp_path / "pq"], tmp_path / "wh", key_path=tmp_path / "k")
    a = QueryRunner.open(demo_warehouse).run("referrals_by_month", role=_analyst())
    b = QueryRunner.open(tmp_path / "wh").run("referrals_by_month", role=_analyst())
    assert a.equals(b)


def test_annex_a_sample_is_ingested_with_lists_1_to_3(tmp_path, annex_a_sample):
    result = ingest([annex_a_sample], tmp_path / "wh", key_path=tmp_path / "k")
    by_table = {r["table"]: r for r in result.reconciliation}
    assert by_table["contacts"]["rows_read"] == 5
    assert by_table["early_help_episodes"]["rows_read"] == 5
    assert by_table["cin_referrals"]["rows_read"] == 6
    for row in result.reconciliation:
        assert row["rows_read"] == row["loaded"] + row["rejected"]
    con = duckdb.connect(str(result.version_dir / warehouse.DB_FILE), read_only=True)
    sources = {r[0] for r in con.sql("SELECT source_code FROM contacts").fetchall()}
    assert sources <= set(SOURCE_CODES) | {None} and {"6", "1B"} <= sources
    sexes = {r[0] for r in con.sql("SELECT sex FROM children").fetchall()}
    assert sexes <= {"M", "F", "U", None}
    workers = {r[0] for r in con.sql("SELECT worker_id FROM cin_referrals").fetchall()}
    assert not any("\u00a0" in (w or "") for w in workers)
    con.close()


def test_annex_a_header_variants_and_messy_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "List 1"
    sheet.append(["Annex A - contacts"])  # a title row above the header
    sheet.append(
        [
            "Child Unique ID",
            "Gender",
            "Ethnicity",
            "Date of Birth",
            "Age of Child (Years)",
            "Date of Contact",
            "Contact Source",
        ]
    )
    sheet.append([101, "a) Male", "a) WBRI", "04/05/2012", 8, 44263, "q) 6: Police"])
    sheet.append([102, "b) Female", "#N/A", "#N/A", "#N/A", "31/02/2021", "b) 1B: Individual"])
    sheet.append([103, "b) Female", "a) WBRI", None, None, "2021-03-09", "zz) 99: Nonsense"])
    path = tmp_path / "annex_a.xlsx"
    book.save(path)
    result = ingest([path], tmp_path / "wh", key_path=tmp_path / "k", max_rejected_pct=100)
    by_table = {r["table"]: r for r in result.reconciliation}
    assert by_table["contacts"] | {"files": None} == {
        "table": "contacts",
        "rows_read": 3,
        "loaded": 2,
        "rejected": 1,
        "values_cleared": 1,
        "files": None,
    }
    rejects = pl.read_csv(result.version_dir / "rejects.csv")
    bad_date = rejects.filter(pl.col("column") == "contact_date").row(0, named=True)
    assert bad_date["source_row"] == 4 and "not a date" in bad_date["reason"]
    assert bad_date["source_file"].endswith("annex_a.xlsx#List 1")


@pytest.mark.parametrize(
    "make_input, expected",
    [
        (lambda d: d / "missing.csv", "no such file"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "no recognisable table"),
        (
            lambda d: _write(d / "x" / "ssd_early_help_episodes.csv", "earl_episode_id,foo\n1,2\n"),
            "required column 'earl_person_id' is missing",
        ),
        (lambda d: _write(d / "book.xlsx", "this is not a workbook"), "cannot be read"),
    ],
)
def test_unusable_input_exits_non_zero_with_one_line_naming_the_file(
    tmp_path, make_input, expected
):
    path = make_input(tmp_path)
    done = cli_ingest(path, tmp_path)
    assert done.returncode != 0
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert expected in message and "Traceback" not in message
    assert path.name in message or path.parent.name in message
    assert not (tmp_path / "wh" / "CURRENT").exists()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path.parent if path.suffix == ".csv" else path


def test_all_rows_rejected_is_unusable(tmp_path):
    folder = tmp_path / "bad"
    _write(
        folder / "ssd_early_help_episodes.csv",
        "earl_episode_id,earl_person_id,earl_episode_start_date\n1,1,never\n",
    )
    with pytest.raises(UnusableInput, match="no usable rows"):
        ingest([folder], tmp_path / "wh", key_path=tmp_path / "k")


def test_ssd_episodes_win_over_annex_a_list_2_and_the_rows_are_accounted(tmp_path, annex_a_sample):
    extract = write_minimal_ssd(tmp_path / "extract")
    result = ingest([extract, annex_a_sample], tmp_path / "wh", key_path=tmp_path / "k")
    episodes = {r["table"]: r for r in result.reconciliation}["early_help_episodes"]
    assert episodes["rows_read"] == 3 + 5
    assert episodes["loaded"] == 3 and episodes["rejected"] == 5
    assert any("#List 2" in f for f in episodes["files"])
    rejects = pl.read_csv(result.version_dir / "rejects.csv")
    assert rejects.filter(pl.col("reason").str.starts_with("not used")).height == 5


def test_annex_a_alternative_child_id_header_and_masked_birth_dates(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "List 3"
    sheet.append(["Child Unique Identifier", "Gender", "Date of Birth", "Date of Referral"])
    sheet.append(["201", "a) Male", "2099-01-01", "2021-03-10"])
    sheet.append(["202", "b) Female", "2012-04-05", "2021-03-11"])
    path = tmp_path / "second.xlsx"
    book.save(path)
    result = ingest([path], tmp_path / "wh", key_path=tmp_path / "k")
    by_table = {r["table"]: r for r in result.reconciliation}
    assert by_table["cin_referrals"]["loaded"] == 2
    rejects = pl.read_csv(result.version_dir / "rejects.csv", infer_schema=False)
    dob = rejects.filter(pl.col("column") == "birth_month").row(0, named=True)
    assert dob["value"] is None and "2099" not in rejects.write_csv()
    ids = pl.read_parquet(result.version_dir / "tables" / "cin_referrals.parquet")["referral_id"]
    # Ids are a keyed hash of the natural key (child, date of referral), never the child's id.
    assert ids.str.contains(r"^L3-[0-9a-f]{16}$").all() and ids.n_unique() == 2


def test_all_rows_rejected_message_gives_an_example_reason(tmp_path):
    folder = tmp_path / "bad"
    _write(
        folder / "ssd_early_help_episodes.csv",
        "earl_episode_id,earl_person_id,earl_episode_start_date\n1,1,never\n",
    )
    done = cli_ingest(folder, tmp_path)
    assert done.returncode == 2
    assert "row 2, start_date: not a date: 'never'" in done.stderr


def _tables_of(warehouse_dir: Path) -> dict[str, pl.DataFrame]:
    folder = version_dir(warehouse_dir)
    return {
        f"{kind}/{p.stem}": pl.read_parquet(p)
        for kind in ("tables", "marts")
        for p in sorted((folder / kind).glob("*.parquet"))
    }


def test_streaming_in_tiny_batches_gives_the_same_warehouse(
    tmp_path, demo_extract, monkeypatch, _isolated_key
):
    """A national extract is validated a batch at a time: the batch size changes nothing."""
    import earlyhelp.load.sources as sources

    whole = ingest([demo_extract], tmp_path / "whole", key_path=tmp_path / "k")
    monkeypatch.setattr(sources, "BATCH_ROWS", 7_919)  # a prime: batches never line up
    batched = ingest([demo_extract], tmp_path / "batched", key_path=tmp_path / "k")
    assert batched.reconciliation == whole.reconciliation
    expected, got = _tables_of(tmp_path / "whole"), _tables_of(tmp_path / "batched")
    assert got.keys() == expected.keys()
    for name, frame in expected.items():
        assert got[name].equals(frame), name
    assert not list((tmp_path / "batched").glob(".ingest-*"))


def test_duplicates_are_found_across_batches_and_files(tmp_path, monkeypatch):
    """The first row wins, wherever the repeat is: later in the same file past a batch
    boundary, or in a second file for the same table."""
    import earlyhelp.load.sources as sources

    extract = write_minimal_ssd(tmp_path / "extract")
    with open(extract / "ssd_early_help_episodes.csv", "a") as handle:
        handle.write("E4,2,2021-04-01,\nE1,2,2021-05-01,\n")  # rows 5 and 6
    (extract / "ssd_early_help_episodes_20250101.csv").write_text(
        "earl_episode_id,earl_person_id,earl_episode_start_date\nE2,2,2021-06-01\nE9,1,2021-06-02\n"
    )
    monkeypatch.setattr(sources, "BATCH_ROWS", 2)
    result = ingest([extract], tmp_path / "wh", key_path=tmp_path / "k", max_rejected_pct=100)
    episodes = pl.read_parquet(result.version_dir / "tables" / "early_help_episodes.parquet")
    assert sorted(episodes["episode_id"]) == ["E1", "E2", "E3", "E4", "E9"]
    first_e1 = episodes.filter(pl.col("episode_id") == "E1")["start_date"][0]
    assert str(first_e1) == "2020-01-10"
    rejects = pl.read_csv(result.version_dir / "rejects.csv", infer_schema=False)
    reasons = {
        (Path(r["source_file"]).name, int(r["source_row"])): r["reason"]
        for r in rejects.iter_rows(named=True)
    }
    main_file = str(extract / "ssd_early_help_episodes.csv")
    assert reasons == {
        ("ssd_early_help_episodes.csv", 6): f"duplicate of {main_file} row 2",
        ("ssd_early_help_episodes_20250101.csv", 2): f"duplicate of {main_file} row 3",
    }
    by_table = {r["table"]: r for r in result.reconciliation}
    assert by_table["early_help_episodes"]["rows_read"] == 7
    assert by_table["early_help_episodes"]["loaded"] == 5
    assert by_table["early_help_episodes"]["rejected"] == 2


def test_a_file_that_breaks_part_way_is_named(tmp_path, monkeypatch):
    import earlyhelp.load.sources as sources

    extract = write_minimal_ssd(tmp_path / "extract")
    with open(extract / "ssd_early_help_episodes.csv", "a") as handle:
        handle.write('E7,2,"2021-04-01,\n')  # an unclosed quote to the end of the file
    monkeypatch.setattr(sources, "BATCH_ROWS", 1)
    with pytest.raises(UnusableInput) as raised:
        ingest([extract], tmp_path / "wh", key_path=tmp_path / "k")
    assert "ssd_early_help_episodes.csv" in str(raised.value)
    assert not list((tmp_path / "wh").glob(".ingest-*"))


@pytest.mark.parametrize("key_length", [16, 32, 64, 100])
def test_vectorised_pseudonyms_are_the_keyed_hash(key_length):
    """The ingest hashes ids in DuckDB; each must equal HMAC-SHA256 done the plain way, for
    any key length (a key longer than the hash block is hashed first, as RFC 2104 says)."""
    from earlyhelp.load.pseudonymise import Pseudonymiser

    key = bytes(range(key_length))
    ids = ["1", "ABC-123", "é漢字", "x" * 200, "", None, "1"]
    hashed = Pseudonymiser(key).column(pl.DataFrame({"child_id": ids}), "child_id")
    assert hashed["child_id"].to_list() == [None if i is None else pseudonym(key, i) for i in ids]


def test_a_killed_ingests_working_folder_is_cleared_by_the_next(tmp_path):
    extract = write_minimal_ssd(tmp_path / "extract")
    wh = tmp_path / "wh"
    ended = subprocess.Popen(["true"])
    ended.wait()  # its process id now belongs to no running process
    abandoned = wh / f".ingest-{ended.pid}-deadbeef"
    (abandoned / "parts").mkdir(parents=True)
    running = wh / f".ingest-{os.getpid()}-cafe"  # this process: still running
    running.mkdir()
    ingest([extract], wh, key_path=tmp_path / "k")
    assert not abandoned.exists()
    assert running.exists()
