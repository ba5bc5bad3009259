"""Formula-safe CSV (issue 18, point 2): every CSV the product writes quotes a text cell that a
spreadsheet would run as a formula, and leaves numbers as numbers. One test per writer: the
function itself, the app's downloads, `query --format csv` and rejects.csv."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from earlyhelp import ui
from earlyhelp.core import csv_safe
from earlyhelp.load import warehouse
from earlyhelp.load.ingest import ingest
from earlyhelp.query.roles import Role

REPO = Path(__file__).resolve().parent.parent
HOSTILE = ["=1+2", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "\tx", "\rx"]


def test_to_csv_quotes_formulas_and_leaves_numbers_alone():
    frame = pl.DataFrame(
        {
            "team": [
                "=1+2",
                "+cmd|' /C calc'!A0",
                "@SUM(A1)",
                "-2+3",
                "\tx",
                "\rx",
                "  =1+2",
                "\uff1dSUM(A1)",
                "'=1+2",
                "-3",
                "-2.5",
                "Team -1",
                "c",
                None,
            ],
            "cases": [-3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
            "fte": [-1.5, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, None],
        }
    )
    assert csv_safe.to_csv(frame) == (
        "team,cases,fte\n"
        "'=1+2,-3,-1.5\n"
        "'+cmd|' /C calc'!A0,0,0.5\n"
        "'@SUM(A1),1,1.0\n"
        "'-2+3,2,1.0\n"
        "'\tx,3,1.0\n"
        '"\'\rx",4,1.0\n'
        "'  =1+2,5,1.0\n"
        "'\uff1dSUM(A1),6,1.0\n"
        "'=1+2,7,1.0\n"  # already quoted: left as it is, so quoting twice changes nothing
        "-3,8,1.0\n"  # text that is a number: a spreadsheet reads the number, runs nothing
        "-2.5,9,1.0\n"
        "Team -1,10,1.0\n"
        "c,11,1.0\n"
        ",12,\n"
    )


def test_to_csv_quotes_a_column_name_and_keeps_other_types(tmp_path):
    frame = pl.DataFrame(
        {"=North": ["a"], "when": [date(2021, 1, 2)], "ok": [True], "kind": ["=x"]},
        schema_overrides={"kind": pl.Categorical},
    )
    written = tmp_path / "out.csv"
    assert csv_safe.to_csv(frame, written) is None
    assert written.read_text() == "'=North,when,ok,kind\na,2021-01-02,true,'=x\n"
    assert csv_safe.safe_text("-3") == "-3" and csv_safe.safe_text("-2+3") == "'-2+3"


def test_app_download_button_gets_the_quoted_csv(monkeypatch):
    sent = {}
    monkeypatch.setattr(ui.downloads, "current_role", lambda: Role.parse("board"))
    monkeypatch.setattr(
        ui.downloads.st, "download_button", lambda label, **kwargs: sent.update(kwargs)
    )
    table = pl.DataFrame(
        {
            "Team": ["=1+2", "+cmd|' /C calc'!A0", "@SUM(A1)", "Positive Steps"],
            "Open": [-3, 5, 0, 10],
        }
    )
    ui.download_table(table, "caseloads_by_team")
    assert sent["file_name"] == "caseloads_by_team.csv"
    assert sent["data"] == (
        "Team,Open\n'=1+2,-3\n'+cmd|' /C calc'!A0,5\n'@SUM(A1),0\nPositive Steps,10\n"
    )


def test_chart_tables_download_through_download_table():
    """Every chart's CSV is ui.download_table's (the test above), not a second writer."""
    source = "".join(path.read_text() for path in (REPO / "earlyhelp" / "ui").rglob("*.py"))
    assert source.count("st.download_button(") == 1
    assert "write_csv(" not in source


def _write(folder: Path, name: str, header: list[str], rows: list[tuple]) -> None:
    with open(folder / name, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_hostile_extract(folder: Path) -> Path:
    """An SSD extract whose team, organisation and worker names (and some rejected values) are
    formulas."""
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder, "ssd_person.csv", ["pers_person_id", "pers_sex", "pers_dob"],
           [(1, "M", "2012-05-04")])  # fmt: skip
    _write(
        folder,
        "ssd_address.csv",
        ["addr_person_id", "addr_address_postcode", "addr_address_start_date"],
        [(1, "ZZ1 1AA", "2010-01-01")],
    )
    # Each hostile postcode sector is rejected, its value copied to rejects.csv.
    _write(folder, "district_lookup.csv", ["postcode_sector", "district"],
           [("ZZ1 1", "North")] + [(h, "South") for h in HOSTILE])  # fmt: skip
    _write(
        folder,
        "ssd_early_help_episodes.csv",
        ["earl_episode_id", "earl_person_id", "earl_episode_start_date",
         "earl_episode_end_date", "earl_episode_organisation"],
        [("E1", 1, "2021-01-10", "=1+2", "=1+2"), ("E2", 1, "2021-01-11", "", "@SUM(A1)")],
    )  # fmt: skip
    _write(
        folder,
        "ssd_early_help_involvements.csv",
        ["invo_involvements_id", "invo_professional_id", "invo_person_id", "invo_referral_id",
         "invo_professional_team", "invo_involvement_start_date"],
        [("I1", "W1", 1, "E1", "+cmd|' /C calc'!A0", "2021-01-10"),
         ("I2", "W2", 1, "E2", "-2+3", "2021-01-11")],
    )  # fmt: skip
    _write(
        folder,
        "ssd_professionals.csv",
        ["prof_professional_id", "prof_professional_name", "prof_full_time_equivalency"],
        [("W1", "=1+2", "-3"), ("W2", "@SUM(A1)", "1"), ("W2", "again", "1")],
    )
    _write(folder, "ssd_department.csv", ["dept_team_id", "dept_team_name"],
           [("-2+3", "-2+3"), ("-2+3", "=1+2")])  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, Path]:
    """(extract, warehouse) ingested from write_hostile_extract."""
    root = tmp_path_factory.mktemp("hostile")
    extract = write_hostile_extract(root / "extract")
    ingest([extract], root / "wh", key_path=root / "key", max_rejected_pct=100)
    return extract, root / "wh"


def test_rejects_csv_quotes_formulas_from_the_extract(hostile):
    extract, wh = hostile
    rejects = (warehouse.current_version_dir(wh) / "rejects.csv").read_text()
    lookup, episodes = extract / "district_lookup.csv", extract / "ssd_early_help_episodes.csv"
    workers, teams = extract / "ssd_professionals.csv", extract / "ssd_department.csv"
    sector = "not a postcode sector (like 'OL1 3')"
    # A tab or carriage return at the start of a value is trimmed at ingest ("\tx" is "x").
    assert rejects == (
        "source_file,source_row,table,column,value,reason,action\n"
        f"{lookup},3,district_lookup,postcode_sector,'=1+2,{sector}: =1+2,row rejected\n"
        f"{lookup},4,district_lookup,postcode_sector,'+cmd|' /C calc'!A0,"
        f"{sector}: +cmd|' /C calc'!A0,row rejected\n"
        f"{lookup},5,district_lookup,postcode_sector,'@SUM(A1),{sector}: @SUM(A1),row rejected\n"
        f"{lookup},6,district_lookup,postcode_sector,'-2+3,{sector}: -2+3,row rejected\n"
        f"{lookup},7,district_lookup,postcode_sector,x,{sector}: x,row rejected\n"
        f"{lookup},8,district_lookup,postcode_sector,x,{sector}: x,row rejected\n"
        f"{teams},3,teams,team_id,'-2+3,duplicate of {teams} row 2,row rejected\n"
        f"{episodes},2,early_help_episodes,end_date,'=1+2,not a date: '=1+2',value cleared\n"
        f"{workers},2,workers,fte,-3,not a number from 0 to 1.5: '-3',value cleared\n"
        f"{workers},4,workers,worker_id,W2,duplicate of {workers} row 3,row rejected\n"
    )


def test_rebuild_writes_the_same_quoted_rejects(hostile, tmp_path):
    _extract, wh = hostile
    import shutil

    copy = tmp_path / "wh"
    shutil.copytree(wh, copy)
    before = (warehouse.current_version_dir(copy) / "rejects.csv").read_bytes()
    _version, rebuilt = warehouse.rebuild(copy)
    assert (rebuilt / "rejects.csv").read_bytes() == before


def test_cli_query_csv_quotes_team_and_worker_names(hostile):
    _extract, wh = hostile
    done = subprocess.run(
        [sys.executable, "-m", "earlyhelp", "query", "workers_caseload", "--warehouse", str(wh),
         "--param", "as_of=2021-02-01", "--role", "analyst", "--format", "csv"],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(done.stdout.splitlines(keepends=True)))
    shown = ("worker_id", "worker_name", "team", "fte", "open_cases", "cases_per_fte")
    assert [{c: row[c] for c in shown} for row in sorted(rows, key=lambda r: r["worker_id"])] == [
        {
            "worker_id": "W1",
            "worker_name": "'=1+2",
            "team": "'+cmd|' /C calc'!A0",
            "fte": "",  # -3 is not an FTE: cleared at ingest
            "open_cases": "1",
            "cases_per_fte": "",
        },
        {
            "worker_id": "W2",
            "worker_name": "'@SUM(A1)",
            "team": "'-2+3",
            "fte": "1.0",
            "open_cases": "1",
            "cases_per_fte": "1.0",
        },
    ]
