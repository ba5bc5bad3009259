"""Figures from SSD extracts shaped as the SystemC and Mosaic deployments write them
(tests/real_extracts.py), checked against values worked out by hand from those rows.

Every expected figure below is a literal. The working is in the comments: contact ids are
50001.. (SystemC) and 700001.. (Mosaic), early help episodes 70001.. and 300001.., social
care referrals 90001.. and 600001... Bank holidays used: 25 and 26 December 2025, 1 January
2026 (England and Wales).
"""

from __future__ import annotations

import codecs
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from earlyhelp.load.ingest import ingest
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from tests import real_extracts as rx

TODAY = date(2026, 3, 31)
ANALYST = Role.parse("analyst")
#: Every contact is in November 2025 to February 2026; every episode starts and closes in
#: September 2025 to March 2026.
FRONT_DOOR = {"from": "2025-11-01", "to": "2026-02-28"}
EPISODES_PERIOD = {"from": "2025-09-01", "to": "2026-03-31"}
#: A Monday on which nine SystemC and seven Mosaic episodes are open.
AS_OF = "2026-02-16"


class Loaded:
    def __init__(self, folder: Path, warehouse: Path):
        self.folder = folder
        self.warehouse = warehouse
        self.result = ingest([folder], warehouse, today=TODAY)
        self.version_dir = self.result.version_dir
        self.manifest = json.loads((self.version_dir / "manifest.json").read_text())
        self.runner = QueryRunner.open(warehouse)

    def run(self, name: str, **params) -> pl.DataFrame:
        return self.runner.run(name, params, role=ANALYST)

    def table(self, name: str) -> pl.DataFrame:
        return pl.read_parquet(self.version_dir / "tables" / f"{name}.parquet")

    def rejects(self) -> pl.DataFrame:
        return pl.read_csv(self.version_dir / "rejects.csv", infer_schema=False)

    def reconciliation(self) -> dict[str, dict]:
        return {row["table"]: row for row in self.manifest["reconciliation"]}

    def by_id(self, table: str, key: str, column: str) -> dict:
        frame = self.table(table)
        return dict(zip(frame[key].cast(pl.Utf8), frame[column], strict=True))


def _load(tmp_path_factory, name: str, write) -> Loaded:
    base = tmp_path_factory.mktemp(name)
    folder = write(base / "extract")
    return Loaded(folder, base / "warehouse")


@pytest.fixture(scope="module")
def systemc(tmp_path_factory) -> Loaded:
    return _load(tmp_path_factory, "systemc", rx.write_systemc)


@pytest.fixture(scope="module")
def systemc_excel(tmp_path_factory) -> Loaded:
    return _load(tmp_path_factory, "systemc_excel", lambda f: rx.write_systemc(f, excel=True))


@pytest.fixture(scope="module")
def systemc_latin1(tmp_path_factory) -> Loaded:
    return _load(
        tmp_path_factory, "systemc_latin1", lambda f: rx.write_systemc(f, encoding="latin-1")
    )


@pytest.fixture(scope="module")
def systemc_with_eh_involvements(tmp_path_factory) -> Loaded:
    return _load(
        tmp_path_factory,
        "systemc_ehi",
        lambda f: rx.write_systemc(f, early_help_involvements=True),
    )


@pytest.fixture(scope="module")
def mosaic(tmp_path_factory) -> Loaded:
    return _load(tmp_path_factory, "mosaic", rx.write_mosaic)


@pytest.fixture(params=["original", "excel", "latin1"])
def systemc_any(request) -> Loaded:
    """The SystemC extract as written, re-saved by Excel in cp1252, and written in Latin-1:
    every figure must be the same."""
    name = {"original": "systemc", "excel": "systemc_excel", "latin1": "systemc_latin1"}
    return request.getfixturevalue(name[request.param])


def total(frame: pl.DataFrame, column: str) -> int:
    return int(frame[column].sum())


# ---------------------------------------------------------------------------------------
# Every row loads
# ---------------------------------------------------------------------------------------

#: table -> rows in the extract (the literal rows of tests/real_extracts.py).
SYSTEMC_ROWS = {
    "children": 18,
    "contacts": 19,
    "early_help_episodes": 18,
    "cin_referrals": 6,
    "workers": 6,
    "involvements": 6,
    "teams": 6,
    "addresses": 19,
    "district_lookup": 5,
}


def test_every_row_of_the_systemc_extract_loads(systemc_any):
    by_table = systemc_any.reconciliation()
    for table, rows in SYSTEMC_ROWS.items():
        row = by_table[table]
        assert (row["rows_read"], row["loaded"], row["rejected"]) == (rows, rows, 0), table
    for row in by_table.values():
        assert row["rows_read"] == row["loaded"] + row["rejected"], row


