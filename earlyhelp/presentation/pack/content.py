"""A whole committee pack's content for a role: the title page's facts (title, meeting date,
the period the data cover, when they were loaded, the marking), the chosen sections in order,
then the definitions, the data sources and the disclosure statement."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from earlyhelp.core.errors import QueryError
from earlyhelp.measures import kpis
from earlyhelp.presentation import charts
from earlyhelp.presentation.pack import sections, sections_more
from earlyhelp.presentation.pack.context import Context
from earlyhelp.presentation.pack.model import Pack, Section
from earlyhelp.query import disclosure
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner

#: Section keys, in the order a pack prints them, with their names in the app and on the
#: command line (`--sections overview,demand`). `district` is one District profile, or every
#: district the role may see when no district is named.
SECTIONS = {
    "overview": "Overview",
    "demand": "Demand",
    "caseloads": "Caseloads",
    "pathways": "Front door and pathways",
    "scorecard": "Scorecard",
    "district": "District profile",
}
DEFAULT_TITLE = "Early help performance report"
MARKINGS = {True: "OFFICIAL-SENSITIVE", False: "OFFICIAL"}
ROLE_WORDS = {
    "board": "Partnership board view",
    "district": "District view",
    "manager": "Service manager view",
    "analyst": "Performance analyst view",
}

DEFINITIONS = [
    (
        "Referral to early help",
        "A child whose early help episode (or early help assessment) started in the period.",
    ),
    (
        "Open episode",
        "An early help episode started on or before the date and not ended on or before it.",
    ),
    (
        "Waiting for a worker",
        "An open episode held by a council team or commissioned provider that has not yet "
        "been given its first worker.",
    ),
    (
        "Cases per FTE",
        "Open cases held by workers with a full-time equivalent recorded, divided by their "
        "total FTE (case-holding workers only).",
    ),
    (
        "Decided in time",
        "Contacts to the front door decided within the standard, in working days (weekends "
        "and England and Wales bank holidays left out); a share of contacts with a decision.",
    ),
    (
        "Re-referral",
        "A referral for a child who had another referral in the 365 days before this one.",
    ),
    (
        "Step-up and step-down",
        "Step-up: an early help episode ended because the child was referred to children's "
        "social care. Step-down: a social care case closed and referred to early help.",
    ),
    (
        "Expected demand and unusual months",
        "The seasonal pattern learnt from the history (the Covid months set aside); a month "
        "more than 2.5 times the usual month-to-month spread above or below it is a peak or a "
        "trough, labelled with the nearest event in the council's calendar.",
    ),
    (
        "Forecast",
        "The school-year pattern and trend carried forward, with 80% and 95% prediction "
        "intervals; its accuracy is tested on the last 12 months.",
    ),
]


def _loaded_words(manifest: dict, meeting: date) -> str:
    """'Loaded on 3 December 2026 at 11:58 UTC, 12 days before the meeting'."""
    try:
        moment = datetime.fromisoformat(str(manifest.get("created")))
        loaded, at = moment.date(), f" at {moment:%H:%M} UTC"
    except ValueError:
        try:
            loaded, at = date.fromisoformat(str(manifest.get("ingested_on"))), ""
        except ValueError:
            return "When the data were loaded is not recorded"
    days = (meeting - loaded).days
    before = (
        f", {days} day{'s' if days != 1 else ''} before the meeting"
        if days > 0
        else (", the day of the meeting" if days == 0 else "")
    )
    return f"Loaded on {charts.long_date(loaded)}{at}{before}"


def _lower_first(text: str) -> str:
    """'Loaded on 3 December' -> 'loaded on 3 December' (names keep their capitals)."""
    return text[:1].lower() + text[1:]


def _sections(
    ctx: Context, keys: Iterable[str], district: str | None, demand_filters: dict | None = None
) -> list[Section]:
    built = []
    for key in keys:
        if key == "overview":
            built.append(sections.overview(ctx))
        elif key == "demand":
            built.append(sections.demand_section(ctx, district, demand_filters))
        elif key == "caseloads":
            built.append(sections.caseloads_section(ctx))
        elif key == "pathways":
            built.append(sections_more.pathways_section(ctx))
        elif key == "scorecard":
            built.append(sections_more.scorecard_section(ctx))
        elif key == "district":
            names = sections_more.district_names(ctx)
            if district is not None:
                if district not in names:
                    raise QueryError(
                        f"there is no district {district!r} to profile: {', '.join(names)}"
                    )
                names = [district]
            built.extend(sections_more.district_section(ctx, name) for name in names)
    return built


def _drop_empty_charts(section: Section, *, protected: bool) -> None:
    """A chart with nothing to draw (every value withheld, or none) becomes a sentence, as
    charts.nothing_to_draw makes it on the pages: a chart of withheld bars is not a chart of
    zeros."""
    kept = []
    for chart in section.charts:
        if charts.plotted_values(chart.figure):
            kept.append(chart)
        else:
            why = charts.ALL_WITHHELD if protected else charts.NO_VALUES
            section.notices.append(f"{chart.title}: {why}")
    section.charts = kept


def parse_sections(text: str | Iterable[str] | None) -> list[str]:
    """Section keys from 'overview,demand' (or a list), in the pack's order; every one if none."""
    if text is None:
        return list(SECTIONS)
    items = text.split(",") if isinstance(text, str) else list(text)
    wanted = [i.strip().lower() for i in items if i.strip()]
    unknown = [w for w in wanted if w not in SECTIONS]
    if unknown:
        raise QueryError(f"unknown section {unknown[0]!r}: use {', '.join(SECTIONS)}")
    return [key for key in SECTIONS if key in wanted]


