"""The council's mapping file and the SSD reader's conventions, on small extracts written here.

Each figure expected below is counted by hand from the rows written in the test.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from earlyhelp.core.errors import UnusableInput
from earlyhelp.load.ingest import ingest
from earlyhelp.load.mapping import load_mapping
from earlyhelp.load.warehouse import current_version_dir

TODAY = date(2026, 3, 31)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def _table(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(current_version_dir(warehouse) / "warehouse.duckdb"), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def _manifest(warehouse: Path) -> dict:
    return json.loads((current_version_dir(warehouse) / "manifest.json").read_text())


# --- The mapping file -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("early_help_episodes:\n  end_reasons:\n    OUT1: finished\n", "end_reasons.OUT1"),
        ("early_help_episodes:\n  levels_of_need:\n    L9: 9\n", "levels_of_need.L9"),
        ("involvements:\n  refers_to: workers\n", "involvements.refers_to"),
        ("involvements:\n  case_holding_roles: CW\n", "involvements.case_holding_roles"),
        ("contacts:\n  early_help_within_days: soon\n", "contacts.early_help_within_days"),
        (
            "early_help_episodes:\n  organisations:\n    ORG1: {name: X, kind: charity}\n",
            "organisations.ORG1",
        ),
        ("levels_of_need: {L1: 1}\n", "levels_of_need"),
        ("early_help_episodes:\n  level_column: x\n", "early_help_episodes.level_column"),
    ],
)
def test_a_bad_mapping_file_is_one_line_naming_the_file_and_key(tmp_path, text, key):
    path = _write(tmp_path / "mapping.yaml", text)
    with pytest.raises(UnusableInput) as raised:
        load_mapping(path)
    message = str(raised.value)
    assert "\n" not in message and str(path) in message and key in message


def test_a_mapping_file_that_is_not_yaml_names_its_line(tmp_path):
    path = _write(tmp_path / "mapping.yaml", "flavour: systemc\n  : : [\n")
    with pytest.raises(UnusableInput, match=r"mapping.yaml: not a readable YAML file \(line"):
        load_mapping(path)


def test_the_mapping_file_is_read(tmp_path):
    path = _write(
        tmp_path / "mapping.yaml",
        "flavour: SystemC\n"
        "early_help_episodes:\n"
        "  level_of_need_column: EARL_LOCAL_LEVEL\n"
        "  levels_of_need: {l2: 2}\n"
        "  end_reasons: {outmet: met, stepup: step-up, oth: other}\n"
        "  organisations:\n"
        "    org1: {name: Targeted Early Help - North, kind: council}\n"
        "    org2: Hillside Academy\n"
        "involvements: {case_holding_roles: [cw]}\n"
        "level_labels: {1: Universal, 3: Targeted}\n",
    )
    mapping = load_mapping(path)
    assert mapping.flavour == "systemc"
    assert mapping.level_of_need_column == "earl_local_level"
    assert mapping.levels_of_need == {"L2": 2}
    assert mapping.end_reasons == {"OUTMET": "Outcomes met", "STEPUP": "Step-up", "OTH": "Other"}
    assert mapping.organisations["ORG1"].kind == "council"
    assert mapping.organisations["ORG2"].name == "Hillside Academy"
    assert mapping.case_holding_roles == ("CW",)
    assert mapping.level_labels == {1: "Universal", 3: "Targeted"}
    assert mapping.involvements_refer_to == "cin_referrals"


# --- A SystemC-shaped extract -----------------------------------------------------------------

FLAGS = (
    "NEW_REFERRAL_FLAG",
    "EXISTING_REFERRAL_FLAG",
    "CP_ENQUIRY_FLAG",
    "NFA_FLAG",
    "NON_AGENCY_ADOPTION_FLAG",
    "PRIVATE_FOSTERING_FLAG",
    "ADVICE_FLAG",
    "MISSING_FLAG",
    "OLA_CP_FLAG",
    "OTHER_OUTCOMES_EXIST_FLAG",
)


def outcome(set_flags: tuple[str, ...] = (), comments: str = "") -> str:
    """The JSON SystemC's SSD builds by string concatenation (so a quote breaks it)."""
    parts = [f'"{f}": "{"Y" if f in set_flags else "N"}"' for f in FLAGS]
    body = "{" + ", ".join(parts) + ', "NUMBER_OF_OUTCOMES": 1, "COMMENTS": "' + comments + '"}'
    return '"' + body.replace('"', '""') + '"'  # quoted as a CSV cell


