"""A small SSD extract written out by hand: 24 children in three districts, 26 early help
episodes, 30 contacts and 8 social care referrals from April 2025 to 31 March 2026, so that the
counts a board member is shown really are 1 to 9 (issue 23, points 3 and 4).

Nothing here comes from `earlyhelp.tools.demo` or from code under test: every row is a literal
below,
and tests/test_hand_counted.py and tests/test_kpis_independent.py count from these rows (by hand,
and with the csv module) what the queries and the KPIs must give.

Shape of the extract (the layout the SSD reader accepts; see docs/DATA.md):

- Districts from each child's home postcode: ZZ1 1 North (children C01-C10), ZZ2 1 South
  (C11-C18), ZZ3 1 East (C19-C24). One home address each, from 2000, never ended.
- Episodes carry the SSD columns plus the council's own `earl_level_of_need` and
  `earl_referral_source_code`, with end reasons and organisation names as the product stores
  them, so no mapping file is needed (every involvement then holds its case).
- Early help involvements (the council's ssd_early_help_involvements, invo_referral_id naming
  the episode) allocate workers W1-W5; ssd_department names the three council teams, so an
  episode they lead is case-held even before it has a worker.
- Contacts carry the council's own `decision` and `decision_date` keys in
  cont_contact_outcome_json, so the working days from contact to decision are the ones written
  beside each row.
- population.csv: children by district and age band for mid-2025.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

#: The last day of the data: the latest episode start (E11, 2026-03-31).
LAST_DAY = "2026-03-31"

DISTRICT_LOOKUP = [
    ["postcode_sector", "district"],
    ["ZZ1 1", "North"],
    ["ZZ2 1", "South"],
    ["ZZ3 1", "East"],
]

# Birth dates chosen so that a child's age band does not change during the data (birth months
# are kept to the first of the month at ingest); C18 is 18 on the day of E20 (2026-03-23).
PERSON = [
    ["pers_person_id", "pers_sex", "pers_ethnicity", "pers_dob"],
    ["C01", "M", "WBRI", "2018-06-15"],  # 5-9
    ["C02", "F", "WBRI", "2012-03-01"],  # 10-15
    ["C03", "M", "MWBC", "2019-01-20"],  # 5-9 (6 or 7)
    ["C04", "F", "WBRI", "2013-07-07"],  # 10-15
    ["C05", "M", "APKN", "2017-09-09"],  # 5-9
    ["C06", "F", "WBRI", "2009-08-01"],  # 16-17
    ["C07", "M", "BCRB", "2011-05-05"],  # 10-15
    ["C08", "F", "WBRI", "2025-06-01"],  # Under 1
    ["C09", "M", "WBRI", "2023-02-02"],  # 1-4
    ["C10", "F", "WIRT", "2014-10-10"],  # 10-15
    ["C11", "M", "WBRI", "2015-04-04"],  # 10-15
    ["C12", "F", "WBRI", "2010-12-12"],  # 10-15 (14 or 15)
    ["C13", "M", "BAFR", "2016-01-01"],  # 10-15 (10 from January 2026)
    ["C14", "F", "WBRI", "2019-11-11"],  # 5-9
    ["C15", "M", "WBRI", "2018-02-02"],  # 5-9
    ["C16", "F", "CHNE", "2012-08-08"],  # 10-15
    ["C17", "M", "WBRI", "2021-05-05"],  # 1-4
    ["C18", "F", "WBRI", "2008-01-15"],  # 18 in 2026: 18+
    ["C19", "M", "WBRI", "2014-03-03"],  # 10-15
    ["C20", "F", "WOTH", "2017-06-06"],  # 5-9
    ["C21", "M", "WBRI", "2013-09-09"],  # 10-15
    ["C22", "F", "WBRI", "2020-01-01"],  # 5-9
    ["C23", "M", "WBRI", "2010-10-10"],  # 10-15
    ["C24", "F", "WBRI", "2025-11-20"],  # Under 1
]

ADDRESS = [
    ["addr_person_id", "addr_address_postcode", "addr_address_start_date", "addr_address_end_date"],
    *[[f"C{n:02d}", f"ZZ1 1A{chr(64 + n)}", "2000-01-01", ""] for n in range(1, 11)],
    *[[f"C{n:02d}", f"ZZ2 1A{chr(64 + n)}", "2000-01-01", ""] for n in range(11, 19)],
    *[[f"C{n:02d}", f"ZZ3 1A{chr(64 + n)}", "2000-01-01", ""] for n in range(19, 25)],
]

TEH_NORTH = "Targeted Early Help - North"
TEH_SOUTH = "Targeted Early Help - South"
TEH_EAST = "Targeted Early Help - East"
SCHOOL_N = "Northfield Primary School"  # school (data/organisations.csv)
SCHOOL_S = "Oakwood Primary School"  # school
SCHOOL_E = "Hillside Academy"  # school
HEALTH = "Health Visiting Team"  # health
COMMISSIONED = "Positive Steps"  # commissioned

EPISODE_COLUMNS = [
    "earl_episode_id", "earl_person_id", "earl_episode_start_date", "earl_episode_end_date",
    "earl_episode_reason", "earl_episode_end_reason", "earl_episode_organisation",
    "earl_episode_worker_id", "earl_level_of_need", "earl_referral_source_code",
]  # fmt: skip

# id, child, start, end, reason, end reason, organisation, worker, level, source
EPISODES = [
    EPISODE_COLUMNS,
    # North
    ["E01", "C01", "2025-04-01", "2025-07-15", "Referral", "Outcomes met", TEH_NORTH, "", "3",
     "2A"],
    ["E02", "C01", "2026-01-12", "", "Referral", "", TEH_NORTH, "", "3", "2A"],
    ["E03", "C02", "2025-10-06", "2026-01-20", "Referral", "Step-up", TEH_NORTH, "", "3", "6"],
    ["E04", "C03", "2026-01-05", "2026-02-27", "Referral", "Outcomes met", SCHOOL_N, "", "2", "2A"],
    ["E05", "C04", "2026-01-19", "", "Referral", "", TEH_NORTH, "", "3", "3A"],
    ["E06", "C05", "2026-02-02", "", "Referral", "", SCHOOL_N, "", "2", "2A"],
    ["E07", "C06", "2026-02-16", "2026-03-20", "Referral", "Disengaged", TEH_NORTH, "", "3", "1A"],
    ["E08", "C07", "2026-02-23", "", "Referral", "", TEH_NORTH, "", "3", "6"],
    ["E09", "C08", "2026-03-02", "", "Referral", "", HEALTH, "", "2", "3B"],
    ["E10", "C09", "2026-03-16", "", "Referral", "", TEH_NORTH, "", "", "8"],
    ["E11", "C10", "2026-03-31", "", "Referral", "", TEH_NORTH, "", "3", "2A"],
    ["E12", "C06", "2026-03-25", "", "Referral", "", TEH_NORTH, "", "3", "1A"],
    # South
    ["E13", "C11", "2025-06-02", "2025-12-19", "Referral", "Outcomes met", TEH_SOUTH, "", "3",
     "2A"],
    ["E14", "C12", "2025-11-03", "2026-02-13", "Referral", "Step-up", TEH_SOUTH, "", "3", "3A"],
    ["E15", "C13", "2026-01-07", "", "Referral", "", COMMISSIONED, "", "3", "6"],
    ["E16", "C14", "2026-01-26", "2026-03-06", "Referral", "Moved away", TEH_SOUTH, "", "3", "2A"],
    ["E17", "C15", "2026-02-09", "", "Referral", "", SCHOOL_S, "", "2", "2A"],
    ["E18", "C16", "2026-02-20", "", "Step-down", "", TEH_SOUTH, "", "3", "5A"],
    ["E19", "C17", "2026-03-09", "", "Referral", "", TEH_SOUTH, "", "1", "9"],
    ["E20", "C18", "2026-03-23", "", "Referral", "", COMMISSIONED, "", "3", "2A"],
    # East
    ["E21", "C19", "2025-09-01", "2026-01-30", "Referral", "No further action", TEH_EAST, "", "3",
     "2A"],
    ["E22", "C20", "2026-01-14", "", "Referral", "", TEH_EAST, "", "3", "6"],
    ["E23", "C21", "2026-02-04", "2026-03-27", "Referral", "Outcomes met", SCHOOL_E, "", "2", "2A"],
    ["E24", "C22", "2026-03-04", "", "Referral", "", TEH_EAST, "", "3", "3A"],
    ["E25", "C23", "2026-03-18", "", "Referral", "", TEH_EAST, "", "3", "6"],
    ["E26", "C24", "2026-03-30", "", "Referral", "", HEALTH, "", "2", "3B"],
]  # fmt: skip


def _outcome(decision: str, decided: str = "") -> str:
    """cont_contact_outcome_json with the council's own decision keys."""
    if not decided:
        return json.dumps({"decision": decision}) if decision else ""
    return json.dumps({"decision": decision, "decision_date": decided})


