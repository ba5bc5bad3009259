"""The warehouse: versioned Parquet tables, pre-aggregated marts, and an atomic publish.

Layout of a warehouse folder:
    CURRENT                      the name of the version readers use (replaced atomically)
    versions/<version>/
        tables/<table>.parquet   canonical tables (child ids pseudonymised, no names/addresses)
        marts/<mart>.parquet     aggregates the pages read
        warehouse.duckdb         the same tables and marts, opened read-only by the query runner
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
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import functools
import hashlib
import inspect
import json
import os
import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from earlyhelp.core import config, csv_safe, schema
from earlyhelp.core.config import MART_QUERIES_DIR
from earlyhelp.core.errors import UnusableInput, WarehouseMissing

CURRENT = "CURRENT"
VERSIONS = "versions"
DB_FILE = "warehouse.duckdb"
KEEP_VERSIONS = 3
LOCK_FILE = ".lock"
# What a writer killed part way leaves in the warehouse folder: removed under the lock.
LEFTOVERS = (".staging-*", ".rebuild-*", ".ingest-*", f".{CURRENT}.*")

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


def mart_files() -> list[Path]:
    return sorted(MART_QUERIES_DIR.glob("*.sql"))


def missing_marts(manifest: dict) -> list[str]:
    """This release's marts that a published version (its manifest) was built without: a
    warehouse from an earlier release, which `rebuild` brings up to date."""
    return sorted({f.stem for f in mart_files()} - set(manifest.get("marts") or []))


def _definition(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()[:16]


def outdated_marts(manifest: dict) -> list[str]:
    """The marts a published version lacks or built from SQL that has changed since (versions
    published before definitions were recorded are judged on missing marts alone)."""
    built, definitions = set(manifest.get("marts") or []), manifest.get("mart_definitions") or {}
    current = {f.stem: _definition(f.read_text()) for f in mart_files()}
    return sorted(n for n, d in current.items() if n not in built or definitions.get(n, d) != d)


# --- One writer at a time ------------------------------------------------------------------------
class WarehouseBusy(Exception):
    """Another ingest or rebuild holds the warehouse's lock."""


@dataclass
class WriterLock:
    """This process's hold on one warehouse's lock, and what taking it removed."""

    warehouse_dir: Path
    removed: list[str] = field(default_factory=list)

    def removed_line(self) -> str | None:
        """One line naming what earlier, stopped runs left behind and was removed (or None)."""
        if not self.removed:
            return None
        return f"Removed what stopped runs left in {self.warehouse_dir}: {', '.join(self.removed)}"


_HELD: dict[tuple[Path, int], WriterLock] = {}  # (warehouse, thread) -> its lock


@contextmanager
def writer_lock(
    warehouse_dir: Path,
    *,
    purpose: str = "write",
    create: bool = True,
    wait: float = 0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[WriterLock]:
    """Hold the warehouse's writer lock for the block. A missing warehouse folder is created
    (and removed again if nothing was published in it), or with `create=False` (a rebuild)
    reported as WarehouseMissing.

    The lock is an flock on `<warehouse>/.lock`: the kernel releases it when the process ends,
    however it ends, so a killed writer never leaves the warehouse locked. Taken, it records this
    process (pid, host, start time, `purpose`) in the file for the message a second writer gets,
    and removes the leftovers of killed runs (LEFTOVERS; listed in `WriterLock.removed`). On
    release the file is removed (a writer that finds it replaced takes the new one).

    Held already by this thread (a publish inside an ingest), it is simply held on. Held by
    anyone else: `WarehouseBusy` at once, with one line naming the holder; or, with `wait`
    seconds, `on_wait` is told once and the lock is tried again until then. Readers never take it.
    """
    warehouse_dir = Path(warehouse_dir).resolve()
    key = (warehouse_dir, threading.get_ident())
    if key in _HELD:
        yield _HELD[key]
        return
    created = not warehouse_dir.is_dir()
    if created and not create:
        current_version_dir(warehouse_dir)  # raises WarehouseMissing, naming the folder
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    path = warehouse_dir / LOCK_FILE
    fd = _take_lock(path, wait, on_wait)
    try:
        _write_holder(fd, purpose)
        lock = WriterLock(warehouse_dir, remove_leftovers(warehouse_dir))
        _HELD[key] = lock
        yield lock
    finally:
        _HELD.pop(key, None)
        path.unlink(missing_ok=True)  # while still holding it: whoever opened it will retry
        os.close(fd)
        if created:
            with contextlib.suppress(OSError):  # not empty: something was published
                warehouse_dir.rmdir()


def holding_writer_lock(purpose: str, create: bool = True) -> Callable:
    """A decorator: the function runs holding `writer_lock` on its `warehouse_dir` argument."""

    def decorate(function: Callable) -> Callable:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def locked(*args, **kwargs):
            warehouse_dir = signature.bind(*args, **kwargs).arguments["warehouse_dir"]
            with writer_lock(Path(warehouse_dir), purpose=purpose, create=create):
                return function(*args, **kwargs)

        return locked

    return decorate


def _take_lock(path: Path, wait: float, on_wait: Callable[[str], None] | None) -> int:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except FileNotFoundError:  # a first writer that published nothing removed the folder
            path.parent.mkdir(parents=True, exist_ok=True)
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{path.parent} is in use by {holder}: one ingest or rebuild at a time, "
                    f"so try again when it has finished (or give --wait SECONDS)"
                ) from None
            if on_wait is not None and not told:
                on_wait(f"Waiting up to {wait:g} s for {holder} to finish with {path.parent}")
                told = True
            time.sleep(max(0.0, min(0.2, deadline - time.monotonic())))
            continue
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # its holder removed the file as it let go: take the file there now


