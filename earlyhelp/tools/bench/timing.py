"""Times each figure from the marts and in pandas, checks the two agree, and reports the
times as a Markdown table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from earlyhelp.query.runner import QueryRunner
from earlyhelp.tools.bench.figures import figures
from earlyhelp.tools.bench.raw import ANALYST, EPISODES, RawTables


@dataclass
class Measurement:
    page: str
    label: str
    query: str
    marts_ms: float
    pandas_ms: float
    same_result: bool
    #: Where the two differ, when they do (the first difference found).
    difference: str | None = None

    @property
    def speedup(self) -> float:
        return self.pandas_ms / self.marts_ms if self.marts_ms else float("inf")


def _median_ms(run: Callable[[], object], runs: int, warm_up: bool = True) -> float:
    if warm_up:  # first-use costs (plans, caches, lazy loads) are not what a user waits for
        run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _difference(marts: pl.DataFrame, naive: pd.DataFrame, columns: tuple[str, ...]) -> str | None:
    """Where the marts' result and the pandas one differ in `columns`, or None when they agree:
    same rows in the same order, counts exactly, other numbers to 1e-9 (sums of fractions such
    as FTE may round differently in the last bit)."""
    left = marts.select(columns).to_pandas().reset_index(drop=True)
    right = naive[list(columns)].reset_index(drop=True)
    if left.shape != right.shape:
        return f"{len(left)} rows from the marts, {len(right)} from pandas"
    for column in columns:
        a, b = left[column], right[column]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            x, y = a.astype("float64").to_numpy(), b.astype("float64").to_numpy()
            equal = np.isclose(x, y, rtol=0, atol=1e-9) | (np.isnan(x) & np.isnan(y))
        else:
            equal = (a.astype(str) == b.astype(str)).to_numpy()
        if not equal.all():
            row = int(np.argmin(equal))
            return f"{column} in row {row + 1}: {a[row]!r} from the marts, {b[row]!r} from pandas"
    return None


def run_queries(
    warehouse: Path, runs: int = 20, pandas_runs: int | None = None
) -> tuple[list[Measurement], RawTables]:
    """Each figure timed `runs` times from the marts and `pandas_runs` times (default a quarter
    as many, at least 3) in pandas, after the run that compares them, which also warms pandas
    up: at national scale a pandas figure takes minutes."""
    pandas_runs = pandas_runs or max(3, runs // 4)
    runner = QueryRunner.open(warehouse)
    raw = RawTables(runner.version_dir)
    coverage = runner.run("data_coverage", role=ANALYST)
    episodes = coverage.filter(pl.col("table_name") == EPISODES)
    first_day, last_day = episodes["first_date"][0], episodes["last_date"][0]
    district = runner.run("districts", role=ANALYST)["district"][0]
    measurements = []
    for figure in figures(first_day, last_day, district):
        result = runner.run(figure.query, figure.params, ANALYST)
        difference = _difference(result, figure.naive(raw, figure.params), figure.compare)
        measurements.append(
            Measurement(
                figure.page,
                figure.label,
                figure.query,
                _median_ms(lambda f=figure: runner.run(f.query, f.params, ANALYST), runs),
                _median_ms(lambda f=figure: f.naive(raw, f.params), pandas_runs, warm_up=False),
                difference is None,
                difference,
            )
        )
    return measurements, raw


def report(label: str, measurements: list[Measurement], raw: RawTables) -> str:
    read = raw.columns_read()
    rows = ", ".join(
        f"{name} {count:,} ({read[name][0]} of {read[name][1]} columns)"
        for name, count in raw.rows().items()
    )
    lines = [
        f"## {label}: page figures from marts against naive pandas",
        f"Raw rows read: {rows}. pandas load: {raw.load_seconds:.1f} s (not in the times below).",
        "",
        "| page | figure | query | marts (ms) | pandas (ms) | pandas / marts | same result |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for m in measurements:
        lines.append(
            f"| {m.page} | {m.label} | `{m.query}` | {m.marts_ms:.1f} | {m.pandas_ms:.1f} | "
            f"{m.speedup:.1f}x | {'yes' if m.same_result else 'NO'} |"
        )
    different = [m for m in measurements if m.difference]
    if different:
        lines.append("")
        lines.extend(f"- {m.label} (`{m.query}`): {m.difference}" for m in different)
    return "\n".join(lines)
