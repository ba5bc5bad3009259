"""One ingest run: read the extract, validate and stage it, refuse a poor one, publish it.

Every input row ends up either loaded or listed in the rejects; the reconciliation printed at the
end says so per table (rows read = loaded + rejected). The staging (validated, derived rows in
Parquet parts, then duplicates found in DuckDB) is in earlyhelp.load.ingest.stage.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from earlyhelp.core import schema
from earlyhelp.core.config import key_file
from earlyhelp.core.errors import UnusableInput, printable
from earlyhelp.load import warehouse
from earlyhelp.load.ingest.stage import _Stage
from earlyhelp.load.mapping import (
    Mapping,
    find_mapping,
    load_mapping,
)
from earlyhelp.load.pseudonymise import Pseudonymiser, load_or_create_key
from earlyhelp.load.sources import RawTable, read_sources
from earlyhelp.load.validate import (
    SOURCE_FILE,
    SOURCE_ROW,
)

REFERENCE_TABLES = ("addresses", "district_lookup")


DEFAULT_MAX_REJECTED_PCT = 10.0
# The tables the pages count from: at least one must have rows for a version to be published.
PAGE_TABLES = ("early_help_episodes", "contacts", "cin_referrals")


@dataclass
class IngestResult:
    version: str
    version_dir: Path
    reconciliation: list[dict] = field(default_factory=list)
    rejects: int = 0
    not_used: list[tuple[str, str]] = field(default_factory=list)  # (file or sheet, why)
    encodings: dict[str, str] = field(default_factory=dict)  # files read in other than UTF-8
    # "table.column" -> values from which control characters (NUL...) were removed
    control_characters: dict[str, int] = field(default_factory=dict)
    # "table.column" -> child ids of canonical Parquet hashed as they were not in the hash's form
    hashed_ids: dict[str, int] = field(default_factory=dict)
    # "table.column" -> placeholder dates (1900-01-01 or earlier, the year 9999) treated as missing
    placeholder_dates: dict[str, int] = field(default_factory=dict)


@warehouse.holding_writer_lock("ingest")  # one ingest or rebuild at a time per warehouse
def ingest(
    paths: list[Path],
    warehouse_dir: Path,
    today: date | None = None,
    key_path: Path | None = None,
    mapping_path: Path | None = None,
    max_rejected_pct: float = DEFAULT_MAX_REJECTED_PCT,
    local_authority: str | None = None,
) -> IngestResult:
    today = today or date.today()
    mapping = _mapping_for(paths, mapping_path)
    not_used: list[tuple[str, str]] = []
    raw_tables = read_sources(
        paths, mapping_path=mapping_path, local_authority=local_authority, not_used=not_used
    )
    by_table: dict[str, list[RawTable]] = {}
    for raw in raw_tables:
        by_table.setdefault(raw.table, []).append(raw)
    if not any(t in schema.CANONICAL_TABLES and t != "population" for t in by_table):
        names = ", ".join(str(p) for p in paths)
        # What was not read says why: each on a line of its own.
        reasons = "".join(f"\n{name}: not read: {why}" for name, why in not_used)
        raise UnusableInput(
            f"{names}: no recognisable early help, contact or referral table{reasons}"
        )

    extra_rejects: list[pl.DataFrame] = []
    set_aside_files = {"early_help_episodes": _prefer_ssd_episodes(by_table, extra_rejects)}
    pseudonymiser = Pseudonymiser(load_or_create_key(key_path or key_file()))

    warehouse_dir = Path(warehouse_dir).resolve()
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    # What killed ingests left here was removed when the writer lock was taken
    # (warehouse.remove_leftovers).
    work = warehouse_dir / f".ingest-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    work.mkdir()
    try:
        stage = _Stage(work, today, pseudonymiser, mapping)
        stage.reference_tables(by_table)
        for name in _stored_tables_in_order(by_table):
            stage.table(name, by_table[name])
        tables = stage.deduplicate()
        if not any(stage.loaded[t] for t in stage.loaded if t in schema.CANONICAL_TABLES):
            rejects = stage.all_rejects()
            if rejects.height == 0:  # files with a header and no rows
                raise UnusableInput(f"{', '.join(str(p) for p in paths)}: no rows to load")
            first = rejects.row(0, named=True)
            raise UnusableInput(
                f"{', '.join(str(p) for p in paths)}: no usable rows; every row was rejected, "
                f"e.g. {first['source_file']} row {first['source_row']}, {first['column']}: "
                f"{first['reason']}"
            )
        _refuse_poor_extract(stage, max_rejected_pct)
        rejects = pl.concat([stage.all_rejects(), *extra_rejects], how="vertical")
        rejects = rejects.sort(SOURCE_FILE, SOURCE_ROW, "column")
        set_aside = {"early_help_episodes": sum(r.height for r in extra_rejects)}
        reconciliation = [
            {
                "table": name,
                "rows_read": count.rows_read + set_aside.get(name, 0),
                "loaded": stage.loaded[name],
                "rejected": count.rows_read - stage.loaded[name] + set_aside.get(name, 0),
                "values_cleared": count.values_cleared,
                "files": sorted(
                    {t.source_file for t in by_table[name]} | set_aside_files.get(name, set())
                ),
            }
            for name, count in sorted(stage.counts.items())
        ]
        manifest = {
            "pseudonymised": True,
            "sources": [str(p) for p in paths],
            "reconciliation": reconciliation,
            "ingested_on": today.isoformat(),
            "not_used": [{"file": f, "why": why} for f, why in not_used],
            "source_fields": _source_fields(by_table),
            "encodings": {t.source_file: t.encoding for t in raw_tables if t.encoding is not None},
            "control_characters_removed": _control_characters(stage),
            "child_ids_hashed_not_in_hashed_form": dict(sorted(stage.hashed_ids.items())),
            "placeholder_dates": _placeholder_dates(rejects),
            "mapping": mapping.summary() if mapping.path else None,
            "level_labels": {str(k): v for k, v in sorted(mapping.level_labels.items())},
            "organisation_kinds": {
                o.name: o.kind for o in mapping.organisations.values() if o.kind is not None
            },
            "definitions": {
                "frontdoor_timeliness": "contact_to_early_help_start"
                if stage.linked_contacts
                else "contact_to_decision",
                "early_help_within_days": mapping.early_help_within_days,
            },
        }
        version, version_dir = warehouse.publish(
            warehouse_dir, tables, rejects, manifest, districts=stage.known_districts
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    encodings = {t.source_file: t.encoding for t in raw_tables if t.encoding not in (None, "utf-8")}
    return IngestResult(
        version,
        version_dir,
        reconciliation,
        rejects.height,
        not_used,
        encodings,
        manifest["control_characters_removed"],
        manifest["child_ids_hashed_not_in_hashed_form"],
        manifest["placeholder_dates"],
    )


def _control_characters(stage: _Stage) -> dict[str, int]:
    """Per "table.column", the values control characters were removed from."""
    return {
        f"{name}.{column}": n
        for name, count in sorted(stage.counts.items())
        for column, n in sorted(count.control_characters.items())
    }


def _placeholder_dates(rejects: pl.DataFrame) -> dict[str, int]:
    """Per "table.column", the dates treated as missing because they are placeholders."""
    found = (
        rejects.filter(pl.col("reason").str.contains("^placeholder"))
        .group_by("table", "column")
        .len()
        .sort("table", "column")
    )
    return {f"{t}.{c}": n for t, c, n in found.iter_rows()}


def _mapping_for(paths: list[Path], mapping_path: Path | None) -> Mapping:
    """The mapping file given, else the one beside the first SSD extract, else SSD's defaults."""
    if mapping_path:
        return load_mapping(mapping_path)
    for path in paths:
        folder = path if path.is_dir() else path.parent
        found = find_mapping(folder)
        if found:
            return load_mapping(found)
    return Mapping()


