"""The warehouse: versioned Parquet tables, pre-aggregated marts, and an atomic publish.

Layout of a warehouse folder:
    CURRENT                      the name of the version readers use (replaced atomically)
    versions/<version>/
        tables/<table>.parquet   canonical tables (child ids pseudonymised, no names/addresses)
        marts/<mart>.parquet     aggregates the pages read
        warehouse.duckdb         the same tables and marts, and the macros the named queries
                                 share (queries/macros/), opened read-only by the query runner
        rejects.csv              every rejected row or cleared value, with file, row, column, reason
        manifest.json            sources, reconciliation, coverage, row counts

Besides the canonical tables, warehouse.duckdb holds `organisation_types` (organisation, type),
read at ingest from the council-editable data/organisations.csv (config.organisations_file()),
so that marts can say who leads an episode from data rather than from names.

A version is built in a staging folder and renamed into versions/ when complete; CURRENT is then
swapped with os.replace. A reader therefore sees the old version or the new one, never a mixture,
and a failed ingest leaves the previous version serving.

One writer at a time: ingest and rebuild (and publish) hold `writer_lock`, an flock on
`<warehouse>/.lock` that the kernel releases when the process ends, however it ends (kill -9
included). A second writer is refused at once with one line naming the process holding it
(`WarehouseBusy`), or waits for it when given `wait` seconds. Holding the lock proves no other
writer is running, so the working folders and temporary files that killed runs left behind
(`.staging-*`, `.rebuild-*`, `.ingest-*`, `.CURRENT.*`; not a scratch folder named after a
process still running) are removed as soon as it is taken. Readers never take the lock: they
read CURRENT and a published version, which writers never change.

This module builds, publishes, prunes and rebuilds versions. The writer lock is in
earlyhelp.load.writer_lock, the organisation types in earlyhelp.load.organisations and the names
of a folder's parts in earlyhelp.load.layout; their names are re-exported here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from earlyhelp.core import config, csv_safe, schema
from earlyhelp.core.config import MACRO_QUERIES_DIR, MART_QUERIES_DIR
from earlyhelp.core.errors import UnusableInput, WarehouseMissing

# Re-exported: callers name these as warehouse.<name>.
from earlyhelp.load.layout import CURRENT as CURRENT
from earlyhelp.load.layout import DB_FILE as DB_FILE
from earlyhelp.load.layout import VERSIONS as VERSIONS
from earlyhelp.load.layout import current_version_dir as current_version_dir
from earlyhelp.load.layout import read_manifest as read_manifest
from earlyhelp.load.organisations import ORGANISATION_COLUMNS as ORGANISATION_COLUMNS
from earlyhelp.load.organisations import ORGANISATION_TYPES as ORGANISATION_TYPES
from earlyhelp.load.organisations import ORGANISATIONS_TABLE as ORGANISATIONS_TABLE
from earlyhelp.load.organisations import load_organisation_types as load_organisation_types
from earlyhelp.load.organisations import organisation_key as organisation_key
from earlyhelp.load.organisations import with_mapped_types as with_mapped_types
from earlyhelp.load.writer_lock import LEFTOVERS as LEFTOVERS
from earlyhelp.load.writer_lock import LOCK_FILE as LOCK_FILE
from earlyhelp.load.writer_lock import WarehouseBusy as WarehouseBusy
from earlyhelp.load.writer_lock import WriterLock as WriterLock
from earlyhelp.load.writer_lock import holding_writer_lock as holding_writer_lock
from earlyhelp.load.writer_lock import remove_leftovers as remove_leftovers
from earlyhelp.load.writer_lock import writer_lock as writer_lock

KEEP_VERSIONS = 3


_KIND_DTYPES = {
    schema.ID: pl.String,
    schema.TEXT: pl.String,
    schema.CODE: pl.String,
    schema.DATE: pl.Date,
    schema.INT: pl.Int64,
    schema.FLOAT: pl.Float64,
    schema.BOOL: pl.Boolean,
}
DERIVED_DTYPES = {
    "district": pl.String,
    "age_band": pl.String,
    "source_group": pl.String,
    "decision_working_days": pl.Int64,
}


def table_schema(name: str) -> dict[str, pl.DataType]:
    definition = schema.CANONICAL_TABLES[name]
    columns = {c.name: _KIND_DTYPES[c.kind] for c in definition.columns}
    for derived in schema.DERIVED_COLUMNS.get(name, ()):
        columns[derived] = DERIVED_DTYPES[derived]
    return columns


def conform(name: str, frame: pl.DataFrame | None) -> pl.DataFrame:
    """The table with exactly its canonical columns and types (empty when the source lacked it)."""
    columns = table_schema(name)
    if frame is None:
        return pl.DataFrame(schema=columns)
    missing = [
        pl.lit(None, dtype).alias(c) for c, dtype in columns.items() if c not in frame.columns
    ]
    return frame.with_columns(missing).select(
        [pl.col(c).cast(dtype) for c, dtype in columns.items()]
    )


def mart_files() -> list[Path]:
    return sorted(MART_QUERIES_DIR.glob("*.sql"))


def macro_files() -> list[Path]:
    """The DuckDB macros the named queries share (queries/macros/*.sql), created at publish after
    the marts they read, so that a lookup such as the reporting period is written once."""
    return sorted(MACRO_QUERIES_DIR.glob("*.sql"))


def _built(manifest: dict) -> set[str]:
    return set(manifest.get("marts") or []) | set(manifest.get("macros") or [])


def missing_marts(manifest: dict) -> list[str]:
    """This release's marts (and macros) that a published version (its manifest) was built
    without: a warehouse from an earlier release, which `rebuild` brings up to date."""
    return sorted({f.stem for f in mart_files() + macro_files()} - _built(manifest))


def _definition(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()[:16]


def outdated_marts(manifest: dict) -> list[str]:
    """The marts a published version lacks or built from SQL that has changed since (versions
    published before definitions were recorded are judged on missing marts alone)."""
    built, definitions = _built(manifest), manifest.get("mart_definitions") or {}
    current = {f.stem: _definition(f.read_text()) for f in mart_files() + macro_files()}
    return sorted(n for n, d in current.items() if n not in built or definitions.get(n, d) != d)


@holding_writer_lock("publish")
def publish(
    warehouse_dir: Path,
    tables: dict[str, pl.DataFrame | Path],
    rejects: pl.DataFrame,
    manifest: dict,
    districts: list[str] | None = None,
    benchmarks: dict[str, pl.DataFrame | Path] | None = None,
) -> tuple[str, Path]:
    """Build and publish a new version. `benchmarks` (DfE published figures, the tables of
    earlyhelp.load.dfe.TABLE_SCHEMAS plus its rejects) are the current version's when not
    given, with their manifest entry: an ingest or rebuild keeps the figures loaded before."""
    warehouse_dir = warehouse_dir.resolve()
    versions = warehouse_dir / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    if benchmarks is None:
        benchmarks, entry = current_benchmarks(warehouse_dir)
        if entry and "benchmarks" not in manifest:
            manifest = {**manifest, "benchmarks": entry}
    # Read before anything is built: a bad organisations file stops the ingest at once.
    organisations = with_mapped_types(
        load_organisation_types(config.organisations_file()),
        manifest.get("organisation_kinds") or {},
    )
    staging = warehouse_dir / f".staging-{version}-{uuid.uuid4().hex[:8]}"
    try:
        _build_version(
            staging, tables, rejects, manifest, version, districts or [], organisations, benchmarks
        )
        final = versions / version
        os.rename(staging, final)
        _point_current_at(warehouse_dir, version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _prune(warehouse_dir, keep=version)
    return version, final


def _build_version(
    staging: Path,
    tables: dict[str, pl.DataFrame | Path],
    rejects: pl.DataFrame,
    manifest: dict,
    version: str,
    districts: list[str],
    organisations: pl.DataFrame,
    benchmarks: dict[str, pl.DataFrame | Path] | None = None,
) -> None:
    (staging / "tables").mkdir(parents=True)
    (staging / "marts").mkdir()
    (staging / BENCHMARKS_DIR).mkdir()
    # Marts over a national warehouse need more than memory: DuckDB spills to the staging folder.
    con = duckdb.connect(
        str(staging / DB_FILE),
        config={"temp_directory": str(staging / ".spill")},
    )
    row_counts: dict[str, int] = {}
    try:
        con.sql("PRAGMA disable_progress_bar")  # a session setting, not allowed in config
        for name in schema.CANONICAL_TABLES:
            path = staging / "tables" / f"{name}.parquet"
            given = tables.get(name)
            if isinstance(given, Path):
                # Already conformed by the ingest, and possibly larger than memory: moved, and
                # loaded by DuckDB straight from the file.
                shutil.move(given, path)
            else:
                conform(name, given).write_parquet(path)
            # Table names come from schema.CANONICAL_TABLES; the relation API needs no SQL text.
            con.read_parquet(str(path)).create(name)
            row_counts[name] = con.table(name).count("*").fetchall()[0][0]
        known = pl.DataFrame({"district": sorted(set(districts))}, schema={"district": pl.String})
        con.from_arrow(known.to_arrow()).create("district_lookup_districts")
        con.from_arrow(organisations.to_arrow()).create(ORGANISATIONS_TABLE)
        _load_benchmarks(con, staging / BENCHMARKS_DIR, benchmarks or {})
        marts, macros = mart_files(), macro_files()
        definitions = {}
        # Marts in file-name order, then the macros, which DuckDB binds to the marts they read.
        for sql_file in marts + macros:
            sql = sql_file.read_text()
            con.sql(sql)
            definitions[sql_file.stem] = _definition(sql)
            if sql_file in marts:
                con.table(sql_file.stem).write_parquet(
                    str(staging / "marts" / f"{sql_file.stem}.parquet")
                )
        coverage = con.table("mart_coverage").pl()
        con.sql("CHECKPOINT")
    finally:
        con.close()
    shutil.rmtree(staging / ".spill", ignore_errors=True)
    csv_safe.to_csv(rejects, staging / "rejects.csv")  # names from the extract: no formulas
    manifest = {
        **manifest,
        "version": version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": row_counts,
        "marts": [f.stem for f in marts],
        "macros": [f.stem for f in macros],
        "mart_definitions": definitions,
        "organisation_types": organisations.height,
        "rejects": rejects.height,
        "coverage": [
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
            for row in coverage.to_dicts()
        ],
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    _fsync_tree(staging)


# --- DfE published figures (load/dfe.py) -----------------------------------------------------
BENCHMARKS_DIR = "benchmarks"
BENCHMARK_REJECTS = "rejects"


def _load_benchmarks(
    con: duckdb.DuckDBPyConnection, folder: Path, given: dict[str, pl.DataFrame | Path]
) -> None:
    """Every benchmark table, empty when none was loaded (so its marts and queries still run),
    written to the version's benchmarks/ folder and loaded; their rejects beside them."""
    from earlyhelp.load import dfe

    for name, columns in dfe.TABLE_SCHEMAS.items():
        path = folder / f"{name}.parquet"
        source = given.get(name)
        frame = pl.read_parquet(source) if isinstance(source, Path) else source
        if frame is None:
            frame = pl.DataFrame(schema=columns)
        frame.select([pl.col(c).cast(t) for c, t in columns.items()]).write_parquet(path)
        con.read_parquet(str(path)).create(name)
    rejects = given.get(BENCHMARK_REJECTS)
    if isinstance(rejects, Path):
        rejects = pl.read_csv(rejects, infer_schema=False)
    if rejects is None:
        rejects = pl.DataFrame(schema=dfe.REJECTS_SCHEMA)
    csv_safe.to_csv(rejects, folder / f"{BENCHMARK_REJECTS}.csv")


def current_benchmarks(warehouse_dir: Path) -> tuple[dict[str, pl.DataFrame | Path], dict]:
    """The current version's benchmark tables (as frames: the version keeps its files) and its
    manifest entry; nothing when there is no current version or it has none."""
    try:
        current = current_version_dir(warehouse_dir)
    except WarehouseMissing:
        return {}, {}
    folder = current / BENCHMARKS_DIR
    found: dict[str, pl.DataFrame | Path] = {}
    for path in folder.glob("*.parquet") if folder.is_dir() else ():
        found[path.stem] = pl.read_parquet(path)
    if (folder / f"{BENCHMARK_REJECTS}.csv").is_file():
        found[BENCHMARK_REJECTS] = pl.read_csv(
            folder / f"{BENCHMARK_REJECTS}.csv", infer_schema=False
        )
    return found, read_manifest(current).get("benchmarks") or {}


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def _point_current_at(warehouse_dir: Path, version: str) -> None:
    temporary = warehouse_dir / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
    temporary.write_text(version + "\n")
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, warehouse_dir / CURRENT)


def _prune(warehouse_dir: Path, keep: str) -> None:
    """Keep the newest few versions so that a reader still on an older one is not cut off."""
    versions = sorted(p for p in (warehouse_dir / VERSIONS).iterdir() if p.is_dir())
    for old in versions[:-KEEP_VERSIONS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


# Manifest keys _build_version writes for each version; everything else came from the ingest.
_BUILT_MANIFEST_KEYS = frozenset(
    {
        "version",
        "created",
        "tables",
        "marts",
        "macros",
        "mart_definitions",
        "organisation_types",
        "rejects",
        "coverage",
    }
)


@holding_writer_lock("rebuild", create=False)
def rebuild(
    warehouse_dir: Path,
    benchmarks: dict[str, pl.DataFrame | Path] | None = None,
    benchmarks_entry: dict | None = None,
) -> tuple[str, Path]:
    """Publish a new version from the current version's canonical tables with this release's
    mart definitions (queries/marts/*.sql), without re-reading the extracts.

    After an upgrade changes the marts, this replaces a full re-ingest (the longest step at
    national scale). The tables are already validated and pseudonymised, so they are reused as
    they are, with the current version's district list, rejects and ingest-time manifest entries
    (sources, reconciliation...), plus `rebuilt_from`: the version they came from.
    data/organisations.csv is read afresh, as at ingest. The current version keeps serving until
    the swap, so its files are never moved: they are hard-linked (copied where linking fails)
    into a scratch folder in the warehouse, and publish moves the links into the new version.
    It holds the writer lock throughout (`writer_lock`), so an ingest cannot publish between
    its reading the current version and its publishing the rebuilt one.

    `benchmarks` and `benchmarks_entry` (the `benchmarks` command) replace the current version's
    DfE published figures and their manifest entry; otherwise they are kept.
    """
    warehouse_dir = Path(warehouse_dir).resolve()
    old = current_version_dir(warehouse_dir)
    con = duckdb.connect(str(old / DB_FILE), read_only=True)
    try:
        districts = [r[0] for r in con.table("district_lookup_districts").fetchall()]
    finally:
        con.close()
    # Every column as text, so the rejects are written out as they were read.
    rejects = pl.read_csv(old / "rejects.csv", infer_schema=False)
    manifest = {k: v for k, v in read_manifest(old).items() if k not in _BUILT_MANIFEST_KEYS}
    manifest["rebuilt_from"] = old.name
    if benchmarks_entry is not None:
        manifest["benchmarks"] = benchmarks_entry
    scratch = warehouse_dir / f".rebuild-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    scratch.mkdir()
    try:
        tables: dict[str, pl.DataFrame | Path] = {}
        for name in schema.CANONICAL_TABLES:
            source = old / "tables" / f"{name}.parquet"
            _check_reusable(source, name)
            tables[name] = scratch / source.name
            try:
                os.link(source, tables[name])
            except OSError:
                shutil.copy2(source, tables[name])
        return publish(
            warehouse_dir, tables, rejects, manifest, districts=districts, benchmarks=benchmarks
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _check_reusable(path: Path, name: str) -> None:
    """A table from an older release whose columns differ from this release's cannot be reused:
    only a re-ingest can fill a new column."""
    if not path.is_file():
        raise UnusableInput(f"{path} is missing: run 'python -m earlyhelp ingest' instead")
    found = dict(pl.read_parquet_schema(path))
    if found != table_schema(name):
        raise UnusableInput(
            f"{path}: the {name} table's columns differ from this release's; rebuild reuses "
            f"tables as they are, so run 'python -m earlyhelp ingest' on the extract instead"
        )
