"""Canonical Parquet: files named after the canonical tables (e.g. a warehouse's tables/ folder)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from earlyhelp.schema import CANONICAL_TABLES
from earlyhelp.sources import SOURCE_ROW, RawTable
from earlyhelp.sources.ssd import scan_text_table


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path] if path.suffix == ".parquet" and path.stem in CANONICAL_TABLES else []
    folder = path / "tables" if (path / "tables").is_dir() else path
    return sorted(p for p in folder.glob("*.parquet") if p.stem in CANONICAL_TABLES)


def looks_like_canonical(path: Path) -> bool:
    return bool(_files(path))


def already_pseudonymised(path: Path) -> bool:
    """A published warehouse version says in its manifest that its child ids are keyed hashes."""
    folder = path if path.is_dir() else path.parent
    for manifest in (folder / "manifest.json", folder.parent / "manifest.json"):
        if manifest.exists():
            return bool(json.loads(manifest.read_text()).get("pseudonymised", False))
    return False


def read(path: Path) -> list[RawTable]:
    tables = []
    for file in _files(path):
        # Parquet has no header row, so rows are numbered from 1.
        frame = scan_text_table(file).with_row_index(SOURCE_ROW, offset=1)
        frame = frame.with_columns(pl.col(SOURCE_ROW).cast(pl.Int64))
        tables.append(RawTable(file.stem, str(file), frame, already_pseudonymised(path)))
    return tables
