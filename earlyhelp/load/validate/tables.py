"""Validating one table's raw frames: the checks on each row, then duplicates over all rows."""

from __future__ import annotations

from datetime import date

import polars as pl

from earlyhelp.core import schema
from earlyhelp.load.sources import SOURCE_ROW, RawTable
from earlyhelp.load.validate.outcomes import outcome_decision
from earlyhelp.load.validate.parse import (
    clean_text,
    count_control_characters,
    postcode_sector,
    postcode_sector_only,
)
from earlyhelp.load.validate.rules import (
    _MASKED_COLUMNS,
    CLEARED,
    DATE_ORDER,
    REJECTED,
    SOURCE_FILE,
    Validated,
    _Check,
    _definition,
    _rejects_for,
    _value_checks,
    usable_date,
)

# Source columns read to work out a canonical one, and dropped after validation.
INPUT_COLUMNS = {"contacts": ("outcome_json",)}


def validate_table(table_name: str, raw_tables: list[RawTable], today: date) -> Validated:
    """Validate every raw frame for one canonical table together (duplicates span files)."""
    checked = validate_rows(table_name, raw_tables, today)
    kept, duplicate_rejects = reject_duplicates(checked.frame, table_name)
    rejects = checked.rejects
    if duplicate_rejects.height:
        rejects = pl.concat([rejects, duplicate_rejects])
    kept = kept.sort(SOURCE_FILE, SOURCE_ROW)
    return Validated(
        table_name,
        kept,
        checked.rows_read,
        checked.rows_read - kept.height,
        rejects.sort(SOURCE_FILE, SOURCE_ROW, "column"),
        checked.control_characters,
    )


def validate_rows(table_name: str, raw_tables: list[RawTable], today: date) -> Validated:
    """Every check that needs only the row itself: types, codes, dates, required values.

    Duplicates are not looked for here, since they span batches and files: validate_table does
    it in memory, and the streaming ingest over the whole table in DuckDB (duplicate_key).
    """
    definition = _definition(table_name)
    names = definition.column_names
    # A warehouse's own tables already carry the derived columns (e.g. district): keep them,
    # since the addresses they were derived from are, by design, not stored.
    carried = [
        c
        for c in schema.DERIVED_COLUMNS.get(table_name, ())
        if raw_tables and all(c in raw.frame.columns for raw in raw_tables)
    ]
    inputs = [*names, *INPUT_COLUMNS.get(table_name, ())]
    frames = []
    control_characters: dict[str, int] = {}
    for raw in raw_tables:
        missing = [c for c in inputs if c not in raw.frame.columns]
        frame = raw.frame.with_columns(pl.lit(None, pl.String).alias(c) for c in missing)
        found = count_control_characters(frame, inputs)
        for column, changed in found.items():
            control_characters[column] = control_characters.get(column, 0) + changed
        frames.append(
            frame.select(
                pl.lit(raw.source_file).alias(SOURCE_FILE),
                pl.col(SOURCE_ROW).cast(pl.Int64),
                # Control characters are rare: removed only from the columns that hold some.
                *[clean_text(c, controls=c in found).alias(c) for c in inputs],
                *[pl.col(c).cast(pl.String) for c in carried],
            )
        )
    frame = (
        pl.concat(frames)
        if frames
        else pl.DataFrame(
            schema={SOURCE_FILE: pl.String, SOURCE_ROW: pl.Int64, **{c: pl.String for c in inputs}}
        )
    )
    rows_read = frame.height
    if table_name == "contacts":
        decision, unreadable = outcome_decision(pl.col("outcome_json"))
        frame = frame.with_columns(
            pl.coalesce(pl.col("decision"), decision).alias("decision"),
            pl.coalesce(
                pl.col("decision_date"),
                pl.col("outcome_json").str.json_path_match("$.decision_date"),
            ).alias("decision_date"),
        )

    typed_exprs, checks = _value_checks(definition, today)
    if table_name == "addresses":
        sector = postcode_sector(pl.col("postcode"))
        checks.append(
            _Check(
                "postcode",
                pl.col("postcode").is_not_null() & sector.is_null(),
                pl.lit("not a valid postcode"),
                REJECTED,
            )
        )
    if table_name == "district_lookup":
        sector = postcode_sector_only(pl.col("postcode_sector"))
        checks.append(
            _Check(
                "postcode_sector",
                pl.col("postcode_sector").is_not_null() & sector.is_null(),
                pl.lit("not a postcode sector (like 'OL1 3'): ") + pl.col("postcode_sector"),
                REJECTED,
            )
        )

    if table_name == "contacts":
        checks.append(
            _Check(
                "decision",
                unreadable,
                pl.lit(
                    "contact outcome cannot be read: cont_contact_outcome_json is not valid JSON "
                    "and names no outcome flag (its text is not copied here)"
                ),
                CLEARED,
            )
        )
    typed = frame.with_columns(typed_exprs)
    if table_name in DATE_ORDER:
        later, earlier = DATE_ORDER[table_name]
        checks.append(
            _Check(
                later,
                # A placeholder or future date is cleared (or rejects the row) on its own.
                usable_date(pl.col(later), today) < usable_date(pl.col(earlier), today),
                pl.lit(f"{later.replace('_', ' ')} is before {earlier.replace('_', ' ')}: '")
                + pl.col(later)
                + pl.lit("' < '")
                + pl.col(earlier)
                + pl.lit("'"),
                REJECTED,
            )
        )
    rejects = _rejects_for(frame, table_name, checks)

    rejected_rows = (
        rejects.filter(pl.col("action") == REJECTED).select(SOURCE_FILE, SOURCE_ROW).unique()
    )
    kept = typed.join(rejected_rows, on=[SOURCE_FILE, SOURCE_ROW], how="anti")
    kept = kept.drop(*INPUT_COLUMNS.get(table_name, ()))
    return Validated(
        table_name, kept, rows_read, rows_read - kept.height, rejects, control_characters
    )