def test_the_only_systemc_reject_is_the_unmapped_end_reason(systemc_any):
    # 70017 (data row 17, so row 18 of the file) ends with CAFEND99, a code the mapping does
    # not name: the value is cleared, the episode kept. Nothing else is wrong in the extract.
    # (Lines about the contact outcome with a quote in COMMENTS are checked on their own.)
    rejects = systemc_any.rejects().filter(
        ~((pl.col("table") == "contacts") & (pl.col("column") == "decision"))
    )
    lines = {
        (Path(r["source_file"]).name, r["source_row"], r["table"], r["column"], r["value"],
         r["action"])
        for r in rejects.iter_rows(named=True)
    }  # fmt: skip
    assert lines == {
        (
            "ssd_early_help_episodes.csv",
            "18",
            "early_help_episodes",
            "end_reason",
            "CAFEND99",
            "value cleared",
        )
    }
    assert systemc_any.reconciliation()["early_help_episodes"]["values_cleared"] == 1


def test_an_outcome_made_invalid_by_a_quote_in_comments_loses_no_contact(systemc):
    # 50015: COMMENTS is `Mum said "not now", advice given`, so the concatenated JSON is not
    # valid JSON. Its flags come before COMMENTS and say ADVICE_FLAG "Y": the issue asks for
    # it to be "read where it can be", so the decision is "Information and advice" (no early
    # help episode follows: 1017's episode 70017 started on 3 November 2025, before it).
    raw = rx.SYSTEMC_CONTACTS[15][5]
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    decisions = systemc.by_id("contacts", "contact_id", "decision")
    assert "50015" in decisions
    assert decisions["50015"] == "Information and advice"
    # rejects.csv never copies the outcome's text (it may hold names)
    assert not systemc.rejects()["value"].fill_null("").str.contains("not now").any()


# ---------------------------------------------------------------------------------------
# Front door: decisions from the flags, timeliness to the early help that follows
# ---------------------------------------------------------------------------------------

#: contact -> decision, by the precedence CP enquiry > new referral > existing referral >
#: early help starting 0..30 days after > advice > NFA > any other flag > none.
SYSTEMC_DECISIONS = {
    "50001": "Early help",  # ADVICE Y, but 70001 starts 2 days later
    "50002": "Early help",  # no flag; 70002 starts 3 days later
    "50003": "Early help",  # ADVICE Y; 70003 starts 5 days later
    "50004": "Early help",  # every flag empty; 70004 starts 10 days later
    "50005": "Early help",  # a Saturday contact; 70005 starts on the Monday
    "50006": "Early help",  # NFA Y; 70006 starts the same day
    "50007": "Social care referral",  # NEW_REFERRAL Y beats 70008 starting 6 days later
    "50008": "Child protection enquiry",  # CP_ENQUIRY Y and NEW_REFERRAL Y
    "50009": "Existing social care case",
    "50010": "Information and advice",
    "50011": "No further action",
    "50012": "Information and advice",  # ADVICE Y and NFA Y
    "50013": "Other outcome",  # MISSING_FLAG Y only
    "50014": None,  # every flag N, no early help after it
    "50015": "Information and advice",  # invalid JSON (quote in COMMENTS), ADVICE Y
    "50016": "Information and advice",  # 70010 starts 31 days later: outside the 30
    "50017": "Early help",  # 70011 starts exactly 30 days later
    "50018": "Early help",  # every flag empty; 70007 starts 2 days later
    "50019": "Information and advice",  # 1003's episode 70003 started before this contact
}

#: contact -> (decision date, working days): the start of the early help episode that follows.
SYSTEMC_DECISION_DAYS = {
    "50001": (date(2025, 12, 3), 2),  # Mon 1 Dec -> Wed 3 Dec
    "50002": (date(2025, 12, 22), 1),  # Fri 19 Dec -> Mon 22 Dec
    "50003": (date(2025, 12, 29), 1),  # Wed 24 Dec -> Mon 29 Dec (25, 26 bank holidays)
    "50004": (date(2026, 1, 2), 5),  # Tue 23 Dec -> Fri 2 Jan: 24, 29, 30, 31 Dec, 2 Jan
    # Sat 3 Jan -> Mon 5 Jan: 0. Working days are counted from the first working day on or
    # after the contact (numpy's busday_count: contact day included if it is a working day,
    # decision day not), so a contact made at the weekend and decided on the Monday took 0.
    "50005": (date(2026, 1, 5), 0),
    "50006": (date(2026, 1, 12), 0),  # the same day
    "50017": (date(2026, 2, 18), 22),  # Mon 19 Jan -> Wed 18 Feb: 4 + 5 + 5 + 5 + 3
    "50018": (date(2026, 2, 4), 2),  # Mon 2 Feb -> Wed 4 Feb
}


