"""Two small SSD extracts written by hand from the Standard Safeguarding Dataset's own
specification, one per flavour, as the SystemC (Liquidlogic) and Mosaic deployments write
them. Nothing here comes from `earlyhelp.tools.demo`: every row is a literal below, and the
figures tests/test_real_extracts.py expects were worked out by hand from these rows.

Where each shape comes from (the SSD field definitions and the deployment SQL, data-to-insight
ssd-data-model; see docs/DATA.md for what the product reads):

- SystemC: the columns and their order are those of each `INSERT INTO ssd_<table> (...)` in
  the SystemC procedures. Dates are SQL Server DATETIME text (`2025-12-01 09:42:17.000`),
  nulls are the text `NULL` (as SQL Server Management Studio saves results),
  `cont_contact_outcome_json` is the string concatenation of the `#LEGACY-PRE2016` branch
  (so a double quote in COMMENTS makes it invalid JSON), `earl_episode_worker_id` is always
  the literal 'SSD_PH', `invo_professional_team` and `cine_referral_team` are
  DIM_DEPARTMENT_IDs that `ssd_department` names, `cine_referral_worker_id` is the worker's
  name (DIM_WORKER_ID_DESC), `invo_professional_role_id` is the involvement type code
  ('CW' the allocated case worker), `invo_professional_id` is NULL where the case system
  had -1, `prof_agency_worker_flag` is NULL, `pers_sex` is GENDER_MAIN_CODE (M, F, U, I),
  `pers_dob` is NULL when the date of birth is estimated (then `pers_expected_dob` holds it),
  `addr_address_type` is ADDSS_TYPE_CODE (HOME, PLACEMENT), `addr_address_start_date` may be
  NULL, `addr_address_json` the concatenated address JSON.
- Mosaic: the columns are the aliases of the `*_tag_dw.sql` SELECTs, in their order, with
  their own spellings (`legacy_id`, `cine_referral_source`, `cin_referral_nfa`; no
  `pers_forename`/`pers_surname`, no `invo_person_id`, no `cine_close_date`, no
  `cine_referral_outcome_json`). Where the SELECT leaves a column unaliased (contacts'
  `STARTED_ON` and `details`, the involvements' worker end reason) the SSD table's own name is
  used, as it is when the SELECT fills the SSD table. `prof_professional_id`,
  `prof_professional_name`, `prof_full_time_equivalency` and `prof_agency_worker_flag` are
  NULL and the worker id is `prof_staff_id` (WORKER_ID), which involvements and episodes
  point at; `pers_sex` is the reference-data description (Male, Female, Unknown,
  Indeterminate); `addr_address_json` is the plain address; the contact outcome is the
  aggregated description of the next actions. ssd_department is a placeholder in the Mosaic
  SQL (no source), so the Mosaic extract has no ssd_department file. There is no Mosaic SQL
  for ssd_early_help_episodes: its columns are the SSD field definitions'.
- Both add the council's own columns to ssd_early_help_episodes (level of need, referral
  source), named in the `mapping.yaml` written beside each extract.

Variants: `write_systemc(..., excel=True)` is the SystemC extract opened and re-saved by
Excel on Windows (dates `01/12/2025 09:42`, cp1252, CRLF), `encoding="latin-1"` the same
text written in Latin-1; `early_help_involvements=True` adds the council's optional
ssd_early_help_involvements.csv.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

N = "NULL"

DISTRICT_LOOKUP = [
    ["postcode_sector", "district"],
    ["ZZ1 1", "North"],
    ["ZZ1 2", "North"],
    ["ZZ2 1", "South"],
    ["ZZ2 2", "South"],
    ["ZZ3 1", "Central"],
]


def systemc_contact_outcome(
    new: str = "N",
    existing: str = "N",
    cp: str = "N",
    nfa: str = "N",
    non_agency_adoption: str = "N",
    private_fostering: str = "N",
    advice: str = "N",
    missing: str = "N",
    ola_cp: str = "N",
    other: str = "N",
    number: str = "null",
    comments: str = "",
) -> str:
    """cont_contact_outcome_json exactly as proc_ssd_contacts concatenates it (the
    #LEGACY-PRE2016 branch): ISNULL(flag, '') in quotes, NUMBER_OF_OUTCOMES bare (or null),
    COMMENTS pasted in unescaped."""
    return (
        "{"
        + '"NEW_REFERRAL_FLAG": "' + new + '", '
        + '"EXISTING_REFERRAL_FLAG": "' + existing + '", '
        + '"CP_ENQUIRY_FLAG": "' + cp + '", '
        + '"NFA_FLAG": "' + nfa + '", '
        + '"NON_AGENCY_ADOPTION_FLAG": "' + non_agency_adoption + '", '
        + '"PRIVATE_FOSTERING_FLAG": "' + private_fostering + '", '
        + '"ADVICE_FLAG": "' + advice + '", '
        + '"MISSING_FLAG": "' + missing + '", '
        + '"OLA_CP_FLAG": "' + ola_cp + '", '
        + '"OTHER_OUTCOMES_EXIST_FLAG": "' + other + '", '
        + '"NUMBER_OF_OUTCOMES": ' + number + ", "
        + '"COMMENTS": "' + comments + '"'
        + "}"
    )  # fmt: skip


def systemc_referral_outcome(single_assessment: str, strategy: str = "N") -> str:
    """cine_referral_outcome_json as proc_ssd_cin_episodes concatenates it."""
    flags = [
        ("SINGLE_ASSESSMENT_FLAG", single_assessment),
        ("STRATEGY_DISCUSSION_FLAG", strategy),
        ("CLA_REQUEST_FLAG", "N"),
        ("NON_AGENCY_ADOPTION_FLAG", "N"),
        ("PRIVATE_FOSTERING_FLAG", "N"),
        ("CP_TRANSFER_IN_FLAG", "N"),
        ("CP_CONFERENCE_FLAG", "N"),
        ("CARE_LEAVER_FLAG", "N"),
        ("OTHER_OUTCOMES_EXIST_FLAG", "N"),
    ]
    number = sum(value == "Y" for _, value in flags)
    return (
        "{"
        + "".join(f'"{key}": "{value}", ' for key, value in flags)
        + f'"NUMBER_OF_OUTCOMES": {number}, "COMMENTS": ""'
        + "}"
    )


def systemc_address(house: str, street: str, uprn: str) -> str:
    """addr_address_json as proc_ssd_address concatenates it."""
    return (
        '{"ROOM": "", "FLOOR": "", "FLAT": "", "BUILDING": "", '
        f'"HOUSE": "{house}", "STREET": "{street}", "TOWN": "Exampleton", '
        f'"UPRN": "{uprn}", "EASTING": "", "NORTHING": ""}}'
    )


# ---------------------------------------------------------------------------------------
# SystemC
# ---------------------------------------------------------------------------------------

SYSTEMC_MAPPING = """\
# Exampleton Council: what our SystemC SSD extract leaves local.
flavour: systemc
early_help_episodes:
  level_of_need_column: eh_need_level
  referral_source_column: eh_referral_source
  levels_of_need: {UNIV: 1, UPLUS: 2, TARG: 3, CSC: 4}
  end_reasons:
    CAFEND01: met
    CAFEND02: step-up
    CAFEND03: disengaged
    CAFEND04: moved away
    CAFEND05: no further action
    CAFEND09: other
  organisations:
    ORG110: {name: Early Help North Team, kind: council}
    ORG120: {name: Early Help South Team, kind: council}
    ORG210: {name: Brookside Primary, kind: school}
    ORG310: {name: Family Futures, kind: commissioned}
involvements:
  case_holding_roles: [CW]
"""

SYSTEMC_PERSON = [
    ["pers_legacy_id", "pers_person_id", "pers_upn", "pers_forename", "pers_surname",
     "pers_sex", "pers_gender", "pers_ethnicity", "pers_dob", "pers_single_unique_id",
     "pers_upn_unknown", "pers_send_flag", "pers_expected_dob", "pers_death_date",
     "pers_is_mother", "pers_nationality"],
    ["L90001", "1001", "A820100000011", "Oliver", "Smith", "M", "M", "WBRI",
     "2014-05-12 00:00:00.000", N, N, "N", N, N, N, "GBR"],
    ["L90002", "1002", "A820100000022", "Amelia", "Jones", "F", "F", "WBRI",
     "2012-09-03 00:00:00.000", N, N, "N", N, N, N, "GBR"],
    ["L90003", "1003", "A820100000033", "Alex", "Taylor", "I", "I", "MWBC",
     "2016-02-20 00:00:00.000", N, N, "N", N, N, N, "GBR"],
    ["L90004", "1004", "A820100000044", "Harry", "Brown", "M", "M", "WBRI",
     "2010-11-30 00:00:00.000", N, N, "Y", N, N, N, "GBR"],
    ["L90005", "1005", "A820100000055", "Chloé", "Wilson", "F", "F", "WOTH",
     "2018-07-07 00:00:00.000", N, N, "N", N, N, N, "FRA"],
    ["L90006", "1006", "A820100000066", "Sam", "Evans", "U", "U", "AIND",
     "2011-01-15 00:00:00.000", N, N, "N", N, N, N, "GBR"],
    # estimated date of birth: pers_dob NULL, the date in pers_expected_dob (an unborn baby)
    [N, "1007", N, "Baby", "Thomas", "F", "F", N, N, N, "UN1", N,
     "2026-04-20 00:00:00.000", N, N, N],
    ["L90008", "1008", "A820100000088", "Jack", "Roberts", "M", "M", "BCRB",
     "2013-03-03 00:00:00.000", N, N, "N", N, N, N, "GBR"],
    ["L90009", "1009", "A820100000099", "Isla", "Walker", "F", "F", "WBRI",
     "2015-06-06 00:00:00.000", N, N, "N", N, N, N, "GBR"],
    ["L90010", "1010", "A820100000100", "Noah", "Wright", "M", "M", "APKN",
     "2009-12-12 00:00:00.000", N, N, "N", N, N, N, "GBR"],
    ["L90011", "1011", "A820100000111", "Ava", "Green", "F", "F", "WBRI",
     "2017-08-08 00:00:00.000", N, N, "N", N, N, N, "GBR"],
    ["L90012", "1012", "A820100000122", "Leo", "Hall", "M", "M", "WIRT",
     "2012-02-02 00:00:00.000", N, N, "N", N, N, N, "GBR"],
    ["L90013", "1013", "A820100000133", "Mia", "Wood", "F", "F", "WBRI",
     "2014-04-04 00:00:00.000", N, N, "N", N, N, "Y", "GBR"],
    ["L90014", "1014", "A820100000144", "Oscar", "Clarke", "M", "M", "BAFR",
     "2016-10-10 00:00:00.000", N, N, "N", N, N, N, "NGA"],
    ["L90015", "1015", "A820100000155", "Grace", "Hughes", "F", "F", "WBRI",
     "2011-11-11 00:00:00.000", N, N, "N", N, N, N, "GBR"],
    ["L90016", "1016", "A820100000166", "Robin", "Lewis", "I", "I", "MOTH",
     "2019-01-19 00:00:00.000", N, N, "N", N, N, N, "GBR"],
    ["L90017", "1017", "A820100000177", "Ethan", "King", "M", "M", "WBRI",
     "2008-08-18 00:00:00.000", N, N, "N", N, N, N, "GBR"],
    ["L90018", "1018", "A820100000188", "Lily", "Scott", "F", "F", "CHNE",
     "2013-12-01 00:00:00.000", N, N, "N", N, N, N, "CHN"],
]  # fmt: skip

SYSTEMC_ADDRESS = [
    ["addr_table_id", "addr_person_id", "addr_address_type", "addr_address_start_date",
     "addr_address_end_date", "addr_address_postcode", "addr_address_json"],
    ["880001", "1001", "HOME", "2015-01-01 00:00:00.000", N, "ZZ1 1AB",
     systemc_address("12", "Mill Lane", "100012300001")],
    # no start date recorded
    ["880002", "1002", "HOME", N, N, "ZZ1 2CD", systemc_address("4", "Park Road", "100012300002")],
    ["880003", "1003", "HOME", "2020-03-01 00:00:00.000", N, "ZZ2 1EF",
     systemc_address("7", "Church Street", "100012300003")],
    ["880004", "1004", "HOME", "2019-06-01 00:00:00.000", N, "ZZ2 1GH",
     systemc_address("31", "Station Road", "100012300004")],
    # a placement in Central from October 2025: not where the child lives, for districts
    ["880005", "1004", "PLACEMENT", "2025-10-01 00:00:00.000", N, "ZZ3 1AA",
     systemc_address("2", "Orchard Close", "100012300005")],
    ["880006", "1005", "HOME", N, N, "ZZ3 1BB",
     systemc_address("18", "High Street", "100012300006")],
    # moved from Central to North on 1 November 2025
    ["880007", "1006", "HOME", "2018-01-01 00:00:00.000", "2025-10-31 00:00:00.000", "ZZ3 1CD",
     systemc_address("9", "Victoria Road", "100012300007")],
    ["880008", "1006", "HOME", "2025-11-01 00:00:00.000", N, "ZZ1 1EF",
     systemc_address("40", "Mill Lane", "100012300008")],
    ["880009", "1007", "HOME", N, N, "ZZ2 2AB",
     systemc_address("5", "Queens Road", "100012300009")],
    ["880010", "1008", "HOME", "2016-01-01 00:00:00.000", N, "ZZ1 1GH",
     systemc_address("22", "North Street", "100012300010")],
    ["880011", "1009", "HOME", "2017-01-01 00:00:00.000", N, "ZZ2 1JK",
     systemc_address("3", "South Parade", "100012300011")],
    ["880012", "1010", "HOME", "2010-01-01 00:00:00.000", N, "ZZ3 1EF",
     systemc_address("61", "Market Place", "100012300012")],
    ["880013", "1011", "HOME", N, N, "ZZ1 2AB", systemc_address("14", "Elm Grove", "100012300013")],
    # only a placement address: the child's district is not known
    ["880014", "1012", "PLACEMENT", "2024-05-01 00:00:00.000", N, "ZZ2 1AA",
     systemc_address("1", "Foster Lane", "100012300014")],
    ["880015", "1013", "HOME", "2014-05-01 00:00:00.000", N, "ZZ2 2CD",
     systemc_address("8", "Bridge Street", "100012300015")],
    ["880016", "1014", "HOME", "2016-11-01 00:00:00.000", N, "ZZ3 1GH",
     systemc_address("27", "Castle Street", "100012300016")],
    ["880017", "1015", "HOME", "2012-01-01 00:00:00.000", N, "ZZ1 1JK",
     systemc_address("11", "Ash Road", "100012300017")],
    ["880018", "1016", "HOME", "2019-02-01 00:00:00.000", N, "ZZ2 1LM",
     systemc_address("6", "Oak Avenue", "100012300018")],
    ["880019", "1017", "HOME", N, N, "ZZ3 1JK",
     systemc_address("19", "Kings Road", "100012300019")],
    # 1018 has no address at all
]  # fmt: skip

CONTACT_COLUMNS = ["cont_contact_id", "cont_person_id", "cont_contact_date",
                   "cont_contact_source_code", "cont_contact_source_desc",
                   "cont_contact_outcome_json"]  # fmt: skip

#: The one COMMENTS that holds a double quote: the concatenated JSON is invalid.
QUOTED_COMMENT = 'Mum said "not now", advice given'

SYSTEMC_CONTACTS = [
    CONTACT_COLUMNS,
    ["50001", "1001", "2025-12-01 09:42:17.000", "2A", "Schools",
     systemc_contact_outcome(advice="Y", number="1", comments="EH assessment offered")],
    ["50002", "1002", "2025-12-19 16:05:00.000", "6", "Police",
     systemc_contact_outcome(number="0")],
    ["50003", "1003", "2025-12-24 11:30:00.000", "3B", "Health visitor",
     systemc_contact_outcome(advice="Y", number="1")],
    # every flag empty (the source flags were NULL)
    ["50004", "1004", "2025-12-23 10:00:00.000", "1A", "Family member",
     systemc_contact_outcome(*[""] * 10)],
    ["50005", "1005", "2026-01-03 10:15:00.000", "2A", "Schools",
     systemc_contact_outcome(number="0")],
    ["50006", "1006", "2026-01-12 08:55:00.000", "6", "Police",
     systemc_contact_outcome(nfa="Y", number="1")],
    ["50007", "1008", "2025-11-04 13:20:00.000", "6", "Police",
     systemc_contact_outcome(new="Y", number="1")],
    ["50008", "1009", "2025-11-13 09:00:00.000", "3A", "GP",
     systemc_contact_outcome(new="Y", cp="Y", number="2", comments="Strategy discussion held")],
    ["50009", "1010", "2025-11-20 15:45:00.000", "2A", "Schools",
     systemc_contact_outcome(existing="Y", number="1")],
    ["50010", "1011", "2025-11-25 12:00:00.000", "1A", "Family member",
     systemc_contact_outcome(advice="Y", number="1", comments="Mum’s worries talked through")],
    ["50011", "1013", "2025-12-02 14:10:00.000", "9", "Anonymous",
     systemc_contact_outcome(nfa="Y", number="1")],
    ["50012", "1014", "2025-12-09 10:30:00.000", "3B", "Health visitor",
     systemc_contact_outcome(nfa="Y", advice="Y", number="2")],
    ["50013", "1015", "2026-01-06 17:30:00.000", "6", "Police",
     systemc_contact_outcome(missing="Y", number="1", comments="Missing episode")],
    ["50014", "1016", "2026-01-07 09:05:00.000", "2A", "Schools",
     systemc_contact_outcome(number="0")],
    ["50015", "1017", "2026-01-08 11:11:00.000", "1A", "Family member",
     systemc_contact_outcome(advice="Y", number="1", comments=QUOTED_COMMENT)],
    ["50016", "1012", "2026-01-13 10:00:00.000", "2A", "Schools",
     systemc_contact_outcome(advice="Y", number="1")],
    ["50017", "1018", "2026-01-19 09:30:00.000", "3A", "GP", systemc_contact_outcome(number="0")],
    ["50018", "1007", "2026-02-02 12:45:00.000", "3B", "Health visitor",
     systemc_contact_outcome(*[""] * 10)],
    ["50019", "1003", "2026-01-20 14:00:00.000", "6", "Police",
     systemc_contact_outcome(advice="Y", number="1")],
]  # fmt: skip

EPISODE_COLUMNS = ["earl_episode_id", "earl_person_id", "earl_episode_start_date",
                   "earl_episode_end_date", "earl_episode_reason", "earl_episode_end_reason",
                   "earl_episode_organisation", "earl_episode_worker_id"]  # fmt: skip

SYSTEMC_EPISODES = [
    [*EPISODE_COLUMNS, "eh_need_level", "eh_referral_source"],
    ["70001", "1001", "2025-12-03 00:00:00.000", N, "Family support", N, "ORG110", "SSD_PH",
     "TARG", "2A"],
    ["70002", "1002", "2025-12-22 00:00:00.000", "2026-03-02 00:00:00.000", "Parenting",
     "CAFEND01", "ORG110", "SSD_PH", "UPLUS", "6"],
    ["70003", "1003", "2025-12-29 00:00:00.000", "2026-02-27 00:00:00.000", "Family support",
     "CAFEND02", "ORG120", "SSD_PH", "TARG", "3B"],
    ["70004", "1004", "2026-01-02 00:00:00.000", N, "Behaviour", N, "ORG120", "SSD_PH",
     "TARG", "1A"],
    ["70005", "1005", "2026-01-05 00:00:00.000", "2026-03-16 00:00:00.000", "School attendance",
     "CAFEND01", "ORG210", "SSD_PH", "UNIV", "2A"],
    ["70006", "1006", "2026-01-12 00:00:00.000", N, "Domestic abuse", N, "ORG310", "SSD_PH",
     "UPLUS", "5B"],
    ["70007", "1007", "2026-02-04 00:00:00.000", N, "Pre-birth", N, "ORG110", "SSD_PH",
     "CSC", "3B"],
    ["70008", "1008", "2025-11-10 00:00:00.000", "2026-01-30 00:00:00.000", "Behaviour",
     "CAFEND03", "ORG110", "SSD_PH", "TARG", "6"],
    ["70009", "1011", "2025-09-15 00:00:00.000", "2025-12-19 00:00:00.000", "Housing",
     "CAFEND04", "ORG120", "SSD_PH", "UPLUS", "1A"],
    ["70010", "1012", "2026-02-13 00:00:00.000", N, "School attendance", N, "ORG210", "SSD_PH",
     "UPLUS", "2A"],
    ["70011", "1018", "2026-02-18 00:00:00.000", N, "Health", N, "ORG310", "SSD_PH",
     "UNIV", "8"],
    ["70012", "1013", "2025-10-01 00:00:00.000", "2025-11-28 00:00:00.000", "Housing",
     "CAFEND05", "ORG110", "SSD_PH", "UNIV", "4"],
    ["70013", "1014", "2025-09-22 00:00:00.000", "2026-01-23 00:00:00.000", "Neglect",
     "CAFEND02", "ORG120", "SSD_PH", "CSC", "6"],
    ["70014", "1010", "2025-10-06 00:00:00.000", "2026-02-06 00:00:00.000", "Behaviour",
     "CAFEND09", "ORG310", "SSD_PH", "TARG", "2B"],
    ["70015", "1016", "2025-10-20 00:00:00.000", "2026-02-20 00:00:00.000", "Family support",
     "CAFEND01", "ORG110", "SSD_PH", "TARG", "3A"],
    ["70016", "1009", "2026-03-02 00:00:00.000", N, "Family support", N, "ORG120", "SSD_PH",
     "TARG", "2A"],
    # an end-reason code the council's mapping does not name
    ["70017", "1017", "2025-11-03 00:00:00.000", "2026-01-09 00:00:00.000", "Youth offending",
     "CAFEND99", "ORG110", "SSD_PH", "TARG", "3E"],
    ["70018", "1015", "2025-12-01 00:00:00.000", "2026-02-10 00:00:00.000", "Emotional health",
     "CAFEND01", "ORG210", "SSD_PH", "UPLUS", "1C"],
]  # fmt: skip

SYSTEMC_CIN = [
    ["cine_referral_id", "cine_person_id", "cine_referral_date", "cine_cin_primary_need_code",
     "cine_referral_source_code", "cine_referral_source_desc", "cine_referral_outcome_json",
     "cine_referral_nfa", "cine_close_reason", "cine_close_date", "cine_referral_team",
     "cine_referral_worker_id"],
    ["90001", "1008", "2025-11-04 13:20:00.000", "N2", "6", "Police",
     systemc_referral_outcome("Y"), "N", N, N, "420", "Sam Patel"],
    ["90002", "1014", "2026-01-26 10:00:00.000", "N1", "5D", "LA services - early help",
     systemc_referral_outcome("Y"), "N", N, N, "410", "Jo Evans"],
    ["90003", "1009", "2025-11-13 09:00:00.000", "N1", "3A", "GP",
     systemc_referral_outcome("Y", strategy="Y"), "N", "RC9", "2025-12-15 00:00:00.000", "420",
     "Sam Patel"],
    ["90004", "1010", "2025-06-02 11:00:00.000", "N3", "2A", "Schools",
     systemc_referral_outcome("Y"), "N", N, N, "420", "Jo Evans"],
    ["90005", "1006", "2026-02-16 09:30:00.000", "N2", "5D", "LA services - early help",
     systemc_referral_outcome("Y"), "N", N, N, "420", N],
    ["90006", "1012", "2025-10-01 10:00:00.000", "N4", "1A", "Family member",
     systemc_referral_outcome("Y"), "N", "RC9", "2026-02-10 00:00:00.000", "420", "Sam Patel"],
]  # fmt: skip

INVOLVEMENT_COLUMNS = ["invo_involvements_id", "invo_professional_id",
                       "invo_professional_role_id", "invo_professional_team", "invo_person_id",
                       "invo_involvement_start_date", "invo_involvement_end_date",
                       "invo_worker_change_reason", "invo_referral_id"]  # fmt: skip

#: Social care involvements (invo_referral_id = cine_referral_id), as SSD specifies. Several
#: overlap the same children's open early help episodes: none of them is early help work.
SYSTEMC_INVOLVEMENTS = [
    INVOLVEMENT_COLUMNS,
    ["80001", "5004", "CW", "420", "1008", "2025-11-05 00:00:00.000", N, "FCONTA", "90001"],
    ["80002", "5005", "CW", "410", "1014", "2026-01-27 00:00:00.000", N, "FCONTA", "90002"],
    ["80003", "5004", "KAHV", "410", "1014", "2026-01-27 00:00:00.000", N, N, "90002"],
    ["80004", "5005", "CW", "420", "1010", "2025-06-03 00:00:00.000", "2025-09-30 00:00:00.000",
     "FCONTA", "90004"],
    ["80005", "5004", "CW", "420", "1010", "2025-10-01 00:00:00.000", N, "LEFTRL", "90004"],
    ["80006", N, "CW", "420", "1006", "2026-02-17 00:00:00.000", N, N, "90005"],
]  # fmt: skip

#: The council's own early help involvements (invo_referral_id = earl_episode_id).
SYSTEMC_EARLY_HELP_INVOLVEMENTS = [
    INVOLVEMENT_COLUMNS,
    ["60001", "5001", "CW", "301", "1001", "2025-12-04 00:00:00.000", N, "FCONTA", "70001"],
    ["60002", "5002", "CW", "301", "1002", "2025-12-22 00:00:00.000", N, "FCONTA", "70002"],
    ["60003", "5003", "CW", "302", "1003", "2026-01-05 00:00:00.000", N, "FCONTA", "70003"],
    ["60004", "5003", "CW", "302", "1004", "2026-01-06 00:00:00.000", N, "FCONTA", "70004"],
    # not case-holding: a key agency involvement that started after the case worker's
    ["60005", "5006", "KAEH", "302", "1004", "2026-01-20 00:00:00.000", N, N, "70004"],
    ["60006", "5001", "CW", "301", "1006", "2026-01-14 00:00:00.000", N, "FCONTA", "70006"],
    # not case-holding: the team manager on an episode no case worker holds yet
    ["60007", "5006", "TM", "302", "1007", "2026-02-05 00:00:00.000", N, N, "70007"],
    ["60008", "5002", "CW", "301", "1008", "2025-11-11 00:00:00.000", "2026-01-30 00:00:00.000",
     "FCONTA", "70008"],
]  # fmt: skip

#: Written with a byte order mark, as SQL Server Management Studio saves UTF-8.
SYSTEMC_PROFESSIONALS = [
    ["prof_professional_id", "prof_staff_id", "prof_professional_name",
     "prof_social_worker_registration_no", "prof_agency_worker_flag",
     "prof_professional_job_title", "prof_professional_caseload",
     "prof_professional_department", "prof_full_time_equivalency"],
    ["5001", "EH0001", "Zoë Clarke", N, N, "Family Support Worker", "0", "Early Help North", "1"],
    ["5002", "EH0002", "Tom Hughes", N, N, "Early Help Practitioner", "0", "Early Help North",
     "0.5"],
    ["5003", "EH0003", "Priya Shah", N, N, "Early Help Practitioner", "0", "Early Help South",
     "1"],
    ["5004", "SW0004", "Sam Patel", "SW123456", N, "Social Worker", "2", "Assessment Team", "1"],
    ["5005", "SW0005", "Jo Evans", "SW654321", N, "Senior Social Worker", "1", "MASH", "0.8"],
    ["5006", "EH0006", "Lee Grant", N, N, "Early Help Team Manager", "0", "Early Help South",
     "1"],
]  # fmt: skip

SYSTEMC_DEPARTMENT = [
    ["dept_team_id", "dept_team_name", "dept_team_parent_id", "dept_team_parent_name"],
    ["300", "Early Help Service", N, "Service"],
    ["301", "Early Help North", "300", "Team"],
    ["302", "Early Help South", "300", "Team"],
    ["400", "Children’s Social Care", N, "Service"],
    ["410", "MASH", "400", "Team"],
    ["420", "Assessment Team", "400", "Team"],
]

SYSTEMC_FILES = {
    "ssd_person.csv": SYSTEMC_PERSON,
    "ssd_address.csv": SYSTEMC_ADDRESS,
    "ssd_contacts.csv": SYSTEMC_CONTACTS,
    "ssd_early_help_episodes.csv": SYSTEMC_EPISODES,
    "ssd_cin_episodes.csv": SYSTEMC_CIN,
    "ssd_involvements.csv": SYSTEMC_INVOLVEMENTS,
    "ssd_professionals.csv": SYSTEMC_PROFESSIONALS,
    "ssd_department.csv": SYSTEMC_DEPARTMENT,
    "district_lookup.csv": DISTRICT_LOOKUP,
}

# ---------------------------------------------------------------------------------------
# Mosaic
# ---------------------------------------------------------------------------------------

MOSAIC_MAPPING = """\
# Exampleton Council: what our Mosaic SSD extract leaves local.
flavour: mosaic
early_help_episodes:
  level_of_need_column: eh_level
  referral_source_column: eh_source
  end_reasons:
    Outcomes achieved: met
    Escalated to Children's Social Care: step-up
    Family declined further support: disengaged
  organisations:
    "1201": {name: Early Help Team North, kind: council}
    "1202": {name: Early Help Team South, kind: council}
    "1301": {name: Meadow Lane Primary, kind: school}
involvements:
  case_holding_roles: [ALLOC]
addresses:
  exclude_types: [Foster Placement]
"""

#: The same mapping as a council would likely type it: organisation ids unquoted, so YAML
#: reads them as numbers.
MOSAIC_MAPPING_NUMERIC_KEYS = (
    MOSAIC_MAPPING.replace('"1201"', "1201").replace('"1202"', "1202").replace('"1301"', "1301")
)

MOSAIC_PERSON = [
    ["pers_person_id", "legacy_id", "pers_sex", "pers_gender", "pers_ethnicity", "pers_dob",
     "pers_single_unique_id", "pers_upn", "pers_upn_unknown", "pers_send_flag",
     "pers_expected_dob", "pers_death_date", "pers_is_mother", "pers_nationality"],
    ["200101", N, "Male", "Male", "White British", "2015-03-10 00:00:00.000", N,
     "B820100000011", N, N, N, N, N, "United Kingdom"],
    ["200102", N, "Female", "Female", "White British", "2012-06-21 00:00:00.000", N,
     "B820100000022", N, N, N, N, N, "United Kingdom"],
    ["200103", N, "Indeterminate", N, "Any other mixed background", "2017-09-09 00:00:00.000",
     N, "B820100000033", N, N, N, N, N, "United Kingdom"],
    ["200104", N, "Unknown", N, "White British", "2010-01-01 00:00:00.000", N,
     "B820100000044", N, N, N, N, N, "United Kingdom"],
    # due in May 2026: DATE_OF_BIRTH after today goes to pers_expected_dob
    ["200105", N, "Unknown", N, N, N, N, N, N, N, "2026-05-10 00:00:00.000", N, N, N],
    ["200106", N, "Male", "Male", "Pakistani", "2013-04-04 00:00:00.000", N, "B820100000066",
     N, N, N, N, N, "United Kingdom"],
    ["200107", N, "Female", "Female", "White British", "2016-12-12 00:00:00.000", N,
     "B820100000077", N, N, N, N, N, "United Kingdom"],
    ["200108", N, "Male", "Male", "Caribbean", "2011-07-07 00:00:00.000", N, "B820100000088",
     N, N, N, N, N, "United Kingdom"],
    ["200109", N, "Female", "Female", "White British", "2009-02-02 00:00:00.000", N,
     "B820100000099", N, N, N, N, N, "United Kingdom"],
    ["200110", N, "Male", "Male", "Any other White background", "2014-08-14 00:00:00.000", N,
     "B820100000100", N, N, N, N, N, "Poland"],
]  # fmt: skip

MOSAIC_ADDRESS = [
    ["addr_table_id", "addr_address_json", "addr_person_id", "addr_address_type",
     "addr_address_start_date", "addr_address_end_date", "addr_address_postcode"],
    # postcodes without their space, as the SSD field definition says they may be
    ["410001", "12 Mill Lane, Exampleton", "200101", "Home", "2015-04-01 00:00:00.000", N,
     "ZZ11AB"],
    ["410002", "4 Park Road, Exampleton", "200102", "Home", N, N, "ZZ2 1CD"],
    ["410003", "7 Church Street, Exampleton", "200103", "Home", "2017-10-01 00:00:00.000", N,
     "ZZ3 1EF"],
    # a foster placement in North from September 2025: not used for districts
    ["410004", "3 Orchard Close, Exampleton", "200103", "Foster Placement",
     "2025-09-01 00:00:00.000", N, "ZZ1 2GH"],
    ["410005", "31 Station Road, Exampleton", "200104", "Home", "2011-01-01 00:00:00.000", N,
     "ZZ1 2AB"],
    ["410006", "5 Queens Road, Exampleton", "200105", "Home", N, N, "ZZ22EF"],
    ["410007", "9 Victoria Road, Exampleton", "200106", "Home", "2013-05-01 00:00:00.000", N,
     "ZZ3 1GH"],
    ["410008", "22 North Street, Exampleton", "200107", "Home", "2017-01-01 00:00:00.000", N,
     "ZZ2 1JK"],
    ["410009", "3 South Parade, Exampleton", "200108", "Home", "2011-08-01 00:00:00.000", N,
     "ZZ1 1LM"],
    ["410010", "61 Market Place, Exampleton", "200109", "Home", "2009-03-01 00:00:00.000", N,
     "ZZ3 1AA"],
    ["410011", "14 Elm Grove, Exampleton", "200110", "Home", "2014-09-01 00:00:00.000", N,
     "ZZ2 2GH"],
]  # fmt: skip

MOSAIC_CONTACTS = [
    CONTACT_COLUMNS,
    ["700001", "200101", "2025-10-30 10:12:00.000", "2A", "School", "Early Help Assessment"],
    ["700002", "200108", "2026-01-29 14:40:00.000", "2A", "School", "Early Help Assessment"],
    ["700003", "200106", "2026-01-16 09:20:00.000", "6", "Police", "Information and Advice"],
    ["700004", "200109", "2026-02-10 11:00:00.000", "3A", "GP", "No Further Action"],
    ["700005", "200107", "2026-02-11 15:30:00.000", "1A", "Family", "Information and Advice"],
    ["700006", "200104", "2026-03-02 10:05:00.000", "6", "Police", N],
    ["700007", "200110", "2026-01-22 13:00:00.000", "3B", "Health Visitor", N],
]  # fmt: skip

MOSAIC_EPISODES = [
    [*EPISODE_COLUMNS, "eh_level", "eh_source"],
    ["300001", "200101", "2025-11-03 00:00:00.000", N, "Family support", N, "1201", "4101",
     "3", "Schools"],
    ["300002", "200102", "2025-11-10 00:00:00.000", "2026-02-02 00:00:00.000", "Parenting",
     "Outcomes achieved", "1201", "4101", "2", "Police"],
    ["300003", "200103", "2025-12-01 00:00:00.000", N, "Emotional health", N, "1201", "4102",
     "3", "Health visitor"],
    ["300004", "200104", "2025-12-15 00:00:00.000", "2026-03-09 00:00:00.000", "Neglect",
     "Escalated to Children's Social Care", "1202", "4103", "4", "Family member"],
    # no worker recorded
    ["300005", "200105", "2026-01-07 00:00:00.000", N, "Pre-birth", N, "1202", N, "2",
     "Housing"],
    ["300006", "200106", "2026-01-19 00:00:00.000", N, "School attendance", N, "1301", "4103",
     "1", "Schools"],
    ["300007", "200107", "2025-10-06 00:00:00.000", "2026-01-16 00:00:00.000", "Behaviour",
     "Family declined further support", "1201", "4102", "3", "Police"],
    ["300008", "200108", "2026-02-02 00:00:00.000", N, "Family support", N, "1201", "4101",
     "2", "Schools"],
    ["300009", "200109", "2025-09-08 00:00:00.000", "2025-12-12 00:00:00.000", "Health",
     "Outcomes achieved", "1202", "4103", "3", "GP"],
    ["300010", "200110", "2026-01-26 00:00:00.000", N, "Family support", N, "1201", "4102",
     "2", "Health visitor"],
]  # fmt: skip

MOSAIC_CIN = [
    ["cine_referral_id", "cine_person_id", "cine_referral_date", "cine_cin_primary_need_code",
     "cine_referral_source", "cin_referral_nfa", "cine_close_reason", "cine_referral_team",
     "cine_referral_worker_id"],
    ["600001", "200106", "2026-01-02 00:00:00.000", "N1", "2A", "N", N, "1401", "4201"],
    ["600002", "200104", "2026-03-10 00:00:00.000", "N2", "5D", "N", N, "1401", "4201"],
]  # fmt: skip

#: Social care involvements, with no invo_person_id (the Mosaic SELECT has none).
MOSAIC_INVOLVEMENTS = [
    ["invo_involvements_id", "invo_professional_id", "invo_professional_role_id",
     "invo_professional_team", "invo_referral_id", "invo_involvement_start_date",
     "invo_involvement_end_date", "invo_worker_change_reason"],
    ["500001", "4201", "ALLOC", "1401", "600001", "2026-01-05 00:00:00.000", N, N],
    ["500002", "4201", "ALLOC", "1401", "600002", "2026-03-10 00:00:00.000", N, N],
    # an early help worker's involvement with the social care case: still social care work
    ["500003", "4103", "ALLOC", "1202", "600001", "2026-01-05 00:00:00.000",
     "2026-02-27 00:00:00.000", "Worker no longer involved"],
]  # fmt: skip

MOSAIC_PROFESSIONALS = [
    ["prof_professional_id", "prof_staff_id", "prof_professional_name",
     "prof_social_worker_registration_no", "prof_agency_worker_flag",
     "prof_professional_job_title", "prof_professional_caseload",
     "prof_professional_department", "prof_full_time_equivalency"],
    [N, "4101", N, N, N, N, "2", "Early Help Team North", N],
    [N, "4102", N, N, N, N, "2", "Early Help Team North", N],
    [N, "4103", N, N, N, N, "3", "Early Help Team South", N],
    [N, "4201", N, N, N, N, "2", "Safeguarding Team", N],
]  # fmt: skip

MOSAIC_FILES = {
    "ssd_person.csv": MOSAIC_PERSON,
    "ssd_address.csv": MOSAIC_ADDRESS,
    "ssd_contacts.csv": MOSAIC_CONTACTS,
    "ssd_early_help_episodes.csv": MOSAIC_EPISODES,
    "ssd_cin_episodes.csv": MOSAIC_CIN,
    "ssd_involvements.csv": MOSAIC_INVOLVEMENTS,
    "ssd_professionals.csv": MOSAIC_PROFESSIONALS,
    "district_lookup.csv": DISTRICT_LOOKUP,
}

# ---------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------

_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):\d{2}\.\d{3}$")


def excel_resaved(value: str) -> str:
    """A cell as Excel writes it back on a UK Windows machine: a DATETIME becomes
    dd/mm/yyyy hh:mm (seconds and milliseconds dropped); everything else is kept."""
    match = _DATETIME.match(value)
    if match is None:
        return value
    year, month, day, hour, minute = match.groups()
    return f"{day}/{month}/{year} {hour}:{minute}"


def csv_text(rows: list[list[str]], transform=None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, row in enumerate(rows):
        writer.writerow(row if i == 0 or transform is None else [transform(v) for v in row])
    return out.getvalue()


def _write(folder: Path, files: dict, mapping: str, *, excel: bool, encoding: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        text = csv_text(rows, excel_resaved if excel else None)
        if encoding == "latin-1":
            # Latin-1 has no curly apostrophe: whoever wrote it had a plain one
            text = text.replace("’", "'")
        file_encoding = encoding
        if encoding == "utf-8" and name == "ssd_professionals.csv":
            file_encoding = "utf-8-sig"
        (folder / name).write_bytes(text.encode(file_encoding))
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    return folder


def write_systemc(
    folder: Path,
    *,
    excel: bool = False,
    encoding: str = "utf-8",
    early_help_involvements: bool = False,
) -> Path:
    """The SystemC extract in `folder` with its mapping.yaml. `excel=True`: as re-saved by
    Excel (dd/mm/yyyy hh:mm dates) and written in cp1252 unless another encoding is given;
    `encoding`: utf-8 (ssd_professionals.csv with a byte order mark), cp1252 or latin-1."""
    if excel and encoding == "utf-8":
        encoding = "cp1252"
    files = dict(SYSTEMC_FILES)
    if early_help_involvements:
        files["ssd_early_help_involvements.csv"] = SYSTEMC_EARLY_HELP_INVOLVEMENTS
    return _write(folder, files, SYSTEMC_MAPPING, excel=excel, encoding=encoding)


def write_mosaic(folder: Path, *, mapping: str = MOSAIC_MAPPING) -> Path:
    """The Mosaic extract in `folder` with its mapping.yaml."""
    return _write(folder, MOSAIC_FILES, mapping, excel=False, encoding="utf-8")


def original_text(files: dict, name: str) -> str:
    """The text of one file of an extract as written in UTF-8 (no transform)."""
    return csv_text(files[name])