BROKEN_COMMENT = 'mum said "hi"'


def dt(day: str) -> str:
    return f"{day} 00:00:00.000"


def systemc_extract(folder: Path, *, resaved: bool = False, encoding: str = "utf-8") -> Path:
    """Three children, SystemC conventions. With resaved, dates as Excel re-saves a CSV."""

    def when(day: str) -> str:
        if not resaved:
            return dt(day)
        y, m, d = day.split("-")
        return f"{d}/{m}/{y} 00:00"

    _write(
        folder / "ssd_person.csv",
        "pers_legacy_id,pers_person_id,pers_forename,pers_surname,pers_sex,pers_gender,"
        "pers_ethnicity,pers_dob,pers_expected_dob\n"
        f"L1,101,Amy,Zoë,F,F,WBRI,{when('2015-06-01')},NULL\n"
        f"L2,102,Ben,Smith,I,I,APKN,{when('2012-01-20')},NULL\n"
        f"L3,103,Cal,Jones,M,M,NULL,NULL,{when('2026-05-01')}\n",
        encoding,
    )
    _write(
        folder / "ssd_address.csv",
        "addr_table_id,addr_person_id,addr_address_type,addr_address_start_date,"
        "addr_address_end_date,addr_address_postcode,addr_address_json\n"
        # Child 101 lives in North; a placement in South must not move her.
        f'1,101,HOME,NULL,NULL,ZZ1 1AA,"{{}}"\n'
        f'2,101,PLACEMENT,{when("2024-01-01")},NULL,ZZ2 1AA,"{{}}"\n'
        f'3,102,HOME,{when("2010-01-01")},NULL,ZZ2 1AB,"{{}}"\n'
        f'4,103,HOME,{when("2020-01-01")},NULL,ZZ1 1AB,"{{}}"\n',
        encoding,
    )
    _write(folder / "district_lookup.csv", "postcode_sector,district\nZZ1 1,North\nZZ2 1,South\n")
    _write(
        folder / "ssd_contacts.csv",
        "cont_contact_id,cont_person_id,cont_contact_date,cont_contact_source_code,"
        "cont_contact_source_desc,cont_contact_outcome_json\n"
        # Friday 2024-12-20; the episode starts Friday 2024-12-27: 24 Dec, 25 and 26 Dec are
        # bank holidays, so the working days are 23, 24 and 27 December: 3.
        f"1,101,{when('2024-12-20')},2A,Schools,{outcome(('NFA_FLAG',))}\n"
        # A new social care referral stays one, though early help follows.
        f"2,102,{when('2025-01-06')},6,Police,{outcome(('NEW_REFERRAL_FLAG',))}\n"
        # Advice, no early help follows: advice, no decision date.
        f"3,103,{when('2025-02-03')},LOCAL9,Health - GP,{outcome(('ADVICE_FLAG',))}\n"
        # A quote in COMMENTS breaks the JSON: the flags are still read (child protection).
        f"4,103,{when('2025-03-03')},3A,GP,{outcome(('CP_ENQUIRY_FLAG',), BROKEN_COMMENT)}\n"
        # Nothing readable at all: the outcome is cleared and listed, the contact kept.
        f'5,102,{when("2025-03-04")},6,Police,"{{broken"\n',
        encoding,
    )
    _write(
        folder / "ssd_early_help_episodes.csv",
        "earl_episode_id,earl_person_id,earl_episode_start_date,earl_episode_end_date,"
        "earl_episode_reason,earl_episode_end_reason,earl_episode_organisation,"
        "earl_episode_worker_id,earl_local_level,earl_local_source\n"
        f"11,101,{when('2024-12-27')},{when('2025-04-30')},Referral,OUTMET,ORG1,SSD_PH,L3,2A\n"
        f"12,102,{when('2025-01-08')},{when('2025-02-28')},Referral,STEPUP,ORG1,SSD_PH,L2,6\n"
        f"13,103,{when('2025-06-02')},NULL,Referral,NULL,ORG2,SSD_PH,L3,NULL\n"
        f"14,103,{when('2025-01-02')},{when('2025-01-31')},Referral,OTH,ORG2,SSD_PH,L1,NULL\n",
        encoding,
    )
    _write(
        folder / "ssd_cin_episodes.csv",
        "cine_referral_id,cine_person_id,cine_referral_date,cine_cin_primary_need_code,"
        "cine_referral_source_code,cine_referral_source_desc,cine_referral_outcome_json,"
        "cine_referral_nfa,cine_close_reason,cine_close_date,cine_referral_team,"
        "cine_referral_worker_id\n"
        f'21,102,{when("2025-03-01")},N1,5D,Early help,"{{}}",N,RC8,{when("2025-05-01")},301,'
        "Sam Social\n",
        encoding,
    )
    _write(
        folder / "ssd_involvements.csv",
        "invo_involvements_id,invo_professional_id,invo_professional_role_id,"
        "invo_professional_team,invo_person_id,invo_involvement_start_date,"
        "invo_involvement_end_date,invo_worker_change_reason,invo_referral_id\n"
        f"31,901,CW,301,102,{when('2025-03-01')},{when('2025-05-01')},NULL,21\n",
        encoding,
    )
    _write(
        folder / "ssd_early_help_involvements.csv",
        "invo_involvements_id,invo_professional_id,invo_professional_role_id,"
        "invo_professional_team,invo_person_id,invo_involvement_start_date,"
        "invo_involvement_end_date,invo_worker_change_reason,invo_referral_id\n"
        f"41,902,CW,302,101,{when('2024-12-27')},NULL,NULL,11\n"
        # A team manager's oversight holds no case.
        f"42,903,TM,302,101,{when('2024-12-27')},NULL,NULL,11\n"
        f"43,902,CW,302,103,{when('2025-06-02')},NULL,NULL,13\n",
        encoding,
    )
    _write(
        folder / "ssd_professionals.csv",
        "prof_professional_id,prof_staff_id,prof_professional_name,"
        "prof_social_worker_registration_no,prof_agency_worker_flag,prof_professional_job_title,"
        "prof_professional_caseload,prof_professional_department,prof_full_time_equivalency\n"
        "901,S901,Sam Social,SW1,NULL,Social Worker,1,Children's Social Care,1\n"
        "902,S902,Fay Zoë Family,NULL,NULL,Family Worker,2,Early Help,0.8\n"
        "903,S903,Tom Manager,NULL,NULL,Team Manager,0,Early Help,1\n",
        encoding,
    )
    _write(
        folder / "ssd_department.csv",
        "dept_team_id,dept_team_name,dept_team_parent_id,dept_team_parent_name\n"
        "301,Assessment Team 1,3,Social Care\n"
        "302,Targeted Early Help - North,4,Early Help\n",
        encoding,
    )
    _write(
        folder / "mapping.yaml",
        "flavour: systemc\n"
        "early_help_episodes:\n"
        "  level_of_need_column: earl_local_level\n"
        "  referral_source_column: earl_local_source\n"
        "  levels_of_need: {L1: 1, L2: 2, L3: 3, L4: 4}\n"
        "  end_reasons: {OUTMET: met, STEPUP: step-up, OTH: other}\n"
        "  organisations:\n"
        "    ORG1: {name: Targeted Early Help - North, kind: council}\n"
        "    ORG2: {name: Positive Steps, kind: commissioned}\n"
        "involvements: {case_holding_roles: [CW]}\n"
        "level_labels: {1: Universal, 2: Universal Plus, 3: Targeted, 4: Social care}\n",
    )
    return folder


