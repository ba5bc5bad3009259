"""How SSD's deployments (SystemC and Mosaic) write the tables: codes, texts and each table's
columns, and the names of the companion files."""

from __future__ import annotations

import functools

import pyarrow as pa

from earlyhelp.core.schema import END_REASONS
from earlyhelp.tools.demo.settings import ID_BLOCK

# --- SSD conventions --------------------------------------------------------------------------
# How the Standard Safeguarding Dataset's deployments write the tables (Data to Insight's SystemC
# and Mosaic SQL). The flavour changes only how the same records are written, never the records:
# every draw it needs comes from its own random stream, so both flavours tell the same story.

FLAVOURS = ("systemc", "mosaic")
MAPPING_FILE = "mapping.yaml"
DATETIME_TEXT = "%Y-%m-%d 00:00:00.000"  # SQL Server DATETIME, as SSD exports it
NULL_TEXT = "NULL"  # how SQL Server Management Studio exports a null
PLACEHOLDER_WORKER = "SSD_PH"  # SystemC's earl_episode_worker_id

SEX_TEXT = {
    "systemc": ("M", "F", "U", "I"),
    "mosaic": ("Male", "Female", "Unknown", "Indeterminate"),
}
INDETERMINATE = 3  # index in SEX_TEXT
INDETERMINATE_SHARE = 0.002
EXPECTED_DOB_SHARE = 0.003  # birth date estimated: pers_dob NULL, pers_expected_dob set
ADDRESS_TYPES = {"systemc": ("HOME", "PLACEMENT"), "mosaic": ("Home", "Placement")}
PLACEMENT_SHARE = 0.02  # children with a placement address (elsewhere in the area) as well
PLACEMENT_DAYS = (30, 541)
NO_ADDRESS_START_SHARE = 0.05  # first addresses recorded without a start date

