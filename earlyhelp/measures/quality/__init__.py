"""Data quality: what each measure the pages show rests on, and how much of it this extract has.

`MEASURES` is the one list of every chart and headline figure on the pages, each with the
fields it is counted from (`Need`). `assess` measures each need on the published warehouse
(queries/quality/quality_filled.sql, through the read-only query runner) and reads the version's
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
and by `earlyhelp.ui.measure_available`, which pages call before drawing a figure.

The work is split by job: catalogue (the declared measures and their needs) and assessment
(statuses, the report and its text). This module re-exports what callers use.
"""

from earlyhelp.measures.quality.assessment import (
    COLUMNS,
    COMPLETE,
    CONTACT_TO_DECISION,
    CONTACT_TO_EARLY_HELP,
    FILLED_QUERY,
    MISSING,
    PARTIAL,
    PARTIAL_BELOW,
    STATUSES,
    TIMELINESS_WORDS,
    Finding,
    as_dicts,
    as_text,
    assess,
    assess_fills,
    assess_measure,
    fills_from,
    report,
    source_of,
    summary_lines,
    timeliness_words,
)
from earlyhelp.measures.quality.catalogue import (
    AGE,
    BY_KEY,
    CASELOADS,
    CIN_SOURCE,
    CLOSE_REASON,
    CONTACT_AGE,
    CONTACT_DISTRICT,
    CONTACT_SOURCE,
    CONTACTS,
    DECISION,
    DEMAND,
    DISTRICT,
    END_REASON,
    EPISODES,
    FTE,
    INVOLVEMENT,
    LEVEL,
    MEASURES,
    ORGANISATION,
    OVERVIEW,
    PATHWAYS,
    POPULATION,
    PROFILE,
    RATE_ABOUT,
    REFERRAL_SOURCE,
    SCORECARD,
    STEP_UPS,
    STEP_UPS_ABOUT,
    TEAM,
    TIMELINESS,
    WORKER,
    Measure,
    Need,
)

__all__ = [
    "AGE",
    "BY_KEY",
    "CASELOADS",
    "CIN_SOURCE",
    "CLOSE_REASON",
    "COLUMNS",
    "COMPLETE",
    "CONTACTS",
    "CONTACT_AGE",
    "CONTACT_DISTRICT",
    "CONTACT_SOURCE",
    "CONTACT_TO_DECISION",
    "CONTACT_TO_EARLY_HELP",
    "DECISION",
    "DEMAND",
    "DISTRICT",
    "END_REASON",
    "EPISODES",
    "FILLED_QUERY",
    "FTE",
    "Finding",
    "INVOLVEMENT",
    "LEVEL",
    "MEASURES",
    "MISSING",
    "Measure",
    "Need",
    "ORGANISATION",
    "OVERVIEW",
    "PARTIAL",
    "PARTIAL_BELOW",
    "PATHWAYS",
    "POPULATION",
    "PROFILE",
    "RATE_ABOUT",
    "REFERRAL_SOURCE",
    "SCORECARD",
    "STATUSES",
    "STEP_UPS",
    "STEP_UPS_ABOUT",
    "TEAM",
    "TIMELINESS",
    "TIMELINESS_WORDS",
    "WORKER",
    "as_dicts",
    "as_text",
    "assess",
    "assess_fills",
    "assess_measure",
    "fills_from",
    "report",
    "source_of",
    "summary_lines",
    "timeliness_words",
]
