"""Running the app through Streamlit's AppTest: the helpers every page test uses."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
RUN_TIMEOUT = 180  # a generous ceiling for a slow machine, not a speed check


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


def assert_ran_cleanly(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def figures(at: AppTest) -> list[dict]:
    """The Plotly figures on the page, as the JSON sent to the browser."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