def test_contact_decisions_come_from_the_flags_in_order(systemc_any):
    decisions = systemc_any.by_id("contacts", "contact_id", "decision")
    assert decisions == SYSTEMC_DECISIONS


def test_contact_decisions_counted_by_the_front_door_query(systemc):
    frame = systemc.run("frontdoor_contacts", by="decision", **FRONT_DOOR)
    assert dict(zip(frame["category"], frame["contacts"], strict=True)) == {
        "Early help": 8,
        "Information and advice": 5,
        "Social care referral": 1,
        "Child protection enquiry": 1,
        "Existing social care case": 1,
        "No further action": 1,
        "Other outcome": 1,
        "No decision recorded": 1,
    }


def test_contact_sources_from_the_annex_a_codes(systemc):
    # 2A x5 (50001, 05, 09, 14, 16); 6 x5 (02, 06, 07, 13, 19); 3A/3B x5 (03, 08, 12, 17,
    # 18); 1A x3 (04, 10, 15); 9 Anonymous x1 (11), which is "Other".
    frame = systemc.run("frontdoor_contacts", by="source", **FRONT_DOOR)
    assert dict(zip(frame["category"], frame["contacts"], strict=True)) == {
        "Schools": 5,
        "Police": 5,
        "Health": 5,
        "Individuals": 3,
        "Other": 1,
    }


def test_only_contacts_followed_by_early_help_have_a_decision_date(systemc_any):
    contacts = systemc_any.table("contacts")
    got = {
        r["contact_id"]: (r["decision_date"], r["decision_working_days"])
        for r in contacts.iter_rows(named=True)
        if r["decision_date"] is not None or r["decision_working_days"] is not None
    }
    assert got == SYSTEMC_DECISION_DAYS


def test_front_door_timeliness_is_working_days_to_the_early_help_start(systemc):
    frame = systemc.run("frontdoor_decision_days", **FRONT_DOOR)
    days = dict(zip(frame["decision_days"], frame["contacts"], strict=True))
    assert days == {0: 2, 1: 2, 2: 2, 3: 0, 4: 0, 5: 1, 6: 0, 7: 0, 8: 0, 9: 0, 10: 0, 11: 1}
    assert systemc.manifest["definitions"]["frontdoor_timeliness"] == (
        "contact_to_early_help_start"
    )


def test_front_door_summary_by_district(systemc):
    # district (contacts, decided, within 2 working days, no decision date):
    # North 50001, 02, 06, 07, 10, 13; decided 01 (2), 02 (1), 06 (0).
    # South 50003, 04, 08, 11, 14, 18, 19; decided 03 (1), 04 (5), 18 (2).
    # Central 50005, 09, 12, 15; decided 05 (0).
    # Not known 50016 (1012 has only a placement address), 50017 (1018 has none); 17 (22).
    frame = systemc.run("frontdoor_summary", standard=2, **FRONT_DOOR)
    got = {
        r["district"]: (r["contacts"], r["decided"], r["within_standard"], r["no_decision"])
        for r in frame.iter_rows(named=True)
    }
    assert got == {
        "Central": (4, 1, 1, 3),
        "North": (6, 3, 3, 3),
        "Not known": (2, 1, 0, 1),
        "South": (7, 3, 2, 4),
        "Borough": (19, 8, 6, 11),
    }


# ---------------------------------------------------------------------------------------
# Referrals by level of need and source, from the council's own columns
# ---------------------------------------------------------------------------------------

#: episode -> level of need (eh_need_level through the mapping's levels_of_need).
SYSTEMC_LEVELS = {
    "70001": 3, "70002": 2, "70003": 3, "70004": 3, "70005": 1, "70006": 2, "70007": 4,
    "70008": 3, "70009": 2, "70010": 2, "70011": 1, "70012": 1, "70013": 4, "70014": 3,
    "70015": 3, "70016": 3, "70017": 3, "70018": 2,
}  # fmt: skip


def test_levels_of_need_come_from_the_mapped_local_column(systemc_any):
    assert systemc_any.by_id("early_help_episodes", "episode_id", "level_of_need") == (
        SYSTEMC_LEVELS
    )