EH = "Early help"
CONTACT_COLUMNS = [
    "cont_contact_id", "cont_person_id", "cont_contact_date", "cont_contact_source_code",
    "cont_contact_outcome_json",
]  # fmt: skip
# Working days from contact to decision (weekends and bank holidays not counted) beside each.
CONTACTS = [
    CONTACT_COLUMNS,
    ["K01", "C01", "2025-04-01", "2A", _outcome(EH, "2025-04-01")],  # 0
    ["K02", "C11", "2025-05-27", "2A", _outcome(EH, "2025-05-29")],  # 2 (Tue -> Thu)
    ["K03", "C19", "2025-08-26", "2A", _outcome(EH, "2025-08-29")],  # 3 (Tue -> Fri)
    ["K04", "C02", "2025-10-01", "6", _outcome(EH, "2025-10-03")],  # 2 (Wed -> Fri)
    ["K05", "C12", "2025-10-28", "3A", _outcome(EH, "2025-11-03")],  # 4 (Tue -> Mon)
    # Mon 22 Dec -> Mon 5 Jan: 23, 24, 29, 30, 31 Dec, 2 and 5 Jan (25, 26 Dec, 1 Jan holidays)
    ["K06", "C03", "2025-12-22", "2A", _outcome(EH, "2026-01-05")],  # 7
    ["K07", "C01", "2026-01-08", "2A", _outcome(EH, "2026-01-12")],  # 2 (Thu -> Mon)
    ["K08", "C13", "2026-01-05", "6", _outcome(EH, "2026-01-07")],  # 2
    ["K09", "C20", "2026-01-13", "6", _outcome(EH, "2026-01-14")],  # 1
    ["K10", "C04", "2026-01-15", "3A", _outcome(EH, "2026-01-19")],  # 2 (Thu -> Mon)
    ["K11", "C14", "2026-01-20", "2A", _outcome(EH, "2026-01-26")],  # 4 (Tue -> Mon)
    ["K12", "C05", "2026-01-29", "2A", _outcome(EH, "2026-02-02")],  # 2 (Thu -> Mon)
    ["K13", "C21", "2026-02-02", "2A", _outcome(EH, "2026-02-04")],  # 2
    ["K14", "C15", "2026-02-05", "2A", _outcome(EH, "2026-02-09")],  # 2 (Thu -> Mon)
    ["K15", "C12", "2026-02-11", "3A", _outcome("Information and advice", "2026-02-11")],  # 0
    ["K16", "C06", "2026-02-12", "1A", _outcome(EH, "2026-02-16")],  # 2 (Thu -> Mon)
    ["K17", "C16", "2026-02-17", "5A", _outcome(EH, "2026-02-20")],  # 3 (Tue -> Fri)
    ["K18", "C07", "2026-02-19", "6", _outcome(EH, "2026-02-23")],  # 2 (Thu -> Mon)
    ["K19", "C02", "2026-02-24", "6", _outcome("No further action")],  # no decision date
    ["K20", "C08", "2026-02-26", "3B", _outcome(EH, "2026-03-02")],  # 2 (Thu -> Mon)
    ["K21", "C22", "2026-03-02", "3A", _outcome(EH, "2026-03-04")],  # 2
    ["K22", "C17", "2026-03-03", "9", _outcome(EH, "2026-03-09")],  # 4 (Tue -> Mon)
    ["K23", "C07", "2026-03-05", "6", _outcome("Social care referral", "2026-03-05")],  # 0
    ["K24", "C15", "2026-03-10", "2A", ""],  # no outcome recorded
    ["K25", "C09", "2026-03-12", "8", _outcome(EH, "2026-03-16")],  # 2 (Thu -> Mon)
    ["K26", "C23", "2026-03-16", "6", _outcome(EH, "2026-03-18")],  # 2
    ["K27", "C18", "2026-03-19", "2A", _outcome(EH, "2026-03-23")],  # 2 (Thu -> Mon)
    ["K28", "C06", "2026-03-23", "1A", _outcome(EH, "2026-03-25")],  # 2
    ["K29", "C10", "2026-03-26", "2A", _outcome(EH, "2026-03-31")],  # 3 (Thu -> Tue)
    ["K30", "C24", "2026-03-27", "3B", _outcome(EH, "2026-03-30")],  # 1 (Fri -> Mon)
]  # fmt: skip

