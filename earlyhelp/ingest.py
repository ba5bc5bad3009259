"""From extract files to a published warehouse version: read, validate, derive, publish.

Every input row ends up either loaded or listed in the rejects; the reconciliation printed at the
end says so per table (rows read = loaded + rejected).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from earlyhelp import schema, warehouse
from earlyhelp.calendar import working_days_between
from earlyhelp.config import key_file
from earlyhelp.errors import UnusableInput
from earlyhelp.pseudonymise import Pseudonymiser, load_or_create_key
from earlyhelp.sources import RawTable, read_sources
from earlyhelp.validate import (
    SOURCE_FILE,
    SOURCE_ROW,
    Validated,
    empty_rejects,
    postcode_sector,
    postcode_sector_only,
    validate_table,
)

REFERENCE_TABLES = ("addresses", "district_lookup")
EVENT_DATES = {
    "contacts": "contact_date",
    "early_help_episodes": "start_date",
    "cin_referrals": "referral_date",
}


@dataclass
class IngestResult:
    version: str
    version_dir: Path
    reconciliation: list[dict] = field(default_factory=list)
    rejects: int = 0


def ingest(
    paths: list[Path], warehouse_dir: Path, today: date | None = None, key_path: Path | None = None
) -> IngestResult:
    today = today or date.today()
    raw_tables = read_sources(paths)
    by_table: dict[str, list[RawTable]] = {}
    for raw in raw_tables:
        by_table.setdefault(raw.table, []).append(raw)
    if not any(t in schema.CANONICAL_TABLES and t != "population" for t in by_table):
        names = ", ".join(str(p) for p in paths)
        raise UnusableInput(f"{names}: no recognisable early help, contact or referral table")

    extra_rejects: list[pl.DataFrame] = []
    set_aside_files = {"early_help_episodes": _prefer_ssd_episodes(by_table, extra_rejects)}

    validated = {name: validate_table(name, tables, today) for name, tables in by_table.items()}
    if not any(validated[t].frame.height for t in validated if t in schema.CANONICAL_TABLES):
        first = next(r.rejects.row(0, named=True) for r in validated.values() if r.rejects.height)
        raise UnusableInput(
            f"{', '.join(str(p) for p in paths)}: no usable rows; every row was rejected, e.g. "
            f"{first['source_file']} row {first['source_row']}, {first['column']}: "
            f"{first['reason']}"
        )
    already_hashed = {
        name: all(t.pseudonymised for t in tables) for name, tables in by_table.items()
    }

    districts = _district_periods(validated)
    birth_months = _birth_months(validated)
    pseudonymiser = Pseudonymiser(load_or_create_key(key_path or key_file()))

    tables: dict[str, pl.DataFrame] = {}
    for name, result in validated.items():
        if name in REFERENCE_TABLES:
            continue
        frame = result.frame
        if name in EVENT_DATES and "district" not in frame.columns:
            frame = _with_district(frame, EVENT_DATES[name], districts)
        if name in EVENT_DATES and "age_band" not in frame.columns:
            frame = _with_age_band(frame, EVENT_DATES[name], birth_months)
        if name in EVENT_DATES:
            frame = frame.with_columns(_source_group(pl.col("source_code")).alias("source_group"))
        if name == "contacts":
            frame = frame.with_columns(
                working_days_between(frame["contact_date"], frame["decision_date"]).alias(
                    "decision_working_days"
                )
            )
        if name == "children":
            frame = frame.with_columns(pl.col("birth_month").dt.truncate("1mo"))
        if not already_hashed.get(name, False):
            for column in schema.CANONICAL_TABLES[name].child_id_columns:
                frame = pseudonymiser.column(frame, column)
        tables[name] = frame.drop(SOURCE_FILE, SOURCE_ROW)

    rejects = pl.concat(
        [r.rejects for r in validated.values()] + extra_rejects or [empty_rejects()]
    )
    set_aside = {"early_help_episodes": sum(r.height for r in extra_rejects)}
    reconciliation = [
        {
            "table": name,
            "rows_read": result.rows_read + set_aside.get(name, 0),
            "loaded": result.frame.height,
            "rejected": result.rows_rejected + set_aside.get(name, 0),
            "values_cleared": int(
                result.rejects.filter(pl.col("action") == "value cleared").height
            ),
            "files": sorted(
                {t.source_file for t in by_table[name]} | set_aside_files.get(name, set())
            ),
        }
        for name, result in sorted(validated.items())
    ]
    manifest = {
        "pseudonymised": True,
        "sources": [str(p) for p in paths],
        "reconciliation": reconciliation,
        "ingested_on": today.isoformat(),
    }
    lookup = validated.get("district_lookup")
    known_districts = lookup.frame["district"].unique().to_list() if lookup else []
    version, version_dir = warehouse.publish(
        warehouse_dir, tables, rejects, manifest, districts=known_districts
    )
    return IngestResult(version, version_dir, reconciliation, rejects.height)


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


def _district_periods(validated: dict[str, Validated]) -> pl.DataFrame:
    """Each child's district over time, from addresses and the postcode sector lookup."""
    empty = pl.DataFrame(
        schema={
            "person_id": pl.String,
            "district": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
        }
    )
    if "addresses" not in validated or "district_lookup" not in validated:
        return empty
    lookup = validated["district_lookup"].frame.select(
        postcode_sector_only(pl.col("postcode_sector")).alias("sector"), "district"
    )
    addresses = validated["addresses"].frame.with_columns(
        postcode_sector(pl.col("postcode")).alias("sector")
    )
    return (
        addresses.join(lookup, on="sector", how="inner")
        .select("person_id", "district", "start_date", "end_date")
        .sort("person_id", "start_date")
    )


def _with_district(frame: pl.DataFrame, date_column: str, periods: pl.DataFrame) -> pl.DataFrame:
    """The district of the address valid on the event date; failing that the nearest address."""
    if periods.height == 0:
        return frame.with_columns(pl.lit(schema.UNKNOWN_DISTRICT).alias("district"))
    events = frame.with_row_index("__row").sort(date_column)
    starts = periods.rename(
        {"person_id": "child_id", "start_date": "__from", "end_date": "__to"}
    ).sort("__from")
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


def _birth_months(validated: dict[str, Validated]) -> pl.DataFrame:
    if "children" not in validated:
        return pl.DataFrame(schema={"child_id": pl.String, "birth_month": pl.Date})
    return validated["children"].frame.select("child_id", "birth_month")


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
    return "\n".join(lines)