@pytest.fixture
def systemc(tmp_path) -> Path:
    warehouse = tmp_path / "wh"
    ingest([systemc_extract(tmp_path / "x")], warehouse, today=TODAY, key_path=tmp_path / "k")
    return warehouse


def test_every_row_of_a_systemc_extract_loads(systemc):
    counts = {r["table"]: r for r in _manifest(systemc)["reconciliation"]}
    for table, rows in {
        "children": 3,
        "addresses": 4,
        "contacts": 5,
        "early_help_episodes": 4,
        "cin_referrals": 1,
        "involvements": 4,
        "workers": 3,
        "teams": 2,
    }.items():
        assert (counts[table]["rows_read"], counts[table]["loaded"]) == (rows, rows), table


def test_contact_decisions_come_from_the_outcome_flags_and_the_early_help_that_follows(systemc):
    rows = _table(
        systemc,
        "SELECT contact_id, decision, decision_date, decision_working_days, source_code, district"
        " FROM contacts ORDER BY contact_id",
    )
    assert rows == [
        ("1", "Early help", date(2024, 12, 27), 3, "2A", "North"),
        ("2", "Social care referral", None, None, "6", "South"),
        ("3", "Information and advice", None, None, "3A", "North"),
        ("4", "Child protection enquiry", None, None, "3A", "North"),
        ("5", None, None, None, "6", "South"),
    ]
    definitions = _manifest(systemc)["definitions"]
    assert definitions["frontdoor_timeliness"] == "contact_to_early_help_start"


