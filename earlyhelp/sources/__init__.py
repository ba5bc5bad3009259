"""Readers for the extract formats councils can produce.

Every reader returns RawTable objects: all values as text, columns already renamed to the
canonical names in earlyhelp.schema, and `source_row` giving the row number a person would see
when opening the file (header = row 1). Parsing and checking happen in earlyhelp.validate, once,
for every format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from earlyhelp.errors import UnusableInput

SOURCE_ROW = "source_row"


@dataclass
class RawTable:
    table: str  # a canonical table name, or "addresses" / "district_lookup"
    source_file: str
    frame: pl.DataFrame  # Utf8 columns with canonical names, plus SOURCE_ROW (Int64)
    pseudonymised: bool = False  # child ids are already keyed hashes (a warehouse's own tables)


def read_sources(paths: list[Path]) -> list[RawTable]:
    """Read every path given on the command line, deciding the format of each."""
    from earlyhelp.sources import annex_a, canonical, ssd

    tables: list[RawTable] = []
    for path in paths:
        if not path.exists():
            raise UnusableInput(f"{path}: no such file or folder")
        if path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            tables.extend(annex_a.read_workbook(path))
        elif path.is_dir() and ssd.looks_like_ssd(path):
            tables.extend(ssd.read_folder(path))
        elif canonical.looks_like_canonical(path):
            tables.extend(canonical.read(path))
        elif ssd.is_population_file(path):
            tables.append(ssd.read_population(path))
        elif path.is_file() and ssd.table_name_for(path) is not None:
            tables.extend(ssd.read_files([path]))
        else:
            raise UnusableInput(
                f"{path}: no recognisable table (expected an SSD-layout folder of ssd_*.csv or "
                "ssd_*.parquet files, an Annex A workbook, canonical Parquet or population.csv)"
            )
    return tables
