"""Organisation types: data/organisations.csv (organisation, type) read and checked, mapped kinds.

The table is stored in each version's warehouse.duckdb as `organisation_types`, so that marts
can say who leads an episode from data rather than from names.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from earlyhelp.core import config
from earlyhelp.core.errors import UnusableInput

# --- Organisation types (data/organisations.csv) -------------------------------------------------
ORGANISATIONS_TABLE = "organisation_types"
ORGANISATION_TYPES = ("council", "commissioned", "school", "health", "early_years", "other")
ORGANISATION_COLUMNS = ("organisation", "type")


def organisation_key(name: str | None) -> str:
    """How organisation names are compared: spaces (including non-breaking) collapsed, ends
    trimmed, case ignored."""
    return " ".join(str(name or "").replace("\u00a0", " ").split()).casefold()


def load_organisation_types(path: Path | None = None) -> pl.DataFrame:
    """The organisations file as a table (organisation, type), one row per organisation.

    Columns `organisation` and `type` (matched ignoring case and surrounding spaces; other
    columns are ignored). The type is one of ORGANISATION_TYPES, in any case, with a space or
    hyphen allowed for the underscore ("Early years"). A missing file gives an empty table (every
    organisation is then typed by its name). A row with an unknown type, an empty organisation
    or a type that contradicts an earlier row for the same organisation stops the load with an
    UnusableInput naming the file, row and value, so that whoever edited the file can fix it.
    Rows are numbered from 1 for the first row under the header, as in data/calendar/.
    """
    path = Path(path) if path is not None else config.organisations_file()
    empty = pl.DataFrame(schema={c: pl.String for c in ORGANISATION_COLUMNS})
    if not path.is_file():
        return empty
    names: list[str] = []
    types: list[str] = []
    seen: dict[str, tuple[int, str]] = {}  # key -> (row, type)
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        header = next(_csv_rows(path, reader), None)
        if header is None:
            return empty
        index = {h.strip().casefold(): i for i, h in enumerate(header)}
        missing = [c for c in ORGANISATION_COLUMNS if c not in index]
        if missing:
            raise UnusableInput(
                f"{path}: missing column(s) {', '.join(missing)} "
                f"(the header must have {', '.join(ORGANISATION_COLUMNS)})"
            )
        for row_number, cells in enumerate(_csv_rows(path, reader), start=1):
            where = f"{path}: row {row_number} (line {reader.line_num})"
            name, raw_type = (_cell(cells, index[c]) for c in ORGANISATION_COLUMNS)
            if not name and not raw_type:
                continue  # a blank line
            if not name:
                raise UnusableInput(f"{where}: organisation is empty (type {raw_type!r})")
            kind = raw_type.casefold().replace(" ", "_").replace("-", "_")
            if kind not in ORGANISATION_TYPES:
                raise UnusableInput(
                    f"{where}: type {raw_type!r} for {name!r} is not one of "
                    f"{', '.join(ORGANISATION_TYPES)}"
                )
            key = organisation_key(name)
            if key in seen:
                first_row, first_type = seen[key]
                if first_type != kind:
                    raise UnusableInput(
                        f"{where}: {name!r} is {kind!r} here but {first_type!r} in row "
                        f"{first_row}: give each organisation one type"
                    )
                continue
            seen[key] = (row_number, kind)
            names.append(name)
            types.append(kind)
    return pl.DataFrame({"organisation": names, "type": types}, schema=empty.schema)


def _csv_rows(path: Path, reader) -> Iterator[list[str]]:
    """The reader's rows; a line the csv module cannot read (a field over its size limit) is
    an UnusableInput naming the file and line, not an internal error."""
    try:
        yield from reader
    except csv.Error as exc:
        raise UnusableInput(f"{path}: line {reader.line_num}: cannot be read ({exc})") from exc


# Control characters (NUL...) other than whitespace, and invisible format characters (zero-width
# space, bidirectional controls, a stray byte order mark): removed, as ingest removes them.
_REMOVED_CHARACTERS = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]"
)


def _cell(cells: list[str], i: int) -> str:
    """A CSV cell with control characters removed, spaces (including non-breaking, tabs and
    line breaks) collapsed and ends trimmed."""
    if i >= len(cells):
        return ""
    return " ".join(_REMOVED_CHARACTERS.sub("", cells[i]).replace("\u00a0", " ").split())


def with_mapped_types(organisations: pl.DataFrame, kinds: dict[str, str]) -> pl.DataFrame:
    """The organisations file's types, with the kinds a council's mapping file gives its
    organisation codes (recorded in the manifest, so a rebuild keeps them): the mapping wins
    for an organisation both name, since it describes this extract."""
    if not kinds:
        return organisations
    mapped = {organisation_key(name) for name in kinds}
    kept = organisations.filter(
        ~pl.col("organisation").map_elements(organisation_key, return_dtype=pl.String).is_in(mapped)
    )
    extra = pl.DataFrame(
        {"organisation": list(kinds), "type": list(kinds.values())}, schema=organisations.schema
    )
    return pl.concat([kept, extra])
