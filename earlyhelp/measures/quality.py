"""Data quality: what each measure the pages show rests on, and how much of it this extract has.

`MEASURES` is the one list of every chart and headline figure on the pages, each with the
fields it is counted from (`Need`). `assess` measures each need on the published warehouse
(queries/quality_filled.sql, through the read-only query runner) and reads the version's
manifest (`source_fields`: where each canonical column came from, null when the extract did not
have it) to give every measure a status:

- **missing**: a field it needs is not in the extract at all, or is never filled (0%), or the
  table it counts has no rows. The page shows "Not in this extract: <field>. See Data
  quality." instead of the chart or headline (zeros or "not recorded" would mislead).
- **partial**: a field is filled for fewer than `PARTIAL_BELOW` per cent of the rows it is
  measured on. The page shows the chart with a short note.
- **complete**: otherwise.

A measure whose needs each add to its count (step-ups: from early help end reasons or from
social care referrals from early help) is missing only when all of them are, and partial when
any is not complete. A version published before manifests recorded `source_fields` is judged
on the filled shares alone.

Used by `python -m earlyhelp quality`, by ingest (`summary_lines`), by the Data quality page,
and by `earlyhelp.presentation.ui.measure_available`, which pages call before drawing a figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from earlyhelp.core import schema

#: Below this share of rows filled (per cent), a measure is partial.
PARTIAL_BELOW = 95.0
COMPLETE, PARTIAL, MISSING = "complete", "partial", "missing"
STATUSES = (COMPLETE, PARTIAL, MISSING)
FILLED_QUERY = "quality_filled"
#: The public columns of the report (CLI, Data quality page, JSON).
COLUMNS = ("measure", "page", "fields", "filled_pct", "status", "note")

# Pages, as the navigation names them.
OVERVIEW = "Overview"
DEMAND = "Demand"
CASELOADS = "Caseloads"
PATHWAYS = "Front door and pathways"
SCORECARD = "Scorecard"
PROFILE = "District profile"

# Front-door timeliness definitions (manifest `definitions.frontdoor_timeliness`).
CONTACT_TO_EARLY_HELP = "contact_to_early_help_start"
CONTACT_TO_DECISION = "contact_to_decision"
TIMELINESS_WORDS = {
    CONTACT_TO_EARLY_HELP: "working days from contact to the start of the early help episode "
    "that follows it (SSD has no decision date)",
    CONTACT_TO_DECISION: "working days from contact to decision",
}


@dataclass(frozen=True)
class Need:
    """One field a measure is counted from.

    `check` is a row of queries/quality_filled.sql (the rows it is measured on and how many are
    filled); `columns` the canonical table.column(s) it is read from, any one of which will do
    (the manifest's `source_fields` says whether the extract had them); `source`, for a field
    worked out at ingest rather than read (districts, age bands), says what it comes from.
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


@dataclass(frozen=True)
class Finding:
    """One measure assessed on one warehouse version: a row of the report."""

    key: str
    measure: str
    page: str
    fields: str
    filled_pct: float
    status: str
    note: str
    missing_fields: str  # the fields named in the page's "Not in this extract" notice

    def as_dict(self) -> dict:
        return {c: getattr(self, c) for c in COLUMNS}

    @property
    def notice(self) -> str | None:
        """What a page says instead of (missing) or beside (partial) the figure; None when
        complete."""
        if self.status == MISSING:
            return f"Not in this extract: {self.missing_fields}. See Data quality."
        if self.status == PARTIAL:
            return f"Partly recorded: {self.note} See Data quality."
        return None


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


MEASURES: tuple[Measure, ...] = (
    # Overview
    Measure("overview.referrals", "Referrals to early help", OVERVIEW, (EPISODES,)),
    Measure("overview.open_episodes", "Open episodes now", OVERVIEW, (EPISODES,)),
    Measure("overview.contacts", "Contacts", OVERVIEW, (CONTACTS,)),
    Measure(
        "overview.step_ups",
        "Step-ups to social care",
        OVERVIEW,
        STEP_UPS,
        each_adds=True,
        about=STEP_UPS_ABOUT,
    ),
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
    Measure(
        "pathways.step_ups",
        "Step-ups to social care",
        PATHWAYS,
        STEP_UPS,
        each_adds=True,
        about=STEP_UPS_ABOUT,
    ),
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


# --- Where each field came from -----------------------------------------------------------------
#: Canonical columns an SSD extract fills from something other than one column of the same name.
_SSD_NAMES = {
    "contacts.decision": "ssd_contacts.cont_contact_outcome_json",
    "contacts.decision_date": "ssd_contacts.cont_contact_outcome_json + "
    "ssd_early_help_episodes.earl_episode_start_date",
    "involvements.episode_id": "ssd_early_help_involvements.invo_referral_id",
    "workers.worker_id": "ssd_professionals.prof_professional_id / prof_staff_id",
    "population.children": "population.csv",
}
_MAPPED_COLUMNS = {
    "early_help_episodes.level_of_need": "level_of_need_column",
    "early_help_episodes.source_code": "referral_source_column",
}


def _ssd_name(manifest: dict, column: str) -> str | None:
    """The SSD field an SSD extract would have given a canonical column in."""
    mapped = _MAPPED_COLUMNS.get(column)
    local = (manifest.get("mapping") or {}).get(mapped) if mapped else None
    if local:
        return f"ssd_early_help_episodes.{local}"
    if column in _SSD_NAMES:
        return _SSD_NAMES[column]
    table, name = column.split(".", 1)
    for ssd_table, (canonical, columns) in schema.SSD_TABLES.items():
        if canonical == table:
            for source, target in columns.items():
                if target == name:
                    return f"{ssd_table}.{source}"
    return None


def _from_ssd(manifest: dict) -> bool:
    fields = manifest.get("source_fields") or {}
    return any(
        str(v).startswith("ssd_") for table in fields.values() for v in (table or {}).values() if v
    )


def source_of(manifest: dict, column: str) -> tuple[bool | None, str]:
    """Whether the extract had a canonical column (None: the manifest does not say), and the
    field to name: where it came from, or, when absent, where it would come from (the SSD field
    for an SSD extract, else the canonical table.column)."""
    fields = manifest.get("source_fields")
    if fields is None:
        return None, column
    table, name = column.split(".", 1)
    given = (fields.get(table) or {}).get(name)
    if given:
        return True, str(given)
    if table == "population":
        return False, _SSD_NAMES["population.children"]
    expected = _ssd_name(manifest, column) if _from_ssd(manifest) else None
    return False, expected or column


# --- Assessing a warehouse version --------------------------------------------------------------
@dataclass(frozen=True)
class _Assessed:
    status: str
    pct: float
    note: str
    fields: str  # the source fields it rests on
    missing: str  # the fields to name when it is missing
    empty: bool = False  # missing only because there is no row to measure it on


def _timeliness_check(manifest: dict) -> str:
    """From SSD (no decision date) only contacts followed by early help are timed: their share
    with a time is what the measure rests on."""
    definition = (manifest.get("definitions") or {}).get("frontdoor_timeliness")
    return (
        "contacts.decision_date_early_help"
        if definition == CONTACT_TO_EARLY_HELP
        else ("contacts.decision_date")
    )


def _assess_need(need: Need, fills: dict[str, tuple[int, int]], manifest: dict) -> _Assessed:
    check = _timeliness_check(manifest) if need is TIMELINESS else need.check
    rows, filled = fills.get(check, (0, 0))
    pct = round(100.0 * filled / rows, 1) if rows else 0.0
    if need.source is not None:
        present, names = None, [need.source]
    else:
        sources = [source_of(manifest, c) for c in need.columns]
        present = None if any(p is None for p, _ in sources) else any(p for p, _ in sources)
        given = [n for p, n in sources if p]
        names = given if present else [n for _, n in sources]
    fields = " or ".join(dict.fromkeys(names))
    of = need.of
    if present is False:
        note = f"not in this extract: {fields}"
        return _Assessed(MISSING, 0.0, _with_fix(note, need), fields, fields)
    if rows == 0:
        note = f"there are no {need.what if of == 'the extract' else of} in this extract"
        return _Assessed(MISSING, 0.0, note, fields, fields, empty=True)
    if filled == 0:
        note = f"no {_singular(of)} has {need.what}"
        return _Assessed(MISSING, 0.0, _with_fix(note, need), fields, fields)
    if pct < PARTIAL_BELOW:
        note = f"{pct:.1f}% of {of} have {need.what}"
        return _Assessed(PARTIAL, pct, _with_fix(note, need), fields, "")
    return _Assessed(COMPLETE, pct, "", fields, "")


def _singular(rows: str) -> str:
    """'early help episodes not led by a partner' -> 'early help episode not led by a partner'."""
    for plural, single in (
        ("episodes", "episode"),
        ("contacts", "contact"),
        ("referrals", "referral"),
        ("workers", "worker"),
        ("districts", "district"),
        ("spans", "span"),
    ):
        if plural in rows:
            return rows.replace(plural, single, 1)
    return rows


def _with_fix(note: str, need: Need) -> str:
    return f"{_sentence(note)} {_sentence(need.fix)}" if need.fix else note


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def assess_measure(measure: Measure, fills: dict[str, tuple[int, int]], manifest: dict) -> Finding:
    assessed = [_assess_need(n, fills, manifest) for n in measure.needs]
    fields = "; ".join(dict.fromkeys(a.fields for a in assessed))
    said = assessed
    if any(a.status == MISSING and not a.empty for a in assessed):
        # A need with no rows because another is missing (no case-holding worker, so no
        # worker's FTE to measure) adds nothing to say.
        said = [a for a in assessed if not a.empty]
    statuses = [a.status for a in assessed]
    if measure.each_adds:
        if all(s == MISSING for s in statuses):
            status = MISSING
        elif all(s == COMPLETE for s in statuses):
            status = COMPLETE
        else:
            status = PARTIAL
    else:
        status = max(statuses, key=STATUSES.index)
    notes = [_sentence(a.note) for a in said if a.note]
    if measure.about:
        notes.append(_sentence(measure.about))
    if measure.needs and any(n is TIMELINESS for n in measure.needs):
        notes.append(_sentence(f"Timeliness is {timeliness_words(manifest)}"))
    return Finding(
        key=measure.key,
        measure=measure.name,
        page=measure.page,
        fields=fields,
        filled_pct=min(a.pct for a in assessed),
        status=status,
        note=" ".join(notes),
        missing_fields="; ".join(dict.fromkeys(a.missing for a in said if a.missing)),
    )


def timeliness_words(manifest: dict) -> str:
    """The front-door timeliness definition a version uses, in words."""
    definition = (manifest.get("definitions") or {}).get("frontdoor_timeliness")
    return TIMELINESS_WORDS.get(definition, TIMELINESS_WORDS[CONTACT_TO_DECISION])


def fills_from(rows: Iterable[dict]) -> dict[str, tuple[int, int]]:
    """queries/quality_filled.sql's rows as check -> (rows, filled)."""
    return {r["check"]: (int(r["rows"] or 0), int(r["filled"] or 0)) for r in rows}


def assess_fills(fills: dict[str, tuple[int, int]], manifest: dict) -> list[Finding]:
    return [assess_measure(m, fills, manifest) for m in MEASURES]


def assess(runner) -> list[Finding]:
    """Every measure assessed on the runner's warehouse version (a QueryRunner)."""
    from earlyhelp.query.roles import Role

    # Whole-table shares about the extract, not a group of children: the same for every role.
    frame = runner.run(FILLED_QUERY, role=Role.parse("analyst"))
    return assess_fills(fills_from(frame.to_dicts()), runner.manifest)


def report(version_dir: Path) -> list[Finding]:
    """Every measure assessed on a published version folder (read-only)."""
    from earlyhelp.query.runner import QueryRunner

    runner = QueryRunner(Path(version_dir))
    try:
        return assess(runner)
    finally:
        runner.close()


def as_dicts(findings: Iterable[Finding]) -> list[dict]:
    return [f.as_dict() for f in findings]


def as_text(findings: list[Finding]) -> str:
    """An aligned table: one line per measure, the note last (it is the longest)."""
    rows = [
        [f.measure, f.page, f.fields, f"{f.filled_pct:.1f}", f.status, f.note] for f in findings
    ]
    widths = [max(len(str(r[i])) for r in [list(COLUMNS), *rows]) for i in range(len(COLUMNS))]
    numeric = COLUMNS.index("filled_pct")
    lines = []
    for row in [list(COLUMNS), *rows]:
        cells = [
            str(v).rjust(widths[i]) if i == numeric else str(v).ljust(widths[i])
            for i, v in enumerate(row[:-1])
        ]
        lines.append("  ".join([*cells, str(row[-1])]).rstrip())
    return "\n".join(lines)


def summary_lines(version_dir: Path) -> list[str]:
    """For ingest, after the reconciliation: the measures that are missing or partial."""
    findings = report(version_dir)
    short = [f for f in findings if f.status != COMPLETE]
    if not short:
        return ["Data quality: every measure the pages show is complete."]
    missing = sum(f.status == MISSING for f in short)
    lines = [
        f"Data quality: {missing} measure{'s' if missing != 1 else ''} missing, "
        f"{len(short) - missing} partial, of {len(findings)} the pages show "
        "(python -m earlyhelp quality for all):"
    ]
    width = max(len(f"{f.page}: {f.measure}") for f in short)
    for f in sorted(short, key=lambda f: (f.status != MISSING, f.page, f.measure)):
        where = f"{f.page}: {f.measure}"
        lines.append(f"  {f.status:<8} {where:<{width}}  {f.filled_pct:5.1f}%  {f.fields}")
    return lines
