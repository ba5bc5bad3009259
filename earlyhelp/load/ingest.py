"""From extract files to a published warehouse version: read, validate, derive, publish.

Every input row ends up either loaded or listed in the rejects; the reconciliation printed at the
end says so per table (rows read = loaded + rejected).

Large tables are streamed: each source file is read, checked and derived a batch of rows at a
time and written to Parquet parts in a working folder beside the warehouse; duplicates, which
span batches and files, are then found over the whole table in DuckDB, which spills to disk.
Only the slim lookups the derivations need (each child's birth month and districts over time)
are held in memory, so a national extract ingests on a machine that could not hold it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from earlyhelp.core import schema
from earlyhelp.core.calendar import working_days_between
from earlyhelp.core.config import INGEST_QUERIES_DIR, key_file
from earlyhelp.core.errors import UnusableInput, printable
from earlyhelp.load import warehouse
from earlyhelp.load.mapping import (
    DEFAULT_EXCLUDED_ADDRESS_PREFIXES,
    Mapping,
    find_mapping,
    load_mapping,
)
from earlyhelp.load.pseudonymise import Pseudonymiser, load_or_create_key
from earlyhelp.load.sources import RawTable, read_sources
from earlyhelp.load.validate import (
    EARLIEST_PLAUSIBLE_DATE,
    EARLY_HELP,
    SOCIAL_CARE_DECISIONS,
    SOURCE_FILE,
    SOURCE_ROW,
    Validated,
    duplicate_key,
    duplicate_rejects,
    empty_rejects,
    postcode_sector,
    postcode_sector_only,
    reject_duplicates,
    validate_rows,
    validate_table,
)

REFERENCE_TABLES = ("addresses", "district_lookup")
EVENT_DATES = {
    "contacts": "contact_date",
    "early_help_episodes": "start_date",
    "cin_referrals": "referral_date",
}
KEY_COLUMN, SHOWN_COLUMN = "__key", "__shown"
DEFAULT_MAX_REJECTED_PCT = 10.0
# The tables the pages count from: at least one must have rows for a version to be published.
PAGE_TABLES = ("early_help_episodes", "contacts", "cin_referrals")
# DuckDB's share of memory while it looks for duplicates; the rest is left to Polars' lookups.
DEDUPLICATION_MEMORY = "4GB"


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


@dataclass
class _TableCount:
    rows_read: int = 0
    rows_rejected: int = 0
    values_cleared: int = 0
    control_characters: dict[str, int] = field(default_factory=dict)


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


class _Stage:
    """The working folder of one ingest: validated, derived rows as Parquet parts per table."""

    def __init__(
        self, work: Path, today: date, pseudonymiser: Pseudonymiser, mapping: Mapping
    ) -> None:
        self.work = work
        self.today = today
        self.pseudonymiser = pseudonymiser
        self.mapping = mapping
        self.episode_starts = pl.DataFrame(schema={"child_id": pl.String, "__eh_start": pl.Date})
        self.linked_contacts = 0
        self.hashed_ids: dict[str, int] = {}  # "table.column" -> ids hashed (canonical input)
        self.counts: dict[str, _TableCount] = {}
        self.loaded: dict[str, int] = {}
        self.parts: dict[str, list[Path]] = {}
        self.rejects: list[pl.DataFrame] = []
        self.known_districts: list[str] = []
        self.districts = _no_district_periods()
        self.births = pl.DataFrame(schema={"child_id": pl.String, "birth_month": pl.Date})

    # --- reference data: held in memory, slim -------------------------------------------------

    def reference_tables(self, by_table: dict[str, list[RawTable]]) -> None:
        """The district lookup and addresses give each child's districts over time; neither is
        stored (addresses are personal data), only counted and checked."""
        lookup = None
        if "district_lookup" in by_table:
            lookup = self._whole("district_lookup", by_table["district_lookup"])
            self.known_districts = lookup["district"].unique().sort().to_list()
        if "addresses" in by_table:
            slim = []
            count = self.counts.setdefault("addresses", _TableCount())
            for raw in by_table["addresses"]:
                for batch in raw.batches():
                    checked = self._checked("addresses", raw, batch)
                    slim.append(
                        checked.frame.select(
                            SOURCE_FILE,
                            SOURCE_ROW,
                            "person_id",
                            "postcode",
                            "start_date",
                            "end_date",
                            "address_type",
                        )
                    )
            addresses, duplicates = reject_duplicates(pl.concat(slim), "addresses")
            self.rejects.append(duplicates)
            count.rows_rejected += duplicates.height
            self.loaded["addresses"] = addresses.height
            if lookup is not None:
                self.districts = _district_periods(_home_addresses(addresses, self.mapping), lookup)

    def _whole(self, name: str, raws: list[RawTable]) -> pl.DataFrame:
        result = validate_table(name, raws, self.today)
        self._count(name, result)
        self.rejects.append(result.rejects)
        self.loaded[name] = result.frame.height
        return result.frame

    def _checked(self, name: str, raw: RawTable, batch: pl.DataFrame) -> Validated:
        piece = RawTable(raw.table, raw.source_file, batch, raw.may_be_pseudonymised)
        result = validate_rows(name, [piece], self.today)
        self._count(name, result)
        self.rejects.append(result.rejects)
        return result

    def _count(self, name: str, result: Validated) -> None:
        count = self.counts.setdefault(name, _TableCount())
        count.rows_read += result.rows_read
        count.rows_rejected += result.rows_rejected
        count.values_cleared += result.rejects.filter(pl.col("action") == "value cleared").height
        for column, changed in result.control_characters.items():
            count.control_characters[column] = count.control_characters.get(column, 0) + changed

    # --- stored tables: streamed ----------------------------------------------------------------

    def table(self, name: str, raws: list[RawTable]) -> None:
        folder = self.work / "parts" / name
        folder.mkdir(parents=True)
        parts = self.parts.setdefault(name, [])
        key, _column, shown = duplicate_key(name)
        births, starts = [], []
        for raw in raws:
            for batch in raw.batches():
                frame = self._checked(name, raw, batch).frame
                if name == "children":
                    births.append(
                        frame.select("child_id", pl.col("birth_month").dt.truncate("1mo"))
                    )
                if name == "early_help_episodes":
                    starts.append(
                        frame.select("child_id", pl.col("start_date").alias("__eh_start"))
                    )
                frame = self._derive(name, frame, may_be_hashed=raw.may_be_pseudonymised)
                frame = frame.with_columns(key.alias(KEY_COLUMN), shown.alias(SHOWN_COLUMN))
                frame = pl.concat(
                    [
                        warehouse.conform(name, frame.drop(SOURCE_FILE, SOURCE_ROW)),
                        frame.select(SOURCE_FILE, SOURCE_ROW, KEY_COLUMN, SHOWN_COLUMN),
                    ],
                    how="horizontal",
                )
                path = folder / f"{len(parts):05d}.parquet"
                frame.write_parquet(path, compression="zstd", compression_level=1)
                parts.append(path)
        if starts:
            self.episode_starts = pl.concat(starts).unique().sort("__eh_start")
        if births:
            # A child given twice keeps the first row's birth month, as the children table does.
            self.births = pl.concat(births).unique(
                subset="child_id", keep="first", maintain_order=True
            )

    def _derive(self, name: str, frame: pl.DataFrame, may_be_hashed: bool) -> pl.DataFrame:
        if name in EVENT_DATES and "district" not in frame.columns:
            frame = _with_district(frame, EVENT_DATES[name], self.districts)
        if name in EVENT_DATES and "age_band" not in frame.columns:
            frame = _with_age_band(frame, EVENT_DATES[name], self.births)
        if name in EVENT_DATES:
            frame = frame.with_columns(_source_group(pl.col("source_code")).alias("source_group"))
        if name == "contacts":
            frame = self._linked_to_early_help(frame)
            frame = frame.with_columns(
                working_days_between(frame["contact_date"], frame["decision_date"]).alias(
                    "decision_working_days"
                )
            )
        if name == "children":
            frame = frame.with_columns(pl.col("birth_month").dt.truncate("1mo"))
        for column in schema.CANONICAL_TABLES[name].child_id_columns:
            if may_be_hashed:
                frame, hashed = self.pseudonymiser.column_unless_hashed(frame, column)
                if hashed:
                    where = f"{name}.{column}"
                    self.hashed_ids[where] = self.hashed_ids.get(where, 0) + hashed
            else:
                frame = self.pseudonymiser.column(frame, column)
        return frame

    def _linked_to_early_help(self, frame: pl.DataFrame) -> pl.DataFrame:
        """SSD holds no front-door decision date: a contact with none, whose outcome is not a
        social care one, is decided "Early help" on the day an early help episode for the child
        starts, if one starts within the mapping's window (30 days unless set) on or after it."""
        if self.episode_starts.height == 0 or frame.height == 0:
            return frame
        events = frame.with_row_index("__row").sort("contact_date")
        joined = events.join_asof(
            self.episode_starts,
            left_on="contact_date",
            right_on="__eh_start",
            by="child_id",
            strategy="forward",
            check_sortedness=False,
        )
        within = (
            pl.col("__eh_start") - pl.col("contact_date")
        ).dt.total_days() <= self.mapping.early_help_within_days
        linked = (
            pl.col("decision_date").is_null()
            & pl.col("__eh_start").is_not_null()
            & within
            & ~pl.col("decision").fill_null("").is_in(list(SOCIAL_CARE_DECISIONS))
        )
        joined = joined.with_columns(linked.alias("__linked"))
        self.linked_contacts += int(joined["__linked"].sum())
        return (
            joined.with_columns(
                pl.when("__linked")
                .then(pl.lit(EARLY_HELP))
                .otherwise("decision")
                .alias("decision"),
                pl.when("__linked")
                .then("__eh_start")
                .otherwise("decision_date")
                .alias("decision_date"),
            )
            .sort("__row")
            .drop("__row", "__eh_start", "__linked")
        )

    def deduplicate(self) -> dict[str, Path]:
        """Each stored table as one Parquet file without duplicates; their rejects recorded."""
        out = self.work / "tables"
        out.mkdir()
        duplicates_sql = (INGEST_QUERIES_DIR / "duplicates.sql").read_text()
        deduplicated_sql = (INGEST_QUERIES_DIR / "deduplicated.sql").read_text()
        tables: dict[str, Path] = {}
        con = duckdb.connect(
            str(self.work / "deduplicate.duckdb"),
            config={
                "memory_limit": DEDUPLICATION_MEMORY,
                "temp_directory": str(self.work / "spill"),
                "preserve_insertion_order": True,
            },
        )
        try:
            con.sql("PRAGMA disable_progress_bar")  # a session setting, not allowed in config
            for name, parts in self.parts.items():
                # Table names reach DuckDB only through the relation API, never as SQL text.
                con.read_parquet([str(p) for p in parts]).create_view("staged", replace=True)
                duplicates = con.sql(duplicates_sql).pl()
                con.register(
                    "duplicate_rows", duplicates.select(SOURCE_FILE, SOURCE_ROW).to_arrow()
                )
                _key, shown_column, _shown = duplicate_key(name)
                self.rejects.append(
                    duplicate_rejects(
                        duplicates, name, shown_column, pl.col("value"), "first_file", "first_row"
                    )
                )
                path = out / f"{name}.parquet"
                con.sql(deduplicated_sql).write_parquet(str(path), compression="zstd")
                tables[name] = path
                self.loaded[name] = self.counts[name].rows_read - (
                    self.counts[name].rows_rejected + duplicates.height
                )
                self.counts[name].rows_rejected += duplicates.height
        finally:
            con.close()
        shutil.rmtree(self.work / "parts", ignore_errors=True)
        return tables

    def all_rejects(self) -> pl.DataFrame:
        parts = [r for r in self.rejects if r.height]
        return pl.concat(parts, how="vertical") if parts else empty_rejects()


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