def test_an_unreadable_outcome_is_cleared_and_listed_without_its_text(systemc):
    rejects = pl.read_csv(current_version_dir(systemc) / "rejects.csv", infer_schema=False)
    listed = rejects.filter(pl.col("column") == "decision")
    assert listed.height == 1
    assert listed["source_row"].to_list() == ["6"]  # contact 5, the sixth line of the file
    assert listed["action"].to_list() == ["value cleared"]
    assert listed["value"].to_list() == [None]


def test_local_levels_sources_end_reasons_and_organisations_are_mapped(systemc):
    rows = _table(
        systemc,
        "SELECT episode_id, level_of_need, source_code, end_reason, organisation, worker_id"
        " FROM early_help_episodes ORDER BY episode_id",
    )
    assert rows == [
        ("11", 3, "2A", "Outcomes met", "Targeted Early Help - North", None),
        ("12", 2, "6", "Step-up", "Targeted Early Help - North", None),
        ("13", 3, None, None, "Positive Steps", None),
        ("14", 1, None, "Other", "Positive Steps", None),
    ]
    kinds = dict(_table(systemc, "SELECT organisation, type FROM organisation_types"))
    assert kinds["Positive Steps"] == "commissioned"


def test_sex_i_is_unknown_and_a_missing_birth_date_is_not_guessed(systemc):
    rows = dict(_table(systemc, "SELECT sex, count(*) FROM children GROUP BY sex"))
    assert rows == {"F": 1, "U": 1, "M": 1}
    assert _table(systemc, "SELECT count(*) FROM children WHERE birth_month IS NULL") == [(1,)]


def test_social_care_involvements_make_no_early_help_caseload(systemc):
    links = _table(
        systemc,
        "SELECT involvement_id, episode_id, referral_id, holds_case FROM involvements"
        " ORDER BY involvement_id",
    )
    assert links == [
        ("31", None, "21", True),
        ("41", "11", None, True),
        ("42", "11", None, False),
        ("43", "13", None, True),
    ]
    held = _table(
        systemc,
        "SELECT episode_id, worker_id, team FROM mart_caseload_assignments ORDER BY episode_id",
    )
    # Only the case worker's involvements, named by team; 12 has no worker (SSD_PH).
    assert held == [
        ("11", "902", "Targeted Early Help - North"),
        ("13", "902", "Targeted Early Help - North"),
    ]


