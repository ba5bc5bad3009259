"""In the browser: the Demand page in headless Chromium against a bare Streamlit page (the
framework floor), first chart and filter change timed, and the Markdown report."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from earlyhelp.core import config
from earlyhelp.query.runner import QueryRunner
from earlyhelp.tools.bench.raw import ANALYST

# --- In the browser: the app against the framework floor ------------------------------------------
FLOOR_APP = config.REPO_ROOT / "tests" / "benchmarks" / "floor_app.py"
APP = config.REPO_ROOT / "app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHART = ".js-plotly-plot .main-svg"
CHART_TITLE = ".js-plotly-plot .gtitle"


@dataclass
class BrowserMeasurement:
    label: str
    first_chart_ms: float
    filter_change_ms: float


def streamlit_command(script: Path, port: int) -> list[str]:
    """`streamlit run script` headless on 127.0.0.1:port, without usage statistics: how the
    benchmark and the browser tests start a server."""
    import sys

    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def _serve(script: Path, warehouse: Path | None):
    """`streamlit run script` on a free port; returns (process, url) once it answers."""
    import os
    import socket
    import subprocess
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ}
    if warehouse is not None:
        env["EARLYHELP_WAREHOUSE"] = str(warehouse)
    process = subprocess.Popen(
        streamlit_command(script, port),
        cwd=APP.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise RuntimeError(f"streamlit did not start for {script}")


def _measure_page(browser, url: str, option: str, runs: int) -> tuple[float, float]:
    """Median ms from navigation to the first drawn chart, and from choosing `option` in the
    first select box to the first chart's title naming it."""
    first, change = [], []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url)
        page.locator(CHART).first.wait_for(timeout=120_000)
        first.append((time.perf_counter() - started) * 1000)
        page.locator('[data-testid="stSelectbox"]').first.click()
        option_item = page.get_by_role("option", name=option, exact=True)
        started = time.perf_counter()
        option_item.click()
        page.wait_for_function(
            "([selector, text]) => [...document.querySelectorAll(selector)]"
            ".some(e => e.textContent.endsWith(text))",
            arg=[CHART_TITLE, option],
            timeout=120_000,
        )
        change.append((time.perf_counter() - started) * 1000)
        context.close()
    return statistics.median(first), statistics.median(change)


def run_browser(warehouse: Path, runs: int = 5) -> list[BrowserMeasurement]:
    from playwright.sync_api import sync_playwright

    servers = []
    try:
        app, app_url = _serve(APP, warehouse)
        servers.append(app)
        floor, floor_url = _serve(FLOOR_APP, None)
        servers.append(floor)
        district = QueryRunner.open(warehouse).run("districts", role=ANALYST)["district"][0]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # Warm both servers (first imports, first queries), as a user arriving later would.
            _measure_page(browser, app_url + "/demand", district, 1)
            _measure_page(browser, floor_url, "North", 1)
            results = [
                BrowserMeasurement(
                    "Demand page", *_measure_page(browser, app_url + "/demand", district, runs)
                ),
                BrowserMeasurement(
                    "Bare Streamlit page (floor)", *_measure_page(browser, floor_url, "North", runs)
                ),
            ]
            browser.close()
        return results
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=10)


def browser_report(label: str, results: list[BrowserMeasurement]) -> str:
    app, floor = results
    lines = [
        f"## {label}: in the browser, against a bare Streamlit page",
        "",
        "| page | first chart (ms) | filter change to new chart (ms) |",
        "|---|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r.label} | {r.first_chart_ms:.0f} | {r.filter_change_ms:.0f} |")
    lines.append(
        f"| ratio (app / floor) | {app.first_chart_ms / floor.first_chart_ms:.2f}x | "
        f"{app.filter_change_ms / floor.filter_change_ms:.2f}x |"
    )
    return "\n".join(lines)