def _key_columns(table_name: str) -> list[str]:
    if table_name == "addresses":
        return ["person_id", "start_date", "postcode"]
    if table_name == "district_lookup":
        return ["postcode_sector"]
    if table_name == "population":
        return ["district", "year", "age_band"]
    return [_definition(table_name).key]


def duplicate_key(table_name: str) -> tuple[pl.Expr, str, pl.Expr]:
    """For finding duplicates over a whole table outside memory: the row's key as one text
    value, and the column and value a duplicate's reject shows (no value for child ids)."""
    key_cols = _key_columns(table_name)
    key = pl.concat_str(
        [pl.col(c).cast(pl.String).fill_null("") for c in key_cols], separator=" / "
    )
    shown = key_cols[0]
    value = pl.lit(None, pl.String) if shown in _MASKED_COLUMNS else pl.col(shown).cast(pl.String)
    return key, shown, value


def reject_duplicates(kept: pl.DataFrame, table_name: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows whose key repeats an earlier row's (file then row order), kept and rejected."""
    key_cols = _key_columns(table_name)
    first_row = pl.col(SOURCE_ROW).first().over(key_cols, order_by=[SOURCE_FILE, SOURCE_ROW])
    first_file = pl.col(SOURCE_FILE).first().over(key_cols, order_by=[SOURCE_FILE, SOURCE_ROW])
    marked = kept.with_columns(first_row.alias("__first_row"), first_file.alias("__first_file"))
    is_dup = (pl.col("__first_row") != pl.col(SOURCE_ROW)) | (
        pl.col("__first_file") != pl.col(SOURCE_FILE)
    )
    _key, shown_col, value = duplicate_key(table_name)
    rejects = duplicate_rejects(
        marked.filter(is_dup), table_name, shown_col, value, "__first_file", "__first_row"
    )
    kept = marked.filter(~is_dup).drop("__first_row", "__first_file")
    return kept, rejects


def duplicate_rejects(
    duplicates: pl.DataFrame,
    table_name: str,
    column: str,
    value: pl.Expr,
    first_file: str,
    first_row: str,
) -> pl.DataFrame:
    """The rejects for duplicate rows: each names the first row it repeats."""
    return duplicates.select(
        pl.col(SOURCE_FILE),
        pl.col(SOURCE_ROW).cast(pl.Int64),
        pl.lit(table_name).alias("table"),
        pl.lit(column).alias("column"),
        value.cast(pl.String).alias("value"),
        (
            pl.lit("duplicate of ")
            + pl.col(first_file)
            + pl.lit(" row ")
            + pl.col(first_row).cast(pl.String)
        ).alias("reason"),
        pl.lit(REJECTED).alias("action"),
    )
