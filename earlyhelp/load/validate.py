"""Typed validation: raw text columns in, typed canonical rows plus rejects-with-reasons out.

Rules are declared by column kind (earlyhelp.core.schema), so every format is checked the same way.
A row is either loaded or rejected: a rejected row is listed in the rejects with its source
file, row number, column and reason. A bad value in an optional coded or numeric column does
not lose the row: the value is cleared and listed with action "value cleared".
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from earlyhelp.core import schema
from earlyhelp.load.sources import SOURCE_ROW, RawTable

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

# Characters removed from every value: control characters (NUL and the rest of C0 and C1,
# DEL) other than whitespace, which becomes a space like any other, and the invisible format
# characters that change how text shows (zero-width space, bidirectional overrides and
# isolates, a stray byte order mark). CONTROL_CHARACTERS finds every value changed by either.
_REMOVED_CHARACTERS = r"[\p{Cc}&&\S]|[\x{200B}\x{202A}-\x{202E}\x{2066}-\x{2069}\x{FEFF}]"
CONTROL_CHARACTERS = r"[\p{Cc}\x{200B}\x{202A}-\x{202E}\x{2066}-\x{2069}\x{FEFF}]"

# Cells that mean "no value" in exported spreadsheets.
NULL_TOKENS = ("", "#N/A", "N/A", "NA", "NULL", "NONE", "#VALUE!", "#REF!", "-", "NAN")

# Every upper and lower case spelling of each token ("null", "Null", "n/a"...): a set lookup
# is far cheaper than upper-casing every cell to compare.
_NULL_TOKENS_ANY_CASE = sorted(
    {
        "".join(spelling)
        for token in NULL_TOKENS
        for spelling in itertools.product(
            *[(c.lower(), c.upper()) if c.isalpha() else (c,) for c in token]
        )
    }
)

# "a) Male", "q) 6: Police", "p1) 5D: LA services": the option letters (and digits) a
# spreadsheet drop-down puts before the value.
_OPTION_PREFIX = r"^[a-zA-Z]{1,2}\d{0,2}\)\s*"

# Identifiers whose raw values must not appear in the rejects file.
_MASKED_COLUMNS = {"child_id", "person_id", "postcode", "birth_month"}

_SEX_WORDS = {
    "M": "M",
    "MALE": "M",
    "1": "M",
    "BOY": "M",
    "F": "F",
    "FEMALE": "F",
    "2": "F",
    "GIRL": "F",
    "U": "U",
    "UNKNOWN": "U",
    "0": "U",
    "9": "U",
    "NOT STATED/RECORDED": "U",
    "NOT STATED": "U",
    "NOT RECORDED": "U",
    "INDETERMINATE": "U",
    "I": "U",  # SystemC's code for indeterminate
    "OTHER": "U",
}
_END_REASON_KEYS = {
    re.sub(r"[^a-z]", "", r.lower()): r for r in (*schema.END_REASONS, schema.OTHER_END_REASON)
}
_END_REASON_KEYS.update(
    {"steppeduptosocialcare": "Step-up", "steppedup": "Step-up", "nfa": "No further action"}
)
_SOURCE_DESCRIPTIONS = {desc.upper(): code for code, (desc, _g) in schema.SOURCE_CODES.items()}
_SOURCE_DESCRIPTIONS.update(
    {
        "POLICE": "6",
        "SCHOOL": "2A",
        "SCHOOLS": "2A",
        "HOUSING": "4",
        "ANONYMOUS": "9",
        "UNKNOWN": "10",
        "OTHER": "8",
    }
)

# Source columns read to work out a canonical one, and dropped after validation.
INPUT_COLUMNS = {"contacts": ("outcome_json",)}

# SSD's contact outcome flags (SystemC's cont_contact_outcome_json), in the order that decides a
# contact's outcome when several are set. An early help episode that follows the contact ranks
# after the social care outcomes (earlyhelp.load.ingest links it, since it needs the episodes).
CHILD_PROTECTION = "Child protection enquiry"
SOCIAL_CARE_REFERRAL = "Social care referral"
EXISTING_CASE = "Existing social care case"
EARLY_HELP = "Early help"
ADVICE = "Information and advice"
NO_FURTHER_ACTION = "No further action"
OTHER_OUTCOME = "Other outcome"
#: Decisions an early help episode starting after the contact does not replace.
SOCIAL_CARE_DECISIONS = (CHILD_PROTECTION, SOCIAL_CARE_REFERRAL, EXISTING_CASE)
OUTCOME_FLAGS = (
    ("CP_ENQUIRY_FLAG", CHILD_PROTECTION),
    ("NEW_REFERRAL_FLAG", SOCIAL_CARE_REFERRAL),
    ("EXISTING_REFERRAL_FLAG", EXISTING_CASE),
    ("ADVICE_FLAG", ADVICE),
    ("NFA_FLAG", NO_FURTHER_ACTION),
    ("OLA_CP_FLAG", OTHER_OUTCOME),
    ("MISSING_FLAG", OTHER_OUTCOME),
    ("PRIVATE_FOSTERING_FLAG", OTHER_OUTCOME),
    ("NON_AGENCY_ADOPTION_FLAG", OTHER_OUTCOME),
    ("OTHER_OUTCOMES_EXIST_FLAG", OTHER_OUTCOME),
)
# Outcomes written as text (Mosaic's data-warehouse variant aggregates next-step names).
OUTCOME_WORDS = (
    (r"STRATEGY|S47|SECTION 47|CHILD PROTECTION", CHILD_PROTECTION),
    (r"EARLY HELP|FAMILY HELP|TARGETED", EARLY_HELP),
    (r"REFERRAL|ASSESSMENT|SOCIAL CARE", SOCIAL_CARE_REFERRAL),
    (r"ADVICE|INFORMATION|SIGNPOST", ADVICE),
    (r"\bNFA\b|NO FURTHER", NO_FURTHER_ACTION),
)


def outcome_decision(outcome: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A contact's decision from its outcome flags, and whether the outcome was unreadable.

    The JSON is built by string concatenation in SystemC's SSD, so a quote inside COMMENTS
    makes it invalid: each flag is therefore found by pattern, which reads every flag before
    the comments of an otherwise broken object. Text that is not JSON is read by keyword.
    """
    is_json = outcome.str.starts_with("{")
    flag_values = {
        name: outcome.str.extract(rf'"{name}"\s*:\s*"?\s*([A-Za-z0-9]*)', 1).str.to_uppercase()
        for name, _decision in OUTCOME_FLAGS
    }
    by_flags = pl.lit(None, pl.String)
    for name, decision in reversed(OUTCOME_FLAGS):
        by_flags = (
            pl.when(flag_values[name].is_in(["Y", "YES", "1", "TRUE"]))
            .then(pl.lit(decision))
            .otherwise(by_flags)
        )
    any_flag = pl.any_horizontal([v.is_not_null() for v in flag_values.values()])
    upper = outcome.str.to_uppercase()
    by_words = pl.lit(OTHER_OUTCOME)
    for pattern, decision in reversed(OUTCOME_WORDS):
        by_words = pl.when(upper.str.contains(pattern)).then(pl.lit(decision)).otherwise(by_words)
    # A council may add its own "decision" key (the front-door decision as text).
    local = outcome.str.json_path_match("$.decision")
    decision = pl.when(is_json).then(pl.coalesce(local, by_flags)).otherwise(by_words)
    unreadable = (is_json & ~any_flag & local.is_null()).fill_null(False)
    return pl.when(outcome.is_not_null()).then(decision), unreadable