# Contact outcomes: SystemC's flags, in the order its SQL writes them into the JSON.
OUTCOME_FLAGS = (
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
# The flags set for each decision (in DECISIONS order), with their shares. An early help
# decision has no flag of its own: SystemC records it as another outcome, as none, or as no
# further action from social care; what shows it is the early help episode that follows.
EARLY_HELP_FLAGS = ((("OTHER_OUTCOMES_EXIST_FLAG",), 0.60), ((), 0.25), (("NFA_FLAG",), 0.15))
DECISION_FLAGS = (
    EARLY_HELP_FLAGS,
    EARLY_HELP_FLAGS,
    ((("NEW_REFERRAL_FLAG",), 1.0),),
    ((("ADVICE_FLAG",), 1.0),),
    ((("NFA_FLAG",), 1.0),),
)
OUTCOME_COMMENTS = (
    (
        "Referred to Targeted Early Help",
        "Early help assessment agreed with the family",
        "Passed to the district early help team",
    ),
    (
        "Early help to be led by a partner agency",
        "School to lead the early help assessment",
        "Family agreed to a lead professional from health",
    ),
    (
        "Threshold met for a social care assessment",
        "Referred to Children's Social Care",
        "Social care assessment to follow",
    ),
    (
        "Advice given to the referrer",
        "Signposted to universal services",
        "Information shared with the family's GP",
    ),
    ("No further action", "No role for services at this time", "Information only"),
)
# A quote inside COMMENTS makes SystemC's JSON invalid (it is built by concatenation).
QUOTED_COMMENTS = (
    'Mum said "we are not coping" and asked for help',
    'Referrer described the home as "chaotic"',
    'Child said "I don\'t want to go home"',
)
QUOTED_SHARE = 0.0003
# Mosaic's data-warehouse SQL aggregates the names of the next steps instead of flags.
MOSAIC_OUTCOMES = (
    "Targeted Early Help",
    "Early Help - Partner Led",
    "Referral to Children's Social Care",
    "Information and Advice",
    "No Further Action",
)

# SSD has no level of need or early help referral source: councils add local columns.
LOCAL_COLUMNS = {
    "systemc": ("earl_local_level_of_need", "earl_local_referral_source"),
    "mosaic": ("earl_local_threshold", "earl_local_eh_source"),
}
LEVEL_CODES = {
    "systemc": ("L1", "L2", "L3", "L4"),
    "mosaic": ("Universal", "Universal Plus", "Targeted", "Specialist"),
}
LEVEL_LABELS = {1: "Universal", 2: "Universal Plus", 3: "Targeted Early Help"}
LEVEL_LABELS[4] = "Children's Social Care"
# earl_episode_end_reason is a local lookup code (SystemC) or a form answer (Mosaic), in the
# order of schema.END_REASONS, then a reason of the council's own ("other").
END_REASON_CODES = {
    "systemc": ("OUTMET", "STEPUP", "DISENG", "MOVED", "NFA", "OTHER"),
    "mosaic": (
        "Outcomes achieved",
        "Stepped up to social care",
        "Family disengaged",
        "Moved out of area",
        "No further action",
        "Other",
    ),
}
END_REASON_OUTCOMES = ("met", "step-up", "disengaged", "moved away", "no further action", "other")
OTHER_END = len(END_REASONS)
OTHER_END_SHARE = 0.05  # of episodes ending with no further action, a reason of the council's own
# invo_worker_change_reason: SSD's code set, in CHANGE_REASONS order.
CHANGE_REASON_CODES = ("LEFTRL", "MANAGE", "ORGRST", "PCCHAN")
CASE_WORKER_ROLE = "CW"  # allocated case worker: holds the case
TEAM_MANAGER_ROLE = "TM"  # team manager oversight: holds no case
TM_OVERSIGHT_SHARE = 0.15  # of allocated early help episodes
TM_OVERSIGHT_DAYS = (7, 43)
# Social care involvements have their own block of ids within the area's.
SOCIAL_CARE_INVOLVEMENT_IDS = ID_BLOCK // 2
# Organisation codes (SystemC) of the teams in _Teams order and of the partners; Mosaic writes
# organisation ids (a team's is its department id).
TEAM_CODES = ("CHS", "EHS", "CSC", "TEH", "PSTEP", "MASH", "AST1", "AST2", "CINT")
PARTNER_CODE_PREFIXES = ("SCH", "HLT", "EYS")
PARTNER_KINDS = ("school", "health", "early_years")
MOSAIC_PARTNER_IDS = 70_001

_S, _I, _D, _F = pa.string(), pa.int64(), pa.date32(), pa.float64()


def _involvement_columns(worker: pa.DataType) -> list[tuple[str, pa.DataType]]:
    return [
        ("invo_involvements_id", _I),
        ("invo_professional_id", worker),
        ("invo_professional_role_id", _S),
        ("invo_professional_team", _I),
        ("invo_person_id", _I),
        ("invo_involvement_start_date", _D),
        ("invo_involvement_end_date", _D),
        ("invo_worker_change_reason", _S),
        ("invo_referral_id", _I),
    ]


@functools.cache
def ssd_schemas(flavour: str = "systemc") -> dict[str, pa.Schema]:
    """Each table's columns as the flavour's deployment writes them (Parquet keeps the types;
    CSV writes dates as DATETIME text and nulls as NULL)."""
    mosaic = flavour == "mosaic"
    # Mosaic keys workers by prof_staff_id (text); SystemC by prof_professional_id.
    worker = _S if mosaic else _I
    level_column, source_column = LOCAL_COLUMNS[flavour]
    tables: dict[str, list[tuple[str, pa.DataType]]] = {
        "ssd_person": [
            ("pers_person_id", _I),
            ("pers_forename", _S),
            ("pers_surname", _S),
            ("pers_sex", _S),
            ("pers_gender", _S),
            ("pers_ethnicity", _S),
            ("pers_dob", _D),
            ("pers_expected_dob", _D),
        ],
        "ssd_address": [
            ("addr_table_id", _I),
            ("addr_person_id", _I),
            ("addr_address_type", _S),
            ("addr_address_start_date", _D),
            ("addr_address_end_date", _D),
            ("addr_address_postcode", _S),
        ],
        "ssd_contacts": [
            ("cont_contact_id", _I),
            ("cont_person_id", _I),
            ("cont_contact_date", _D),
            ("cont_contact_source_code", _S),
            ("cont_contact_source_desc", _S),
            ("cont_contact_outcome_json", _S),
        ],
        "ssd_early_help_episodes": [
            ("earl_episode_id", _I),
            ("earl_person_id", _I),
            ("earl_episode_start_date", _D),
            ("earl_episode_end_date", _D),
            ("earl_episode_reason", _S),
            ("earl_episode_end_reason", _S),
            ("earl_episode_organisation", _I if mosaic else _S),
            ("earl_episode_worker_id", _S),
            (level_column, _S),
            (source_column, _S),
        ],
    }
    if not mosaic:
        tables["ssd_early_help_involvements"] = _involvement_columns(worker)
    tables["ssd_cin_episodes"] = [
        ("cine_referral_id", _I),
        ("cine_person_id", _I),
        ("cine_referral_date", _D),
        ("cine_cin_primary_need_code", _S),
        # Mosaic's data-warehouse SQL spells two columns its own way and has no description.
        *(
            [("cine_referral_source", _S)]
            if mosaic
            else [("cine_referral_source_code", _S), ("cine_referral_source_desc", _S)]
        ),
        ("cin_referral_nfa" if mosaic else "cine_referral_nfa", _S),
        ("cine_close_reason", _S),
        ("cine_close_date", _D),
        ("cine_referral_team", _I),
        ("cine_referral_worker_id", _S),  # SystemC: the worker's name; Mosaic: the staff id
    ]
    tables["ssd_involvements"] = _involvement_columns(worker)
    tables["ssd_professionals"] = [
        ("prof_professional_id", _I),
        ("prof_staff_id", _S),
        ("prof_professional_name", _S),
        ("prof_agency_worker_flag", _S),
        ("prof_professional_job_title", _S),
        ("prof_professional_caseload", _I),
        ("prof_professional_department", _S),
        ("prof_full_time_equivalency", _F),
    ]
    tables["ssd_department"] = [
        ("dept_team_id", _I),
        ("dept_team_name", _S),
        ("dept_team_parent_id", _I),
        ("dept_team_parent_name", _S),
    ]
    return {name: pa.schema(columns) for name, columns in tables.items()}


SSD_SCHEMAS = ssd_schemas("systemc")

# --- Output -----------------------------------------------------------------------------------

LOOKUP_SCHEMA = pa.schema([("postcode_sector", _S), ("district", _S)])
LOOKUP_FILE = "district_lookup"
POPULATION_FILE = "population"
