"""Canonical Parquet: files named after the canonical tables (e.g. a warehouse's tables/ folder)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from earlyhelp.core.schema import CANONICAL_TABLES
from earlyhelp.load.sources import SOURCE_ROW, RawTable
from earlyhelp.load.sources.ssd import scan_text_table


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path] if path.suffix == ".parquet" and path.stem in CANONICAL_TABLES else []
    folder = path / "tables" if (path / "tables").is_dir() else path
    return sorted(p for p in folder.glob("*.parquet") if p.stem in CANONICAL_TABLES)


def looks_like_canonical(path: Path) -> bool:
    return bool(_files(path))


def read(path: Path) -> list[RawTable]:
    tables = []
    for file in _files(path):
        # Parquet has no header row, so rows are numbered from 1.
        frame = scan_text_table(file).with_row_index(SOURCE_ROW, offset=1)
        frame = frame.with_columns(pl.col(SOURCE_ROW).cast(pl.Int64))
        # Whatever a manifest beside the files says, a child id is kept only when it is in the
        # keyed hash's form (our own tables, re-ingested); any other id is hashed at ingest.
        tables.append(RawTable(file.stem, str(file), frame, may_be_pseudonymised=True))
    return tables


def unused_files(path: Path) -> list[tuple[str, str]]:
    """Every file or folder beside the canonical tables that is not read, with why."""
    if path.is_file():
        return []
    folder = path / "tables" if (path / "tables").is_dir() else path
    unused = []
    for item in sorted(folder.iterdir()):
        if item.is_file() and item.suffix == ".parquet" and item.stem in CANONICAL_TABLES:
            continue
        if item.is_dir():
            reason = "a folder: not read (give it as a path of its own to read it)"
        elif item.name == "manifest.json":
            reason = (
                "not read: whatever a manifest says, child ids not in the keyed hash's form "
                "are hashed"
            )
        elif item.suffix == ".parquet":
            reason = f"not a canonical table ({', '.join(CANONICAL_TABLES)})"
        else:
            reason = "not a canonical table's Parquet file"
        unused.append((str(item), reason))
    return unused
