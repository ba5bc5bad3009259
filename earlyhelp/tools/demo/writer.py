"""Writing the tables: each area's appended to one file per table, as CSV or Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from earlyhelp.tools.demo.conventions import DATETIME_TEXT, LOOKUP_FILE, NULL_TEXT, POPULATION_FILE


class _ChunkWriter:
    """Appends each area's tables to one file per table: CSV, or Parquet row groups.

    CSV is written as SQL Server exports SSD: dates as DATETIME text, nulls as NULL."""

    def __init__(self, out: Path, fmt: str, schemas: dict[str, pa.Schema]) -> None:
        self.out = out
        self.fmt = fmt
        self.schemas = schemas
        self.rows: dict[str, int] = {}
        self._csv: dict[str, BinaryIO] = {}
        self._parquet: dict[str, pq.ParquetWriter] = {}

    def write(self, tables: dict[str, pl.DataFrame]) -> None:
        for name, frame in tables.items():
            if self.fmt == "parquet" and name not in (LOOKUP_FILE, POPULATION_FILE):
                if name not in self._parquet:
                    path = self.out / f"{name}.parquet"
                    self._parquet[name] = pq.ParquetWriter(
                        path, self.schemas[name], compression="zstd"
                    )
                self._parquet[name].write_table(frame.to_arrow().cast(self.schemas[name]))
            else:
                first = name not in self._csv
                if first:
                    self._csv[name] = (self.out / f"{name}.csv").open("wb")
                frame.write_csv(
                    self._csv[name],
                    include_header=first,
                    date_format=DATETIME_TEXT,
                    null_value=NULL_TEXT,
                )
            self.rows[name] = self.rows.get(name, 0) + frame.height

    def close(self) -> None:
        for handle in self._csv.values():
            handle.close()
        for writer in self._parquet.values():
            writer.close()
