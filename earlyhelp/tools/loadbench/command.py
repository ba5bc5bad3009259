"""The load benchmark's command line (`python -m earlyhelp.tools.loadbench`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from earlyhelp.tools.loadbench.report import load_report
from earlyhelp.tools.loadbench.results import (
    CHANGES,
    LOAD_TIMEOUT_MS,
    RAMP_S,
    THINK_MS,
    TIMEOUT_MS,
    Settings,
)
from earlyhelp.tools.loadbench.run import SESSIONS, run_load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m earlyhelp.tools.loadbench",
        description="Concurrent browser sessions changing the Demand page's filters.",
    )
    parser.add_argument("--warehouse", required=True, help="the warehouse to serve")
    parser.add_argument(
        "--sessions", type=int, nargs="+", default=list(SESSIONS), help="levels of load"
    )
    parser.add_argument("--changes", type=int, default=CHANGES, help="changes per session")
    parser.add_argument(
        "--think-ms", type=int, default=THINK_MS, help="pause after a change (0.5 to 1.5 times)"
    )
    parser.add_argument(
        "--ramp-s", type=float, default=RAMP_S, help="arrivals spread over this per session"
    )
    parser.add_argument("--timeout-ms", type=int, default=TIMEOUT_MS, help="for each change")
    parser.add_argument(
        "--load-timeout-ms", type=int, default=LOAD_TIMEOUT_MS, help="for the page's first chart"
    )
    parser.add_argument("--log-dir", default=None, help="where the server logs go")
    parser.add_argument("--out", default=None, help="also write the report (Markdown) here")
    args = parser.parse_args(argv)
    settings = Settings(
        args.changes, args.think_ms, args.timeout_ms, args.load_timeout_ms, args.ramp_s
    )
    results = run_load(
        Path(args.warehouse),
        tuple(args.sessions),
        settings,
        Path(args.log_dir) if args.log_dir else None,
    )
    report = load_report(results)
    print(report)
    if args.out:
        Path(args.out).write_text(report + "\n")
    return 1 if any(r.errors for r in results) else 0
