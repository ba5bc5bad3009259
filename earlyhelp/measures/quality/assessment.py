"""Assessing a warehouse version: each measure's status (complete, partial, missing), the report.

Each need is measured on the published warehouse (queries/quality/quality_filled.sql) and the
version's manifest says where each canonical column came from (`source_fields`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from earlyhelp.core import schema
from earlyhelp.measures.quality.catalogue import MEASURES, TIMELINESS, Measure, Need

#: Below this share of rows filled (per cent), a measure is partial.
PARTIAL_BELOW = 95.0
COMPLETE, PARTIAL, MISSING = "complete", "partial", "missing"
STATUSES = (COMPLETE, PARTIAL, MISSING)
FILLED_QUERY = "quality_filled"
#: The public columns of the report (CLI, Data quality page, JSON).
COLUMNS = ("measure", "page", "fields", "filled_pct", "status", "note")


# Front-door timeliness definitions (manifest `definitions.frontdoor_timeliness`).
CONTACT_TO_EARLY_HELP = "contact_to_early_help_start"
CONTACT_TO_DECISION = "contact_to_decision"
TIMELINESS_WORDS = {
    CONTACT_TO_EARLY_HELP: "working days from contact to the start of the early help episode "
    "that follows it (SSD has no decision date)",
    CONTACT_TO_DECISION: "working days from contact to decision",
}


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
    """queries/quality/quality_filled.sql's rows as check -> (rows, filled)."""
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
