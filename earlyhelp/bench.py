"""Benchmark: each page's figures from the marts, beside a naive pandas implementation of the
same figures over the raw rows, in one run on the same machine (`python -m earlyhelp bench`).

The pandas side is what a council analyst might write first: load the warehouse's tables
once, then filter and group the raw rows for every figure. Both sides must agree (the run
checks it), so the comparison is like for like. Load time is reported separately; the
per-figure times exclude it, which flatters pandas.

This is a benchmark, not a test: figures vary with the machine and its load.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import polars as pl

from earlyhelp.queries import QueryRunner
from earlyhelp.roles import Role

ANALYST = Role.parse("analyst")  # exact counts on both sides, so the results can be compared


@dataclass(frozen=True)
class Figure:
    """One figure a page shows: the named query it runs, and the same figure in pandas."""

    page: str
    label: str
    query: str
    params: dict
    naive: Callable[[RawTables, dict], pd.DataFrame]
    #: Columns to compare (the query's output, in the pandas result's names).
    compare: tuple[str, ...]


class RawTables:
    """The warehouse's canonical tables as pandas frames, loaded on first use."""

    def __init__(self, version_dir: Path) -> None:
        self.folder = version_dir / "tables"
        self._frames: dict[str, pd.DataFrame] = {}
        self.load_seconds = 0.0

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            started = time.perf_counter()
            self._frames[name] = pd.read_parquet(self.folder / f"{name}.parquet")
            self.load_seconds += time.perf_counter() - started
        return self._frames[name]

    def rows(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self._frames.items()}


# --- Naive pandas versions of the page figures ------------------------------------------------
def _filtered(frame: pd.DataFrame, params: dict) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column in ("district", "source_group", "age_band"):
        if params.get(column) is not None:
            mask &= frame[column] == params[column]
    if params.get("level_of_need") is not None:
        mask &= frame["level_of_need"].fillna(0) == params["level_of_need"]
    return frame[mask]


def _per_period(
    frame: pd.DataFrame, params: dict, date_col: str, measure: str, weekly: bool
) -> pd.DataFrame:
    dates = pd.to_datetime(frame[date_col])
    periods = (
        dates.dt.to_period("W-SUN").dt.start_time if weekly else dates.dt.to_period("M")
    ).rename("period")
    every = periods.drop_duplicates().sort_values()
    chosen = _filtered(frame, params)
    counts = periods[chosen.index].value_counts()
    out = pd.DataFrame({"period": every.to_numpy()})
    out[measure] = out["period"].map(counts).fillna(0).astype("int64")
    fmt = "%Y-%m-%d" if weekly else "%Y-%m"
    key = "week" if weekly else "month"
    out[key] = out["period"].dt.strftime(fmt) if weekly else out["period"].astype(str)
    return out[[key, measure]].sort_values(key).reset_index(drop=True)


def referrals_per_period(weekly: bool) -> Callable[[RawTables, dict], pd.DataFrame]:
    def naive(raw: RawTables, params: dict) -> pd.DataFrame:
        return _per_period(raw["early_help_episodes"], params, "start_date", "referrals", weekly)

    return naive


def contacts_per_period(weekly: bool) -> Callable[[RawTables, dict], pd.DataFrame]:
    def naive(raw: RawTables, params: dict) -> pd.DataFrame:
        return _per_period(raw["contacts"], params, "contact_date", "contacts", weekly)

    return naive


def referrals_by_month_and_district(raw: RawTables, params: dict) -> pd.DataFrame:
    episodes = raw["early_help_episodes"]
    month = pd.to_datetime(episodes["start_date"]).dt.to_period("M").astype(str)
    out = episodes.groupby([month.rename("month"), "district"]).size().rename("referrals")
    return out.reset_index().sort_values(["month", "district"]).reset_index(drop=True)


def open_episodes_by_district(raw: RawTables, params: dict) -> pd.DataFrame:
    episodes = raw["early_help_episodes"]
    day = pd.Timestamp(params["as_of"])
    start = pd.to_datetime(episodes["start_date"])
    end = pd.to_datetime(episodes["end_date"])
    is_open = (start <= day) & (end.isna() | (end > day))
    counts = episodes[is_open].groupby("district").size()
    districts = sorted(episodes["district"].dropna().unique())
    out = pd.DataFrame({"district": districts})
    out["open_episodes"] = out["district"].map(counts).fillna(0).astype("int64")
    return out


def districts(raw: RawTables, params: dict) -> pd.DataFrame:
    names = raw["early_help_episodes"]["district"].dropna().unique()
    return pd.DataFrame({"district": sorted(names)})


