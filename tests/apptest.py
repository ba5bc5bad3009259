"""Running the app through Streamlit's AppTest (and the command line): shared test helpers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

from earlyhelp import ui

APP = Path(__file__).resolve().parent.parent / "app.py"
RUN_TIMEOUT = 180  # a generous ceiling for a slow machine, not a speed check


def run_cli(*args: object, **kwargs) -> subprocess.CompletedProcess:
    """`python -m earlyhelp ARGS...` from the repository, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "earlyhelp", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=APP.parent,
        **kwargs,
    )


def open_app(page: str | None = None, query_params: dict | None = None) -> AppTest:
    """The app run once (on its default page), then switched to `page` with `query_params` in
    the URL, as a user following a link would arrive."""
    at = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)
    at.run()
    if query_params:
        at.query_params.update(query_params)
    if page is not None:
        at.switch_page(page).run()
    return at


def open_data_tables(at: AppTest) -> AppTest:
    """Open every chart's "Show data as a table" expander (its table and download are drawn
    only when it is open) and run again, as a person opening each one would."""
    for key in list(at.session_state):
        if str(key).startswith(ui.DATA_TABLE_KEY):
            at.session_state[key] = True
    return at.run()


def assert_ran_cleanly(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def figures(at: AppTest) -> list[dict]:
    """The Plotly figures on the page, as the JSON sent to the browser."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