# Source descriptions as case systems and returns word them ("Health visitor", "HEALTH
# SERVICES – general practitioner (GP)"), matched in this order as liiatools' Annex A data map
# does; the first match wins, so the narrower wordings come before the wider ones.
_SOURCE_WORDS = (
    (r"(?i)family|relative|carer", "1A"),
    (r"(?i)acqua|neighbour", "1B"),
    (r"(?i)\bself\b", "1C"),
    (r"(?i)individual.*\bother|stranger", "1D"),
    (r"(?i)scho\w*\s+nurs", "3C"),
    (r"(?i)^school|\bschools?\b|academy", "2A"),
    (r"(?i)educat", "2B"),
    (r"(?i)\bgp\b|general practi", "3A"),
    (r"(?i)hea\w*\s*visit", "3B"),
    (r"(?i)other\s+primary", "3D"),
    (r"(?i)a\s*&\s*e\b|accident and emergency", "3E"),
    (r"(?i)other\s+health|health\b.*\bother|hospice|hospital|\bhealth\b|midwi|nhs", "3F"),
    (r"(?i)early\s*help", "5D"),
    (r"(?i)other\s+internal|youth offending", "5B"),
    (r"(?i)external|another local authority", "5C"),
    (r"(?i)social\s+care", "5A"),
    (r"(?i)housing", "4"),
    (r"(?i)police", "6"),
    (r"(?i)other\s+legal|court|probation|cafcass|prison|immigration", "7"),
    (r"(?i)^anon", "9"),
    (r"(?i)^unk|not known", "10"),
    (r"(?i)^other|voluntary|children.s centre", "8"),
)

POSTCODE_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])[A-Z]{2}$")


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


def clean_text(column: str, controls: bool = True) -> pl.Expr:
    """Remove control characters (NUL...), trim, fold tabs, line breaks, non-breaking and
    repeated spaces into one space, and turn null tokens into real nulls. `controls=False`
    leaves out the removal, for a column known to hold no control character."""
    value = pl.col(column).cast(pl.String)
    if controls:
        value = value.str.replace_all(_REMOVED_CHARACTERS, "")
    # Only runs of whitespace and single non-space whitespace (tab, non-breaking space...) are
    # replaced: a single space, by far the commonest, is left alone, which keeps this cheap.
    value = value.str.replace_all(r"\s{2,}|[^\S ]", " ").str.strip_chars()
    return pl.when(value.is_in(_NULL_TOKENS_ANY_CASE)).then(None).otherwise(value)