def test_referrals_by_level_of_need(systemc):
    # UNIV 70005, 11, 12; UPLUS 70002, 06, 09, 10, 18; TARG 70001, 03, 04, 08, 14, 15, 16,
    # 17; CSC 70007, 13. None is left without a level.
    got = {
        level: total(systemc.run("referrals_filtered", level_of_need=level), "referrals")
        for level in (0, 1, 2, 3, 4)
    }
    assert got == {0: 0, 1: 3, 2: 5, 3: 8, 4: 2}
    assert total(systemc.run("referrals_filtered"), "referrals") == 18


def test_referrals_by_source_group(systemc):
    # eh_referral_source: 2A/2B 70001, 05, 10, 14, 16; 6 70002, 08, 13; 3A/3B/3E 70003, 07,
    # 15, 17; 1A/1C 70004, 09, 18; 5B 70006; 4 and 8 70012, 11. None Unknown.
    groups = ["Schools", "Police", "Health", "Individuals", "LA services", "Other", "Unknown"]
    got = {
        group: total(systemc.run("referrals_filtered", source_group=group), "referrals")
        for group in groups
    }
    assert got == {
        "Schools": 5,
        "Police": 3,
        "Health": 4,
        "Individuals": 3,
        "LA services": 1,
        "Other": 2,
        "Unknown": 0,
    }


# ---------------------------------------------------------------------------------------
# Outcomes at closure from the mapped end-reason codes
# ---------------------------------------------------------------------------------------

SYSTEMC_END_REASONS = {
    "70002": "Outcomes met",  # CAFEND01
    "70003": "Step-up",  # CAFEND02
    "70005": "Outcomes met",
    "70008": "Disengaged",  # CAFEND03
    "70009": "Moved away",  # CAFEND04
    "70012": "No further action",  # CAFEND05
    "70013": "Step-up",
    "70014": "Other",  # CAFEND09
    "70015": "Outcomes met",
    "70018": "Outcomes met",
}


def test_end_reasons_come_from_the_mapped_codes(systemc_any):
    reasons = systemc_any.by_id("early_help_episodes", "episode_id", "end_reason")
    assert {k: v for k, v in reasons.items() if v is not None} == SYSTEMC_END_REASONS
    assert reasons["70017"] is None  # CAFEND99, not in the mapping: cleared


def test_outcomes_at_closure(systemc):
    # 11 closures in September 2025 to March 2026: the 10 above and 70017 (not recorded).
    frame = systemc.run("outcomes_closures", by="level", **EPISODES_PERIOD)
    borough = frame.filter(pl.col("grp") == "All levels")
    assert set(borough["closed"].to_list()) == {11}
    got = dict(zip(borough["end_reason"], borough["closures"], strict=True))
    assert got == {
        "Outcomes met": 4,
        "Step-up": 2,
        "Disengaged": 1,
        "Moved away": 1,
        "No further action": 1,
        "Other": 1,
        "Not recorded": 1,
    }


def test_outcomes_met_by_level(systemc):
    # Level 1: 70005 met, 70012 NFA. Level 2: 70002 met, 70009 moved, 70018 met.
    # Level 3: 70003 step-up, 70008 disengaged, 70014 other, 70015 met, 70017 not recorded.
    # Level 4: 70013 step-up.
    frame = systemc.run("outcomes_by_level", **EPISODES_PERIOD)
    got = {r["level"]: (r["closed"], r["closed_outcomes_met"]) for r in frame.iter_rows(named=True)}
    assert got == {
        "Level 1": (2, 1),
        "Level 2": (3, 2),
        "Level 3": (5, 1),
        "Level 4": (1, 0),
        "All levels": (11, 4),
    }


def test_step_ups_from_either_record(systemc):
    # 70013 (1014) ended Step-up on 23 Jan 2026 and 90002 (1014, source 5D) came on 26 Jan:
    # one step-up, both records. 70003 (1003) ended Step-up on 27 Feb with no 5D referral:
    # early help record only. 90005 (1006, 5D) on 16 Feb with no Step-up ending: social care
    # record only.
    frame = systemc.run("pathway_step_ups", by="record", **EPISODES_PERIOD)
    assert dict(zip(frame["category"], frame["step_ups"], strict=True)) == {
        "Both records": 1,
        "Early help record only": 1,
        "Social care record only": 1,
    }


def test_organisation_codes_are_named_and_typed_by_the_mapping(systemc):
    organisations = systemc.by_id("early_help_episodes", "episode_id", "organisation")
    assert organisations["70005"] == "Brookside Primary"  # ORG210
    assert organisations["70006"] == "Family Futures"  # ORG310
    assert organisations["70001"] == "Early Help North Team"  # ORG110
    # partner-led: ORG210 is a school by the mapping (its name does not say so): 70005, 10, 18
    frame = systemc.run("kpi_partner_led", **EPISODES_PERIOD)
    borough = frame.filter(pl.col("district") == "Borough").row(0, named=True)
    assert (borough["episodes"], borough["partner_led"]) == (18, 3)


