"""The commands that write data: demo (a synthetic extract), and ingest, rebuild and
benchmarks, which publish a warehouse version while holding its writer lock."""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path


def _demo(args: argparse.Namespace) -> int:
    from earlyhelp.tools.demo import write_demo

    started = time.perf_counter()
    written = write_demo(
        Path(args.out), seed=args.seed, scale=args.scale, fmt=args.format, flavour=args.flavour
    )
    seconds = time.perf_counter() - started
    for name, rows in written.items():
        print(f"{name:<28}{rows:>14,} rows")
    print(
        f"Demo extract ({args.scale}, {args.flavour}, seed {args.seed}) written to {args.out} "
        f"in {seconds:.1f} s, with its mapping.yaml"
    )
    return 0


#: The exit code of an ingest or rebuild refused because another holds the warehouse (EX_TEMPFAIL).
BUSY_EXIT = 75


def _one_writer(purpose: str) -> Callable:
    """The command runs holding the warehouse's writer lock (earlyhelp.load.warehouse.writer_lock):
    refused at once with one line when another ingest or rebuild holds it, unless --wait gives
    it seconds to wait; what stopped runs left behind is removed, and named in one line."""

    def decorate(command: Callable[[argparse.Namespace], int]) -> Callable:
        @functools.wraps(command)
        def run(args: argparse.Namespace) -> int:
            from earlyhelp.load import warehouse

            stack = contextlib.ExitStack()
            try:
                lock = stack.enter_context(
                    warehouse.writer_lock(
                        Path(args.warehouse),
                        purpose=purpose,
                        create=purpose == "ingest",
                        wait=args.wait,
                        on_wait=lambda line: print(line, file=sys.stderr, flush=True),
                    )
                )
            except warehouse.WarehouseBusy as exc:
                print(f"error: {exc}", file=sys.stderr)
                return BUSY_EXIT
            with stack:
                if lock.removed:
                    print(lock.removed_line(), flush=True)
                return command(args)

        return run

    return decorate


@_one_writer("ingest")
def _ingest(args: argparse.Namespace) -> int:
    from earlyhelp.load.ingest import ingest, reconciliation_text

    started = time.perf_counter()
    result = ingest(
        [Path(p) for p in args.paths],
        Path(args.warehouse),
        mapping_path=Path(args.mapping) if args.mapping else None,
        max_rejected_pct=args.max_rejected,
        local_authority=args.la,
    )
    print(reconciliation_text(result))
    from earlyhelp.measures import quality

    print("")
    print("\n".join(quality.summary_lines(result.version_dir)))
    print(f"Ingest took {time.perf_counter() - started:.1f} s")
    return 0


@_one_writer("benchmarks")
def _benchmarks(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from earlyhelp.core import config
    from earlyhelp.load import dfe, warehouse
    from earlyhelp.measures import benchmarks
    from earlyhelp.query.roles import Role
    from earlyhelp.query.runner import QueryRunner

    started = time.perf_counter()
    results = dfe.read_paths([Path(p) for p in args.paths])
    held, previous = warehouse.current_benchmarks(Path(args.warehouse))
    tables = dfe.tables_from(results, held)
    tables[warehouse.BENCHMARK_REJECTS] = dfe.merge_rejects(
        results, held.get(warehouse.BENCHMARK_REJECTS), previous
    )
    loaded = datetime.now(UTC).isoformat(timespec="seconds")
    entry = dfe.manifest_entry(results, previous, loaded)
    version, version_dir = warehouse.rebuild(
        Path(args.warehouse), benchmarks=tables, benchmarks_entry=entry
    )
    runner = QueryRunner(version_dir)
    try:
        areas = runner.run("benchmark_local_authorities", role=Role.parse("analyst"))
    finally:
        runner.close()
    council = benchmarks.resolve_local_authority(config.local_authority(), areas)
    if isinstance(council, benchmarks.Council):
        how = (
            "EARLYHELP_LOCAL_AUTHORITY"
            if config.local_authority_is_set()
            else "the demo borough's, as EARLYHELP_LOCAL_AUTHORITY is not set"
        )
        line = (
            f"This council is compared as {council.name} ({council.la_number}, "
            f"{council.area_code}; {how})."
        )
    else:
        line = f"note: {council}"
    print(dfe.reconciliation_text(entry, version, line))
    print(f"Rejects (file, row, column, reason): {version_dir / 'benchmarks' / 'rejects.csv'}")
    print(f"Loading took {time.perf_counter() - started:.1f} s")
    return 0


def _percentage(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage from 0 to 100")
    return value


@_one_writer("rebuild")
def _rebuild(args: argparse.Namespace) -> int:
    from earlyhelp.load import warehouse

    if args.if_outdated:
        current = warehouse.current_version_dir(Path(args.warehouse))
        outdated = warehouse.outdated_marts(warehouse.read_manifest(current))
        if not outdated:
            print(f"The warehouse in {args.warehouse} is up to date with this release's marts.")
            return 0
        print(f"Rebuilding {len(outdated)} missing or changed marts: {', '.join(outdated)}")
    started = time.perf_counter()
    version, version_dir = warehouse.rebuild(Path(args.warehouse))
    manifest = warehouse.read_manifest(version_dir)
    print(f"Rebuilt warehouse version {manifest['rebuilt_from']} -> {version}")
    print("")
    for name, rows in manifest["tables"].items():
        print(f"{name:<28}{rows:>14,} rows")
    print("")
    print(f"{len(manifest['marts'])} marts built from {warehouse.MART_QUERIES_DIR}")
    print(f"Rebuild took {time.perf_counter() - started:.1f} s")
    return 0
