"""Command line: python -m earlyhelp demo | ingest | rebuild | query | peaks | quality | ..."""

# This module is the parser and main(); the commands are in load.py (those that write data)
# and reports.py (those that read the warehouse). The docstring above is the --help text.
from __future__ import annotations

import argparse
import os
import sys

from earlyhelp.cli.load import (
    BUSY_EXIT,
    _benchmarks,
    _demo,
    _ingest,
    _percentage,
    _rebuild,
)
from earlyhelp.cli.reports import PEAK_MEASURES, _bench, _kpis, _pack, _peaks, _quality, _query
from earlyhelp.core.errors import QueryError, UnusableInput, WarehouseMissing, printable

WAIT_OPTION = {
    "type": float,
    "default": 0.0,
    "metavar": "SECONDS",
    "help": "when another ingest or rebuild is writing the warehouse, wait up to SECONDS for "
    "it to finish (default: refuse at once, exit code 75)",
}

ROLE_HELP = "board (default), district:<name>, manager, manager:<name> or analyst"


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


__all__ = ["BUSY_EXIT", "PEAK_MEASURES", "ROLE_HELP", "WAIT_OPTION", "build_parser", "main"]