def _source_fields(by_table: dict[str, list[RawTable]]) -> dict[str, dict[str, str | None]]:
    """Per stored table and column, the source field it was read from; None when no file for
    the table had it (the quality report then says the measure is not in this extract)."""
    fields: dict[str, dict[str, str | None]] = {}
    for name, raws in by_table.items():
        if name not in schema.CANONICAL_TABLES:
            continue
        table_fields = fields.setdefault(name, {})
        for raw in raws:
            if not raw.source_fields:  # Annex A and canonical Parquet: every column read as given
                for column in schema.CANONICAL_TABLES[name].column_names:
                    if column in raw.frame.columns and table_fields.get(column) is None:
                        table_fields[column] = f"{name}.{column}"
                    table_fields.setdefault(column, None)
                continue
            for column, source in raw.source_fields.items():
                if table_fields.get(column) is None:
                    table_fields[column] = source
    return fields


def _refuse_poor_extract(stage: _Stage, max_rejected_pct: float) -> None:
    """The quality gate: nothing is published (the previous version keeps serving) when a
    table loses more than the allowed share of its rows, or no table the pages count from has
    a row."""
    # A duplicate loses nothing (its first copy is loaded), and overlapping monthly Annex A
    # returns repeat most of their rows, so duplicates do not count against the gate.
    lost = stage.all_rejects().filter(
        (pl.col("action") == "row rejected") & ~pl.col("reason").str.starts_with("duplicate of")
    )
    for name, count in sorted(stage.counts.items()):
        if count.rows_read == 0 or name not in schema.CANONICAL_TABLES:
            continue
        example = lost.filter(pl.col("table") == name)
        rejected = example.select(SOURCE_FILE, SOURCE_ROW).unique().height
        share = 100.0 * rejected / count.rows_read
        if share > max_rejected_pct:
            first = example.row(0, named=True) if example.height else None
            because = (
                f", e.g. {first['source_file']} row {first['source_row']}, {first['column']}: "
                f"{first['reason']}"
                if first
                else ""
            )
            raise UnusableInput(
                f"not published: {name} lost {rejected:,} of {count.rows_read:,} rows "
                f"({share:.1f}%) to rejects, more than the {max_rejected_pct:g}% allowed "
                f"(--max-rejected){because}"
            )
    if not any(stage.loaded.get(t) for t in PAGE_TABLES):
        raise UnusableInput(
            "not published: no early help episode, contact or social care referral was loaded"
        )