# ---------------------------------------------------------------------------------------
# Districts from home addresses
# ---------------------------------------------------------------------------------------

SYSTEMC_DISTRICTS = {
    "70001": "North",  # 1001
    "70002": "North",  # 1002: a home address with no start date
    "70003": "South",  # 1003
    "70004": "South",  # 1004: the Central placement from October 2025 is not a home
    "70005": "Central",  # 1005: no start date
    "70006": "North",  # 1006: moved from Central to North on 1 Nov 2025
    "70007": "South",  # 1007: no start date
    "70008": "North",
    "70009": "North",  # 1011: no start date
    "70010": "Not known",  # 1012: only a placement address
    "70011": "Not known",  # 1018: no address
    "70012": "South",
    "70013": "Central",
    "70014": "Central",
    "70015": "South",
    "70016": "South",
    "70017": "Central",  # 1017: no start date
    "70018": "North",
}


def test_districts_come_from_home_addresses_only(systemc_any):
    assert systemc_any.by_id("early_help_episodes", "episode_id", "district") == (SYSTEMC_DISTRICTS)


def test_referrals_by_district(systemc):
    frame = systemc.run("referrals_by_month").group_by("district").agg(pl.col("referrals").sum())
    got = dict(zip(frame["district"], frame["referrals"], strict=True))
    assert got == {"North": 6, "South": 6, "Central": 4, "Not known": 2}


# ---------------------------------------------------------------------------------------
# Children: sex I, estimated dates of birth
# ---------------------------------------------------------------------------------------


def test_children_sex_and_dates_of_birth(systemc_any):
    children = systemc_any.table("children")
    assert children.height == 18
    sexes = dict(children["sex"].value_counts().iter_rows())
    # M: 1001, 04, 08, 10, 12, 14, 17. F: 1002, 05, 07, 09, 11, 13, 15, 18. I: 1003, 16; U: 1006
    assert sexes == {"M": 7, "F": 8, "U": 3}
    # 1007's pers_dob is NULL (estimated: the date is in pers_expected_dob), not guessed
    assert children["birth_month"].null_count() == 1
    ages = systemc_any.by_id("early_help_episodes", "episode_id", "age_band")
    assert ages["70007"] == "Not known"
    assert ages["70001"] == "10-15"  # born May 2014, episode Dec 2025: 11
    assert ages["70005"] == "5-9"  # born July 2018, episode Jan 2026: 7


# ---------------------------------------------------------------------------------------
# Caseloads
# ---------------------------------------------------------------------------------------


def test_systemc_ssd_ph_is_no_worker_and_social_care_makes_no_early_help_caseload(systemc_any):
    # Every SystemC episode's worker is SSD_PH, and the extract has no early help
    # involvements: nobody holds an early help case, although 5004 and 5005 are allocated
    # case workers (CW) on social care referrals of children with open episodes (1010's
    # 70014, 1014's 70013 and 1006's 70006 among them).
    episodes = systemc_any.table("early_help_episodes")
    assert episodes["worker_id"].null_count() == 18
    assert systemc_any.run("workers_caseload", as_of=AS_OF).height == 0
    summary = systemc_any.run("workers_caseload_summary", as_of=AS_OF).row(0, named=True)
    assert (summary["workers"], summary["open_cases"]) == (0, 0)
    snapshot = systemc_any.run("caseload_snapshot_by_district", as_of=AS_OF)
    # open on 16 Feb: 70001, 02, 03, 04, 05, 06, 07, 10, 15
    assert (total(snapshot, "open_episodes"), total(snapshot, "with_worker")) == (9, 0)


def test_social_care_involvements_point_at_social_care_referrals(systemc):
    involvements = systemc.table("involvements")
    assert involvements.height == 6
    got = dict(zip(involvements["involvement_id"], involvements["referral_id"], strict=True))
    assert got == {
        "80001": "90001",
        "80002": "90002",
        "80003": "90002",
        "80004": "90004",
        "80005": "90004",
        "80006": "90005",
    }
    assert involvements["episode_id"].null_count() == 6
    workers = dict(zip(involvements["involvement_id"], involvements["worker_id"], strict=True))
    assert workers["80006"] is None  # DIM_WORKER_ID -1 is exported as NULL