def _home_addresses(addresses: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """Addresses where the family lives: a placement address (a foster home, a residential
    unit) does not move a child's district. An address with no start date counts from the
    beginning of the data."""
    kind = pl.col("address_type").fill_null("").str.strip_chars().str.to_uppercase()
    if mapping.excluded_address_types is not None:
        excluded = kind.is_in(list(mapping.excluded_address_types))
    else:
        excluded = pl.any_horizontal(
            [kind.str.starts_with(prefix) for prefix in DEFAULT_EXCLUDED_ADDRESS_PREFIXES]
        )
    return addresses.filter(~excluded).with_columns(
        pl.col("start_date").fill_null(EARLIEST_PLAUSIBLE_DATE)
    )


def _no_district_periods() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "person_id": pl.String,
            "district": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
        }
    )


def _district_periods(addresses: pl.DataFrame, lookup: pl.DataFrame) -> pl.DataFrame:
    """Each child's district over time, from addresses and the postcode sector lookup."""
    sectors = lookup.select(
        postcode_sector_only(pl.col("postcode_sector")).alias("sector"), "district"
    )
    return (
        addresses.with_columns(postcode_sector(pl.col("postcode")).alias("sector"))
        .join(sectors, on="sector", how="inner")
        .select("person_id", "district", "start_date", "end_date")
        .sort("start_date")
    )


