"""Readers for the extract formats councils can produce.

Every reader returns RawTable objects: all values as text, columns already renamed to the
canonical names in earlyhelp.core.schema, and `source_row` giving the row number a person would see
when opening the file (header = row 1). Parsing and checking happen in earlyhelp.load.validate,
once,
for every format.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from earlyhelp.core.errors import UnusableInput

if TYPE_CHECKING:
    from earlyhelp.load.mapping import Mapping

SOURCE_ROW = "source_row"


# Rows validated at a time when a source is streamed: large enough that per-batch work is
# small beside the rows, small enough that a national extract never has to fit in memory.
BATCH_ROWS = 1_000_000


@dataclass
class RawTable:
    """One source file's rows for one table: Utf8 columns with canonical names, plus SOURCE_ROW.

    `data` is a DataFrame for sources read whole (workbooks, small files) or a LazyFrame for
    files streamed in batches (SSD CSV and Parquet), so that a national extract is never held
    in memory at once.
    """

    table: str  # a canonical table name, or "addresses" / "district_lookup"
    source_file: str
    data: pl.DataFrame | pl.LazyFrame
    # Child ids may already be keyed hashes (canonical Parquet, e.g. a warehouse's own tables):
    # ids in the hash's exact form are kept and every other id is hashed. Never taken from what
    # a source says of itself (a manifest): SSD and Annex A ids are always hashed.
    may_be_pseudonymised: bool = False
    encoding: str | None = None  # the text encoding a CSV was read in
    # canonical column -> the source field it came from ("ssd_contacts.cont_contact_date"), or
    # None when the file lacked it: what the quality report says is missing from the extract.
    source_fields: dict[str, str | None] = field(default_factory=dict)

    @property
    def frame(self) -> pl.DataFrame:
        """Every row at once (for small tables and tests)."""
        return pl.concat(list(self.batches()), how="vertical") if self._is_lazy else self.data

    @property
    def _is_lazy(self) -> bool:
        return isinstance(self.data, pl.LazyFrame)

    def batches(self, rows: int | None = None) -> Iterator[pl.DataFrame]:
        """The rows in order, at most `rows` at a time; a file that cannot be parsed part-way
        through is reported by name."""
        if not self._is_lazy:
            yield self.data
            return
        seen_any = False
        try:
            chunks = self.data.collect_batches(chunk_size=rows or BATCH_ROWS, maintain_order=True)
            for batch in chunks:
                seen_any = True
                yield batch
        except Exception as exc:  # polars raises several kinds; the user needs the file and why
            raise UnusableInput(f"{self.source_file}: cannot be read ({read_error(exc)})") from exc
        if not seen_any:
            yield self.data.head(0).collect()


def read_error(exc: BaseException) -> str:
    """Why a file could not be read, in one line (polars' messages go on for several)."""
    first = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "more fields than defined" in first:
        return "a row has more fields than the header row names"
    return first


def read_sources(
    paths: list[Path],
    mapping_path: Path | None = None,
    local_authority: str | None = None,
    not_used: list[tuple[str, str]] | None = None,
) -> list[RawTable]:
    """Read every path given on the command line, deciding the format of each.

    An SSD folder is read with the mapping file given, else the `mapping.yaml` beside it.
    Files of a folder and sheets of a workbook that are not read are added to `not_used` as
    (file or "<workbook>#<sheet>", why).
    """
    not_used = not_used if not_used is not None else []
    from earlyhelp.load.mapping import load_mapping
    from earlyhelp.load.sources import annex_a

    given = load_mapping(mapping_path) if mapping_path else None
    tables: list[RawTable] = []
    workbooks: list[Path] = []
    # Every path is read before any problem stops the ingest, so that all of them are named at
    # once, one line each.
    problems: list[str] = []
    for path in paths:
        try:
            _read_path(path, given, tables, workbooks, not_used, problems)
        except UnusableInput as exc:
            problems.append(str(exc))
    if workbooks:
        try:
            tables.extend(
                annex_a.read_workbooks(
                    workbooks, local_authority=local_authority, not_used=not_used
                )
            )
        except UnusableInput as exc:
            problems.append(str(exc))
    if problems:
        # One line per problem, even when a message (or a file's name) holds a line break.
        lines = [" ".join(problem.split()) for problem in problems]
        # And what was not read, with why: a file skipped may be the cause.
        lines += [" ".join(f"{name}: not read: {why}".split()) for name, why in not_used]
        raise UnusableInput("\n".join(dict.fromkeys(lines)))
    return tables


def _read_path(
    path: Path,
    given: Mapping | None,
    tables: list[RawTable],
    workbooks: list[Path],
    not_used: list[tuple[str, str]],
    problems: list[str],
) -> None:
    from earlyhelp.load.mapping import find_mapping, load_mapping
    from earlyhelp.load.sources import canonical, ssd

    if not path.exists():
        raise UnusableInput(f"{path}: no such file or folder")
    if path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        workbooks.append(path)  # read together below: a child in two returns is one child
    elif path.is_dir() and ssd.looks_like_ssd(path):
        beside = find_mapping(path)
        mapping = given or (load_mapping(beside) if beside else None)
        tables.extend(ssd.read_folder(path, mapping, problems))
        not_used.extend(ssd.unused_files(path))
    elif canonical.looks_like_canonical(path):
        tables.extend(canonical.read(path))
        not_used.extend(canonical.unused_files(path))
    elif ssd.is_population_file(path):
        tables.append(ssd.read_population(path))
    elif path.is_file() and ssd.ssd_table_of(path) is not None:
        beside = find_mapping(path.parent)
        mapping = given or (load_mapping(beside) if beside else None)
        tables.extend(ssd.read_files([path], mapping))
    else:
        raise UnusableInput(
            f"{path}: no recognisable table (expected an SSD-layout folder of ssd_*.csv or "
            "ssd_*.parquet files, an Annex A workbook, canonical Parquet or population.csv)"
        )