def test_only_case_holding_roles_hold_early_help_cases(systemc_with_eh_involvements):
    # On 16 Feb 2026 the CW involvements hold 70001 (5001), 70002 (5002), 70003 (5003),
    # 70004 (5003) and 70006 (5001). 5006's KAEH on 70004 (started later than 5003's CW) and
    # TM on 70007 hold nothing. 5004 and 5005 work on social care referrals only.
    loaded = systemc_with_eh_involvements
    holds = loaded.by_id("involvements", "involvement_id", "holds_case")
    assert holds["60005"] is False and holds["60007"] is False
    assert all(holds[i] for i in ("60001", "60002", "60003", "60004", "60006", "60008"))
    frame = loaded.run("workers_caseload", as_of=AS_OF)
    got = {
        r["worker_id"]: (r["worker_name"], r["team"], r["open_cases"])
        for r in frame.iter_rows(named=True)
    }
    assert got == {
        "5001": ("Zoë Clarke", "Early Help North", 2),
        "5002": ("Tom Hughes", "Early Help North", 1),
        "5003": ("Priya Shah", "Early Help South", 2),
    }
    per_fte = dict(zip(frame["worker_id"], frame["cases_per_fte"], strict=True))
    assert per_fte == {"5001": 2.0, "5002": 2.0, "5003": 2.0}  # FTE 1, 0.5, 1
    snapshot = loaded.run("caseload_snapshot_by_district", as_of=AS_OF)
    with_worker = dict(zip(snapshot["district"], snapshot["with_worker"], strict=True))
    # 70001, 02, 06 North; 70003, 04 South
    assert with_worker == {"Central": 0, "North": 3, "Not known": 0, "South": 2}
    open_episodes = dict(zip(snapshot["district"], snapshot["open_episodes"], strict=True))
    # 70001, 02, 06 North; 70003, 04, 07, 15 South; 70005 Central; 70010 Not known
    assert open_episodes == {"Central": 1, "North": 3, "Not known": 1, "South": 4}


def test_teams_are_named_from_ssd_department(systemc_with_eh_involvements):
    frame = systemc_with_eh_involvements.run("caseload_by_team", as_of=AS_OF)
    got = {
        r["team"]: (r["open_cases"], r["workers"], r["fte"]) for r in frame.iter_rows(named=True)
    }
    # team 301: 5001 (2 cases, FTE 1) and 5002 (1 case, FTE 0.5); team 302: 5003 (2, FTE 1)
    assert got == {"Early Help North": (3, 2, 1.5), "Early Help South": (2, 1, 1.0)}
    marts = pl.read_parquet(
        systemc_with_eh_involvements.version_dir / "marts" / "mart_case_involvements.parquet"
    )
    assert not marts["team"].drop_nulls().str.contains(r"^\d+$").any()


# ---------------------------------------------------------------------------------------
# Excel re-save, cp1252 and Latin-1
# ---------------------------------------------------------------------------------------


def _written_text(variant: str, name: str) -> str:
    rows = rx.SYSTEMC_FILES[name]
    if variant == "excel":
        return rx.csv_text(rows, rx.excel_resaved)
    text = rx.csv_text(rows)
    return text.replace("’", "'") if variant == "latin1" else text


@pytest.mark.parametrize("variant", ["original", "excel", "latin1"])
def test_the_manifest_says_which_encoding_each_file_was_read_in(request, variant):
    loaded = request.getfixturevalue(
        {"original": "systemc", "excel": "systemc_excel", "latin1": "systemc_latin1"}[variant]
    )
    encodings = loaded.manifest["encodings"]
    for name in rx.SYSTEMC_FILES:
        if name == "district_lookup.csv":
            continue
        recorded = [enc for file, enc in encodings.items() if Path(file).name == name]
        assert len(recorded) == 1, (name, encodings)
        # the encoding named must be one that gives back the text as it was written
        data = (loaded.folder / name).read_bytes()
        assert data.decode(recorded[0]).lstrip("\ufeff") == _written_text(variant, name), name
    if variant == "excel":
        # "Mum’s" (0x92 in cp1252) is in ssd_contacts.csv: only cp1252 reads it right
        contacts = [enc for file, enc in encodings.items() if Path(file).name == "ssd_contacts.csv"]
        assert codecs.lookup(contacts[0]).name == "cp1252"


def test_names_survive_every_encoding(systemc_any):
    names = set(systemc_any.table("workers")["worker_name"].to_list())
    assert "Zoë Clarke" in names
    teams = systemc_any.by_id("teams", "team_id", "team_name")
    assert teams["301"] == "Early Help North"