CIN_COLUMNS = [
    "cine_referral_id", "cine_person_id", "cine_referral_date", "cine_cin_primary_need_code",
    "cine_referral_source_code", "cine_referral_nfa", "cine_close_reason", "cine_close_date",
    "cine_referral_team", "cine_referral_worker_id",
]  # fmt: skip
CIN = [
    CIN_COLUMNS,
    # from early help (5D) the day after E03 ended Step-up: the same step-up, counted once
    ["R01", "C02", "2026-01-21", "N1", "5D", "N", "", "", "", ""],
    # from early help 3 days after E14 ended Step-up: the same step-up
    ["R02", "C12", "2026-02-16", "N2", "5D", "N", "", "", "", ""],
    # from early help while E08 is open (no episode ended Step-up): a step-up by referral only
    ["R03", "C07", "2026-03-10", "N1", "5D", "N", "", "", "", ""],
    # police referral, closed and referred to early help (RC9): a step-down; E18 follows
    ["R04", "C16", "2025-12-01", "N2", "6", "N", "RC9", "2026-02-10", "", ""],
    # school referral closed after assessment, no further action (RC8)
    ["R05", "C22", "2025-11-10", "N3", "2A", "N", "RC8", "2026-02-25", "", ""],
    # police referral still open
    ["R06", "C13", "2026-03-05", "N1", "6", "N", "", "", "", ""],
    # school referral still open, in the first week of April 2025
    ["R07", "C05", "2025-04-02", "N1", "2A", "N", "", "", "", ""],
    # C22 referred again 137 days after R05: a re-referral within 12 months, still open
    ["R08", "C22", "2026-03-27", "N3", "2A", "N", "", "", "", ""],
]  # fmt: skip