def _stored_tables_in_order(by_table: dict[str, list[RawTable]]) -> list[str]:
    """Children first: the other tables' age bands need each child's birth month; early help
    episodes before contacts, which are linked to the episode that follows them."""
    names = [n for n in by_table if n not in REFERENCE_TABLES]
    first = ("children", "early_help_episodes")
    return sorted(names, key=lambda n: (first.index(n) if n in first else len(first), n))


def _prefer_ssd_episodes(
    by_table: dict[str, list[RawTable]], rejects: list[pl.DataFrame]
) -> set[str]:
    """Annex A List 2 starts stand in for referrals only when no SSD episodes are given.

    Returns the files set aside, whose rows are listed in the rejects and the reconciliation.
    """
    episodes = by_table.get("early_help_episodes", [])
    annex = [t for t in episodes if "#" in t.source_file]
    ssd = [t for t in episodes if "#" not in t.source_file]
    if annex and ssd:
        by_table["early_help_episodes"] = ssd
        for table in annex:
            rejects.append(
                table.frame.select(
                    pl.lit(table.source_file).alias("source_file"),
                    pl.col(SOURCE_ROW),
                    pl.lit("early_help_episodes").alias("table"),
                    pl.lit("start_date").alias("column"),
                    pl.col("start_date").alias("value"),
                    pl.lit(
                        "not used: SSD early help episodes were given, so Annex A List 2 "
                        "assessments are not counted as referrals"
                    ).alias("reason"),
                    pl.lit("row rejected").alias("action"),
                )
            )
    return {t.source_file for t in annex} if annex and ssd else set()


def reconciliation_text(result: IngestResult) -> str:
    lines = [f"Published warehouse version {result.version}", ""]
    header = f"{'table':<22}{'rows read':>12}{'loaded':>12}{'rejected':>12}{'values cleared':>16}"
    lines.append(header)
    for row in result.reconciliation:
        lines.append(
            f"{row['table']:<22}{row['rows_read']:>12,}{row['loaded']:>12,}{row['rejected']:>12,}"
            f"{row['values_cleared']:>16,}"
        )
    lines.append("")
    lines.append(f"Rejects (file, row, column, reason): {result.version_dir / 'rejects.csv'}")
    for name, encoding in sorted(result.encodings.items()):
        lines.append(f"Read as {encoding} (not UTF-8): {printable(name)}")
    for what, counts in (
        (
            "Placeholder dates (1900-01-01 or earlier, 9999) treated as missing",
            result.placeholder_dates,
        ),
        ("Control characters (NUL...) removed from", result.control_characters),
        ("Child ids hashed, as they were not in the keyed hash's form", result.hashed_ids),
    ):
        if counts:
            shown = ", ".join(f"{where} {n:,}" for where, n in counts.items())
            total = sum(counts.values())
            lines.append(f"{what}: {total:,} value{'s' if total != 1 else ''} ({shown})")
    if result.not_used:
        lines.append("")
        lines.append("Not read:")
        lines.extend(f"  {printable(name)}: {why}" for name, why in result.not_used)
    return "\n".join(lines)