def test_excel_resaved_dates_are_read(systemc_excel):
    text = (systemc_excel.folder / "ssd_contacts.csv").read_bytes().decode("cp1252")
    assert "01/12/2025 09:42" in text and ".000" not in text
    starts = systemc_excel.by_id("early_help_episodes", "episode_id", "start_date")
    assert starts["70005"] == date(2026, 1, 5)  # 05/01/2026: day first, not 1 May
    ends = systemc_excel.by_id("early_help_episodes", "episode_id", "end_date")
    assert ends["70002"] == date(2026, 3, 2)  # 02/03/2026


def test_front_door_figures_are_the_same_after_an_excel_resave(systemc, systemc_excel):
    for name, params in [
        ("frontdoor_summary", {"standard": 2, **FRONT_DOOR}),
        ("frontdoor_decision_days", FRONT_DOOR),
        ("outcomes_closures", {"by": "level", **EPISODES_PERIOD}),
    ]:
        assert systemc.run(name, **params).equals(systemc_excel.run(name, **params)), name


# ---------------------------------------------------------------------------------------
# The manifest: where each field came from
# ---------------------------------------------------------------------------------------


def test_source_fields_name_the_local_columns(systemc):
    fields = systemc.manifest["source_fields"]["early_help_episodes"]
    assert fields["level_of_need"] == "ssd_early_help_episodes.eh_need_level"
    assert fields["source_code"] == "ssd_early_help_episodes.eh_referral_source"
    # the mapping used: its path (or, as the reader writes it, a record naming its file)
    mapping = systemc.manifest["mapping"]
    path = mapping["file"] if isinstance(mapping, dict) else mapping
    assert Path(path) == systemc.folder / "mapping.yaml"


# ---------------------------------------------------------------------------------------
# Mosaic
# ---------------------------------------------------------------------------------------

MOSAIC_ROWS = {
    "children": 10,
    "contacts": 7,
    "early_help_episodes": 10,
    "cin_referrals": 2,
    "workers": 4,
    "involvements": 3,
    "addresses": 11,
    "district_lookup": 5,
}


def test_every_row_of_the_mosaic_extract_loads(mosaic):
    by_table = mosaic.reconciliation()
    for table, rows in MOSAIC_ROWS.items():
        row = by_table[table]
        assert (row["rows_read"], row["loaded"], row["rejected"]) == (rows, rows, 0), table
    assert mosaic.rejects().height == 0


def test_mosaic_workers_are_keyed_by_staff_id_with_fte_and_agency_missing(mosaic):
    workers = mosaic.table("workers")
    assert sorted(workers["worker_id"].to_list()) == ["4101", "4102", "4103", "4201"]
    assert workers["fte"].null_count() == 4
    assert workers["agency"].null_count() == 4
    episodes = mosaic.by_id("early_help_episodes", "episode_id", "worker_id")
    assert episodes["300001"] == "4101" and episodes["300005"] is None


def test_mosaic_caseloads_come_from_the_episodes_worker(mosaic):
    # open on 16 Feb 2026: 300001 (4101), 300003 (4102), 300004 (4103), 300005 (none),
    # 300006 (4103), 300008 (4101), 300010 (4102). 4201's social care involvements (and
    # 4103's) make no early help case.
    frame = mosaic.run("workers_caseload", as_of=AS_OF)
    got = {r["worker_id"]: (r["team"], r["open_cases"]) for r in frame.iter_rows(named=True)}
    assert got == {
        "4101": ("Early Help Team North", 2),
        "4102": ("Early Help Team North", 2),
        "4103": ("Early Help Team South", 2),
    }
    assert frame["cases_per_fte"].null_count() == 3  # no FTE recorded
    snapshot = mosaic.run("caseload_snapshot_by_district", as_of=AS_OF)
    assert (total(snapshot, "open_episodes"), total(snapshot, "with_worker")) == (7, 6)
    teams = mosaic.run("caseload_by_team", as_of=AS_OF)
    by_team = {
        r["team"]: (r["open_cases"], r["workers"], r["workers_fte_not_recorded"])
        for r in teams.iter_rows(named=True)
    }
    assert by_team == {"Early Help Team North": (4, 2, 2), "Early Help Team South": (2, 1, 1)}


MOSAIC_DECISIONS = {
    "700001": ("Early help", date(2025, 11, 3), 2),  # Thu 30 Oct -> Mon 3 Nov
    "700002": ("Early help", date(2026, 2, 2), 2),  # Thu 29 Jan -> Mon 2 Feb
    "700003": ("Early help", date(2026, 1, 19), 1),  # advice, but 300006 starts Mon 19 Jan
    "700004": ("No further action", None, None),
    "700005": ("Information and advice", None, None),  # 300007 started before it
    "700006": (None, None, None),  # no next action recorded
    "700007": ("Early help", date(2026, 1, 26), 2),  # no outcome; Thu 22 -> Mon 26 Jan
}