def _with_district(frame: pl.DataFrame, date_column: str, periods: pl.DataFrame) -> pl.DataFrame:
    """The district of the address valid on the event date; failing that the nearest address."""
    if periods.height == 0:
        return frame.with_columns(pl.lit(schema.UNKNOWN_DISTRICT).alias("district"))
    events = frame.with_row_index("__row").sort(date_column)
    # Only this batch's children: the join then scales with the batch, not with every address.
    children = frame.select(pl.col("child_id").unique())
    starts = (
        periods.join(children, left_on="person_id", right_on="child_id", how="semi")
        .rename({"person_id": "child_id", "start_date": "__from", "end_date": "__to"})
        .sort("__from")
    )
    before = events.join_asof(
        starts,
        left_on=date_column,
        right_on="__from",
        by="child_id",
        strategy="backward",
        check_sortedness=False,
    )
    after = events.select("__row", "child_id", date_column).join_asof(
        starts.select("child_id", "__from", pl.col("district").alias("__next")),
        left_on=date_column,
        right_on="__from",
        by="child_id",
        strategy="forward",
        check_sortedness=False,
    )
    merged = before.join(after.select("__row", "__next"), on="__row", how="left")
    # An address that ended before the event still beats none: children's moves are often
    # recorded late. Only when no address is known at all is the district unknown.
    district = pl.coalesce(pl.col("district"), pl.col("__next"), pl.lit(schema.UNKNOWN_DISTRICT))
    return (
        merged.with_columns(district.alias("district"))
        .sort("__row")
        .drop("__row", "__from", "__to", "__next")
    )


def age_band(age: pl.Expr) -> pl.Expr:
    return (
        pl.when(age.is_null() | (age < 0))
        .then(pl.lit("Not known"))
        .when(age < 1)
        .then(pl.lit("Under 1"))
        .when(age < 5)
        .then(pl.lit("1-4"))
        .when(age < 10)
        .then(pl.lit("5-9"))
        .when(age < 16)
        .then(pl.lit("10-15"))
        .when(age < 18)
        .then(pl.lit("16-17"))
        .otherwise(pl.lit("18+"))
    )


def _with_age_band(frame: pl.DataFrame, date_column: str, births: pl.DataFrame) -> pl.DataFrame:
    joined = frame.join(births, on="child_id", how="left")
    event, born = pl.col(date_column), pl.col("birth_month")
    age = event.dt.year() - born.dt.year() - (event.dt.month() < born.dt.month()).cast(pl.Int32)
    return joined.with_columns(age_band(age).alias("age_band")).drop("birth_month")


def _source_group(code: pl.Expr) -> pl.Expr:
    groups = {c: group for c, (_desc, group) in schema.SOURCE_CODES.items()}
    return code.replace_strict(groups, default="Unknown", return_dtype=pl.String)


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
