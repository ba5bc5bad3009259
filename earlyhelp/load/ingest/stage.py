"""An ingest's working folder: each table validated and derived in batches, then deduplicated.

Large tables are streamed: each source file is read, checked and derived a batch of rows at a
time and written to Parquet parts in a working folder beside the warehouse; duplicates, which
span batches and files, are then found over the whole table in DuckDB, which spills to disk.
Only the slim lookups the derivations need (each child's birth month and districts over time)
are held in memory, so a national extract ingests on a machine that could not hold it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from earlyhelp.core import schema
from earlyhelp.core.calendar import working_days_between
from earlyhelp.core.config import INGEST_QUERIES_DIR
from earlyhelp.load import warehouse
from earlyhelp.load.ingest.derive import (
    _district_periods,
    _home_addresses,
    _no_district_periods,
    _source_group,
    _with_age_band,
    _with_district,
)
from earlyhelp.load.mapping import (
    Mapping,
)
from earlyhelp.load.pseudonymise import Pseudonymiser
from earlyhelp.load.sources import RawTable
from earlyhelp.load.validate import (
    EARLY_HELP,
    SOCIAL_CARE_DECISIONS,
    SOURCE_FILE,
    SOURCE_ROW,
    Validated,
    duplicate_key,
    duplicate_rejects,
    empty_rejects,
    reject_duplicates,
    validate_rows,
    validate_table,
)

EVENT_DATES = {
    "contacts": "contact_date",
    "early_help_episodes": "start_date",
    "cin_referrals": "referral_date",
}
KEY_COLUMN, SHOWN_COLUMN = "__key", "__shown"


# DuckDB's share of memory while it looks for duplicates; the rest is left to Polars' lookups.
DEDUPLICATION_MEMORY = "4GB"


@dataclass
class _TableCount:
    rows_read: int = 0
    rows_rejected: int = 0
    values_cleared: int = 0
    control_characters: dict[str, int] = field(default_factory=dict)


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