def test_mosaic_contact_decisions(mosaic):
    contacts = mosaic.table("contacts")
    got = {
        r["contact_id"]: (r["decision"], r["decision_date"], r["decision_working_days"])
        for r in contacts.iter_rows(named=True)
    }
    assert got == MOSAIC_DECISIONS


def test_mosaic_levels_sources_and_outcomes(mosaic):
    # levels written as digits, accepted as they are
    got = {
        level: total(mosaic.run("referrals_filtered", level_of_need=level), "referrals")
        for level in (0, 1, 2, 3, 4)
    }
    assert got == {0: 0, 1: 1, 2: 4, 3: 4, 4: 1}
    # sources written as Annex A descriptions: Schools 300001, 06, 08; Police 300002, 07;
    # Health visitor / GP 300003, 09, 10; Family member 300004; Housing 300005 (Other)
    groups = ["Schools", "Police", "Health", "Individuals", "Other", "Unknown"]
    sources = {
        group: total(mosaic.run("referrals_filtered", source_group=group), "referrals")
        for group in groups
    }
    assert sources == {
        "Schools": 3,
        "Police": 2,
        "Health": 3,
        "Individuals": 1,
        "Other": 1,
        "Unknown": 0,
    }
    reasons = mosaic.by_id("early_help_episodes", "episode_id", "end_reason")
    assert {k: v for k, v in reasons.items() if v is not None} == {
        "300002": "Outcomes met",
        "300004": "Step-up",
        "300007": "Disengaged",
        "300009": "Outcomes met",
    }
    frame = mosaic.run("outcomes_by_level", **EPISODES_PERIOD)
    borough = frame.filter(pl.col("level") == "All levels").row(0, named=True)
    assert (borough["closed"], borough["closed_outcomes_met"]) == (4, 2)


def test_mosaic_sex_descriptions_and_expected_dates_of_birth(mosaic):
    children = mosaic.table("children")
    # Male 200101, 06, 08, 10; Female 200102, 07, 09; Indeterminate 200103, Unknown 200104, 05
    assert dict(children["sex"].value_counts().iter_rows()) == {"M": 4, "F": 3, "U": 3}
    assert children["birth_month"].null_count() == 1  # 200105: only an expected date
    assert mosaic.by_id("early_help_episodes", "episode_id", "age_band")["300005"] == "Not known"


def test_mosaic_districts_from_home_addresses(mosaic):
    # 200101 ZZ11AB (no space) North; 200102 no start date South; 200103's Foster Placement
    # in North is excluded by the mapping: Central; 200105 ZZ22EF South.
    assert mosaic.by_id("early_help_episodes", "episode_id", "district") == {
        "300001": "North",
        "300002": "South",
        "300003": "Central",
        "300004": "North",
        "300005": "South",
        "300006": "Central",
        "300007": "South",
        "300008": "North",
        "300009": "Central",
        "300010": "South",
    }


def test_mosaic_social_care_involvements_have_no_child_id_and_no_early_help(mosaic):
    involvements = mosaic.table("involvements")
    got = dict(zip(involvements["involvement_id"], involvements["referral_id"], strict=True))
    assert got == {"500001": "600001", "500002": "600002", "500003": "600001"}
    assert involvements["episode_id"].null_count() == 3


def test_mosaic_manifest_names_the_fields_it_lacks(mosaic):
    fields = mosaic.manifest["source_fields"]
    assert fields["cin_referrals"]["close_date"] is None  # no cine_close_date in Mosaic
    assert fields["early_help_episodes"]["level_of_need"] == "ssd_early_help_episodes.eh_level"
    assert fields["workers"]["fte"] in (None, "ssd_professionals.prof_full_time_equivalency")


def test_mosaic_organisation_ids_typed_as_numbers_in_the_mapping(tmp_path):
    # A council writing `1301: {name: ...}` without quotes: YAML reads 1301 as a number, the
    # extract has the text "1301". It must still name the organisation.
    loaded = Loaded(
        rx.write_mosaic(tmp_path / "extract", mapping=rx.MOSAIC_MAPPING_NUMERIC_KEYS),
        tmp_path / "warehouse",
    )
    organisations = loaded.by_id("early_help_episodes", "episode_id", "organisation")
    assert organisations["300006"] == "Meadow Lane Primary"
    assert organisations["300001"] == "Early Help Team North"
    frame = loaded.run("kpi_partner_led", **EPISODES_PERIOD)
    borough = frame.filter(pl.col("district") == "Borough").row(0, named=True)
    assert (borough["episodes"], borough["partner_led"]) == (10, 1)
