"""Command line: python -m earlyhelp demo | ingest | rebuild | query | peaks | quality | ..."""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from earlyhelp.core.errors import QueryError, UnusableInput, WarehouseMissing, printable


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
    from earlyhelp.load import warehouse
    from earlyhelp.measures import benchmarks
    from earlyhelp.query.roles import Role
    from earlyhelp.query.runner import QueryRunner

    started = time.perf_counter()
    results = benchmarks.read_paths([Path(p) for p in args.paths])
    held, previous = warehouse.current_benchmarks(Path(args.warehouse))
    tables = benchmarks.tables_from(results, held)
    tables[warehouse.BENCHMARK_REJECTS] = benchmarks.merge_rejects(
        results, held.get(warehouse.BENCHMARK_REJECTS), previous
    )
    loaded = datetime.now(UTC).isoformat(timespec="seconds")
    entry = benchmarks.manifest_entry(results, previous, loaded)
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
    print(benchmarks.reconciliation_text(entry, version, line))
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


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise QueryError(f"--param takes key=value, not {pair!r}")
        params[key.strip()] = value
    return params


def _query(args: argparse.Namespace) -> int:
    from earlyhelp.query import disclosure
    from earlyhelp.query.roles import Role
    from earlyhelp.query.runner import QueryRunner

    role = Role.parse(args.role)
    runner = QueryRunner.open(Path(args.warehouse))
    frame = runner.run(args.name, _parse_params(args.param), role=role)
    # Null counts (and statistics of them) are withheld for any role with protected figures,
    # including a manager of one district (other districts and the borough are protected).
    counts = [] if role.exact_everywhere else runner.counts_of(args.name)
    statistics = {} if role.exact_everywhere else runner.statistics_of(args.name)
    if args.format == "json":
        withheld = disclosure.withheld_statistics(frame, statistics)
        rows = frame.to_dicts()
        for index, row in enumerate(rows):  # numbers stay numbers; withheld ones are 'c'
            row.update({c: disclosure.SUPPRESSED_SYMBOL for c in counts if row.get(c) is None})
            row.update({s: disclosure.SUPPRESSED_SYMBOL for s, m in withheld.items() if m[index]})
        print(json.dumps(rows, default=str, indent=1))
    else:
        from earlyhelp.core.csv_safe import to_csv

        sys.stdout.write(to_csv(disclosure.as_display_text(frame, counts, statistics)))
    return 0


def _quality(args: argparse.Namespace) -> int:
    from earlyhelp.load.warehouse import current_version_dir
    from earlyhelp.measures import quality

    findings = quality.report(current_version_dir(Path(args.warehouse)))
    if args.format == "json":
        print(json.dumps(quality.as_dicts(findings), indent=1))
    else:
        print(quality.as_text(findings))
    return 0


WAIT_OPTION = {
    "type": float,
    "default": 0.0,
    "metavar": "SECONDS",
    "help": "when another ingest or rebuild is writing the warehouse, wait up to SECONDS for "
    "it to finish (default: refuse at once, exit code 75)",
}

ROLE_HELP = "board (default), district:<name>, manager, manager:<name> or analyst"

# measure -> (named query, its count column, the table whose last date ends the data). The
# Demand page's series: each district's and the borough's months protected as they are shown
# there (the borough's own count protected, not a sum of protected districts).
PEAK_MEASURES = {
    "referrals": ("referrals_filtered", "referrals", "early_help_episodes"),
    "contacts": ("contacts_filtered", "contacts", "contacts"),
}