def test_a_placement_address_does_not_move_a_child(systemc):
    rows = _table(systemc, "SELECT episode_id, district FROM early_help_episodes ORDER BY 1")
    assert rows == [("11", "North"), ("12", "South"), ("13", "North"), ("14", "North")]


def test_the_manifest_says_where_each_field_came_from(systemc):
    fields = _manifest(systemc)["source_fields"]
    assert fields["early_help_episodes"]["level_of_need"] == (
        "ssd_early_help_episodes.earl_local_level"
    )
    assert fields["contacts"]["decision"] == "ssd_contacts.cont_contact_outcome_json"
    assert fields["cin_referrals"]["primary_need_code"] == (
        "ssd_cin_episodes.cine_cin_primary_need_code"
    )


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_an_excel_resaved_windows_extract_gives_the_same_figures(tmp_path, systemc, encoding):
    folder = systemc_extract(tmp_path / "resaved", resaved=True, encoding=encoding)
    warehouse = tmp_path / "wh2"
    ingest([folder], warehouse, today=TODAY, key_path=tmp_path / "k")
    for sql in (
        "SELECT contact_id, decision, decision_date, decision_working_days FROM contacts",
        "SELECT episode_id, start_date, end_date, level_of_need, district FROM early_help_episodes",
        "SELECT worker_id, worker_name FROM workers",
    ):
        assert sorted(_table(warehouse, sql)) == sorted(_table(systemc, sql)), sql
    names = dict(_table(warehouse, "SELECT worker_id, worker_name FROM workers"))
    assert names["902"] == "Fay Zoë Family"
    from earlyhelp.load.ingest import reconciliation_text

    result = ingest([folder], tmp_path / "wh3", today=TODAY, key_path=tmp_path / "k")
    assert f"Read as {encoding.replace('latin-1', 'cp1252')} (not UTF-8): " in (
        reconciliation_text(result)
    )
    encodings = _manifest(warehouse)["encodings"]
    assert encodings[str(folder / "ssd_professionals.csv")] == encoding.replace("latin-1", "cp1252")


def test_mosaic_workers_are_keyed_by_staff_id(tmp_path):
    folder = tmp_path / "mosaic"
    _write(folder / "ssd_person.csv", "pers_person_id,pers_sex,pers_dob\n7,Indeterminate,NULL\n")
    _write(
        folder / "ssd_early_help_episodes.csv",
        "earl_episode_id,earl_person_id,earl_episode_start_date,earl_episode_end_date,"
        "earl_episode_worker_id\n"
        f"1,7,{dt('2025-01-06')},NULL,W55\n",
    )
    _write(
        folder / "ssd_professionals.csv",
        "prof_professional_id,prof_staff_id,prof_professional_name,prof_agency_worker_flag,"
        "prof_professional_job_title,prof_professional_caseload,prof_professional_department,"
        "prof_full_time_equivalency\n"
        "NULL,W55,NULL,NULL,NULL,1,Early Help East,NULL\n",
    )
    warehouse = tmp_path / "wh"
    ingest([folder], warehouse, today=TODAY, key_path=tmp_path / "k")
    assert _table(warehouse, "SELECT worker_id, fte, agency FROM workers") == [("W55", None, None)]
    assert _table(warehouse, "SELECT sex FROM children") == [("U",)]
    held = _table(warehouse, "SELECT episode_id, worker_id, held_to FROM mart_caseload_assignments")
    assert held == [("1", "W55", None)]


# --- The quality gate -------------------------------------------------------------------------


def _episodes(folder: Path, good: int, bad: int) -> Path:
    rows = [f"{i},{i},{dt('2025-01-06')}" for i in range(good)]
    rows += [f"b{i},{i},not a date" for i in range(bad)]
    _write(
        folder / "ssd_early_help_episodes.csv",
        "earl_episode_id,earl_person_id,earl_episode_start_date\n" + "\n".join(rows) + "\n",
    )
    return folder


