"""Benchmark: each page's figures from the marts, beside a naive pandas implementation of the
same figures over the raw rows, in one run on the same machine (`python -m earlyhelp bench`).

The pandas side is what a council analyst might write first: read the warehouse's canonical
tables, then filter and group the raw rows for every figure, following the definitions in the
query and mart headers rather than the marts' SQL. Both sides must agree (the run
checks it), so the comparison is like for like and a genuine cross-check of the marts. Only the
columns some figure uses are read; load time is reported separately and the per-figure times
exclude it, which flatters pandas.

This is a benchmark, not a test: figures vary with the machine and its load.

The parts: raw (the raw tables read column by column, and the shared steps), naive_demand,
naive_caseloads, naive_pathways and naive_scorecard (the pandas versions, by page), figures (what
is timed), timing (the timing, the check and the report) and browser (the browser benchmark).
"""

from earlyhelp.tools.bench.browser import (
    APP,
    CHROMIUM,
    CHROMIUM_ARGS,
    FLOOR_APP,
    BrowserMeasurement,
    browser_report,
    run_browser,
    streamlit_command,
)
from earlyhelp.tools.bench.figures import Figure, figures
from earlyhelp.tools.bench.raw import ANALYST, RawTables
from earlyhelp.tools.bench.timing import Measurement, _difference, report, run_queries

__all__ = [
    "ANALYST",
    "APP",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "FLOOR_APP",
    "BrowserMeasurement",
    "Figure",
    "Measurement",
    "RawTables",
    "_difference",
    "browser_report",
    "figures",
    "report",
    "run_browser",
    "run_queries",
    "streamlit_command",
]
