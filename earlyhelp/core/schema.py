"""The canonical tables: the one place that names every table and column the warehouse holds.

Sources (SSD, Annex A, canonical Parquet) map their own columns onto these; validation parses
each column by its kind; the warehouse writes them; queries read them. Nothing else invents a
table or column name, and identifiers used in SQL are checked against these lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column kinds: how validation parses a raw (string) value.
ID = "id"  # an identifier, kept as text; child ids are replaced by a keyed hash
TEXT = "text"
CODE = "code"  # text from a closed list (see ALLOWED_CODES)
DATE = "date"  # ISO, dd/mm/yyyy text or an Excel serial date
INT = "int"
FLOAT = "float"
BOOL = "bool"  # yes/no, y/n, true/false, 1/0


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    key: str
    columns: tuple[Column, ...]
    description: str = ""
    # Columns that hold a child's id: replaced by the keyed hash at ingest.
    child_id_columns: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


CHILDREN = Table(
    "children",
    key="child_id",
    description="One row per child. No names, no addresses; date of birth kept to the month.",
    child_id_columns=("child_id",),
    columns=(
        Column("child_id", ID, True, "keyed hash of the case system's person id"),
        Column("sex", CODE, False, "M, F, U (unknown/not stated)"),
        Column("ethnicity", TEXT, False, "DfE ethnicity code, e.g. WBRI"),
        Column("birth_month", DATE, False, "date of birth truncated to the first of the month"),
    ),
)

CONTACTS = Table(
    "contacts",
    key="contact_id",
    description="Contacts into the front door (MASH / single point of access).",
    child_id_columns=("child_id",),
    columns=(
        Column("contact_id", ID, True),
        Column("child_id", ID, True),
        Column("contact_date", DATE, True),
        Column("source_code", CODE, False, "Annex A contact source code: 1A..10"),
        Column("decision", TEXT, False, "front-door decision, e.g. 'Early help - targeted'"),
        Column("decision_date", DATE, False),
    ),
)

EARLY_HELP_EPISODES = Table(
    "early_help_episodes",
    key="episode_id",
    description="Early help episodes; an episode starting in a period is a referral to early help.",
    child_id_columns=("child_id",),
    columns=(
        Column("episode_id", ID, True),
        Column("child_id", ID, True),
        Column("start_date", DATE, True),
        Column("end_date", DATE, False),
        Column("start_reason", TEXT, False, "e.g. 'Referral', 'Step-down'"),
        Column("end_reason", CODE, False, "closure outcome, see ALLOWED_CODES['end_reason']"),
        Column("organisation", TEXT, False),
        Column("worker_id", ID, False),
        Column("level_of_need", INT, False, "1 universal .. 4 social care (labels configurable)"),
        Column("source_code", CODE, False, "referral source, Annex A codes"),
    ),
)

CIN_REFERRALS = Table(
    "cin_referrals",
    key="referral_id",
    description="Referrals to children's social care (children in need).",
    child_id_columns=("child_id",),
    columns=(
        Column("referral_id", ID, True),
        Column("child_id", ID, True),
        Column("referral_date", DATE, True),
        Column("primary_need_code", TEXT, False, "N0..N9"),
        Column("source_code", CODE, False, "Annex A codes; 5D = LA services - early help"),
        Column("nfa", BOOL, False, "referral resulted in no further action"),
        Column("close_reason", CODE, False, "RC1..RC9; RC9 = closed and referred to early help"),
        Column("close_date", DATE, False),
        Column("team", TEXT, False),
        Column("worker_id", ID, False),
    ),
)

WORKERS = Table(
    "workers",
    key="worker_id",
    description="Case-holding professionals (staff, not children).",
    columns=(
        Column("worker_id", ID, True),
        Column("staff_id", ID, False),
        Column("worker_name", TEXT, False),
        Column("job_title", TEXT, False),
        Column("department", TEXT, False),
        Column("fte", FLOAT, False, "full-time equivalence 0..1.5; missing or 0 means unknown"),
        Column("agency", BOOL, False),
        Column("recorded_caseload", INT, False),
    ),
)

INVOLVEMENTS = Table(
    "involvements",
    key="involvement_id",
    description=(
        "A worker's involvement with a child's case: SSD's are social care work (referral_id); "
        "a council's early help involvements name the episode (episode_id)."
    ),
    child_id_columns=("child_id",),
    columns=(
        Column("involvement_id", ID, True),
        Column("worker_id", ID, False, "empty when the case system names no worker"),
        Column("child_id", ID, False),
        Column(
            "episode_id", ID, False, "the early help episode, when the involvement is early help"
        ),
        Column("referral_id", ID, False, "the social care referral (SSD invo_referral_id)"),
        Column("role", TEXT, False),
        Column("holds_case", BOOL, False, "an allocated case worker's involvement (mapping)"),
        Column("team", TEXT, False),
        Column("start_date", DATE, True),
        Column("end_date", DATE, False),
        Column("change_reason", TEXT, False),
    ),
)

TEAMS = Table(
    "teams",
    key="team_id",
    description="Teams and their parents (SSD ssd_department).",
    columns=(
        Column("team_id", ID, True),
        Column("team_name", TEXT, False),
        Column("parent_id", ID, False),
        Column("parent_name", TEXT, False),
    ),
)

POPULATION = Table(
    "population",
    key="district",
    description=(
        "Children living in each district by age band, one row per mid-year estimate (e.g. ONS "
        "small-area estimates summed to districts). Optional: supplied as population.csv beside "
        "an extract; it turns counts into rates per 10,000 children."
    ),
    columns=(
        Column("district", TEXT, True),
        Column("year", INT, True, "year of the mid-year (30 June) estimate"),
        Column("age_band", CODE, True, "one of the bands under 18 in AGE_BANDS"),
        Column("children", INT, True, "number of children"),
    ),
)

CANONICAL_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        CHILDREN,
        CONTACTS,
        EARLY_HELP_EPISODES,
        CIN_REFERRALS,
        WORKERS,
        INVOLVEMENTS,
        TEAMS,
        POPULATION,
    )
}

# Reference inputs used during ingest and never stored as they are.
ADDRESS_COLUMNS = ("person_id", "postcode", "start_date", "end_date")
LOOKUP_COLUMNS = ("postcode_sector", "district")

# Columns derived at ingest and stored beside the canonical ones.
DERIVED_COLUMNS: dict[str, tuple[str, ...]] = {
    "contacts": ("district", "age_band", "source_group", "decision_working_days"),
    "early_help_episodes": ("district", "age_band", "source_group"),
    "cin_referrals": ("district", "age_band", "source_group"),
}

UNKNOWN_DISTRICT = "Not known"

# SSD table -> (canonical table, {ssd column: canonical column}). Columns not listed here
# (names, addresses' other lines) are never read into the warehouse.
SSD_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "ssd_person": (
        "children",
        {
            "pers_person_id": "child_id",
            "pers_sex": "sex",
            "pers_ethnicity": "ethnicity",
            "pers_dob": "birth_month",
        },
    ),
    "ssd_contacts": (
        "contacts",
        {
            "cont_contact_id": "contact_id",
            "cont_person_id": "child_id",
            "cont_contact_date": "contact_date",
            "cont_contact_source_code": "source_code",
            "cont_contact_source_desc": "source_description",
            "cont_contact_outcome_json": "outcome_json",
        },
    ),
    "ssd_early_help_episodes": (
        "early_help_episodes",
        {
            "earl_episode_id": "episode_id",
            "earl_person_id": "child_id",
            "earl_episode_start_date": "start_date",
            "earl_episode_end_date": "end_date",
            "earl_episode_reason": "start_reason",
            "earl_episode_end_reason": "end_reason",
            "earl_episode_organisation": "organisation",
            "earl_episode_worker_id": "worker_id",
            "earl_level_of_need": "level_of_need",
            "earl_referral_source_code": "source_code",
        },
    ),
    "ssd_cin_episodes": (
        "cin_referrals",
        {
            "cine_referral_id": "referral_id",
            "cine_person_id": "child_id",
            "cine_referral_date": "referral_date",
            "cine_cin_primary_need_code": "primary_need_code",
            "cine_referral_source_code": "source_code",
            "cine_referral_nfa": "nfa",
            "cine_close_reason": "close_reason",
            "cine_close_date": "close_date",
            "cine_referral_team": "team",
            "cine_referral_worker_id": "worker_id",
        },
    ),
    "ssd_professionals": (
        "workers",
        {
            "prof_professional_id": "worker_id",
            "prof_staff_id": "staff_id",
            "prof_professional_name": "worker_name",
            "prof_professional_job_title": "job_title",
            "prof_professional_department": "department",
            "prof_full_time_equivalency": "fte",
            "prof_agency_worker_flag": "agency",
            "prof_professional_caseload": "recorded_caseload",
        },
    ),
    "ssd_involvements": (
        "involvements",
        {
            "invo_involvements_id": "involvement_id",
            "invo_professional_id": "worker_id",
            "invo_person_id": "child_id",
            "invo_referral_id": "referral_id",
            "invo_professional_role_id": "role",
            "invo_professional_team": "team",
            "invo_involvement_start_date": "start_date",
            "invo_involvement_end_date": "end_date",
            "invo_worker_change_reason": "change_reason",
        },
    ),
    "ssd_department": (
        "teams",
        {
            "dept_team_id": "team_id",
            "dept_team_name": "team_name",
            "dept_team_parent_id": "parent_id",
            "dept_team_parent_name": "parent_name",
        },
    ),
    "ssd_address": (
        "addresses",
        {
            "addr_person_id": "person_id",
            "addr_address_postcode": "postcode",
            "addr_address_start_date": "start_date",
            "addr_address_end_date": "end_date",
            "addr_address_type": "address_type",
        },
    ),
}
# A council's own early help involvements (not part of SSD): the same columns as
# ssd_involvements, with invo_referral_id naming the early help episode.
SSD_TABLES["ssd_early_help_involvements"] = (
    "involvements",
    {**SSD_TABLES["ssd_involvements"][1], "invo_referral_id": "episode_id"},
)
# Other spellings seen in deployments' SQL (Mosaic's data-warehouse variant), read as the
# column SSD names.
SSD_COLUMN_ALIASES = {
    "ssd_cin_episodes": {
        "cine_referral_source": "cine_referral_source_code",
        "cin_referral_nfa": "cine_referral_nfa",
    },
    # Mosaic's contacts query leaves the date unaliased and names the outcome text `details`.
    "ssd_contacts": {"started_on": "cont_contact_date", "details": "cont_contact_outcome_json"},
}
# SSD columns that hold names: present in real extracts, never read.
SSD_NAME_COLUMNS = ("pers_forename", "pers_surname")

# Annex A contact/referral source codes and the groups the pages filter by.
SOURCE_CODES: dict[str, tuple[str, str]] = {
    "1A": ("Individual - family member", "Individuals"),
    "1B": ("Individual - acquaintance", "Individuals"),
    "1C": ("Individual - self", "Individuals"),
    "1D": ("Individual - other", "Individuals"),
    "2A": ("Schools", "Schools"),
    "2B": ("Education services", "Schools"),
    "3A": ("Health - GP", "Health"),
    "3B": ("Health - health visitor", "Health"),
    "3C": ("Health - school nurse", "Health"),
    "3D": ("Health - other primary health services", "Health"),
    "3E": ("Health - A&E", "Health"),
    "3F": ("Health - other", "Health"),
    "4": ("Housing", "Other"),
    "5A": ("LA services - social care", "LA services"),
    "5B": ("LA services - other internal", "LA services"),
    "5C": ("LA services - external", "LA services"),
    "5D": ("LA services - early help", "LA services"),
    "6": ("Police", "Police"),
    "7": ("Legal agency", "Other"),
    "8": ("Other", "Other"),
    "9": ("Anonymous", "Other"),
    "10": ("Unknown", "Unknown"),
}
SOURCE_GROUPS = ("Schools", "Health", "Police", "Individuals", "LA services", "Other", "Unknown")

END_REASONS = ("Outcomes met", "Step-up", "Disengaged", "Moved away", "No further action")
#: A council's end reason that is none of the five (declared "other" in its mapping file).
OTHER_END_REASON = "Other"

CIN_CLOSE_REASONS = {
    "RC1": "Adopted",
    "RC2": "Died",
    "RC3": "Child arrangements order",
    "RC4": "Special guardianship order",
    "RC5": "Transferred to another local authority",
    "RC6": "Transferred to adult social care",
    "RC7": "Services ceased for any other reason",
    "RC8": "Case closed after assessment, no further action",
    "RC9": "Case closed after assessment, referred to early help",
}

ALLOWED_CODES: dict[str, tuple[str, ...]] = {
    "source_code": tuple(SOURCE_CODES),
    "sex": ("M", "F", "U"),
    "end_reason": (*END_REASONS, OTHER_END_REASON),
    "close_reason": tuple(CIN_CLOSE_REASONS),
}

AGE_BANDS = ("Under 1", "1-4", "5-9", "10-15", "16-17", "18+", "Not known")
#: The bands a child population estimate covers (children are under 18).
CHILD_AGE_BANDS = AGE_BANDS[:5]
ALLOWED_CODES["age_band"] = CHILD_AGE_BANDS

# How each table is named to people (reconciliation tables, the About page).
TABLE_TITLES = {
    "children": "Children",
    "contacts": "Contacts",
    "early_help_episodes": "Early help episodes",
    "cin_referrals": "Social care (CIN) referrals",
    "workers": "Workers",
    "involvements": "Worker involvements",
    "teams": "Teams",
    "population": "Child population",
    "addresses": "Addresses (used for districts only)",
    "district_lookup": "District lookup",
}
