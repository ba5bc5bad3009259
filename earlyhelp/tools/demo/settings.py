"""The demo's model parameters: the extract's dates, demand and its seasons, the front door,
episodes, social care, the workforce and children (what the generator draws from)."""

from __future__ import annotations

import numpy as np

from earlyhelp.core.schema import END_REASONS, SOURCE_CODES

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

_DAY = np.int64  # dates are held as days since 1970-01-01
_OPEN = np.iinfo(np.int64).max // 4  # end day of something still open at the extract date
# Day numbers are below this, so (group, day) pairs sort as one integer: group * _KEY + day.
_KEY = 1_000_000
