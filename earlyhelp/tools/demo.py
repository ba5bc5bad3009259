"""A deterministic synthetic "demo borough": an SSD-layout extract that behaves like real demand.

The product has to run out of the box and its charts have to be worth looking at, so the demo is
not random noise: early help referrals follow the school year (schools are a main referrer), fall
in holidays and at weekends, peak when term starts, and move with the Covid lockdowns as the DfE
Vulnerable Children and Young People Survey recorded (late May 2020 about -16%, schools -76%;
10-23 August 2020 +12%; 25-31 January 2021 -23%, schools -57%). Around the referrals sit the
records a case system holds: contacts and front-door decisions (faster after an integrated front
door in February 2021), children and their addresses (some move district), episodes with
outcomes, step-ups to social care and step-downs from it, workers who join, leave and hand cases
over (fewer transfers after a district model in April 2021), teams and their hierarchy.

Everything comes from numpy's Generator seeded through SeedSequence, one stream per area, so the
same seed gives byte-identical files. The national scale (about 20 million referrals) is built
area by area and streamed to the output so that memory stays bounded.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from earlyhelp.core import calendar
from earlyhelp.core.schema import END_REASONS, SOURCE_CODES, SOURCE_GROUPS

# The extract covers eight financial years; its date is the last day.
FIRST_DAY = np.datetime64("2018-04-01", "D")
EXTRACT_DATE = np.datetime64("2026-03-31", "D")

BOROUGH_REFERRALS_PER_YEAR = 6_000
NATIONAL_REFERRALS = 20_000_000
NATIONAL_AREAS = 150

# Each area owns a block of ids, so ids stay unique when areas are streamed one after another.
ID_BLOCK = 10_000_000

# Oldham's changes (seed 001): the integrated MASH triaged every contact from 1 February 2021;
# the district model started on 1 April 2021.
INTEGRATED_FRONT_DOOR = np.datetime64("2021-02-01", "D")
DISTRICT_MODEL = np.datetime64("2021-04-01", "D")

BOROUGH_DISTRICTS = ("North", "East", "South", "West", "Central")
BOROUGH_DISTRICT_WEIGHTS = (1.0, 1.5, 2.0, 1.3, 2.5)  # biggest is 2.5 x smallest
BOROUGH_SECTORS_PER_DISTRICT = (4, 5, 6, 4, 7)
NATIONAL_SECTORS_PER_DISTRICT = 4

# --- Demand model -----------------------------------------------------------------------------

# Share of each source group in a normal year, per stream of contacts. Early help referrals come
# mostly from schools; contacts that go nowhere and social care referrals lean towards police.
EARLY_HELP_MIX = {
    "Schools": 0.28,
    "Health": 0.18,
    "Police": 0.12,
    "Individuals": 0.10,
    "LA services": 0.14,
    "Other": 0.14,
    "Unknown": 0.04,
}
OTHER_CONTACT_MIX = {
    "Schools": 0.16,
    "Health": 0.15,
    "Police": 0.30,
    "Individuals": 0.14,
    "LA services": 0.10,
    "Other": 0.11,
    "Unknown": 0.04,
}
SOCIAL_CARE_MIX = {
    "Schools": 0.20,
    "Health": 0.15,
    "Police": 0.29,
    "Individuals": 0.08,
    "LA services": 0.12,
    "Other": 0.12,
    "Unknown": 0.04,
}
# Contacts per early help referral: social care referrals and contacts that lead elsewhere
# (information and advice, no further action) together about as many again.
SOCIAL_CARE_CONTACTS_PER_REFERRAL = 0.4
OTHER_CONTACTS_PER_REFERRAL = 0.6

# Weights of the codes within their group. 5D (LA services - early help) is kept for step-ups.
CODE_WEIGHTS = {
    "1A": 0.55,
    "1B": 0.10,
    "1C": 0.20,
    "1D": 0.15,
    "2A": 0.85,
    "2B": 0.15,
    "3A": 0.20,
    "3B": 0.25,
    "3C": 0.15,
    "3D": 0.10,
    "3E": 0.15,
    "3F": 0.15,
    "4": 0.25,
    "5A": 0.25,
    "5B": 0.45,
    "5C": 0.30,
    "5D": 0.0,
    "6": 1.0,
    "7": 0.10,
    "8": 0.50,
    "9": 0.15,
    "10": 1.0,
}
CODES = tuple(SOURCE_CODES)

# Monday..Sunday; a bank holiday counts as a Sunday. Police and hospitals work weekends.
WEEKDAY_FACTORS = {
    "Schools": (1.0, 1.0, 1.0, 1.0, 0.9, 0.03, 0.02),
    "Police": (1.0, 1.0, 1.0, 1.0, 1.0, 0.45, 0.40),
    "Health": (1.0, 1.0, 1.0, 1.0, 0.95, 0.20, 0.15),
}
OFFICE_WEEK = (1.0, 1.0, 1.0, 1.0, 0.9, 0.10, 0.08)

SCHOOL_HOLIDAY_FACTOR = 0.05  # schools hardly refer when closed
OTHER_HOLIDAY_FACTOR = 0.90  # other sources dip a little in school holidays
CHRISTMAS_FACTOR = 0.70  # 24 December to 1 January, every source
# Schools refer more when term starts, most after the summer: 1 + rise * exp(-days / decay).
SEPTEMBER_RISE, SEPTEMBER_DECAY_DAYS = 0.45, 12.0
TERM_START_RISE, TERM_START_DECAY_DAYS = 0.15, 7.0
TREND_PER_YEAR = 0.012  # a gentle rise in demand
TREND_ORIGIN = np.datetime64("2019-04-01", "D")

# Covid: factors on school and other referrals, calibrated against the DfE checkpoints
# (tests/test_demo.py checks them on the generated borough).
COVID_PERIODS = (
    # first day, last day, schools, other sources
    ("2020-03-16", "2020-03-22", 0.80, 0.97),  # schools closing to most pupils from 20 March
    ("2020-03-23", "2020-05-12", 0.20, 0.85),  # first lockdown: the deepest fall
    ("2020-05-13", "2020-05-31", 0.24, 1.04),  # lockdown eases: other referrers catch up
    ("2020-06-01", "2020-07-31", 0.45, 1.00),  # phased reopening of primary schools
    ("2020-08-01", "2020-08-31", 1.00, 1.11),  # summer 2020: hidden harm comes to light
    ("2020-09-01", "2020-11-04", 1.10, 1.04),  # full return to school
    ("2020-11-05", "2020-12-02", 1.00, 0.97),  # second lockdown, schools open
    ("2021-01-05", "2021-03-07", 0.43, 0.91),  # third lockdown, schools closed to most pupils
    ("2021-03-08", "2021-07-18", 1.08, 1.02),  # schools open to all, restrictions easing
)
# Pent-up school referrals on each full return: 1 + amplitude * exp(-days / decay).
RETURN_SURGES = (("2020-09-01", 0.6, 14.0), ("2021-03-08", 0.9, 10.0))

# --- Front door -------------------------------------------------------------------------------

DECISIONS = (
    "Early help - targeted",
    "Early help - partner-led",
    "Social care referral",
    "Information and advice",
    "No further action",
)
TARGETED, PARTNER_LED, SOCIAL_CARE, ADVICE, NO_FURTHER_ACTION = range(len(DECISIONS))
FAST_LAGS = (0, 1, 2)  # working days from contact to decision
FAST_LAG_WEIGHTS = (0.35, 0.40, 0.25)
SLOW_LAGS = tuple(range(3, 11))
FAST_SHARE_2018, FAST_SHARE_BEFORE_MASH, FAST_SHARE_AFTER_MASH = 0.70, 0.78, 0.90

# A child's contact may be about a child already known in the district in the last 3 years.
REPEAT_WINDOW_DAYS = 3 * 365
REPEAT_SHARE = {"early help": 0.22, "social care": 0.35, "other": 0.35}

# --- Episodes ---------------------------------------------------------------------------------

END_REASON_WEIGHTS = (0.55, 0.10, 0.12, 0.05, 0.18)  # in the order of schema.END_REASONS
STEP_UP = END_REASONS.index("Step-up")
# Median length (days) of an episode by how it ended; partner-led episodes are a little shorter.
MEDIAN_DAYS_BY_END = (150.0, 75.0, 60.0, 90.0, 28.0)
PARTNER_LED_LENGTH = 0.85
POSITIVE_STEPS_SHARE = 0.30  # of level 3 episodes, the commissioned provider's

SCHOOLS = (
    "Northfield Primary School",
    "Oakwood Primary School",
    "Hillside Academy",
    "St Anne's CE Primary School",
    "Brookside Infant School",
    "Kingsway High School",
    "Riverside Academy",
    "Holly Grove Primary School",
    "Meadowbank High School",
    "St Joseph's RC Primary School",
    "Greenacres Primary School",
    "Moorside Academy",
)
HEALTH_SETTINGS = (
    "Health Visiting Team",
    "School Nursing Service",
    "Community Paediatrics",
    "Children's Mental Health Service",
    "Millbrook GP Practice",
)
EARLY_YEARS_SETTINGS = (
    "Little Acorns Nursery",
    "Sunnyside Children's Centre",
    "Rainbow Pre-School",
    "Willow Tree Day Nursery",
)

# --- Social care ------------------------------------------------------------------------------

NEED_CODES = tuple(f"N{i}" for i in range(1, 10))
NEED_WEIGHTS = (0.50, 0.08, 0.06, 0.12, 0.10, 0.04, 0.01, 0.04, 0.05)
NFA_SHARE, STEP_UP_NFA_SHARE = 0.10, 0.04
CLOSE_CODES = ("RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9")
CLOSE_WEIGHTS = (0.010, 0.005, 0.020, 0.015, 0.040, 0.010, 0.300, 0.380, 0.220)
RC8, RC9 = CLOSE_CODES.index("RC8"), CLOSE_CODES.index("RC9")
STEP_DOWN_DELAY_DAYS = 14

# --- Workforce --------------------------------------------------------------------------------

CASELOAD_PER_FTE = 16.5  # staffing is sized so the typical caseload is 12-22 per FTE
POST_FTES = (1.0, 0.8, 0.6, 0.5)
POST_FTE_WEIGHTS = (0.65, 0.15, 0.12, 0.08)
AGENCY_SHARE = 0.10
MEAN_TENURE_DAYS = {False: 4 * 365.0, True: 365.0}  # permanent, agency
CHANGES_BEFORE_DISTRICT_MODEL = (0.50, 0.30, 0.15, 0.05)  # P(0..3 worker changes)
CHANGES_AFTER_DISTRICT_MODEL = (0.72, 0.20, 0.06, 0.02)
MAX_INVOLVEMENTS = 4
CHANGE_REASONS = ("Worker left", "Caseload balancing", "Team restructure", "Family request")
WORKER_LEFT, BALANCING, RESTRUCTURE, FAMILY_REQUEST = range(len(CHANGE_REASONS))
RESTRUCTURE_WINDOW = (np.datetime64("2021-03-01", "D"), np.datetime64("2021-04-30", "D"))
JOB_TITLES = (
    "Family Worker",
    "Senior Family Worker",
    "Team Manager",
    "Early Help Partnership Support Officer",
    "Social Worker",
)
FAMILY_WORKER, SENIOR_FAMILY_WORKER, TEAM_MANAGER, PARTNERSHIP_OFFICER, SOCIAL_WORKER = range(5)
INVOLVEMENT_ROLE = "Lead practitioner"

# --- Children ---------------------------------------------------------------------------------

ETHNICITIES = ("WBRI", "WIRI", "MWBC", "AIND", "APKN", "ABAN", "BAFR", "BCRB", "CHNE", "OOTH")
ETHNICITIES += ("NOBT", "REFU")
ETHNICITY_WEIGHTS = (0.60, 0.005, 0.04, 0.02, 0.13, 0.07, 0.03, 0.01, 0.005, 0.03, 0.03, 0.03)
SEXES = ("M", "F", "U")
SEX_WEIGHTS = (0.51, 0.48, 0.01)
# Age at a child's first contact: bands in years and their shares.
AGE_BANDS_YEARS = ((0, 1), (1, 5), (5, 10), (10, 16), (16, 18))
AGE_BAND_WEIGHTS = (0.09, 0.20, 0.30, 0.34, 0.07)
OLDEST_AGE_YEARS = 18.9  # a few children are 18 by a later referral
MOVE_SHARE = 0.10
MOVE_TO_OTHER_DISTRICT = 0.30
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in inward codes

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
# Children (under 18) per early help referral a year; 60,000 children for the borough's 6,000.
CHILDREN_PER_REFERRAL = 10.0
# Districts differ in need: the first has most referrals per child, the last fewest.
DISTRICT_POPULATION_FACTORS = (0.8, 1.1, 0.95, 1.0, 1.2)
# Share of under-18s in each age band (England, ONS mid-2022, rounded).
CHILD_AGE_SHARES = {"Under 1": 0.054, "1-4": 0.222, "5-9": 0.283, "10-15": 0.325, "16-17": 0.116}
POPULATION_YEARS = range(2018, 2026)  # mid-year estimates; the latest lags the extract
POPULATION_GROWTH = 0.004  # a year

_DAY = np.int64  # dates are held as days since 1970-01-01
_OPEN = np.iinfo(np.int64).max // 4  # end day of something still open at the extract date
# Day numbers are below this, so (group, day) pairs sort as one integer: group * _KEY + day.
_KEY = 1_000_000


def write_demo(
    out: Path,
    seed: int = 2021,
    scale: str = "borough",
    fmt: str = "csv",
    flavour: str = "systemc",
    *,
    _areas: int | None = None,
) -> dict[str, int]:
    """Write an SSD extract into `out` (created if missing); return rows per file stem.

    `scale` "borough" is one council of five districts (about 6,000 early help referrals a
    year); "national" is 150 such areas, larger on average (about 20 million referrals in all),
    streamed area by area. `_areas` overrides the number of national areas (for tests).
    `fmt` is "csv" or "parquet"; `district_lookup.csv` and `population.csv` are always CSV.
    `flavour` "systemc" or "mosaic" writes the value conventions of that deployment of SSD;
    `mapping.yaml` beside the tables declares the local columns and codes. Files a previous
    run wrote there (in either format or flavour) are replaced.
    """
    if scale not in ("borough", "national"):
        raise ValueError(f"scale must be 'borough' or 'national', not {scale!r}")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour must be 'systemc' or 'mosaic', not {flavour!r}")
    out.mkdir(parents=True, exist_ok=True)
    _remove_previous_demo(out)
    days = ExtractDays.load()
    if scale == "borough":
        areas: Iterable[_Area] = [_borough()]
    else:
        areas = _national_areas(seed, NATIONAL_AREAS if _areas is None else _areas)
    writer = _ChunkWriter(out, fmt, ssd_schemas(flavour))
    organisations: dict[str, tuple[str, str]] = {}
    try:
        for area in areas:
            writer.write(_generate_area(area, seed, days, flavour))
            organisations.update(_organisation_entries(area, flavour))
    finally:
        writer.close()
    (out / MAPPING_FILE).write_text(mapping_text(flavour, organisations), encoding="utf-8")
    return writer.rows


def _remove_previous_demo(out: Path) -> None:
    """The files an earlier demo run may have left (an SSD folder is read whole, so a table of
    the other flavour or format would be read too)."""
    names = {name for flavour in FLAVOURS for name in ssd_schemas(flavour)}
    for name in names:
        for suffix in (".csv", ".parquet"):
            (out / f"{name}{suffix}").unlink(missing_ok=True)
    for name in (f"{LOOKUP_FILE}.csv", f"{POPULATION_FILE}.csv", MAPPING_FILE):
        (out / name).unlink(missing_ok=True)


# --- Areas ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Area:
    """One council: its districts, their postcode sectors, its size and its block of ids."""

    index: int
    prefix: str  # "" for the borough; "A001" at national scale, in front of every team name
    districts: tuple[str, ...]
    district_weights: tuple[float, ...]
    sectors: tuple[tuple[str, ...], ...]  # postcode sectors of each district
    referrals_per_year: float

    @property
    def id_base(self) -> int:
        return (self.index + 1) * ID_BLOCK

    def name(self, team: str) -> str:
        return f"{self.prefix} {team}" if self.prefix else team


def _borough() -> _Area:
    return _Area(
        index=0,
        prefix="",
        districts=BOROUGH_DISTRICTS,
        district_weights=BOROUGH_DISTRICT_WEIGHTS,
        sectors=_allocate_sectors(BOROUGH_SECTORS_PER_DISTRICT, _postcode_sectors()),
        referrals_per_year=BOROUGH_REFERRALS_PER_YEAR,
    )


def _national_areas(seed: int, count: int) -> Iterator[_Area]:
    """Areas of varied size (about 20 million referrals in all) with unequal districts.

    With fewer areas than NATIONAL_AREAS (tests) each area keeps the national average size.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    sizes = rng.lognormal(0.0, 0.45, count)
    years = (EXTRACT_DATE - FIRST_DAY).astype(int) / 365.25
    volumes = NATIONAL_REFERRALS / years * sizes / sizes.sum() * count / NATIONAL_AREAS
    weights = rng.uniform(1.0, 2.5, (count, len(BOROUGH_DISTRICTS)))
    sectors = _postcode_sectors()
    per_district = (NATIONAL_SECTORS_PER_DISTRICT,) * len(BOROUGH_DISTRICTS)
    for i in range(count):
        prefix = f"A{i + 1:03d}"
        yield _Area(
            index=i,
            prefix=prefix,
            districts=tuple(f"{prefix} {d}" for d in BOROUGH_DISTRICTS),
            district_weights=tuple(float(w) for w in weights[i]),
            sectors=_allocate_sectors(per_district, sectors),
            referrals_per_year=float(volumes[i]),
        )


