"""Cleaning and parsing raw text by column kind: text, dates, numbers, yes/no, codes, postcodes.

Every value arrives as text; these expressions clean it (control characters, spacing, null
tokens) and turn it into its type, or null when it cannot be read. The checks that say why a
value was cleared or a row rejected are in earlyhelp.load.validate.rules.
"""

from __future__ import annotations

import itertools
import re
from datetime import date

import polars as pl

from earlyhelp.core import schema

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


def count_control_characters(frame: pl.DataFrame, columns: list[str]) -> dict[str, int]:
    """Per column, how many values hold a control or invisible format character (which
    clean_text removes, or makes a space); columns with none are left out."""
    if not columns or frame.height == 0:
        return {}
    counts = frame.select(
        pl.col(c).cast(pl.String).str.contains(CONTROL_CHARACTERS).sum().alias(c) for c in columns
    ).row(0, named=True)
    return {c: int(n) for c, n in counts.items() if n}


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
