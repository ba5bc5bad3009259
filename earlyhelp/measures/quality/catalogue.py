"""The declared catalogue: every chart and headline figure on the pages, and what it counts from.

`MEASURES` is the one list of them, each with the fields it is counted from (`Need`); how each
is assessed on a warehouse version is in earlyhelp.measures.quality.assessment.
"""

from __future__ import annotations

from dataclasses import dataclass

# Pages, as the navigation names them.
OVERVIEW = "Overview"
DEMAND = "Demand"
CASELOADS = "Caseloads"
PATHWAYS = "Front door and pathways"
SCORECARD = "Scorecard"
PROFILE = "District profile"


@dataclass(frozen=True)
class Need:
    """One field a measure is counted from.

    `check` is a row of queries/quality/quality_filled.sql (the rows it is measured on and how
    many are filled); `columns` the canonical table.column(s) it is read from, any one of which
    will do (the manifest's `source_fields` says whether the extract had them); `source`, for a
    field worked out at ingest rather than read (districts, age bands), says what it comes from.
    """

    check: str
    what: str  # the field in words: "level of need"
    of: str  # the rows it is measured on: "early help episodes"
    columns: tuple[str, ...] = ()
    source: str | None = None
    fix: str = ""  # what would fill it, said when it is missing or partial


@dataclass(frozen=True)
class Measure:
    key: str  # how pages name it (ui.measure_available)
    name: str
    page: str
    needs: tuple[Need, ...]
    each_adds: bool = False  # each need adds to the count, rather than all being needed
    about: str = ""  # said whatever the status (a definition)


# --- What the pages count from ---------------------------------------------------------------
EPISODES = Need(
    "early_help_episodes",
    "early help episodes",
    "the extract",
    columns=("early_help_episodes.episode_id",),
)
CONTACTS = Need("contacts", "contacts", "the extract", columns=("contacts.contact_id",))
DISTRICT = Need(
    "early_help_episodes.district",
    "a known district",
    "early help episodes",
    source="addresses (postcodes) and district_lookup.csv",
    fix="give each child a home address with a postcode the district lookup knows; the rest "
    "count under 'Not known'",
)
CONTACT_DISTRICT = Need(
    "contacts.district",
    "a known district",
    "contacts",
    source="addresses (postcodes) and district_lookup.csv",
    fix="the rest count under 'Not known'",
)
LEVEL = Need(
    "early_help_episodes.level_of_need",
    "a level of need (1 to 4)",
    "early help episodes",
    columns=("early_help_episodes.level_of_need",),
    fix="SSD leaves it local: name the column in mapping.yaml "
    "(early_help_episodes: level_of_need_column); the rest show as 'Level not recorded'",
)
REFERRAL_SOURCE = Need(
    "early_help_episodes.source_code",
    "a referral source",
    "early help episodes",
    columns=("early_help_episodes.source_code",),
    fix="SSD leaves it local: name the column in mapping.yaml "
    "(early_help_episodes: referral_source_column); the rest count as 'Unknown'",
)
AGE = Need(
    "early_help_episodes.age_band",
    "an age (from the date of birth)",
    "early help episodes",
    columns=("children.birth_month",),
    fix="the rest count as age 'Not known'",
)
CONTACT_AGE = Need(
    "contacts.age_band",
    "an age (from the date of birth)",
    "contacts",
    columns=("children.birth_month",),
    fix="the rest count as age 'Not known'",
)
END_REASON = Need(
    "early_help_episodes.end_reason",
    "an end reason",
    "ended early help episodes",
    columns=("early_help_episodes.end_reason",),
    fix="map the council's end-reason codes to outcomes in mapping.yaml "
    "(early_help_episodes: end_reasons); the rest show as 'Not recorded'",
)
ORGANISATION = Need(
    "early_help_episodes.organisation",
    "the organisation leading it",
    "early help episodes",
    columns=("early_help_episodes.organisation",),
    fix="the rest show as 'Not recorded'",
)
WORKER = Need(
    "early_help_episodes.worker",
    "a case-holding worker",
    "early help episodes led by the council or a provider",
    columns=("early_help_episodes.worker_id", "involvements.episode_id"),
    fix="A worker comes from an early help involvement table or from earl_episode_worker_id, "
    "where SSD_PH means none; an episode without one is no worker's case",
)
INVOLVEMENT = Need(
    "early_help_episodes.involvement",
    "an early help involvement (when the worker started)",
    "early help episodes with a worker",
    columns=("involvements.episode_id",),
    fix="Waits for a worker and changes of worker need involvements naming the early help "
    "episode: ssd_early_help_involvements.csv, or involvements.refers_to: "
    "early_help_episodes in mapping.yaml. An episode's own worker says nothing of them",
)
TEAM = Need(
    "case_holding.team",
    "a team name",
    "spans of early help cases held by a worker",
    columns=("involvements.team", "teams.team_name"),
    fix="team ids are named through ssd_department; the rest show as 'Team not recorded' or as ids",
)
FTE = Need(
    "case_holding.fte",
    "a full-time equivalence (FTE)",
    "workers holding an early help case",
    columns=("workers.fte",),
    fix="Workers without one (prof_full_time_equivalency) are left out of cases per FTE",
)
CONTACT_SOURCE = Need(
    "contacts.source_code",
    "a contact source",
    "contacts",
    columns=("contacts.source_code",),
    fix="the rest count as 'Unknown'",
)
DECISION = Need(
    "contacts.decision",
    "a front-door decision",
    "contacts",
    columns=("contacts.decision",),
    fix="SSD's decisions come from the outcome flags in cont_contact_outcome_json",
)
TIMELINESS = Need(
    "contacts.decision_date",
    "a decision date",
    "contacts with a decision",
    columns=("contacts.decision_date",),
    fix="contacts without one are left out of timeliness",
)
CIN_SOURCE = Need(
    "cin_referrals.source_code",
    "a referral source",
    "social care referrals",
    columns=("cin_referrals.source_code",),
    fix="step-ups recorded by social care (source 5D) are missed without it",
)
CLOSE_REASON = Need(
    "cin_referrals.close_reason",
    "a closure reason",
    "closed social care referrals",
    columns=("cin_referrals.close_reason",),
    fix="step-downs are closures with reason RC9",
)
POPULATION = Need(
    "population",
    "a child population",
    "districts",
    columns=("population.children",),
    fix="give population.csv (district, year, age_band, children) with the extract",
)