PROFESSIONALS = [
    ["prof_professional_id", "prof_staff_id", "prof_professional_name",
     "prof_professional_job_title", "prof_professional_department",
     "prof_full_time_equivalency"],
    ["W1", "S1", "Worker One", "Family support worker", TEH_NORTH, "1.0"],
    ["W2", "S2", "Worker Two", "Family support worker", TEH_NORTH, "0.5"],
    ["W3", "S3", "Worker Three", "Family support worker", TEH_SOUTH, "1.0"],
    ["W4", "S4", "Worker Four", "Family support worker", TEH_SOUTH, ""],
    ["W5", "S5", "Worker Five", "Family support worker", TEH_EAST, "0.8"],
]  # fmt: skip

DEPARTMENT = [
    ["dept_team_id", "dept_team_name", "dept_team_parent_id", "dept_team_parent_name"],
    ["T1", TEH_NORTH, "T0", "Early Help Service"],
    ["T2", TEH_SOUTH, "T0", "Early Help Service"],
    ["T3", TEH_EAST, "T0", "Early Help Service"],
]

INVOLVEMENT_COLUMNS = [
    "invo_involvements_id", "invo_professional_id", "invo_professional_role_id",
    "invo_professional_team", "invo_person_id", "invo_involvement_start_date",
    "invo_involvement_end_date", "invo_worker_change_reason", "invo_referral_id",
]  # fmt: skip
# id, worker, role, team, child, start, end, change reason, episode
EARLY_HELP_INVOLVEMENTS = [
    INVOLVEMENT_COLUMNS,
    ["I01", "W1", "CW", "T1", "C01", "2025-04-08", "2025-07-15", "", "E01"],  # 7 days
    ["I02", "W1", "CW", "T1", "C02", "2025-10-13", "2025-12-31", "", "E03"],  # 7 days
    ["I03", "W2", "CW", "T1", "C02", "2026-01-01", "2026-01-20", "Leave", "E03"],  # a change
    ["I04", "W1", "CW", "T1", "C01", "2026-01-19", "", "", "E02"],  # 7 days
    ["I05", "W2", "CW", "T1", "C04", "2026-02-16", "", "", "E05"],  # 28 days
    ["I06", "W1", "CW", "T1", "C06", "2026-02-18", "2026-03-20", "", "E07"],  # 2 days
    ["I07", "W2", "CW", "T1", "C07", "2026-03-02", "", "", "E08"],  # 7 days
    ["I08", "W3", "CW", "T2", "C11", "2025-06-09", "2025-09-30", "", "E13"],  # 7 days
    ["I09", "W4", "CW", "T2", "C11", "2025-10-01", "2025-11-30", "Leave", "E13"],  # a change
    ["I10", "W3", "CW", "T2", "C11", "2025-12-01", "2025-12-19", "Return", "E13"],  # another
    ["I11", "W3", "CW", "T2", "C12", "2025-11-10", "2026-02-13", "", "E14"],  # 7 days
    ["I12", "W4", "CW", "T2", "C13", "2026-01-08", "", "", "E15"],  # 1 day
    ["I13", "W3", "CW", "T2", "C14", "2026-02-27", "2026-03-06", "", "E16"],  # 32 days
    ["I14", "W4", "CW", "T2", "C16", "2026-02-23", "", "", "E18"],  # 3 days
    ["I15", "W5", "CW", "T3", "C19", "2025-09-08", "2026-01-30", "", "E21"],  # 7 days
    ["I16", "W5", "CW", "T3", "C20", "2026-01-14", "", "", "E22"],  # 0 days
    ["I17", "W5", "CW", "T3", "C22", "2026-03-11", "", "", "E24"],  # 7 days
]  # fmt: skip