def _postcode_sectors() -> Iterator[str]:
    """Fictional postcode sectors in the real format: "ZZ3 4", then ZY, ZX, ... (never ZE)."""
    for second in "ZYXWVUTSRQPONMLKJIHGFDCBA":
        outward_area = "Z" + second
        districts = [str(n) for n in range(1, 100)]
        districts += [f"{n}{letter}" for n in range(1, 10) for letter in "ABCDEFGHJKLMNPRSTUWXY"]
        for district in districts:
            for digit in range(10):
                yield f"{outward_area}{district} {digit}"


def _allocate_sectors(counts: Sequence[int], sectors: Iterator[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(next(sectors) for _ in range(n)) for n in counts)


# --- Days and the demand model ----------------------------------------------------------------


@dataclass(frozen=True)
class ExtractDays:
    """The extract's days and what the demand model needs to know about each of them."""

    day: np.ndarray  # days since 1970-01-01
    weekday: np.ndarray  # 0 Monday .. 6 Sunday
    bank_holiday: np.ndarray
    christmas: np.ndarray  # 24 December to 1 January
    school_holiday: np.ndarray
    days_into_term: np.ndarray  # days since the teaching block began
    first_block_of_year: np.ndarray  # the block starting the academic year (September)
    bank_holidays: np.ndarray  # datetime64[D], for working-day arithmetic

    @classmethod
    def load(cls) -> ExtractDays:
        dates = np.arange(FIRST_DAY, EXTRACT_DATE + 1)
        day = dates.astype(_DAY)
        terms = calendar.load_term_dates()
        holiday = calendar.school_holiday_flags(pl.Series("date", dates), terms).to_numpy()
        starts = terms["start_date"].cast(pl.Int32).to_numpy().astype(_DAY)
        block = np.searchsorted(starts, day, side="right") - 1
        start_months = terms["start_date"].dt.month().to_numpy()
        years = dates.astype("datetime64[Y]").astype(int) + 1970
        bank = np.array(
            calendar.bank_holidays(int(years[0]), int(years[-1]) + 1), dtype="datetime64[D]"
        )
        month = dates.astype("datetime64[M]")
        day_of_month = (dates - month).astype(int) + 1
        month_of_year = month.astype(int) % 12 + 1
        return cls(
            day=day,
            weekday=(day + 3) % 7,  # 1970-01-01 was a Thursday
            bank_holiday=np.isin(dates, bank),
            christmas=((month_of_year == 12) & (day_of_month >= 24))
            | ((month_of_year == 1) & (day_of_month == 1)),
            school_holiday=holiday,
            days_into_term=day - starts[block],
            first_block_of_year=np.isin(start_months[block], (8, 9)),
            bank_holidays=bank,
        )


def _day(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(_DAY))


def _covid_factors(day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Multipliers on school referrals and on other sources, from the Covid periods and surges."""
    schools = np.ones(len(day))
    others = np.ones(len(day))
    for first, last, school_factor, other_factor in COVID_PERIODS:
        during = (day >= _day(first)) & (day <= _day(last))
        schools[during] = school_factor
        others[during] = other_factor
    for first, amplitude, decay in RETURN_SURGES:
        since = day - _day(first)
        schools *= np.where(since >= 0, 1.0 + amplitude * np.exp(-np.maximum(since, 0) / decay), 1)
    return schools, others


def expected_daily_referrals(
    days: ExtractDays, mix: dict[str, float], per_year: float
) -> np.ndarray:
    """Expected contacts per day for each source group (rows in SOURCE_GROUPS order).

    Each group's pattern (weekday x school year x Covid x trend) is scaled so that in the two
    years before Covid it gives `mix[group] * per_year` a year.
    """
    weekday = np.where(days.bank_holiday, 6, days.weekday)
    school_covid, other_covid = _covid_factors(days.day)
    trend = (1.0 + TREND_PER_YEAR) ** ((days.day - TREND_ORIGIN.astype(_DAY)) / 365.25)
    september = days.first_block_of_year
    rise = np.where(september, SEPTEMBER_RISE, TERM_START_RISE)
    decay = np.where(september, SEPTEMBER_DECAY_DAYS, TERM_START_DECAY_DAYS)
    term_start = 1.0 + rise * np.exp(-days.days_into_term / decay)
    baseline_days = days.day < _day("2020-04-01")
    years = baseline_days.sum() / 365.25
    rates = np.zeros((len(SOURCE_GROUPS), len(days.day)))
    for g, group in enumerate(SOURCE_GROUPS):
        week = np.array(WEEKDAY_FACTORS.get(group, OFFICE_WEEK))[weekday]
        if group == "Schools":
            season = np.where(days.school_holiday, SCHOOL_HOLIDAY_FACTOR, term_start)
            covid = school_covid
        else:
            season = np.where(days.school_holiday, OTHER_HOLIDAY_FACTOR, 1.0)
            covid = other_covid
        season = season * np.where(days.christmas, CHRISTMAS_FACTOR, 1.0)
        pattern = week * season * trend
        scale = mix[group] * per_year * years / pattern[baseline_days].sum()
        rates[g] = scale * pattern * covid
    return rates


def _code_table() -> tuple[np.ndarray, np.ndarray]:
    """For each source group: cumulative weights of its codes, and the codes' indices."""
    width = max(sum(1 for c in CODES if SOURCE_CODES[c][1] == g) for g in SOURCE_GROUPS)
    cumulative = np.ones((len(SOURCE_GROUPS), width))
    codes = np.zeros((len(SOURCE_GROUPS), width), dtype=np.int64)
    for g, group in enumerate(SOURCE_GROUPS):
        members = [i for i, c in enumerate(CODES) if SOURCE_CODES[c][1] == group]
        weights = np.array([CODE_WEIGHTS[CODES[i]] for i in members])
        cumulative[g, : len(members)] = np.cumsum(weights / weights.sum())
        codes[g, : len(members)] = members
        codes[g, len(members) :] = members[-1]
    return cumulative, codes


def _sample_stream(
    rng: np.random.Generator, area: _Area, rates: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson counts per district, source group and day; returns (day index, district, code)."""
    weights = np.array(area.district_weights) / sum(area.district_weights)
    counts = rng.poisson(weights[:, None, None] * rates[None, :, :])
    cells = np.repeat(np.arange(counts.size), counts.ravel())
    district, group, day_index = np.unravel_index(cells, counts.shape)
    cumulative, codes = _code_table()
    position = (rng.random(len(cells))[:, None] >= cumulative[group]).sum(axis=1)
    position = np.minimum(position, cumulative.shape[1] - 1)
    return day_index, district, codes[group, position]


# --- Contacts and the front door --------------------------------------------------------------


@dataclass
class _Contacts:
    day: np.ndarray
    district: np.ndarray
    code: np.ndarray
    decision: np.ndarray
    decision_day: np.ndarray
    level: np.ndarray  # level of need of an early help referral, 0 for other contacts
    child: np.ndarray


def _sample_contacts(rng: np.random.Generator, area: _Area, days: ExtractDays) -> _Contacts:
    """All contacts into the front door, with their decisions, ordered by contact date."""
    streams = (
        ("early help", EARLY_HELP_MIX, 1.0),
        ("social care", SOCIAL_CARE_MIX, SOCIAL_CARE_CONTACTS_PER_REFERRAL),
        ("other", OTHER_CONTACT_MIX, OTHER_CONTACTS_PER_REFERRAL),
    )
    parts = []
    for stream, (name, mix, share) in enumerate(streams):
        rates = expected_daily_referrals(days, mix, area.referrals_per_year * share)
        day_index, district, code = _sample_stream(rng, area, rates)
        repeat = np.full(len(code), REPEAT_SHARE[name])
        parts.append((np.full(len(code), stream), days.day[day_index], district, code, repeat))
    columns = [np.concatenate(column) for column in zip(*parts, strict=True)]
    order = np.lexsort(tuple(reversed(columns[:4])))  # by day, stream, district, code
    stream, day, district, code, repeat = (column[order] for column in columns)

    level = np.where(stream == 0, _levels_of_need(rng, day, code), 0)
    decision = np.select(
        [stream == 0, stream == 1],
        [np.where(level <= 2, PARTNER_LED, TARGETED), SOCIAL_CARE],
        np.where(rng.random(len(day)) < 0.5, ADVICE, NO_FURTHER_ACTION),
    )
    decision_day = _decision_days(rng, day, days.bank_holidays)
    child = _assign_children(rng, day, district, repeat)
    # A contact still awaiting its decision at the extract date is left out.
    kept = decision_day <= EXTRACT_DATE.astype(_DAY)
    return _Contacts(
        day=day[kept],
        district=district[kept],
        code=code[kept],
        decision=decision[kept],
        decision_day=decision_day[kept],
        level=level[kept],
        child=child[kept],
    )


def _levels_of_need(rng: np.random.Generator, day: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Mostly 2 (partner-led) and 3 (targeted), a few 1 and very few 4.

    Schools and health lead more early help themselves, and partner-led work grows once the
    district model makes early help "everybody's business".
    """
    group = np.array([SOURCE_GROUPS.index(SOURCE_CODES[c][1]) for c in CODES])[code]
    partner = np.where(day >= DISTRICT_MODEL.astype(_DAY), 0.44, 0.36)
    partner += np.select(
        [group == SOURCE_GROUPS.index("Schools"), group == SOURCE_GROUPS.index("Health")],
        [0.12, 0.05],
        np.where(group == SOURCE_GROUPS.index("Police"), -0.10, 0.0),
    )
    u = rng.random(len(day))
    return np.select([u < 0.04, u < 0.04 + partner, u > 0.97], [1, 2, 4], 3)


def fast_decision_share(day: np.ndarray) -> np.ndarray:
    """Share of contacts decided within 2 working days: ~70% in 2018, ~90% after the MASH."""
    first, mash = FIRST_DAY.astype(_DAY), INTEGRATED_FRONT_DOOR.astype(_DAY)
    before = FAST_SHARE_2018 + (FAST_SHARE_BEFORE_MASH - FAST_SHARE_2018) * (day - first) / (
        mash - first
    )
    return np.where(day >= mash, FAST_SHARE_AFTER_MASH, before)


def slow_lag_weights() -> np.ndarray:
    """Probabilities of 3..10 working days, given a decision slower than 2 working days."""
    weights = 0.75 ** np.arange(len(SLOW_LAGS))
    return weights / weights.sum()


def _decision_days(rng: np.random.Generator, day: np.ndarray, bank: np.ndarray) -> np.ndarray:
    """Decision 0..10 working days after the contact (bank holidays are not working days)."""
    lag = np.where(
        rng.random(len(day)) < fast_decision_share(day),
        rng.choice(FAST_LAGS, len(day), p=FAST_LAG_WEIGHTS),
        rng.choice(SLOW_LAGS, len(day), p=slow_lag_weights()),
    )
    decided = np.busday_offset(day.astype("datetime64[D]"), lag, roll="forward", holidays=bank)
    return decided.astype(_DAY)


def _assign_children(
    rng: np.random.Generator, day: np.ndarray, district: np.ndarray, repeat_share: np.ndarray
) -> np.ndarray:
    """Label each contact with a child: some are about a child seen in the district recently.

    A repeat picks a random earlier contact (same district, last three years); following the
    picks back to a first contact gives the child, whose label is that contact's index.
    """
    n = len(day)
    order = np.lexsort((day, district))
    key = district[order] * _KEY + day[order]
    earliest = np.searchsorted(key, key - REPEAT_WINDOW_DAYS, side="left")
    before = np.searchsorted(key, key, side="left")  # contacts on earlier days only
    repeat = (rng.random(n) < repeat_share[order]) & (before > earliest)
    pick = earliest + (rng.random(n) * (before - earliest)).astype(np.int64)
    parent = np.where(repeat, pick, np.arange(n))
    while not np.array_equal(parent[parent], parent):
        parent = parent[parent]
    child = np.empty(n, dtype=np.int64)
    child[order] = order[parent]
    return child


# --- Episodes and social care -----------------------------------------------------------------


def _episode_ends(
    rng: np.random.Generator, start: np.ndarray, level: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(end reason index, end day); episodes still open at the extract date get -1 and _OPEN."""
    reason = rng.choice(len(END_REASONS), len(start), p=END_REASON_WEIGHTS)
    median = np.array(MEDIAN_DAYS_BY_END)[reason] * np.where(level <= 2, PARTNER_LED_LENGTH, 1.0)
    length = np.clip(np.rint(median * rng.lognormal(0.0, 0.5, len(start))), 3, 730)
    end = start + length.astype(_DAY)
    still_open = end > EXTRACT_DATE.astype(_DAY)
    return np.where(still_open, -1, reason), np.where(still_open, _OPEN, end)


@dataclass
class _Referrals:
    """Referrals to children's social care."""

    child: np.ndarray
    day: np.ndarray
    district: np.ndarray
    code: np.ndarray
    need: np.ndarray
    nfa: np.ndarray
    close_reason: np.ndarray  # -1 while open
    close_day: np.ndarray  # _OPEN while open

    @classmethod
    def concat(cls, parts: Sequence[_Referrals]) -> _Referrals:
        fields = cls.__dataclass_fields__
        return cls(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields})


def _social_care(
    rng: np.random.Generator,
    child: np.ndarray,
    day: np.ndarray,
    district: np.ndarray,
    code: np.ndarray,
    *,
    from_early_help: bool,
    may_step_down: bool,
) -> _Referrals:
    """Referrals with their need, NFA and closure; assessments close within weeks, plans later."""
    n = len(day)
    need = rng.choice(len(NEED_CODES), n, p=NEED_WEIGHTS)
    nfa = rng.random(n) < (STEP_UP_NFA_SHARE if from_early_help else NFA_SHARE)
    weights = np.array(CLOSE_WEIGHTS)
    if not may_step_down:
        weights[RC8] += weights[RC9]
        weights[RC9] = 0.0
    reason = np.where(nfa, RC8, rng.choice(len(CLOSE_CODES), n, p=weights))
    assessed_only = (reason == RC8) | (reason == RC9)
    length = np.select(
        [nfa, assessed_only],
        [rng.integers(0, 3, n), rng.integers(10, 66, n)],
        np.clip(np.rint(240 * rng.lognormal(0.0, 0.6, n)), 30, 1500).astype(np.int64),
    )
    close = day + length
    still_open = close > EXTRACT_DATE.astype(_DAY)
    return _Referrals(
        child=child,
        day=day,
        district=district,
        code=code,
        need=need,
        nfa=nfa,
        close_reason=np.where(still_open, -1, reason),
        close_day=np.where(still_open, _OPEN, close),
    )


@dataclass
class _Episodes:
    """Early help episodes."""

    child: np.ndarray
    start: np.ndarray
    end: np.ndarray  # _OPEN while open
    end_reason: np.ndarray  # -1 while open
    step_down: np.ndarray
    level: np.ndarray
    code: np.ndarray
    district: np.ndarray

    def select(self, mask: np.ndarray) -> _Episodes:
        return _Episodes(**{f: getattr(self, f)[mask] for f in self.__dataclass_fields__})

    @classmethod
    def concat(cls, parts: Sequence[_Episodes]) -> _Episodes:
        fields = cls.__dataclass_fields__
        return cls(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields})


def _overlaps(child: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, ...]:
    """For each episode: does it overlap an earlier-starting one, or a later one, of its child?"""
    order = np.lexsort((end, start, child))
    c, s, e = child[order], start[order], end[order]
    same = c[1:] == c[:-1]
    # The latest end so far, keyed by child so that it never carries over to the next child.
    reach = np.maximum.accumulate(c * _KEY + np.minimum(e, _KEY - 1))
    overlaps_earlier = np.r_[False, same & (c[1:] * _KEY + s[1:] <= reach[:-1])]
    overlaps_later = np.r_[same & (s[1:] <= e[:-1]), False]
    earlier = np.empty_like(overlaps_earlier)
    later = np.empty_like(overlaps_later)
    earlier[order] = overlaps_earlier
    later[order] = overlaps_later
    return earlier, later


@dataclass
class _Casework:
    contacts: _Contacts
    episodes: _Episodes
    referrals: _Referrals


def _casework(rng: np.random.Generator, area: _Area, days: ExtractDays) -> _Casework:
    """Contacts, the early help episodes they start, step-ups, social care and step-downs."""
    contacts = _sample_contacts(rng, area, days)
    to_early_help = (contacts.decision == TARGETED) | (contacts.decision == PARTNER_LED)
    start = contacts.decision_day[to_early_help]
    level = contacts.level[to_early_help]
    end_reason, end = _episode_ends(rng, start, level)
    referred = _Episodes(
        child=contacts.child[to_early_help],
        start=start,
        end=end,
        end_reason=end_reason,
        step_down=np.zeros(len(start), dtype=bool),
        level=level,
        code=contacts.code[to_early_help],
        district=contacts.district[to_early_help],
    )
    # A child holds one episode at a time: a referral that would overlap is another child's.
    earlier, _ = _overlaps(referred.child, referred.start, referred.end)
    fresh = contacts.child.max() + 1 + np.arange(earlier.sum())
    referred.child[earlier] = fresh
    contacts.child[np.flatnonzero(to_early_help)[earlier]] = fresh

    to_social_care = contacts.decision == SOCIAL_CARE
    from_contacts = _social_care(
        rng,
        contacts.child[to_social_care],
        contacts.decision_day[to_social_care],
        contacts.district[to_social_care],
        contacts.code[to_social_care],
        from_early_help=False,
        may_step_down=True,
    )
    step_ups = _step_ups(rng, referred, may_step_down=True)
    referrals = _Referrals.concat([from_contacts, step_ups])

    step_downs, referrals = _step_downs(rng, referrals, referred)
    later_step_ups = _step_ups(rng, step_downs, may_step_down=False)
    episodes = _Episodes.concat([referred, step_downs])
    return _Casework(contacts, episodes, _Referrals.concat([referrals, later_step_ups]))


def _step_ups(rng: np.random.Generator, episodes: _Episodes, *, may_step_down: bool) -> _Referrals:
    """Each episode ending "Step-up" is a social care referral (source 5D) on its end date."""
    up = episodes.end_reason == STEP_UP
    return _social_care(
        rng,
        episodes.child[up],
        episodes.end[up],
        episodes.district[up],
        np.full(up.sum(), CODES.index("5D")),
        from_early_help=True,
        may_step_down=may_step_down,
    )


def _step_downs(
    rng: np.random.Generator, referrals: _Referrals, referred: _Episodes
) -> tuple[_Episodes, _Referrals]:
    """Cases closed "RC9" start an early help episode within 14 days.

    Where that episode would overlap another early help episode of the child, the closure
    becomes RC8 (no further action) instead, so every RC9 closure has its step-down episode.
    """
    rc9 = referrals.close_reason == RC9
    n = int(rc9.sum())
    start = np.minimum(
        referrals.close_day[rc9] + rng.integers(0, STEP_DOWN_DELAY_DAYS + 1, n),
        EXTRACT_DATE.astype(_DAY),
    )
    u = rng.random(n)
    level = np.select([u < 0.05, u < 0.90], [2, 3], 4)
    end_reason, end = _episode_ends(rng, start, level)
    step_downs = _Episodes(
        child=referrals.child[rc9],
        start=start,
        end=end,
        end_reason=end_reason,
        step_down=np.ones(n, dtype=bool),
        level=level,
        code=np.full(n, CODES.index("5A")),
        district=referrals.district[rc9],
    )
    both = _Episodes.concat([referred, step_downs])
    earlier, later = _overlaps(both.child, both.start, both.end)
    clash = (earlier | later)[len(referred.start) :]
    referrals.close_reason[np.flatnonzero(rc9)[clash]] = RC8
    return step_downs.select(~clash), referrals


# --- Children and addresses -------------------------------------------------------------------


@dataclass
class _Children:
    """Children in order of first appearance (their rank orders the person ids)."""

    label: np.ndarray  # child labels, sorted, for lookups
    rank_of_label: np.ndarray  # each sorted label's rank
    dob: np.ndarray  # by rank
    sex: np.ndarray
    ethnicity: np.ndarray
    address_rank: np.ndarray  # address rows, sorted by child rank then start
    address_district: np.ndarray
    address_sector: np.ndarray  # index into the area's sectors, flattened over districts
    address_start: np.ndarray
    address_end: np.ndarray  # _OPEN for the current address
    address_letters: np.ndarray  # two inward-code letters per address

    def rank(self, child: np.ndarray) -> np.ndarray:
        return self.rank_of_label[np.searchsorted(self.label, child)]

    def district_on(self, child: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The district of the address each child lived at on that day."""
        key = self.address_rank * _KEY + self.address_start
        row = np.searchsorted(key, self.rank(child) * _KEY + day, side="right") - 1
        return self.address_district[row]


def _children(rng: np.random.Generator, area: _Area, work: _Casework) -> _Children:
    """Each child's date of birth, sex, ethnicity and addresses (a tenth move once)."""
    child = np.concatenate([work.contacts.child, work.episodes.child, work.referrals.child])
    day = np.concatenate([work.contacts.day, work.episodes.start, work.referrals.day])
    district = np.concatenate(
        [work.contacts.district, work.episodes.district, work.referrals.district]
    )
    order = np.lexsort((child, day))
    label, first_at = np.unique(child[order], return_index=True)
    first_day = day[order][first_at]
    first_district = district[order][first_at]
    last_day = np.full(len(label), -1, dtype=_DAY)
    np.maximum.at(last_day, np.searchsorted(label, child), day)
    appearance = np.lexsort((label, first_day))
    rank_of_label = np.empty(len(label), dtype=np.int64)
    rank_of_label[appearance] = np.arange(len(label))
    first_day, last_day, first_district = (
        a[appearance] for a in (first_day, last_day, first_district)
    )
    n = len(label)

    # Age at first contact by band; a child seen over several years stays under 19.
    band = rng.choice(len(AGE_BANDS_YEARS), n, p=AGE_BAND_WEIGHTS)
    low, high = np.array(AGE_BANDS_YEARS, dtype=np.float64)[band].T
    age_years = low + rng.random(n) * (high - low)
    oldest_first = OLDEST_AGE_YEARS - (last_day - first_day) / 365.25
    age_days = np.rint(np.clip(np.minimum(age_years, oldest_first), 0, None) * 365.25)
    dob = first_day - age_days.astype(_DAY)

    # The first address predates the first contact; a tenth of children move once, around
    # the time they are known, some of them to another district.
    extract = EXTRACT_DATE.astype(_DAY)
    start = np.maximum(dob, first_day - rng.integers(0, 1500, n))
    latest = np.minimum(last_day + 540, extract)
    move_day = first_day - 180 + (rng.random(n) * (latest - first_day + 181)).astype(_DAY)
    move_day = np.clip(move_day, start + 30, extract)
    moves = (rng.random(n) < MOVE_SHARE) & (move_day > start)
    weights = np.array(area.district_weights) / sum(area.district_weights)
    elsewhere = rng.random(n) < MOVE_TO_OTHER_DISTRICT
    target = rng.choice(len(weights), n, p=weights)
    new_district = np.where(elsewhere, target, first_district)

    rank = np.arange(n)
    address_rank = np.concatenate([rank, rank[moves]])
    address_district = np.concatenate([first_district, new_district[moves]])
    address_start = np.concatenate([start, move_day[moves]])
    address_end = np.concatenate(
        [np.where(moves, move_day - 1, _OPEN), np.full(moves.sum(), _OPEN)]
    )
    rows = np.lexsort((address_start, address_rank))
    address_rank, address_district, address_start, address_end = (
        a[rows] for a in (address_rank, address_district, address_start, address_end)
    )
    sectors = np.array([len(s) for s in area.sectors])
    first_sector = np.r_[0, np.cumsum(sectors)[:-1]]
    within = (rng.random(len(address_rank)) * sectors[address_district]).astype(np.int64)
    return _Children(
        label=label,
        rank_of_label=rank_of_label,
        dob=dob,
        sex=rng.choice(len(SEXES), n, p=SEX_WEIGHTS),
        ethnicity=rng.choice(len(ETHNICITIES), n, p=ETHNICITY_WEIGHTS),
        address_rank=address_rank,
        address_district=address_district,
        address_sector=first_sector[address_district] + within,
        address_start=address_start,
        address_end=address_end,
        address_letters=rng.integers(0, len(INWARD_LETTERS), (len(address_rank), 2)),
    )


# --- Teams and workforce ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Teams:
    """The area's teams: names and parents, and which teams hold which cases."""

    names: tuple[str, ...]
    parents: tuple[int, ...]  # -1 at the top
    district_teams: tuple[int, ...]  # one per district, in district order
    provider: int  # the commissioned provider (Positive Steps)
    front_door: int  # MASH
    social_care: tuple[int, ...]  # teams that take social care referrals after the MASH

    @classmethod
    def of(cls, area: _Area) -> _Teams:
        names = [area.name("Children's Services"), area.name("Early Help Service")]
        names += [area.name("Children's Social Care")]
        parents = [-1, 0, 0]
        district_teams = tuple(range(len(names), len(names) + len(area.districts)))
        names += [f"Targeted Early Help - {d}" for d in area.districts]
        parents += [1] * len(area.districts)
        provider = len(names)
        names.append(area.name("Positive Steps"))
        parents.append(1)
        front_door = len(names)
        social = ("MASH", "Assessment Team 1", "Assessment Team 2", "Children in Need Team")
        names += [area.name(t) for t in social]
        parents += [2] * len(social)
        return cls(
            names=tuple(names),
            parents=tuple(parents),
            district_teams=district_teams,
            provider=provider,
            front_door=front_door,
            social_care=tuple(range(front_door + 1, len(names))),
        )


@dataclass
class _Workforce:
    """Posts in teams, and the people who held each post one after another.

    Cases are allocated to posts; whoever holds the post on the day holds the case, and when
    they leave their cases pass to the next holder ("Worker left").
    """

    post_team: np.ndarray
    post_fte: np.ndarray
    post_title: np.ndarray
    post_allocated: np.ndarray  # case-holding posts
    holder_post: np.ndarray  # holders sorted by post, then start
    holder_start: np.ndarray
    holder_agency: np.ndarray
    holder_id: np.ndarray

    def holder(self, post: np.ndarray, day: np.ndarray) -> np.ndarray:
        key = self.holder_post * _KEY + self.holder_start
        return np.searchsorted(key, post * _KEY + day, side="right") - 1

    def team_posts(self, team: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(case-holding posts, where each team's run of them starts, how many it has).

        Posts are numbered team by team in team order, so a team's posts are one run.
        """
        posts = np.flatnonzero(self.post_allocated)
        first = np.searchsorted(self.post_team[posts], team, side="left")
        count = np.searchsorted(self.post_team[posts], team, side="right") - first
        return posts, first, count

    def pick_post(self, rng: np.random.Generator, team: np.ndarray) -> np.ndarray:
        """A case-holding post in each team, in proportion to the posts' hours."""
        posts = np.flatnonzero(self.post_allocated)
        owner = self.post_team[posts]
        hours = self.post_fte[posts]
        # Team t's posts split (t, t + 1] by their share of its hours; t + u lands on one.
        total = np.cumsum(hours)
        first_of_team = np.r_[True, owner[1:] != owner[:-1]]
        last_of_team = np.r_[owner[1:] != owner[:-1], True]
        before_team = np.maximum.accumulate(np.where(first_of_team, total - hours, 0.0))
        team_hours = np.bincount(owner, weights=hours)
        bounds = np.where(
            last_of_team, owner + 1.0, owner + (total - before_team) / team_hours[owner]
        )
        return posts[np.searchsorted(bounds, team + rng.random(len(team)), side="right")]


def _open_cases(team: np.ndarray, start: np.ndarray, end: np.ndarray, n_teams: int) -> np.ndarray:
    """Average cases open per team on the first of each month over the last two years."""
    last_month = EXTRACT_DATE.astype("datetime64[M]")
    months = np.arange(last_month - 23, last_month + 1).astype("datetime64[D]")
    total = np.zeros(n_teams)
    for day in months.astype(_DAY):
        total += np.bincount(team[(start <= day) & (end > day)], minlength=n_teams)
    return total / len(months)


def _workforce(
    rng: np.random.Generator, area: _Area, teams: _Teams, demand: np.ndarray
) -> _Workforce:
    """Enough posts for about CASELOAD_PER_FTE open cases per FTE, plus managers and officers."""
    post_team: list[int] = []
    post_fte: list[float] = []
    post_title: list[int] = []
    post_allocated: list[bool] = []

    def add(team: int, title: int, fte: float, allocated: bool) -> None:
        post_team.append(team)
        post_fte.append(fte)
        post_title.append(title)
        post_allocated.append(allocated)

    # In team order, so that each team's posts are one run of post numbers.
    case_holding = (*teams.district_teams, teams.provider, teams.front_door, *teams.social_care)
    for team in sorted(case_holding):
        social = team == teams.front_door or team in teams.social_care
        add(team, TEAM_MANAGER, 1.0, False)
        if team in teams.district_teams:
            add(team, PARTNERSHIP_OFFICER, 1.0, False)
            add(team, PARTNERSHIP_OFFICER, 1.0, False)
        needed = max(demand[team] / CASELOAD_PER_FTE, 2.5)
        hours = 0.0
        while hours < needed:
            fte = float(rng.choice(POST_FTES, p=POST_FTE_WEIGHTS))
            if social:
                title = SOCIAL_WORKER
            else:
                title = SENIOR_FAMILY_WORKER if rng.random() < 0.2 else FAMILY_WORKER
            add(team, title, fte, True)
            hours += fte

    first, extract = FIRST_DAY.astype(_DAY), EXTRACT_DATE.astype(_DAY)
    holder_post: list[int] = []
    holder_start: list[int] = []
    holder_agency: list[bool] = []
    # Each post is held from before the extract begins, by one person after another.
    for post in range(len(post_team)):
        day = int(first - rng.integers(0, 4 * 365))
        while day <= extract:
            agency = bool(rng.random() < AGENCY_SHARE)
            tenure = max(60, int(rng.exponential(MEAN_TENURE_DAYS[agency])))
            if day + tenure > first:  # someone who left before the extract never appears
                holder_post.append(post)
                holder_start.append(day)
                holder_agency.append(agency)
            day += tenure
    holder_post_a = np.array(holder_post, dtype=np.int64)
    holder_start_a = np.array(holder_start, dtype=_DAY)
    id_order = np.lexsort((holder_post_a, holder_start_a))
    holder_id = np.empty(len(id_order), dtype=np.int64)
    holder_id[id_order] = area.id_base + 1 + np.arange(len(id_order))
    return _Workforce(
        post_team=np.array(post_team),
        post_fte=np.array(post_fte),
        post_title=np.array(post_title),
        post_allocated=np.array(post_allocated),
        holder_post=holder_post_a,
        holder_start=holder_start_a,
        holder_agency=np.array(holder_agency),
        holder_id=holder_id,
    )


@dataclass
class _Involvements:
    episode: np.ndarray  # index into the episodes
    holder: np.ndarray  # index into the workforce's holders
    start: np.ndarray
    end: np.ndarray  # _OPEN for the current worker of an open episode
    reason: np.ndarray  # -1 for the first worker


def _allocate(
    rng: np.random.Generator,
    episodes: _Episodes,
    team: np.ndarray,
    allocated_on: np.ndarray,
    staff: _Workforce,
) -> _Involvements:
    """Workers for allocated episodes: a first worker, 0-3 changes, the last to the end.

    Changes are rarer once the district model starts (April 2021); a worker leaving hands
    their cases to their successor in post.
    """
    extract = EXTRACT_DATE.astype(_DAY)
    episode = np.flatnonzero(allocated_on >= 0)
    alloc = allocated_on[episode]
    last_day = np.minimum(episodes.end[episode], extract)
    span = last_day - alloc
    after = alloc >= DISTRICT_MODEL.astype(_DAY)
    changes = np.where(
        after,
        rng.choice(4, len(episode), p=CHANGES_AFTER_DISTRICT_MODEL),
        rng.choice(4, len(episode), p=CHANGES_BEFORE_DISTRICT_MODEL),
    )
    changes = np.where(span < 21, 0, changes)

    # Segments between changes: offsets from allocation, sorted, duplicates dropped.
    segment_episode = np.repeat(np.arange(len(episode)), changes + 1)
    first_of_episode = np.r_[True, segment_episode[1:] != segment_episode[:-1]]
    offset = np.where(
        first_of_episode,
        0,
        1 + (rng.random(len(segment_episode)) * (span[segment_episode] - 1)).astype(_DAY),
    )
    order = np.lexsort((offset, segment_episode))
    segment_episode, offset = segment_episode[order], offset[order]
    distinct = np.r_[
        True, (segment_episode[1:] != segment_episode[:-1]) | (offset[1:] != offset[:-1])
    ]
    segment_episode, offset = segment_episode[distinct], offset[distinct]
    first_of_episode = np.r_[True, segment_episode[1:] != segment_episode[:-1]]
    last_of_episode = np.r_[segment_episode[1:] != segment_episode[:-1], True]
    seg_start = alloc[segment_episode] + offset
    seg_end = np.where(last_of_episode, last_day[segment_episode], np.r_[seg_start[1:] - 1, 0])

    # A different post in the team at each change: step round the team's posts.
    seg_team = team[episode][segment_episode]
    posts, team_first, team_size = staff.team_posts(seg_team)
    first_post = staff.pick_post(rng, seg_team)
    first_local = np.searchsorted(posts, first_post) - team_first
    step = np.where(
        first_of_episode, first_local, 1 + (rng.random(len(seg_team)) * (team_size - 1)).astype(int)
    )
    total = np.cumsum(step)
    local = (total - np.maximum.accumulate(np.where(first_of_episode, total - step, 0))) % team_size
    seg_post = posts[team_first + local]

    # Why the worker changed: mostly caseload balancing, a restructure around April 2021.
    in_restructure = (seg_start >= RESTRUCTURE_WINDOW[0].astype(_DAY)) & (
        seg_start <= RESTRUCTURE_WINDOW[1].astype(_DAY)
    )
    u = rng.random(len(seg_start))
    usual = np.select([u < 0.6, u < 0.9], [BALANCING, FAMILY_REQUEST], RESTRUCTURE)
    restructured = in_restructure & (rng.random(len(seg_start)) < 0.7)
    seg_reason = np.where(first_of_episode, -1, np.where(restructured, RESTRUCTURE, usual))

    # Split a segment wherever its post changed hands.
    holder_from = staff.holder(seg_post, seg_start)
    holder_to = staff.holder(seg_post, seg_end)
    pieces = holder_to - holder_from + 1
    piece_segment = np.repeat(np.arange(len(seg_start)), pieces)
    piece_no = np.arange(len(piece_segment)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    holder = holder_from[piece_segment] + piece_no
    start = np.where(piece_no == 0, seg_start[piece_segment], staff.holder_start[holder])
    last_piece = piece_no == pieces[piece_segment] - 1
    next_holder = np.minimum(holder + 1, len(staff.holder_start) - 1)
    end = np.where(last_piece, seg_end[piece_segment], staff.holder_start[next_holder] - 1)
    reason = np.where(piece_no == 0, seg_reason[piece_segment], WORKER_LEFT)
    inv_episode = segment_episode[piece_segment]

    # At most three changes: a rare episode with more keeps its fourth worker to the end.
    first_piece = np.r_[True, inv_episode[1:] != inv_episode[:-1]]
    number = np.arange(len(inv_episode)) - np.maximum.accumulate(
        np.where(first_piece, np.arange(len(inv_episode)), 0)
    )
    kept = number < MAX_INVOLVEMENTS
    inv_episode, holder, start, end, reason = (
        a[kept] for a in (inv_episode, holder, start, end, reason)
    )
    last = np.r_[inv_episode[1:] != inv_episode[:-1], True]
    still_open = episodes.end[episode][inv_episode] == _OPEN
    end = np.where(last, np.where(still_open, _OPEN, last_day[inv_episode]), end)
    return _Involvements(episode[inv_episode], holder, start, end, reason)


# --- One area ---------------------------------------------------------------------------------


def _generate_area(
    area: _Area, seed: int, days: ExtractDays, flavour: str = "systemc"
) -> dict[str, pl.DataFrame]:
    """Every table for one area, as data frames in output order."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, area.index)))
    work = _casework(rng, area, days)
    children = _children(rng, area, work)
    episodes, referrals = work.episodes, work.referrals
    # Which team, organisation and lookup apply is decided by the address on the day.
    episodes.district = children.district_on(episodes.child, episodes.start)
    referrals.district = children.district_on(referrals.child, referrals.day)
    teams = _Teams.of(area)
    extract = EXTRACT_DATE.astype(_DAY)

    # Targeted (level 3-4) episodes go to the district team or the commissioned provider.
    targeted = episodes.level >= 3
    provider = targeted & (episodes.level == 3) & (rng.random(len(targeted)) < POSITIVE_STEPS_SHARE)
    team = np.where(provider, teams.provider, np.array(teams.district_teams)[episodes.district])
    team = np.where(targeted, team, -1)
    lag = np.minimum(30, rng.exponential(4.5, len(team)).astype(_DAY))
    closed = episodes.end != _OPEN
    lag = np.where(closed, np.clip(episodes.end - episodes.start - 1, 0, lag), lag)
    allocated_on = np.where(targeted & (episodes.start + lag <= extract), episodes.start + lag, -1)

    # Social care referrals: NFA at the front door, the rest to an assessment or CIN team.
    sc_team = np.where(
        referrals.nfa,
        teams.front_door,
        np.array(teams.social_care)[rng.integers(0, len(teams.social_care), len(referrals.day))],
    )
    # Staff the teams for the cases they held over the last two years, then allocate.
    n_teams = len(teams.names)
    allocated = allocated_on >= 0
    demand = _open_cases(team[allocated], allocated_on[allocated], episodes.end[allocated], n_teams)
    demand += _open_cases(sc_team, referrals.day, referrals.close_day, n_teams)
    staff = _workforce(rng, area, teams, demand)
    involvements = _allocate(rng, episodes, team, allocated_on, staff)
    # A social care referral shows its current (or last) worker.
    sc_holder = staff.holder(
        staff.pick_post(rng, sc_team), np.minimum(referrals.close_day, extract)
    )
    holders = len(staff.holder_id)
    # What SystemC's SQL counts: open allocated-case-worker involvements, early help and social
    # care alike (team managers' oversight holds no case).
    caseload = np.bincount(involvements.holder[involvements.end == _OPEN], minlength=holders)
    caseload += np.bincount(sc_holder[referrals.close_day == _OPEN], minlength=holders)

    # How the records are written: its own stream, so both flavours share the records.
    style = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2, area.index)))
    out = _Output(area, flavour, style, teams, staff)
    tables = {
        "ssd_person": _person_table(out, children),
        "ssd_address": _address_table(out, children),
        "ssd_contacts": _contact_table(out, work.contacts, children),
    }
    tables.update(_episode_tables(rng, out, episodes, team, involvements, children))
    tables.update(_referral_tables(out, referrals, sc_team, sc_holder, children))
    tables["ssd_professionals"] = _professional_table(rng, out, caseload)
    tables["ssd_department"] = _department_table(out)
    tables[LOOKUP_FILE] = _lookup_table(area)
    tables[POPULATION_FILE] = _population_table(area)
    return {name: tables[name] for name in (*out.schemas, LOOKUP_FILE, POPULATION_FILE)}


# --- Output tables ----------------------------------------------------------------------------


@dataclass
class _Output:
    """What writing one area's tables needs: the flavour, its random stream, teams and staff."""

    area: _Area
    flavour: str
    style: np.random.Generator
    teams: _Teams
    staff: _Workforce

    @property
    def mosaic(self) -> bool:
        return self.flavour == "mosaic"

    @property
    def schemas(self) -> dict[str, pa.Schema]:
        return ssd_schemas(self.flavour)

    def frame(self, name: str, columns: dict[str, pl.Series]) -> pl.DataFrame:
        """A table with exactly the flavour's columns, in its order."""
        frame = pl.DataFrame([series.alias(column) for column, series in columns.items()])
        return frame.select(self.schemas[name].names)

    def team_ids(self, team: np.ndarray) -> pl.Series:
        """ssd_department.dept_team_id of each team index."""
        return _ints(self.area.id_base + 1 + team, team < 0)

    def staff_ids(self) -> pl.Series:
        """prof_staff_id of each holder (in holder order)."""
        number = _ints(self.staff.holder_id - self.area.id_base).cast(pl.String).str.zfill(4)
        return f"S{self.area.index + 1:03d}-" + number

    def worker_names(self) -> pl.Series:
        number = _ints(self.staff.holder_id - self.area.id_base).cast(pl.String).str.zfill(3)
        return "Worker " + number

    def worker_refs(self, holder: np.ndarray) -> pl.Series:
        """What an involvement names its worker by: prof_staff_id in Mosaic, else the id."""
        if self.mosaic:
            return self.staff_ids().gather(_ints(holder, holder < 0))
        return _ints(self.staff.holder_id[holder], holder < 0)


def _dates(days: np.ndarray) -> pl.Series:
    """Dates from day numbers; _OPEN (still open) becomes null."""
    mask = days >= _OPEN
    return pl.from_arrow(pa.array(np.where(mask, 0, days).astype(np.int32), mask=mask)).cast(
        pl.Date
    )


def _ints(values: np.ndarray, missing: np.ndarray | None = None) -> pl.Series:
    return pl.from_arrow(pa.array(values.astype(np.int64), mask=missing)).cast(pl.Int64)


def _floats(values: np.ndarray, missing: np.ndarray) -> pl.Series:
    return pl.from_arrow(pa.array(values.astype(np.float64), mask=missing)).cast(pl.Float64)


def _labels(names: Sequence[str], index: np.ndarray) -> pl.Series:
    """Text from a list of names; a negative index gives null."""
    return pl.Series(list(names), dtype=pl.String).gather(_ints(index, index < 0))


def _nulls(n: int, dtype: type[pl.DataType] = pl.String) -> pl.Series:
    return pl.Series([None] * n, dtype=dtype)


def _person_ids(area: _Area, rank: np.ndarray) -> pl.Series:
    return _ints(area.id_base + 1 + rank)


def _person_table(out: _Output, children: _Children) -> pl.DataFrame:
    """A few children are indeterminate (I); a few have only an estimated date of birth, which
    SSD puts in pers_expected_dob, leaving pers_dob NULL."""
    n = len(children.dob)
    rank = np.arange(n)
    indeterminate = out.style.random(n) < INDETERMINATE_SHARE
    sex = _labels(SEX_TEXT[out.flavour], np.where(indeterminate, INDETERMINATE, children.sex))
    estimated = out.style.random(n) < EXPECTED_DOB_SHARE
    return out.frame(
        "ssd_person",
        {
            "pers_person_id": _person_ids(out.area, rank),
            "pers_forename": pl.Series(["Child"] * n, dtype=pl.String),
            "pers_surname": "Demo" + _ints(rank + 1).cast(pl.String),
            "pers_sex": sex,
            "pers_gender": sex,
            "pers_ethnicity": _labels(ETHNICITIES, children.ethnicity),
            "pers_dob": _dates(np.where(estimated, _OPEN, children.dob)),
            "pers_expected_dob": _dates(np.where(estimated, children.dob, _OPEN)),
        },
    )


def _address_table(out: _Output, children: _Children) -> pl.DataFrame:
    """Home addresses (some first ones without a start date), and for a few children a
    placement address elsewhere in the area at the same time, which is not where the family
    lives and so must not move the child's district."""
    style, area = out.style, out.area
    extract = EXTRACT_DATE.astype(_DAY)
    sectors = np.array([len(s) for s in area.sectors])
    first_sector = np.r_[0, np.cumsum(sectors)[:-1]]

    n_children = len(children.dob)
    first_row = np.searchsorted(children.address_rank, np.arange(n_children))
    placed = np.flatnonzero(style.random(n_children) < PLACEMENT_SHARE)
    earliest = np.maximum(children.address_start[first_row[placed]], FIRST_DAY.astype(_DAY))
    span = np.maximum(extract - 30 - earliest, 1)
    start = earliest + (style.random(len(placed)) * span).astype(_DAY)
    # In another district than the home the child lives at when the placement starts.
    key = children.address_rank * _KEY + children.address_start
    home_row = np.searchsorted(key, placed * _KEY + start, side="right") - 1
    home = children.address_district[home_row]
    n_districts = len(area.districts)
    district = (home + 1 + style.integers(0, n_districts - 1, len(placed))) % n_districts
    end = start + style.integers(*PLACEMENT_DAYS, len(placed)) - 1
    end = np.where(end > extract, _OPEN, end)
    sector = first_sector[district] + (style.random(len(placed)) * sectors[district]).astype(int)
    letters = style.integers(0, len(INWARD_LETTERS), (len(placed), 2))

    is_first = np.zeros(len(children.address_rank), dtype=bool)
    is_first[first_row] = True
    no_start = is_first & (style.random(len(is_first)) < NO_ADDRESS_START_SHARE)

    rank = np.r_[children.address_rank, placed]
    kind = np.r_[np.zeros(len(children.address_rank), dtype=np.int64), np.ones(len(placed), int)]
    starts = np.r_[children.address_start, start]
    ends = np.r_[children.address_end, end]
    sector_index = np.r_[children.address_sector, sector]
    letters = np.r_[children.address_letters, letters]
    no_start = np.r_[no_start, np.zeros(len(placed), dtype=bool)]
    rows = np.lexsort((kind, starts, rank))
    flat = [s for d in area.sectors for s in d]
    postcode = (
        _labels(flat, sector_index[rows])
        + _labels(list(INWARD_LETTERS), letters[rows, 0])
        + _labels(list(INWARD_LETTERS), letters[rows, 1])
    )
    return out.frame(
        "ssd_address",
        {
            "addr_table_id": _ints(area.id_base + 1 + np.arange(len(rows))),
            "addr_person_id": _person_ids(area, rank[rows]),
            "addr_address_type": _labels(ADDRESS_TYPES[out.flavour], kind[rows]),
            "addr_address_start_date": _dates(np.where(no_start[rows], _OPEN, starts[rows])),
            "addr_address_end_date": _dates(ends[rows]),
            "addr_address_postcode": postcode,
        },
    )


def _source_descriptions() -> list[str]:
    return [SOURCE_CODES[c][0] for c in CODES]


def _outcome_json_prefixes() -> tuple[list[str], np.ndarray, list[np.ndarray]]:
    """SystemC's outcome JSON up to the comment, for every decision's flag variants: the texts,
    where each decision's variants start, and their shares."""
    texts: list[str] = []
    offsets, shares = [], []
    for variants in DECISION_FLAGS:
        offsets.append(len(texts))
        shares.append(np.array([share for _flags, share in variants]))
        for flags, _share in variants:
            values = ", ".join(f'"{f}": "{"Y" if f in flags else "N"}"' for f in OUTCOME_FLAGS)
            texts.append("{" + values + f', "NUMBER_OF_OUTCOMES": {len(flags)}, "COMMENTS": "')
    return texts, np.array(offsets), shares


def _contact_table(out: _Output, contacts: _Contacts, children: _Children) -> pl.DataFrame:
    """The decision as the deployment records it: SystemC's outcome flags with a comment (a
    handful of comments quote someone, which breaks the JSON), or Mosaic's next-step names.
    SSD has no decision date: an early help decision shows as the episode starting that day."""
    style = out.style
    n = len(contacts.day)
    variant_draw = style.random(n)
    comment_pick = style.integers(0, len(OUTCOME_COMMENTS[0]), n)
    quoted = style.random(n) < QUOTED_SHARE
    quote_pick = style.integers(0, len(QUOTED_COMMENTS), n)
    if out.mosaic:
        outcome = _labels(MOSAIC_OUTCOMES, contacts.decision)
    else:
        prefixes, offsets, shares = _outcome_json_prefixes()
        variant = np.zeros(n, dtype=np.int64)
        for decision, weights in enumerate(shares):
            chosen = contacts.decision == decision
            variant[chosen] = np.searchsorted(np.cumsum(weights), variant_draw[chosen] * 0.999999)
        comments = [c for options in OUTCOME_COMMENTS for c in options] + list(QUOTED_COMMENTS)
        comment = np.where(
            quoted,
            len(comments) - len(QUOTED_COMMENTS) + quote_pick,
            contacts.decision * len(OUTCOME_COMMENTS[0]) + comment_pick,
        )
        # Every (flags, comment) text is made once, and each contact picks one: a national
        # extract has tens of millions of these.
        texts = [prefix + text + '"}' for prefix in prefixes for text in comments]
        outcome = _labels(texts, (offsets[contacts.decision] + variant) * len(comments) + comment)
    return out.frame(
        "ssd_contacts",
        {
            "cont_contact_id": _ints(out.area.id_base + 1 + np.arange(n)),
            "cont_person_id": _person_ids(out.area, children.rank(contacts.child)),
            "cont_contact_date": _dates(contacts.day),
            "cont_contact_source_code": _labels(CODES, contacts.code),
            "cont_contact_source_desc": _labels(_source_descriptions(), contacts.code),
            "cont_contact_outcome_json": outcome,
        },
    )


def _partner_organisations(rng: np.random.Generator, code: np.ndarray) -> np.ndarray:
    """Index into SCHOOLS + HEALTH_SETTINGS + EARLY_YEARS_SETTINGS for a partner-led episode.

    A school leads what a school referred and health what health referred; the rest is shared
    between schools, early years settings and health.
    """
    group = np.array([SOURCE_CODES[c][1] for c in CODES])[code]
    u = rng.random(len(code))
    kind = np.select([group == "Schools", group == "Health", u < 0.45, u < 0.75], [0, 1, 0, 2], 1)
    sizes = np.array([len(SCHOOLS), len(HEALTH_SETTINGS), len(EARLY_YEARS_SETTINGS)])
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    return offsets[kind] + (rng.random(len(code)) * sizes[kind]).astype(np.int64)


PARTNERS = (SCHOOLS, HEALTH_SETTINGS, EARLY_YEARS_SETTINGS)


def _team_codes(area: _Area) -> list[str]:
    """SystemC organisation codes of the area's teams, in _Teams order."""
    districts = [f"TEH{k + 1:02d}" for k in range(len(area.districts))]
    codes = [*TEAM_CODES[:3], *districts, *TEAM_CODES[4:]]
    return [f"{area.prefix}-{c}" if area.prefix else c for c in codes]


def _organisation_codes(area: _Area, flavour: str) -> list[str]:
    """earl_episode_organisation of every organisation (the teams, then the partners)."""
    n_teams = len(_Teams.of(area).names)
    if flavour == "mosaic":
        teams = [str(area.id_base + 1 + t) for t in range(n_teams)]
        n_partners = sum(len(p) for p in PARTNERS)
        return teams + [str(MOSAIC_PARTNER_IDS + k) for k in range(n_partners)]
    partners = [
        f"{prefix}{k + 1:02d}"
        for prefix, names in zip(PARTNER_CODE_PREFIXES, PARTNERS, strict=True)
        for k in range(len(names))
    ]
    return _team_codes(area) + partners


def _organisation_entries(area: _Area, flavour: str) -> dict[str, tuple[str, str]]:
    """Code -> (name, kind) of the organisations that lead episodes, for the mapping file."""
    teams = _Teams.of(area)
    codes = _organisation_codes(area, flavour)
    entries = {codes[t]: (teams.names[t], "council") for t in teams.district_teams}
    entries[codes[teams.provider]] = (teams.names[teams.provider], "commissioned")
    k = len(teams.names)
    for names, kind in zip(PARTNERS, PARTNER_KINDS, strict=True):
        for name in names:
            entries[codes[k]] = (name, kind)
            k += 1
    return entries


def _episode_tables(
    rng: np.random.Generator,
    out: _Output,
    episodes: _Episodes,
    team: np.ndarray,
    involvements: _Involvements,
    children: _Children,
) -> dict[str, pl.DataFrame]:
    """ssd_early_help_episodes (ids in start order) and, in SystemC, the council's early help
    involvements: allocated case workers one after another, and team managers' oversight."""
    area, teams, staff = out.area, out.teams, out.staff
    child_rank = children.rank(episodes.child)
    order = np.lexsort((episodes.step_down, child_rank, episodes.start))
    episode_id = np.empty(len(order), dtype=np.int64)
    episode_id[order] = area.id_base + 1 + np.arange(len(order))

    organisation = np.where(
        team >= 0, team, len(teams.names) + _partner_organisations(rng, episodes.code)
    )
    last = np.r_[involvements.episode[1:] != involvements.episode[:-1], True]
    worker = np.full(len(order), -1, dtype=np.int64)
    worker[involvements.episode[last]] = involvements.holder[last]
    end_reason = episodes.end_reason.copy()
    own_reason = out.style.random(len(end_reason)) < OTHER_END_SHARE
    end_reason[own_reason & (end_reason == END_REASONS.index("No further action"))] = OTHER_END
    level_column, source_column = LOCAL_COLUMNS[out.flavour]
    if out.mosaic:
        sources = [SOURCE_CODES[c][0] for c in CODES]  # the descriptions a form offers
        worker_id = out.staff_ids().gather(_ints(worker[order], worker[order] < 0))
        organisations = _ints(np.array([int(c) for c in _organisation_codes(area, out.flavour)]))
        organisation_column = organisations.gather(_ints(organisation[order]))
    else:
        sources = list(CODES)
        worker_id = pl.Series([PLACEHOLDER_WORKER] * len(order), dtype=pl.String)
        organisation_column = _labels(_organisation_codes(area, out.flavour), organisation[order])

    tables = {
        "ssd_early_help_episodes": out.frame(
            "ssd_early_help_episodes",
            {
                "earl_episode_id": _ints(episode_id[order]),
                "earl_person_id": _person_ids(area, child_rank[order]),
                "earl_episode_start_date": _dates(episodes.start[order]),
                "earl_episode_end_date": _dates(episodes.end[order]),
                "earl_episode_reason": _labels(
                    ("Referral", "Step-down"), episodes.step_down[order]
                ),
                "earl_episode_end_reason": _labels(
                    END_REASON_CODES[out.flavour], end_reason[order]
                ),
                "earl_episode_organisation": organisation_column,
                "earl_episode_worker_id": worker_id,
                level_column: _labels(LEVEL_CODES[out.flavour], episodes.level[order] - 1),
                source_column: _labels(sources, episodes.code[order]),
            },
        )
    }
    if out.mosaic:  # no early help involvements: caseloads come from earl_episode_worker_id
        return tables

    # Team managers oversee some allocations for a few weeks: involvements that hold no case.
    first = np.r_[True, involvements.episode[1:] != involvements.episode[:-1]]
    first = np.flatnonzero(first)
    overseen = first[out.style.random(len(first)) < TM_OVERSIGHT_SHARE]
    length = out.style.integers(*TM_OVERSIGHT_DAYS, len(overseen))
    tm_episode = involvements.episode[overseen]
    tm_start = involvements.start[overseen]
    manager_post = np.full(len(teams.names), -1, dtype=np.int64)
    managers = np.flatnonzero(staff.post_title == TEAM_MANAGER)
    manager_post[staff.post_team[managers]] = managers
    tm_holder = staff.holder(manager_post[team[tm_episode]], tm_start)
    successor = np.minimum(tm_holder + 1, len(staff.holder_id) - 1)
    leaves = np.where(
        (tm_holder + 1 < len(staff.holder_id))
        & (staff.holder_post[successor] == staff.holder_post[tm_holder]),
        staff.holder_start[successor] - 1,
        _OPEN,
    )
    tm_end = np.minimum.reduce([tm_start + length - 1, episodes.end[tm_episode], leaves])
    tm_end = np.where(tm_end > EXTRACT_DATE.astype(_DAY), _OPEN, tm_end)

    n_cw = len(involvements.episode)
    holder = np.r_[involvements.holder, tm_holder]
    inv_episode = np.r_[involvements.episode, tm_episode]
    start = np.r_[involvements.start, tm_start]
    end = np.r_[involvements.end, tm_end]
    reason = np.r_[involvements.reason, np.full(len(overseen), -1)]
    role = np.r_[np.zeros(n_cw, dtype=np.int64), np.ones(len(overseen), dtype=np.int64)]
    rows = np.lexsort((role, start, episode_id[inv_episode]))
    tables["ssd_early_help_involvements"] = out.frame(
        "ssd_early_help_involvements",
        {
            "invo_involvements_id": _ints(area.id_base + 1 + np.arange(len(rows))),
            "invo_professional_id": out.worker_refs(holder[rows]),
            "invo_professional_role_id": _labels((CASE_WORKER_ROLE, TEAM_MANAGER_ROLE), role[rows]),
            "invo_professional_team": out.team_ids(
                staff.post_team[staff.holder_post[holder[rows]]]
            ),
            "invo_person_id": _person_ids(area, child_rank[inv_episode[rows]]),
            "invo_involvement_start_date": _dates(start[rows]),
            "invo_involvement_end_date": _dates(end[rows]),
            "invo_worker_change_reason": _labels(CHANGE_REASON_CODES, reason[rows]),
            "invo_referral_id": _ints(episode_id[inv_episode[rows]]),
        },
    )
    return tables


def _referral_tables(
    out: _Output,
    referrals: _Referrals,
    team: np.ndarray,
    holder: np.ndarray,
    children: _Children,
) -> dict[str, pl.DataFrame]:
    """ssd_cin_episodes, and ssd_involvements: the allocated social worker of each referral
    (invo_referral_id = cine_referral_id, as SSD specifies)."""
    area = out.area
    child_rank = children.rank(referrals.child)
    order = np.lexsort((referrals.code, child_rank, referrals.day))
    n = len(order)
    referral_id = _ints(area.id_base + 1 + np.arange(n))
    person = _person_ids(area, child_rank[order])
    start = _dates(referrals.day[order])
    close = _dates(referrals.close_day[order])
    team_id = out.team_ids(team[order])
    if out.mosaic:
        worker = out.staff_ids().gather(_ints(holder[order]))
    else:  # SystemC's SQL writes the worker's name (DIM_WORKER_ID_DESC)
        worker = out.worker_names().gather(_ints(holder[order]))
    source = _labels(CODES, referrals.code[order])
    nfa = _labels(("N", "Y"), referrals.nfa[order].astype(np.int64))
    referrals_table = out.frame(
        "ssd_cin_episodes",
        {
            "cine_referral_id": referral_id,
            "cine_person_id": person,
            "cine_referral_date": start,
            "cine_cin_primary_need_code": _labels(NEED_CODES, referrals.need[order]),
            "cine_referral_source_code": source,
            "cine_referral_source": source,
            "cine_referral_source_desc": _labels(_source_descriptions(), referrals.code[order]),
            "cine_referral_nfa": nfa,
            "cin_referral_nfa": nfa,
            "cine_close_reason": _labels(CLOSE_CODES, referrals.close_reason[order]),
            "cine_close_date": close,
            "cine_referral_team": team_id,
            "cine_referral_worker_id": worker,
        },
    )
    involvements = out.frame(
        "ssd_involvements",
        {
            "invo_involvements_id": _ints(
                area.id_base + SOCIAL_CARE_INVOLVEMENT_IDS + 1 + np.arange(n)
            ),
            "invo_professional_id": out.worker_refs(holder[order]),
            "invo_professional_role_id": pl.Series([CASE_WORKER_ROLE] * n, dtype=pl.String),
            "invo_professional_team": team_id,
            "invo_person_id": person,
            "invo_involvement_start_date": start,
            "invo_involvement_end_date": close,
            "invo_worker_change_reason": _nulls(n),
            "invo_referral_id": referral_id,
        },
    )
    return {"ssd_cin_episodes": referrals_table, "ssd_involvements": involvements}


def _professional_table(
    rng: np.random.Generator, out: _Output, caseload: np.ndarray
) -> pl.DataFrame:
    """Everyone who held a post during the extract; caseload is what they hold at its date.

    FTE is recorded as the post's, except that a few are missing and one or two are recorded as
    0 (a data-entry slip), so that downstream handling of unknown FTE is exercised. Mosaic's SQL
    leaves prof_professional_id, FTE and the agency flag NULL: its workers are keyed by
    prof_staff_id.
    """
    staff, teams = out.staff, out.teams
    n = len(staff.holder_id)
    fte = staff.post_fte[staff.holder_post]
    missing = rng.random(n) < 0.03
    holding = np.flatnonzero(caseload > 0)
    zero = rng.choice(holding, min(len(holding), 1 + int(rng.integers(0, 2))), replace=False)
    fte[zero] = 0.0
    missing[zero] = False
    order = np.argsort(staff.holder_id)
    post = staff.holder_post[order]
    gather = _ints(order)
    columns = {
        "prof_professional_id": _ints(staff.holder_id[order]),
        "prof_staff_id": out.staff_ids().gather(gather),
        "prof_professional_name": out.worker_names().gather(gather),
        "prof_agency_worker_flag": _labels(("N", "Y"), staff.holder_agency[order].astype(int)),
        "prof_professional_job_title": _labels(JOB_TITLES, staff.post_title[post]),
        "prof_professional_caseload": _ints(caseload[order]),
        "prof_professional_department": _labels(teams.names, staff.post_team[post]),
        "prof_full_time_equivalency": _floats(fte[order], missing[order]),
    }
    if out.mosaic:
        columns["prof_professional_id"] = _nulls(n, pl.Int64)
        columns["prof_agency_worker_flag"] = _nulls(n)
        columns["prof_full_time_equivalency"] = _nulls(n, pl.Float64)
    return out.frame("ssd_professionals", columns)


def _department_table(out: _Output) -> pl.DataFrame:
    """SystemC's departments; Mosaic's SSD has only a placeholder query here (no rows)."""
    teams = out.teams
    ids = out.area.id_base + 1 + np.arange(len(teams.names))
    parent = np.array(teams.parents)
    frame = out.frame(
        "ssd_department",
        {
            "dept_team_id": _ints(ids),
            "dept_team_name": pl.Series(teams.names, dtype=pl.String),
            "dept_team_parent_id": _ints(np.where(parent >= 0, ids[parent], 0), parent < 0),
            "dept_team_parent_name": _labels(teams.names, parent),
        },
    )
    return frame.head(0) if out.mosaic else frame


def _lookup_table(area: _Area) -> pl.DataFrame:
    rows = [
        (s, d) for d, sectors in zip(area.districts, area.sectors, strict=True) for s in sectors
    ]
    return pl.DataFrame(rows, schema=LOOKUP_SCHEMA.names, orient="row")


def _population_table(area: _Area) -> pl.DataFrame:
    """Children by district, mid-year and age band: what a council would take from ONS."""
    total = area.referrals_per_year * CHILDREN_PER_REFERRAL
    weights = [
        w * DISTRICT_POPULATION_FACTORS[k % len(DISTRICT_POPULATION_FACTORS)]
        for k, w in enumerate(area.district_weights)
    ]
    rows = []
    for district, weight in zip(area.districts, weights, strict=True):
        for year in POPULATION_YEARS:
            growth = (1 + POPULATION_GROWTH) ** (year - POPULATION_YEARS[0])
            for band, share in CHILD_AGE_SHARES.items():
                children = round(total * weight / sum(weights) * share * growth)
                rows.append((district, year, band, children))
    return pl.DataFrame(rows, schema=["district", "year", "age_band", "children"], orient="row")


# --- The mapping file -------------------------------------------------------------------------


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's quoting is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def mapping_text(
    flavour: str, organisations: dict[str, tuple[str, str]], *, example: bool = False
) -> str:
    """The commented mapping file for the demo's extract (or, with `example`, the example a
    council copies from data/mappings/): what SSD leaves local, as this extract writes it."""
    mosaic = flavour == "mosaic"
    system = "Mosaic" if mosaic else "SystemC (Liquidlogic)"
    level_column, source_column = LOCAL_COLUMNS[flavour]
    if example:
        lines = [
            f"# An example mapping file for an SSD extract from {system}: copy it beside your",
            "# extract as mapping.yaml (or pass it with `ingest --mapping FILE`) and change the",
            "# local column names and codes to your council's. Every key is optional; docs/DATA.md",
            "# describes each one. The codes below are the demo borough's.",
        ]
    else:
        lines = [
            f"# What this {system}-shaped SSD extract leaves local, read by",
            "# `python -m earlyhelp ingest` from beside the extract. Written by",
            "# `python -m earlyhelp demo`; docs/DATA.md describes each key.",
        ]
    lines += [f"flavour: {flavour}", ""]
    if mosaic:
        lines += [
            "# Values meaning 'no worker recorded' in worker id columns.",
            'placeholders: [SSD_PH, "-1"]',
        ]
    else:
        lines += [
            "# SystemC's SSD writes SSD_PH into earl_episode_worker_id: no worker recorded there",
            "# (early help workers are in ssd_early_help_involvements.csv instead).",
            'placeholders: [SSD_PH, "-1"]',
        ]
    lines += [
        "",
        "early_help_episodes:",
        "  # SSD has no level of need or early help referral source: the local columns.",
        f"  level_of_need_column: {level_column}",
        f"  referral_source_column: {source_column}"
        + ("  # Annex A descriptions" if mosaic else "  # Annex A codes"),
        "  # Local level codes -> level of need 1 to 4.",
        "  levels_of_need:",
    ]
    lines += [f"    {_quoted(c)}: {k + 1}" for k, c in enumerate(LEVEL_CODES[flavour])]
    lines += [
        "  # earl_episode_end_reason: "
        + ("the form's answers" if mosaic else "the local end-reason lookup codes")
        + " -> outcome",
        "  # (met, step-up, disengaged, moved away, no further action or other).",
        "  end_reasons:",
    ]
    lines += [
        f"    {_quoted(code)}: {outcome}"
        for code, outcome in zip(END_REASON_CODES[flavour], END_REASON_OUTCOMES, strict=True)
    ]
    lines += [
        "  # earl_episode_organisation holds "
        + ("organisation ids" if mosaic else "organisation codes")
        + ": each one's name and kind",
        "  # (council, commissioned, school, health, early_years or other).",
        "  organisations:",
    ]
    lines += [
        f"    {_quoted(code)}: {{name: {_quoted(name)}, kind: {kind}}}"
        for code, (name, kind) in organisations.items()
    ]
    lines += [
        "",
        "involvements:",
        "  # ssd_involvements are social care work: invo_referral_id is a cine_referral_id.",
        "  refers_to: cin_referrals",
    ]
    if mosaic:
        lines += [
            "  # No early help involvements: an episode's earl_episode_worker_id (a prof_staff_id)",
            "  # holds it from its start to its end.",
        ]
    else:
        lines += [
            "  # Early help involvements are in ssd_early_help_involvements.csv, where",
            "  # invo_referral_id is an earl_episode_id. Only the allocated case worker (CW) holds",
            "  # a case; TM (team manager oversight) does not.",
        ]
    lines += [
        f"  case_holding_roles: [{CASE_WORKER_ROLE}]",
        "",
        "contacts:",
        "  # SSD has no decision date: a contact is decided 'Early help' when an early help",
        "  # episode for the child starts within this many days of it.",
        "  early_help_within_days: 30",
        "",
        "# The council's names for the levels of need.",
        "level_labels:",
    ]
    lines += [f"  {level}: {_quoted(label)}" for level, label in LEVEL_LABELS.items()]
    lines += [
        "",
        "addresses:",
        "  # Placement addresses (foster homes, residential units) do not move a child's district.",
        f"  exclude_types: [{ADDRESS_TYPES[flavour][1].upper()}]",
    ]
    return "\n".join(lines) + "\n"


def example_mapping_text(flavour: str) -> str:
    """The example shipped in data/mappings/<flavour>.yaml: the demo borough's mapping."""
    return mapping_text(flavour, _organisation_entries(_borough(), flavour), example=True)


# --- Writing ----------------------------------------------------------------------------------


class _ChunkWriter:
    """Appends each area's tables to one file per table: CSV, or Parquet row groups.

    CSV is written as SQL Server exports SSD: dates as DATETIME text, nulls as NULL."""

    def __init__(self, out: Path, fmt: str, schemas: dict[str, pa.Schema]) -> None:
        self.out = out
        self.fmt = fmt
        self.schemas = schemas
        self.rows: dict[str, int] = {}
        self._csv: dict[str, BinaryIO] = {}
        self._parquet: dict[str, pq.ParquetWriter] = {}

    def write(self, tables: dict[str, pl.DataFrame]) -> None:
        for name, frame in tables.items():
            if self.fmt == "parquet" and name not in (LOOKUP_FILE, POPULATION_FILE):
                if name not in self._parquet:
                    path = self.out / f"{name}.parquet"
                    self._parquet[name] = pq.ParquetWriter(
                        path, self.schemas[name], compression="zstd"
                    )
                self._parquet[name].write_table(frame.to_arrow().cast(self.schemas[name]))
            else:
                first = name not in self._csv
                if first:
                    self._csv[name] = (self.out / f"{name}.csv").open("wb")
                frame.write_csv(
                    self._csv[name],
                    include_header=first,
                    date_format=DATETIME_TEXT,
                    null_value=NULL_TEXT,
                )
            self.rows[name] = self.rows.get(name, 0) + frame.height

    def close(self) -> None:
        for handle in self._csv.values():
            handle.close()
        for writer in self._parquet.values():
            writer.close()