_DAY_FIRST_DATE = r"^(\d{1,2}[/-]\d{1,2}[/-]\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"


def parse_date(value: pl.Expr) -> pl.Expr:
    """ISO (optionally with a time, as SQL Server's `2024-12-10 00:00:00.000`), dd/mm/yyyy or
    dd-mm-yyyy text (optionally with a time, as Excel re-saves a CSV: `10/12/2024 00:00`), or
    an Excel serial day."""
    iso = value.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    # The date before any time of day, which is dropped: every measure counts whole days.
    day = value.str.extract(
        r"^(\d{1,2}[/-]\d{1,2}[/-]\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$", 1
    )
    dmy = day.str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    dmy_dash = day.str.strptime(pl.Date, "%d-%m-%Y", strict=False)
    serial = value.cast(pl.Float64, strict=False)
    # Excel's day 1 is 1900-01-01 with a phantom 29 Feb 1900, hence the 1899-12-30 origin.
    excel = (
        pl.when(serial.is_between(1, 2958465) & value.str.contains(r"^\d+(\.\d+)?$"))
        .then(pl.lit(date(1899, 12, 30)) + pl.duration(days=serial.floor().cast(pl.Int64)))
        .otherwise(None)
    )
    return pl.coalesce(iso, dmy, dmy_dash, excel.cast(pl.Date))


def _strip_option(value: pl.Expr) -> pl.Expr:
    return value.str.replace(_OPTION_PREFIX, "")


def normalise_code(column: str, value: pl.Expr) -> pl.Expr:
    """Map the ways councils write a coded value onto the code itself."""
    stripped = _strip_option(value)
    if column == "source_code":
        code = stripped.str.to_uppercase().str.extract(r"^(10|[1-9][A-F]?)(?:\b|:|\s|$)", 1)
        by_description = stripped.str.to_uppercase().replace_strict(
            _SOURCE_DESCRIPTIONS, default=None, return_dtype=pl.String
        )
        by_words = pl.lit(None, pl.String)
        for pattern, word_code in reversed(_SOURCE_WORDS):
            by_words = (
                pl.when(stripped.str.contains(pattern)).then(pl.lit(word_code)).otherwise(by_words)
            )
        return pl.coalesce(code, by_description, by_words)
    if column == "sex":
        return stripped.str.to_uppercase().replace_strict(
            _SEX_WORDS, default=None, return_dtype=pl.String
        )
    if column == "end_reason":
        key = stripped.str.to_lowercase().str.replace_all(r"[^a-z]", "")
        return key.replace_strict(_END_REASON_KEYS, default=None, return_dtype=pl.String)
    if column == "close_reason":
        return stripped.str.to_uppercase().str.extract(r"^(RC\d)\b", 1)
    return stripped


def _parse_bool(value: pl.Expr) -> pl.Expr:
    upper = _strip_option(value).str.to_uppercase()
    return (
        pl.when(upper.is_in(["Y", "YES", "TRUE", "1"]))
        .then(True)
        .when(upper.is_in(["N", "NO", "FALSE", "0"]))
        .then(False)
        .otherwise(None)
    )


def _parse_number(value: pl.Expr) -> pl.Expr:
    return value.str.replace_all(",", "").cast(pl.Float64, strict=False)


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


def count_control_characters(frame: pl.DataFrame, columns: list[str]) -> dict[str, int]:
    """Per column, how many values hold a control or invisible format character (which
    clean_text removes, or makes a space); columns with none are left out."""
    if not columns or frame.height == 0:
        return {}
    counts = frame.select(
        pl.col(c).cast(pl.String).str.contains(CONTROL_CHARACTERS).sum().alias(c) for c in columns
    ).row(0, named=True)
    return {c: int(n) for c, n in counts.items() if n}


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


def postcode_sector(value: pl.Expr) -> pl.Expr:
    compact = value.str.to_uppercase().str.replace_all(r"\s+", "")
    # Outward code is everything but the last three characters of a full postcode.
    spaced = compact.str.slice(0, compact.str.len_chars() - 3) + pl.lit(" ") + compact.str.slice(-3)
    parts = spaced.str.extract_groups(POSTCODE_SECTOR.pattern)
    return pl.when(parts.struct.field("1").is_not_null()).then(
        parts.struct.field("1") + pl.lit(" ") + parts.struct.field("2")
    )


def postcode_sector_only(value: pl.Expr) -> pl.Expr:
    upper = value.str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(upper.str.contains(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]$")).then(upper)
