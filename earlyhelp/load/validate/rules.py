"""The rules each column kind is checked by, and the rejects (with reasons) they produce.

A bad value in a required column rejects the row; in an optional one it is cleared and the row
kept (_bad_value_action). Also the definitions of the reference tables validated like the
canonical ones (addresses, district lookup).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from earlyhelp.core import schema
from earlyhelp.load.sources import SOURCE_ROW
from earlyhelp.load.validate.parse import (
    _parse_bool,
    _parse_number,
    _strip_option,
    normalise_code,
    parse_date,
)

SOURCE_FILE = "source_file"
REJECT_COLUMNS = ("source_file", "source_row", "table", "column", "value", "reason", "action")
REJECTED = "row rejected"
CLEARED = "value cleared"
EARLIEST_PLAUSIBLE_DATE = date(1900, 1, 1)
# Placeholder dates, treated as missing in every source (SSD, Annex A, canonical Parquet), with
# or without a mapping file: case systems and SQL Server write 1900-01-01 (and earlier) for "no
# date", and 9999-12-31 for "no end". Any date on or before EARLIEST_PLAUSIBLE_DATE, or in the
# year 9999, is one.
LATEST_PLACEHOLDER_YEAR = 9999

# Ranges of the numbers read from input: a value outside its range (1e30, inf, -inf, a number
# too large for a whole number) is not believable and is cleared (or, in a required column,
# the row is rejected) with the range as the reason. (low, high), both included.
NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "level_of_need": (1, 4),
    "fte": (0, 1.5),
    "recorded_caseload": (0, 1_000),
    "year": (1990, 2100),
    "children": (0, 10_000_000),
}
# Any other number column: finite and well inside what a whole number can hold.
ANY_NUMBER_RANGE = (-(2.0**53), 2.0**53)


# Identifiers whose raw values must not appear in the rejects file.
_MASKED_COLUMNS = {"child_id", "person_id", "postcode", "birth_month"}


@dataclass
class Validated:
    table: str
    frame: pl.DataFrame  # typed columns, plus source_file and source_row
    rows_read: int
    rows_rejected: int
    rejects: pl.DataFrame
    # column -> values that held control or invisible format characters (removed, or a space)
    control_characters: dict[str, int] = field(default_factory=dict)


def empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(
        schema={c: (pl.Int64 if c == "source_row" else pl.String) for c in REJECT_COLUMNS}
    )


@dataclass
class _Check:
    column: str
    failed: pl.Expr
    reason: pl.Expr
    action: str


def _value_checks(table: schema.Table, today: date) -> tuple[list[pl.Expr], list[_Check]]:
    """Expressions that type each column, and the checks on the typed results."""
    typed: list[pl.Expr] = []
    checks: list[_Check] = []
    for col in table.columns:
        raw = pl.col(col.name)
        quoted = pl.lit("'") + raw + pl.lit("'")
        if col.kind == schema.DATE:
            parsed = parse_date(raw)
            not_a_date = raw.is_not_null() & parsed.is_null()
            too_early = parsed <= EARLIEST_PLAUSIBLE_DATE
            far_future = parsed.dt.year() >= LATEST_PLACEHOLDER_YEAR
            in_future = (parsed > today) & ~far_future
            action = _bad_value_action(col)
            checks.append(_Check(col.name, not_a_date, pl.lit("not a date: ") + quoted, action))
            checks.append(
                _Check(
                    col.name,
                    too_early,
                    pl.lit(
                        "placeholder or implausible date (1900-01-01 or earlier), "
                        "treated as missing: "
                    )
                    + quoted,
                    action,
                )
            )
            checks.append(
                _Check(
                    col.name,
                    far_future,
                    pl.lit("placeholder date (the year 9999), treated as missing: ") + quoted,
                    action,
                )
            )
            checks.append(
                _Check(
                    col.name,
                    in_future,
                    pl.lit(f"date is in the future (after {today.isoformat()}): ") + quoted,
                    action,
                )
            )
            # A bad optional date is cleared, and the row kept (required ones lose the row).
            typed.append(usable_date(raw, today).alias(col.name))
        elif col.kind in (schema.INT, schema.FLOAT):
            number = _parse_number(raw)
            low, high = NUMBER_RANGES.get(col.name, ANY_NUMBER_RANGE)
            # NaN, inf and -inf are never between two numbers.
            bad = raw.is_not_null() & (number.is_null() | ~number.is_between(low, high))
            if col.kind == schema.INT:
                bad = bad | (number.is_not_null() & (number != number.round(0)))
            kind_word = "a whole number" if col.kind == schema.INT else "a number"
            checks.append(
                _Check(
                    col.name,
                    bad.fill_null(False),
                    pl.lit(f"not {kind_word}{_range_words(col.name)}: ") + quoted,
                    _bad_value_action(col),
                )
            )
            dtype = pl.Int64 if col.kind == schema.INT else pl.Float64
            typed.append(
                pl.when(bad.fill_null(False))
                .then(None)
                .otherwise(number)
                .cast(dtype, strict=False)
                .alias(col.name)
            )
        elif col.kind == schema.BOOL:
            parsed = _parse_bool(raw)
            checks.append(
                _Check(
                    col.name,
                    raw.is_not_null() & parsed.is_null(),
                    pl.lit("not yes or no: ") + quoted,
                    _bad_value_action(col),
                )
            )
            typed.append(parsed.alias(col.name))
        elif col.kind == schema.CODE:
            code = normalise_code(col.name, raw)
            allowed = schema.ALLOWED_CODES[col.name]
            unknown = raw.is_not_null() & (code.is_null() | ~code.is_in(allowed))
            checks.append(
                _Check(
                    col.name,
                    unknown.fill_null(False),
                    pl.lit("unknown code: ") + quoted,
                    _bad_value_action(col),
                )
            )
            typed.append(
                pl.when(unknown.fill_null(False)).then(None).otherwise(code).alias(col.name)
            )
        elif col.name == "ethnicity":
            typed.append(_strip_option(raw).str.to_uppercase().alias(col.name))
        else:
            typed.append(raw.alias(col.name))
        if col.required:
            checks.append(
                _Check(col.name, raw.is_null(), pl.lit("required value is missing"), REJECTED)
            )
    return typed, checks


def _range_words(column: str) -> str:
    """The range a number column's values must lie in, in words, for the reason."""
    if column not in NUMBER_RANGES:
        return ""
    low, high = NUMBER_RANGES[column]
    if low == 0 and high >= 1_000:
        return f" of 0 or more, up to {high:,.0f}"
    return f" from {low:g} to {high:g}"