# Mid-2025 child population by district and age band.
POPULATION = [
    ["district", "year", "age_band", "children"],
    ["North", "2025", "Under 1", "200"],
    ["North", "2025", "1-4", "800"],
    ["North", "2025", "5-9", "1000"],
    ["North", "2025", "10-15", "1200"],
    ["North", "2025", "16-17", "400"],
    ["South", "2025", "Under 1", "150"],
    ["South", "2025", "1-4", "600"],
    ["South", "2025", "5-9", "750"],
    ["South", "2025", "10-15", "900"],
    ["South", "2025", "16-17", "300"],
    ["East", "2025", "Under 1", "100"],
    ["East", "2025", "1-4", "400"],
    ["East", "2025", "5-9", "500"],
    ["East", "2025", "10-15", "600"],
    ["East", "2025", "16-17", "200"],
]

FILES = {
    "ssd_person.csv": PERSON,
    "ssd_address.csv": ADDRESS,
    "ssd_early_help_episodes.csv": EPISODES,
    "ssd_contacts.csv": CONTACTS,
    "ssd_cin_episodes.csv": CIN,
    "ssd_professionals.csv": PROFESSIONALS,
    "ssd_department.csv": DEPARTMENT,
    "ssd_early_help_involvements.csv": EARLY_HELP_INVOLVEMENTS,
    "district_lookup.csv": DISTRICT_LOOKUP,
    "population.csv": POPULATION,
}


def write_small_extract(folder: Path) -> Path:
    """The extract's files in `folder` (created): an SSD folder the ingest reads as it is."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in FILES.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
    return folder


def small_warehouse(tmp_path_factory) -> Path:
    """The extract written and ingested (the ingest the command line runs) into a new warehouse."""
    from earlyhelp.load.ingest import ingest

    extract = write_small_extract(tmp_path_factory.mktemp("small_extract") / "extract")
    warehouse = tmp_path_factory.mktemp("small_warehouse")
    ingest([extract], warehouse)
    return warehouse