# --- The registry -----------------------------------------------------------------------------
def figures(last_day: date, district: str) -> list[Figure]:
    """The figures each page shows on opening, and one filtered view, for a warehouse whose data
    end on `last_day`, filtered to `district`."""
    filtered = {"district": district, "age_band": "5-9", "source_group": "Schools"}
    return [
        Figure(
            "Overview",
            "Referrals by month and district",
            "referrals_by_month",
            {},
            referrals_by_month_and_district,
            ("month", "district", "referrals"),
        ),
        Figure(
            "Overview",
            "Open episodes by district",
            "caseload_by_district",
            {"as_of": last_day.isoformat()},
            open_episodes_by_district,
            ("district", "open_episodes"),
        ),
        Figure("Demand", "Districts (filter)", "districts", {}, districts, ("district",)),
        Figure(
            "Demand",
            "Referrals by month",
            "referrals_filtered",
            {},
            referrals_per_period(False),
            ("month", "referrals"),
        ),
        Figure(
            "Demand",
            "Referrals by month, filtered",
            "referrals_filtered",
            filtered,
            referrals_per_period(False),
            ("month", "referrals"),
        ),
        Figure(
            "Demand",
            "Referrals by week, filtered",
            "referrals_filtered_weekly",
            filtered,
            referrals_per_period(True),
            ("week", "referrals"),
        ),
        Figure(
            "Demand",
            "Contacts by month",
            "contacts_filtered",
            {},
            contacts_per_period(False),
            ("month", "contacts"),
        ),
    ]


@dataclass
class Measurement:
    page: str
    label: str
    query: str
    marts_ms: float
    pandas_ms: float
    same_result: bool

    @property
    def speedup(self) -> float:
        return self.pandas_ms / self.marts_ms if self.marts_ms else float("inf")


def _median_ms(run: Callable[[], object], runs: int) -> float:
    run()  # warm up: first-use costs (plans, caches, lazy loads) are not what a user waits for
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _same(marts: pl.DataFrame, naive: pd.DataFrame, columns: tuple[str, ...]) -> bool:
    left = marts.select(columns).to_pandas().reset_index(drop=True)
    right = naive[list(columns)].reset_index(drop=True)
    if left.shape != right.shape:
        return False
    for column in columns:
        a, b = left[column], right[column]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            if not (a.astype("float64").fillna(-1) == b.astype("float64").fillna(-1)).all():
                return False
        elif not (a.astype(str) == b.astype(str)).all():
            return False
    return True


def run_queries(warehouse: Path, runs: int = 20) -> tuple[list[Measurement], RawTables]:
    runner = QueryRunner.open(warehouse)
    raw = RawTables(runner.version_dir)
    coverage = runner.run("data_coverage", role=ANALYST)
    episodes = coverage.filter(pl.col("table_name") == "early_help_episodes")
    last_day = episodes["last_date"][0]
    district = runner.run("districts", role=ANALYST)["district"][0]
    measurements = []
    for figure in figures(last_day, district):
        result = runner.run(figure.query, figure.params, ANALYST)
        naive_result = figure.naive(raw, figure.params)
        measurements.append(
            Measurement(
                figure.page,
                figure.label,
                figure.query,
                _median_ms(lambda f=figure: runner.run(f.query, f.params, ANALYST), runs),
                _median_ms(lambda f=figure: f.naive(raw, f.params), max(3, runs // 4)),
                _same(result, naive_result, figure.compare),
            )
        )
    return measurements, raw


def report(label: str, measurements: list[Measurement], raw: RawTables) -> str:
    rows = ", ".join(f"{name} {count:,}" for name, count in raw.rows().items())
    lines = [
        f"## {label}: page figures from marts against naive pandas",
        f"Raw rows: {rows}. pandas load: {raw.load_seconds:.1f} s (not in the times below).",
        "",
        "| page | figure | query | marts (ms) | pandas (ms) | pandas / marts | same result |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for m in measurements:
        lines.append(
            f"| {m.page} | {m.label} | `{m.query}` | {m.marts_ms:.1f} | {m.pandas_ms:.1f} | "
            f"{m.speedup:.1f}x | {'yes' if m.same_result else 'NO'} |"
        )
    return "\n".join(lines)


# --- In the browser: the app against the framework floor ------------------------------------------
FLOOR_APP = Path(__file__).resolve().parent.parent / "tests" / "benchmarks" / "floor_app.py"
APP = Path(__file__).resolve().parent.parent / "app.py"
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
