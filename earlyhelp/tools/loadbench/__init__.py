"""Load benchmark: many people changing the Demand page's filters at once, against one server
(`python -m earlyhelp.tools.loadbench --warehouse DIR`).

For each number of sessions asked for (5, 10 and 20 by default), a fresh `streamlit run` serves
the warehouse on 127.0.0.1. One session goes through every filter change first (so the server
has imported everything and cached the common selections, as it has once anyone has used it),
then the server's memory is read with no session open ("idle"). Then that many browser
sessions (one headless Chromium, one browser context each, driven together by asyncio) arrive
at random within `ramp_s` seconds per session (20 s for 20 sessions), open the Demand page,
and each changes a filter, waits for the chart to be redrawn, pauses as a person would
(`think_ms`, 0.5 to 1.5 times it at random) and changes the next one: district, referral
source, level of need, per week, then each back again, each session with its own district,
source and level, so the sessions ask for different data. No session leaves before all have
made their changes, so every session is open together for most of the run.

For each change it records the time from the click on the choice to the chart being drawn
again with the title the new selection gives, and from the click to the end of the run (the
script finished and nothing on the page left stale), and the server's part of it: from the
browser sending the rerun to the server's "script finished" arriving, both seen on the
websocket. An error is anything a person would see go wrong: a JavaScript error on the page, a
Streamlit exception or error box, a chart that is not redrawn with the right title within
`timeout_ms` (a minute), a page whose first chart is not drawn within `load_timeout_ms` (three
minutes), or the connection to the server closing; and a traceback or error in the server's
log. The server's resident memory is sampled every quarter second; memory per session is
(memory with every session open - idle) / sessions.

Every request goes to the server on this machine, and each session makes a fixed number of
changes, so the benchmark stops by itself. It is a benchmark, not a test: on a small machine
the browsers take most of the processor (every session's page is drawn on the same cores as
the server), so the times are what a person would see if the server's machine also had to draw
all the sessions' charts; the server's own share of the processor is reported beside them.

The parts: plan (what each session changes), server (the server, its memory and CPU), results
(the settings and what is measured), session (one browser session), run (a run at each level of
load), report (the Markdown report) and command (the command line, `main`).
"""

from earlyhelp.tools.loadbench.command import main
from earlyhelp.tools.loadbench.plan import Change, Selection, plan
from earlyhelp.tools.loadbench.report import load_report
from earlyhelp.tools.loadbench.results import (
    CHANGES,
    LOAD_TIMEOUT_MS,
    RAMP_S,
    THINK_MS,
    TIMEOUT_MS,
    LoadResult,
    Settings,
    percentile,
)
from earlyhelp.tools.loadbench.run import SESSIONS, districts_in, run_load
from earlyhelp.tools.loadbench.server import Server, cpu_seconds, rss_bytes
from earlyhelp.tools.loadbench.session import STILL, Person

__all__ = [
    "CHANGES",
    "LOAD_TIMEOUT_MS",
    "RAMP_S",
    "SESSIONS",
    "STILL",
    "THINK_MS",
    "TIMEOUT_MS",
    "Change",
    "LoadResult",
    "Person",
    "Selection",
    "Server",
    "Settings",
    "cpu_seconds",
    "districts_in",
    "load_report",
    "main",
    "percentile",
    "plan",
    "rss_bytes",
    "run_load",
]
