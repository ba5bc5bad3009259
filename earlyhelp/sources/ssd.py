"""Standard Safeguarding Dataset (SSD) extracts: a folder of ssd_<table>.csv or .parquet files."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from earlyhelp.errors import UnusableInput
from earlyhelp.schema import CANONICAL_TABLES, SSD_TABLES
from earlyhelp.sources import SOURCE_ROW, RawTable

LOOKUP_FILE = "district_lookup.csv"
POPULATION_FILE = "population.csv"
POPULATION_COLUMNS = ("district", "year", "age_band", "children")
_SSD_FILE = re.compile(r"^(ssd_[a-z_]+?)(?:_\d{8})?\.(csv|parquet)$", re.IGNORECASE)

_OUTCOME_JSON = "cont_contact_outcome_json"


def table_name_for(path: Path) -> str | None:
    match = _SSD_FILE.match(path.name)
    if match and match.group(1).lower() in SSD_TABLES:
        return match.group(1).lower()
    return None


def looks_like_ssd(folder: Path) -> bool:
    return any(table_name_for(p) for p in folder.iterdir() if p.is_file())


def read_folder(folder: Path) -> list[RawTable]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and table_name_for(p))
    tables = read_files(files)
    lookup = folder / LOOKUP_FILE
    if lookup.exists():
        tables.append(read_district_lookup(lookup))
    population = folder / POPULATION_FILE
    if population.exists():
        tables.append(read_population(population))
    return tables


def read_files(files: list[Path]) -> list[RawTable]:
    return [_read_ssd_file(path, table_name_for(path)) for path in files]


def read_text_table(path: Path) -> pl.DataFrame:
    """Every column as text, so that validation sees exactly what the file holds."""
    return RawTable("", str(path), scan_text_table(path)).frame


def scan_text_table(path: Path) -> pl.LazyFrame:
    """A file's rows as text, read lazily: the columns are known now, the rows when streamed."""
    try:
        if path.suffix.lower() == ".parquet":
            frame = pl.scan_parquet(path)
            frame = frame.select(pl.all().cast(pl.String))
        else:
            frame = pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy")
        frame.collect_schema()
        return frame
    except Exception as exc:  # polars raises several kinds; the user needs the file and why
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnusableInput(f"{path}: cannot be read ({reason})") from exc


def _with_source_row(frame: pl.LazyFrame) -> pl.LazyFrame:
    # Row 1 is the header in a spreadsheet view of the file, so data starts at row 2.
    return frame.with_row_index(SOURCE_ROW, offset=2).with_columns(
        pl.col(SOURCE_ROW).cast(pl.Int64)
    )


def _read_ssd_file(path: Path, ssd_table: str) -> RawTable:
    canonical_table, mapping = SSD_TABLES[ssd_table]
    frame = scan_text_table(path)
    names = frame.collect_schema().names()
    frame = frame.rename({c: c.strip().lower() for c in names})
    columns = [c.strip().lower() for c in names]
    _require_key_columns(path, columns, canonical_table, mapping)
    if ssd_table == "ssd_contacts" and _OUTCOME_JSON in columns:
        outcome = pl.col(_OUTCOME_JSON)
        frame = frame.with_columns(
            outcome.str.json_path_match("$.decision").alias("decision"),
            outcome.str.json_path_match("$.decision_date").alias("decision_date"),
        )
        columns += ["decision", "decision_date"]
    selected = [pl.col(src).alias(dst) for src, dst in mapping.items() if src in columns]
    for extra in ("decision", "decision_date"):
        if ssd_table == "ssd_contacts" and extra in columns:
            selected.append(pl.col(extra))
    out = _with_source_row(frame).select(pl.col(SOURCE_ROW), *selected)
    missing_optional = [dst for src, dst in mapping.items() if src not in columns]
    if missing_optional:
        out = out.with_columns(pl.lit(None, pl.String).alias(c) for c in missing_optional)
    return RawTable(canonical_table, str(path), out)


def _require_key_columns(path: Path, columns: list[str], table: str, mapping: dict[str, str]):
    if table == "addresses":
        required = {"person_id", "postcode", "start_date"}
    else:
        required = {c.name for c in CANONICAL_TABLES[table].columns if c.required}
    for src, dst in mapping.items():
        if dst in required and src not in columns:
            raise UnusableInput(f"{path}: required column {src!r} is missing")


def read_district_lookup(path: Path) -> RawTable:
    frame = read_text_table(path)
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    for column in ("postcode_sector", "district"):
        if column not in frame.columns:
            raise UnusableInput(f"{path}: required column {column!r} is missing")
    out = _with_source_row(frame.lazy()).select(SOURCE_ROW, "postcode_sector", "district")
    return RawTable("district_lookup", str(path), out.collect())


def is_population_file(path: Path) -> bool:
    return path.is_file() and path.name.lower() == POPULATION_FILE


def read_population(path: Path) -> RawTable:
    """The child population by district, mid-year and age band (optional; gives rates)."""
    frame = read_text_table(path)
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    for column in POPULATION_COLUMNS:
        if column not in frame.columns:
            raise UnusableInput(f"{path}: required column {column!r} is missing")
    out = _with_source_row(frame.lazy()).select(SOURCE_ROW, *POPULATION_COLUMNS)
    return RawTable("population", str(path), out.collect())