def _write_holder(fd: int, purpose: str) -> None:
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "purpose": purpose,
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(holder) + "\n").encode(), 0)


def _holder(fd: int) -> str:
    """Who holds the lock, from what they wrote in the lock file."""
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return (
            f"process {holder['pid']} on {holder['host']} ({holder['purpose']}, "
            f"started {holder['started']})"
        )
    except (ValueError, KeyError, TypeError, OSError):
        return "another process"  # it has only just taken the lock


def _named_after_a_running_process(name: str) -> bool:
    prefix, _, rest = name.partition("-")
    pid = rest.split("-", 1)[0]
    if prefix not in (".ingest", ".rebuild") or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_leftovers(warehouse_dir: Path) -> list[str]:
    """Remove the working folders and temporary files that killed writers left in the
    warehouse folder, and name them. Only safe while holding the writer lock.

    A scratch folder named after a process that is still running (`.ingest-<pid>-...`,
    `.rebuild-<pid>-...`) is kept: an ingest of an earlier release, which takes no lock, may be
    using it."""
    removed = []
    for pattern in LEFTOVERS:
        for path in sorted(warehouse_dir.glob(pattern)):
            if _named_after_a_running_process(path.name):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


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
    earlyhelp.measures.benchmarks.TABLE_SCHEMAS plus its rejects) are the current version's when not
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
        definitions = {}
        for sql_file in mart_files():
            sql = sql_file.read_text()
            con.sql(sql)
            definitions[sql_file.stem] = _definition(sql)
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
        "marts": list(definitions),
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


# --- DfE published figures (measures/benchmarks.py) ------------------------------------------
BENCHMARKS_DIR = "benchmarks"
BENCHMARK_REJECTS = "rejects"


def _load_benchmarks(
    con: duckdb.DuckDBPyConnection, folder: Path, given: dict[str, pl.DataFrame | Path]
) -> None:
    """Every benchmark table, empty when none was loaded (so its marts and queries still run),
    written to the version's benchmarks/ folder and loaded; their rejects beside them."""
    from earlyhelp.measures import benchmarks

    for name, columns in benchmarks.TABLE_SCHEMAS.items():
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
        rejects = pl.DataFrame(schema=benchmarks.REJECTS_SCHEMA)
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


def current_version_dir(warehouse_dir: Path) -> Path:
    pointer = warehouse_dir / CURRENT
    if not pointer.exists():
        raise WarehouseMissing(
            f"No published warehouse in {warehouse_dir}. Build the demo with 'make run', or run "
            f"'python -m earlyhelp demo --out data/demo' then "
            f"'python -m earlyhelp ingest data/demo --warehouse {warehouse_dir}'."
        )
    version = pointer.read_text().strip()
    folder = warehouse_dir / VERSIONS / version
    if not (folder / DB_FILE).exists():
        raise WarehouseMissing(f"{warehouse_dir}: version {version} named in CURRENT is missing")
    return folder


def read_manifest(version_dir: Path) -> dict:
    return json.loads((version_dir / "manifest.json").read_text())


# Manifest keys _build_version writes for each version; everything else came from the ingest.
_BUILT_MANIFEST_KEYS = frozenset(
    {
        "version",
        "created",
        "tables",
        "marts",
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