#: Step-ups: an early help episode that ended "Step-up", or a social care referral from early
#: help (5D); each record adds step-ups the other may not show.
STEP_UPS = (END_REASON, CIN_SOURCE)
STEP_UPS_ABOUT = (
    "Counted from early help end reasons and from social care referrals from early help (5D)."
)
RATE_ABOUT = "Rates count children under 18 against the child population."


def _kpi(kpi_id: str, name: str, needs: tuple[Need, ...], **kwargs) -> Measure:
    return Measure(f"kpi.{kpi_id}", f"KPI: {name}", SCORECARD, needs, **kwargs)


def _step_ups(page_key: str, page: str) -> Measure:
    """Step-ups to social care, shown on the Overview and the Front door and pathways page alike."""
    return Measure(
        f"{page_key}.step_ups",
        "Step-ups to social care",
        page,
        STEP_UPS,
        each_adds=True,
        about=STEP_UPS_ABOUT,
    )


MEASURES: tuple[Measure, ...] = (
    # Overview
    Measure("overview.referrals", "Referrals to early help", OVERVIEW, (EPISODES,)),
    Measure("overview.open_episodes", "Open episodes now", OVERVIEW, (EPISODES,)),
    Measure("overview.contacts", "Contacts", OVERVIEW, (CONTACTS,)),
    _step_ups("overview", OVERVIEW),
    Measure("overview.referrals_by_district", "Referrals by district", OVERVIEW, (DISTRICT,)),
    Measure("overview.open_by_district", "Open episodes by district", OVERVIEW, (DISTRICT,)),
    # Demand
    Measure("demand.referrals", "Referrals over time", DEMAND, (EPISODES,)),
    Measure("demand.contacts", "Contacts over time", DEMAND, (CONTACTS,)),
    Measure("demand.district", "Referrals by district", DEMAND, (DISTRICT,)),
    Measure("demand.contact_district", "Contacts by district", DEMAND, (CONTACT_DISTRICT,)),
    Measure("demand.source", "Referrals by source", DEMAND, (REFERRAL_SOURCE,)),
    Measure("demand.contact_source", "Contacts by source", DEMAND, (CONTACT_SOURCE,)),
    Measure("demand.level_of_need", "Referrals by level of need", DEMAND, (LEVEL,)),
    Measure("demand.age_band", "Referrals by age band", DEMAND, (AGE,)),
    Measure("demand.contact_age_band", "Contacts by age band", DEMAND, (CONTACT_AGE,)),
    Measure(
        "demand.rate", "Rates per 10,000 children", DEMAND, (POPULATION, DISTRICT), about=RATE_ABOUT
    ),
    # Caseloads
    Measure("caseloads.open_by_district", "Open episodes by district", CASELOADS, (DISTRICT,)),
    Measure("caseloads.with_worker", "Open episodes with a worker", CASELOADS, (WORKER,)),
    Measure("caseloads.waiting", "Waiting for a worker", CASELOADS, (WORKER, INVOLVEMENT)),
    Measure("caseloads.by_team", "Open cases by team", CASELOADS, (WORKER, TEAM)),
    Measure("caseloads.per_fte", "Caseload per FTE", CASELOADS, (WORKER, FTE)),
    Measure("caseloads.by_worker", "Caseload per worker", CASELOADS, (WORKER, FTE)),
    Measure("caseloads.by_level", "Open episodes by level of need", CASELOADS, (LEVEL,)),
    Measure(
        "caseloads.allocation",
        "Days from referral to first worker",
        CASELOADS,
        (WORKER, INVOLVEMENT),
    ),
    Measure("caseloads.changes", "Changes of worker", CASELOADS, (WORKER, INVOLVEMENT)),
    Measure(
        "caseloads.providers",
        "Council teams and commissioned providers",
        CASELOADS,
        (ORGANISATION, WORKER, INVOLVEMENT),
    ),
    # Front door and pathways
    Measure("pathways.timeliness", "Front-door timeliness", PATHWAYS, (DECISION, TIMELINESS)),
    Measure("pathways.contact_source", "Contacts by source", PATHWAYS, (CONTACT_SOURCE,)),
    Measure("pathways.decisions", "Contacts by decision", PATHWAYS, (DECISION,)),
    Measure("pathways.level_of_need", "Referrals by level of need", PATHWAYS, (LEVEL,)),
    _step_ups("pathways", PATHWAYS),
    Measure("pathways.step_downs", "Step-downs to early help", PATHWAYS, (CLOSE_REASON,)),
    Measure("pathways.rereferrals", "Re-referrals within 12 months", PATHWAYS, (EPISODES,)),
    Measure("pathways.repeat_episodes", "Repeat episodes", PATHWAYS, (EPISODES,)),
    Measure("pathways.outcomes", "Outcomes at closure", PATHWAYS, (END_REASON,)),
    Measure(
        "pathways.outcomes_by_level",
        "Outcomes at closure by level of need",
        PATHWAYS,
        (END_REASON, LEVEL),
    ),
    Measure("pathways.durations", "How long episodes were open", PATHWAYS, (EPISODES,)),
    Measure("pathways.days_by_level", "Median days open by level of need", PATHWAYS, (LEVEL,)),
    Measure(
        "pathways.journeys",
        "Journeys from referral to closure",
        PATHWAYS,
        (REFERRAL_SOURCE, LEVEL, END_REASON),
    ),
    Measure("pathways.partner_led", "Early help led by partners", PATHWAYS, (ORGANISATION,)),
    Measure("pathways.districts", "Districts at a glance", PATHWAYS, (DISTRICT,)),
    # Scorecard: the KPIs of data/kpis.yaml, by id (a council's own KPI has no row here)
    _kpi("referrals", "Referrals to early help", (EPISODES,)),
    _kpi(
        "referral_rate", "Referrals per 10,000 children", (POPULATION, DISTRICT), about=RATE_ABOUT
    ),
    _kpi("decisions_in_time", "Contact decisions in time", (DECISION, TIMELINESS)),
    _kpi("waiting_for_worker", "Children waiting for a worker", (WORKER, INVOLVEMENT)),
    _kpi("partner_led", "Early help led by partners", (ORGANISATION,)),
    _kpi("rereferrals", "Re-referrals within 12 months", (EPISODES,)),
    _kpi("step_ups", "Step-ups to social care", STEP_UPS, each_adds=True, about=STEP_UPS_ABOUT),
    _kpi("step_downs", "Step-downs to early help", (CLOSE_REASON,)),
    _kpi("outcomes_met", "Episodes closed with outcomes met", (END_REASON,)),
    _kpi("median_episode_days", "Median length of an episode", (EPISODES,)),
    _kpi("caseload_per_fte", "Caseload per FTE", (WORKER, FTE)),
    _kpi("workers_above_threshold", "Workers above the caseload threshold", (WORKER, FTE)),
    _kpi("worker_changes", "Changes of worker per episode", (WORKER, INVOLVEMENT)),
    # District profile
    Measure("profile.referrals", "Referrals, 12 months", PROFILE, (EPISODES, DISTRICT)),
    Measure(
        "profile.referral_rate",
        "Referrals per 10,000 children",
        PROFILE,
        (POPULATION, DISTRICT),
        about=RATE_ABOUT,
    ),
    Measure("profile.open_episodes", "Open episodes", PROFILE, (EPISODES, DISTRICT)),
    Measure("profile.waiting", "Waiting for a worker", PROFILE, (WORKER, INVOLVEMENT)),
    Measure(
        "profile.open_rate",
        "Open cases per 10,000 children",
        PROFILE,
        (POPULATION, DISTRICT),
        about=RATE_ABOUT,
    ),
)
BY_KEY = {m.key: m for m in MEASURES}