def usable_date(value: pl.Expr, today: date) -> pl.Expr:
    """A date column's value as a date, or null when it is not a date, is a placeholder (on or
    before 1900-01-01, or in the year 9999) or is in the future."""
    parsed = parse_date(value)
    bad = (
        (parsed <= EARLIEST_PLAUSIBLE_DATE)
        | (parsed.dt.year() >= LATEST_PLACEHOLDER_YEAR)
        | (parsed > today)
    ).fill_null(False)
    return pl.when(bad).then(None).otherwise(parsed)


def _bad_value_action(col: schema.Column) -> str:
    """A bad optional value is cleared and the row kept; a bad required value loses the row,
    since a row without its required value cannot be used."""
    return REJECTED if col.required else CLEARED


# (table, later date column, earlier date column): the later may not come before the earlier.
DATE_ORDER = {
    "early_help_episodes": ("end_date", "start_date"),
    "cin_referrals": ("close_date", "referral_date"),
    "involvements": ("end_date", "start_date"),
    "contacts": ("decision_date", "contact_date"),
    "addresses": ("end_date", "start_date"),
}


def _rejects_for(frame: pl.DataFrame, table: str, checks: list[_Check]) -> pl.DataFrame:
    if not checks:
        return empty_rejects()
    # Most rows pass every check: find the few that fail any, then say why for those alone.
    frame = frame.filter(pl.any_horizontal([c.failed.fill_null(False) for c in checks]))
    parts = []
    for check in checks:
        hits = frame.filter(check.failed.fill_null(False))
        if hits.height == 0:
            continue
        masked = check.column in _MASKED_COLUMNS
        value = pl.lit(None, pl.String) if masked else pl.col(check.column)
        reason = check.reason.str.replace(r": '.*'$", "") if masked else check.reason
        parts.append(
            hits.select(
                pl.col(SOURCE_FILE),
                pl.col(SOURCE_ROW),
                pl.lit(table).alias("table"),
                pl.lit(check.column).alias("column"),
                value.cast(pl.String).alias("value"),
                reason.alias("reason"),
                pl.lit(check.action).alias("action"),
            )
        )
    return pl.concat(parts) if parts else empty_rejects()


ADDRESSES = schema.Table(
    "addresses",
    key="person_id",
    columns=(
        schema.Column("person_id", schema.ID, True),
        schema.Column("postcode", schema.TEXT, True),
        # Optional in SSD: an address with no start date counts from the beginning.
        schema.Column("start_date", schema.DATE, False),
        schema.Column("end_date", schema.DATE, False),
        schema.Column("address_type", schema.TEXT, False),
    ),
)
DISTRICT_LOOKUP = schema.Table(
    "district_lookup",
    key="postcode_sector",
    columns=(
        schema.Column("postcode_sector", schema.TEXT, True),
        schema.Column("district", schema.TEXT, True),
    ),
)


def _definition(table_name: str) -> schema.Table:
    if table_name == "addresses":
        return ADDRESSES
    if table_name == "district_lookup":
        return DISTRICT_LOOKUP
    return schema.CANONICAL_TABLES[table_name]
