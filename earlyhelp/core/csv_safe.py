"""CSV that a spreadsheet opens as data, never as formulas (CSV or formula injection).

Every CSV the product writes goes through `to_csv`: the app's downloads (`ui.download_table`),
`python -m earlyhelp query --format csv`, and each version's rejects.csv. Names in those files
come from the council's extract (teams, organisations, workers, districts, raw rejected
values), so a cell such as `=1+2` or `+cmd|' /C calc'!A0` would otherwise be run by Excel or
LibreOffice when the file is opened.

The rule, after OWASP's CSV injection guidance: a text cell whose first character, or first
character after leading white space, is `=`, `+`, `-` or `@` (or their full-width forms
U+FF1D, U+FF0B, U+FF0D, U+FF20, which some spreadsheets also read as formulas), or whose first
character is a tab or carriage return, is written with a single quote `'` in front. A
spreadsheet then shows it as text, and anyone reading the file can still see the value.

Left alone:

- numeric columns (integers and decimals, negative ones included): they are written as numbers;
- a text cell that is exactly a number, such as "-3" or "-2.5" (figures the display layer
  made text so that withheld ones can be 'c'): a spreadsheet reads it as the number and runs
  nothing, so it stays a number there too. `-2+3` is not a number and is quoted;
- dates, booleans and empty cells.

Column names are treated like text cells (a table may have a column per district).

A quoted cell reads back with its quote (`'=1+2`), and quoting it again leaves it as it is, so
rejects.csv read and written again by `rebuild` keeps the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

QUOTE = "'"
# A formula: =, +, - or @ (or a full-width one) first, perhaps after white space; or a tab or
# a carriage return first.
_FORMULA = "^(?:[\\t\\r]|\\s*[=+\\-@\uff1d\uff0b\uff0d\uff20])"
# Text that is a plain number (a spreadsheet reads it as that number): left as it is.
_NUMBER = r"^\s*[+\-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+\-]?\d+)?\s*$"
_FORMULA_RE = re.compile(_FORMULA)
_NUMBER_RE = re.compile(_NUMBER)


def safe_text(value: str) -> str:
    """One text cell as `to_csv` writes it."""
    if _FORMULA_RE.match(value) and not _NUMBER_RE.match(value):
        return QUOTE + value
    return value


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text cell and column name that a spreadsheet would run as a
    formula quoted (see the module docstring); numbers, dates and the rest unchanged."""
    text = [
        name
        for name, dtype in frame.schema.items()
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)
    ]
    frame = frame.with_columns(
        pl.when(
            pl.col(name).cast(pl.String).str.contains(_FORMULA)
            & ~pl.col(name).cast(pl.String).str.contains(_NUMBER)
        )
        .then(pl.lit(QUOTE) + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text
    )
    renamed = {name: safe_text(name) for name in frame.columns if safe_text(name) != name}
    return frame.rename(renamed) if renamed else frame


def to_csv(frame: pl.DataFrame, path: Path | None = None) -> str | None:
    """The frame as CSV, safe to open in a spreadsheet: the text, or None once written to
    `path`."""
    safe = neutralise(frame)
    if path is None:
        return safe.write_csv()
    safe.write_csv(path)
    return None