def test_ingest_refuses_to_publish_when_a_table_loses_too_many_rows(tmp_path):
    warehouse = tmp_path / "wh"
    ingest([_episodes(tmp_path / "ok", 10, 1)], warehouse, today=TODAY, key_path=tmp_path / "k")
    serving = current_version_dir(warehouse)
    with pytest.raises(UnusableInput) as raised:
        ingest([_episodes(tmp_path / "bad", 8, 2)], warehouse, today=TODAY, key_path=tmp_path / "k")
    message = str(raised.value)
    assert "\n" not in message
    assert "early_help_episodes lost 2 of 10 rows (20.0%)" in message
    assert "not a date" in message
    assert current_version_dir(warehouse) == serving  # the previous version keeps serving
    ingest(
        [_episodes(tmp_path / "bad", 8, 2)],
        warehouse,
        today=TODAY,
        key_path=tmp_path / "k",
        max_rejected_pct=25,
    )
    assert current_version_dir(warehouse) != serving


def test_a_bad_optional_date_is_cleared_not_the_row(tmp_path):
    folder = tmp_path / "x"
    _write(
        folder / "ssd_early_help_episodes.csv",
        "earl_episode_id,earl_person_id,earl_episode_start_date,earl_episode_end_date\n"
        f"1,1,{dt('2025-01-06')},soon\n"
        f"2,1,{dt('2025-02-06')},{dt('2025-03-06')}\n",
    )
    result = ingest([folder], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    counts = {r["table"]: r for r in result.reconciliation}["early_help_episodes"]
    assert (counts["loaded"], counts["values_cleared"]) == (2, 1)


def test_a_file_in_the_extract_folder_that_is_not_read_is_named(tmp_path):
    folder = _episodes(tmp_path / "x", 3, 0)
    _write(folder / "ssd_contacts.txt", "cont_contact_id\n1\n")
    _write(folder / "ssd_disability.csv", "disa_person_id\n1\n")
    _write(folder / "notes.txt", "hello\n")
    result = ingest([folder], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    reasons = {Path(name).name: why for name, why in result.not_used}
    assert set(reasons) == {"ssd_contacts.txt", "ssd_disability.csv", "notes.txt"}
    assert "rename it" in reasons["ssd_contacts.txt"]
    from earlyhelp.load.ingest import reconciliation_text

    assert "ssd_contacts.txt: named like ssd_contacts" in reconciliation_text(result)
    assert len(_manifest(tmp_path / "wh")["not_used"]) == 3


def test_duplicates_do_not_count_against_the_quality_gate(tmp_path):
    folder = _episodes(tmp_path / "x", 4, 0)
    text = (folder / "ssd_early_help_episodes.csv").read_text()
    # The same four episodes again: overlapping exports lose nothing.
    (folder / "ssd_early_help_episodes_20260331.csv").write_text(text)
    result = ingest([folder], tmp_path / "wh", today=TODAY, key_path=tmp_path / "k")
    counts = {r["table"]: r for r in result.reconciliation}["early_help_episodes"]
    assert (counts["rows_read"], counts["loaded"], counts["rejected"]) == (8, 4, 4)


def test_mosaic_contact_columns_as_its_query_names_them(tmp_path):
    folder = tmp_path / "mosaic"
    _write(
        folder / "ssd_contacts.csv",
        "cont_contact_id,cont_person_id,STARTED_ON,cont_contact_source_code,details\n"
        f'1,7,{dt("2025-01-06")},6,"Strategy discussion, Early help"\n'
        f"2,7,{dt('2025-01-07')},6,Advice given\n",
    )
    warehouse = tmp_path / "wh"
    ingest([folder], warehouse, today=TODAY, key_path=tmp_path / "k")
    rows = _table(warehouse, "SELECT contact_id, contact_date, decision FROM contacts ORDER BY 1")
    assert rows == [
        ("1", date(2025, 1, 6), "Child protection enquiry"),
        ("2", date(2025, 1, 7), "Information and advice"),
    ]