def build_content(
    runner: QueryRunner,
    role: Role,
    *,
    sections_wanted: Iterable[str] | None = None,
    district: str | None = None,
    title: str | None = None,
    meeting_date: date | None = None,
    progress: Callable[[str], None] | None = None,
    demand_filters: dict | None = None,
) -> Pack:
    """The pack for a role. `demand_filters`: the Demand section's source_group, level_of_need
    and age_band (as on the Demand page); `district` is its district too."""
    if district is not None:
        role.check_may_see(district)
    ctx = Context.open(runner, role)
    keys = parse_sections(sections_wanted)
    marking = MARKINGS[role.exact_counts]
    note = (
        "exact figures: do not publish or share outside the partnership"
        if role.exact_counts
        else "small numbers withheld and counts rounded, so these figures can be shared"
    )
    pack = Pack(
        title=(title or DEFAULT_TITLE).strip() or DEFAULT_TITLE,
        meeting_date=meeting_date or date.today(),
        marking=marking,
        marking_note=note,
        role_words=ROLE_WORDS[role.kind] + (f" ({role.district})" if role.district else ""),
        data_period=f"{charts.long_date(ctx.first_date)} to {charts.long_date(ctx.last_date)}",
        loaded_words=_loaded_words(runner.manifest, meeting_date or date.today()),
        version=runner.version,
    )
    for key in keys:
        if progress:
            progress(f"Working out the {SECTIONS[key]} figures")
        pack.sections.extend(_sections(ctx, [key], district, demand_filters))
    for section in pack.sections:
        _drop_empty_charts(section, protected=not role.exact_everywhere)
    pack.definitions = list(DEFINITIONS)
    if "scorecard" in keys or "district" in keys:
        kpi_set = kpis.load_kpis(kpis.kpis_file(), runner.queries)
        pack.definitions.extend(
            (k.title, f"{k.definition} Target: {k.target_words()}.") for k in kpi_set.kpis
        )
    used = sorted({name for name, _ in ctx.results})
    pack.sources = [
        f"Early Help Insight warehouse version {runner.version} "
        f"({_lower_first(pack.loaded_words)}), "
        f"built from the council's case management extracts; the data cover {pack.data_period}.",
        "Every figure is a named query run for the "
        f"{_lower_first(pack.role_words)} with its disclosure control: {', '.join(used)}.",
        "Events marked on the charts and school terms: the council's calendar "
        "(data/calendar/). Strategy measures and targets: data/kpis.yaml.",
    ]
    policy = disclosure.current_policy()
    pack.disclosure = (
        f"Disclosure control ({policy.title}). {policy.footnote()}"
        if not role.exact_everywhere
        else "Exact figures, with no disclosure control: this pack is for the partnership's "
        "officers only and must not be published."
    )
    if role.exact_counts and not role.exact_everywhere:
        pack.disclosure = (
            f"{role.district}'s own figures are exact; the whole borough's are protected. "
            f"{policy.footnote()}"
        )
    return pack