def _peaks(args: argparse.Namespace) -> int:
    from datetime import date

    from earlyhelp.core.calendar import load_events
    from earlyhelp.measures.demand import complete_periods, describe, find_peaks
    from earlyhelp.query.roles import Role
    from earlyhelp.query.runner import QueryRunner

    query, column, table = PEAK_MEASURES[args.measure]
    runner = QueryRunner.open(Path(args.warehouse))
    role = Role.parse(args.role)
    last_day = next(
        (
            date.fromisoformat(str(row["last_date"])[:10])
            for row in runner.manifest.get("coverage") or []
            if row.get("table_name") == table and row.get("last_date")
        ),
        None,
    )
    events = load_events()
    if args.by == "district":
        districts = runner.run("districts", role=role)["district"].to_list()
        if role.district is not None:
            districts = [d for d in districts if d == role.district]
    else:
        districts = [None]
    series = [
        (d, complete_periods(runner.run(query, {"district": d}, role), "month", last_day))
        for d in districts
    ]
    findings = []
    for district, frame in series:
        try:
            findings.extend(
                find_peaks(
                    frame.select("month", column),
                    measure=args.measure,
                    district=district,
                    events=events,
                )
            )
        except ValueError as exc:
            print(f"note: {district or 'borough'}: {exc}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(findings, default=str, indent=1))
    else:
        for f in findings:
            print(
                f"{f['period']}  {f['district'] or 'Borough':<14} {f['kind']:<7} "
                f"observed {f['observed']:>6}  expected {f['expected']:>8}  {describe(f)}"
            )
        if not findings:
            print("No peaks or troughs beyond normal variation.")
    return 0


def _kpis(args: argparse.Namespace) -> int:
    from earlyhelp.measures import kpis
    from earlyhelp.query.roles import Role
    from earlyhelp.query.runner import QueryRunner

    role = Role.parse(args.role)
    kpi_set = kpis.load_kpis(Path(args.kpis) if args.kpis else kpis.DEFAULT_KPIS_FILE)
    runner = QueryRunner.open(Path(args.warehouse))
    area = kpis.BOROUGH
    if args.district:
        role.check_may_see(args.district)  # a district role never gets another's header
        known = runner.run("districts", role=Role.parse("analyst"))["district"].to_list()
        if args.district not in known:
            raise QueryError(f"no district named {args.district!r} (districts: {', '.join(known)})")
        area = args.district
    first_date, last_date = kpis.coverage(runner.manifest)
    results = kpis.evaluate_all(
        kpi_set, lambda name, params: runner.run(name, params, role), first_date, last_date, role
    )
    rows = [kpis.summary_row(result, area) for result in results]
    if args.format == "json":
        print(json.dumps(rows, indent=1))
        return 0
    where = "the whole borough" if area == kpis.BOROUGH else area
    print(f"Strategy KPIs for {where} ({role} view), from {kpi_set.path}")
    print(f"{'id':<25}{'title':<41}{'value':>8}  {'target':<10}{'unit':<21}{'rag':<7}period")
    for result, row in zip(results, rows, strict=True):
        kpi = result.kpi
        value = kpi.format(row["value"], suffix=False) if row["value"] is not None else "none"
        better = ">=" if kpi.direction == "higher" else "<="
        target = f"{better} {kpi.format(kpi.target, suffix=False)}"
        print(
            f"{kpi.id:<25}{kpi.title[:39]:<41}{value:>8}  {target:<10}{kpi.unit:<21}"
            f"{row['rag']:<7}{row['period']}"
        )
    return 0


def _bench(args: argparse.Namespace) -> int:
    from earlyhelp.tools import bench

    sections = []
    for warehouse in args.warehouse:
        measurements, raw = bench.run_queries(
            Path(warehouse), runs=args.runs, pandas_runs=args.pandas_runs
        )
        sections.append(bench.report(str(warehouse), measurements, raw))
        print(sections[-1], "\n", flush=True)
        if not all(m.same_result for m in measurements):
            print(
                "error: marts and pandas disagree on a figure (see 'same result')", file=sys.stderr
            )
            return 1
        if args.browser:
            results = bench.run_browser(Path(warehouse), runs=args.browser_runs)
            sections.append(bench.browser_report(str(warehouse), results))
            print(sections[-1], "\n", flush=True)
    if args.out:
        Path(args.out).write_text("\n\n".join(sections) + "\n")
    return 0


def _pack(args: argparse.Namespace) -> int:
    import datetime as dt

    from earlyhelp.presentation import pack
    from earlyhelp.query.roles import Role
    from earlyhelp.query.runner import QueryRunner

    role = Role.parse(args.role)
    try:
        meeting = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError as exc:
        raise QueryError(f"--date must be YYYY-MM-DD, not {args.date!r}") from exc
    started = time.perf_counter()
    built = pack.build(
        QueryRunner.open(Path(args.warehouse)),
        Path(args.out),
        role,
        sections=args.sections,
        district=args.district,
        title=args.title,
        meeting_date=meeting,
    )
    size = Path(args.out).stat().st_size
    print(
        f"Wrote {args.out} ({size / 1_000_000:.1f} MB, {len(built.sections)} sections, "
        f"{len(built.charts)} charts, {built.marking}) in {time.perf_counter() - started:.1f} s"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m earlyhelp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="write a synthetic SSD-layout extract")
    demo.add_argument("--out", required=True, help="folder to write the extract into")
    demo.add_argument("--seed", type=int, default=2021)
    demo.add_argument("--scale", choices=("borough", "national"), default="borough")
    demo.add_argument("--format", choices=("csv", "parquet"), default="csv")
    demo.add_argument(
        "--flavour",
        choices=("systemc", "mosaic"),
        default="systemc",
        help="the SSD deployment whose value conventions to write (default systemc)",
    )
    demo.set_defaults(run=_demo)

    ingest = commands.add_parser("ingest", help="validate extracts and publish a warehouse version")
    ingest.add_argument(
        "paths", nargs="+", help="SSD folder, Annex A workbook or canonical Parquet"
    )
    ingest.add_argument("--warehouse", required=True)
    ingest.add_argument(
        "--mapping",
        metavar="FILE",
        help="the council's mapping file (default: mapping.yaml beside an SSD extract)",
    )
    ingest.add_argument(
        "--max-rejected",
        type=_percentage,
        default=10.0,
        metavar="PCT",
        help="refuse to publish when a table loses more than PCT%% of its rows (default 10)",
    )
    ingest.add_argument(
        "--la",
        metavar="NAME",
        help="the council to keep from an Annex A file holding several (by name or code)",
    )
    ingest.add_argument("--wait", **WAIT_OPTION)
    ingest.set_defaults(run=_ingest)

    rebuild = commands.add_parser(
        "rebuild",
        help="rebuild the marts of the current warehouse version after an upgrade "
        "(publishes a new version; the extracts are not re-read)",
    )
    rebuild.add_argument("--warehouse", required=True)
    rebuild.add_argument(
        "--if-outdated",
        action="store_true",
        help="only when the current version lacks some of this release's marts or built "
        "them from SQL that has changed since (what `make run` does before starting the app)",
    )
    rebuild.add_argument("--wait", **WAIT_OPTION)
    rebuild.set_defaults(run=_rebuild)

    bench_files = commands.add_parser(
        "benchmarks",
        help="load DfE published figures (referrals and re-referrals, social work workforce, "
        "statistical neighbours, ONS population 0-17) into the warehouse as a new version",
    )
    bench_files.add_argument(
        "paths", nargs="+", help="the DfE CSV files as downloaded, or a folder holding them"
    )
    bench_files.add_argument("--warehouse", required=True)
    bench_files.add_argument("--wait", **WAIT_OPTION)
    bench_files.set_defaults(run=_benchmarks)

    query = commands.add_parser("query", help="run a named query from queries/")
    query.add_argument("name")
    query.add_argument("--warehouse", required=True)
    query.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    query.add_argument("--role", default="board", help=ROLE_HELP)
    query.add_argument("--format", choices=("csv", "json"), default="csv")
    query.set_defaults(run=_query)

    peaks = commands.add_parser("peaks", help="months where demand departs from its seasonal norm")
    peaks.add_argument("--warehouse", required=True)
    peaks.add_argument("--measure", choices=tuple(PEAK_MEASURES), default="referrals")
    peaks.add_argument("--by", choices=("district",), default=None)
    peaks.add_argument("--role", default="board", help=ROLE_HELP)
    peaks.add_argument("--format", choices=("text", "json"), default="text")
    peaks.set_defaults(run=_peaks)

    quality = commands.add_parser(
        "quality",
        help="every measure the pages show, the source fields it needs, how well they are "
        "filled and whether it is complete, partial or missing",
    )
    quality.add_argument("--warehouse", required=True)
    quality.add_argument("--format", choices=("text", "json"), default="text")
    quality.set_defaults(run=_quality)

    kpi = commands.add_parser("kpis", help="strategy KPIs with their targets and RAG status")
    kpi.add_argument("--warehouse", required=True)
    kpi.add_argument("--kpis", default=None, help="KPI definitions (default: data/kpis.yaml)")
    kpi.add_argument("--district", default=None, help="a district's values, not the borough's")
    kpi.add_argument("--role", default="board", help=ROLE_HELP)
    kpi.add_argument("--format", choices=("text", "json"), default="text")
    kpi.set_defaults(run=_kpis)

    bench = commands.add_parser(
        "bench", help="page query times from marts beside a naive pandas implementation"
    )
    bench.add_argument(
        "--warehouse",
        required=True,
        action="append",
        help="a warehouse to measure (repeat to compare scales, e.g. borough and national)",
    )
    bench.add_argument("--runs", type=int, default=20, help="timed runs per figure (median)")
    bench.add_argument(
        "--pandas-runs",
        type=int,
        default=None,
        help="timed runs per pandas figure (default: a quarter of --runs, at least 3; "
        "1 at national scale, where one takes minutes)",
    )
    bench.add_argument(
        "--browser",
        action="store_true",
        help="also time the Demand page in chromium against a bare Streamlit page",
    )
    bench.add_argument("--browser-runs", type=int, default=5, help="page loads per measurement")
    bench.add_argument("--out", default=None, help="also write the report (Markdown) here")
    bench.set_defaults(run=_bench)

    committee = commands.add_parser(
        "pack", help="the committee pack: the figures as an accessible PDF or PowerPoint deck"
    )
    committee.add_argument("--warehouse", required=True)
    committee.add_argument("--out", required=True, help="FILE.pdf or FILE.pptx")
    committee.add_argument(
        "--sections",
        default=None,
        help="comma-separated: overview, demand, caseloads, pathways, scorecard, district "
        "(default: all)",
    )
    committee.add_argument(
        "--district", default=None, help="the District profile (and Demand) for this district"
    )
    committee.add_argument("--role", default="board", help=ROLE_HELP)
    committee.add_argument("--title", default=None, help="the pack's title")
    committee.add_argument("--date", default=None, help="the meeting date, YYYY-MM-DD")
    committee.set_defaults(run=_pack)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (UnusableInput, QueryError, WarehouseMissing) as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:  # one line per problem
            print(f"error: {printable(line)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BaseException as exc:  # one line, never a traceback, unless asked for
        # BaseException, since a polars panic (pyo3's PanicException) is not an Exception.
        if isinstance(exc, SystemExit) or os.environ.get("EARLYHELP_DEBUG"):
            raise
        first = (str(exc).splitlines() or [""])[0]  # polars adds the expression on more lines
        print(
            f"error: {type(exc).__name__}: {first} (set EARLYHELP_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1
