"""The benchmark's cross-check: every page figure from the marts against an independent pandas
computation over the raw canonical tables (earlyhelp/tools/bench/), on the demo warehouse. A
figure whose two results differ fails here, naming where they differ."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from earlyhelp.tools import bench

APP = Path(__file__).resolve().parent.parent / "app.py"
# Pages that show no data figures, so have nothing to benchmark.
WITHOUT_FIGURES = {
    "About",  # text and tables about the data, no figures
    "Data quality",
    "Committee pack",  # the other pages' figures, from the same named queries
    # DfE's published figures as published (tests/test_benchmarks.py checks them against the
    # files); the demo warehouse the bench runs on has none loaded.
    "Compared with others",
}
# The KPI pages run the same KPI queries: one of them covered is enough.
KPI_PAGES = {"Scorecard", "District profile"}


@pytest.fixture(scope="module")
def measured(demo_warehouse) -> tuple[list[bench.Measurement], bench.RawTables]:
    return bench.run_queries(demo_warehouse, runs=1)


def app_pages() -> list[str]:
    return re.findall(r'st\.Page\([^)]*?title="([^"]+)"', APP.read_text(), flags=re.DOTALL)


def test_marts_and_pandas_agree_on_every_figure(measured):
    measurements, _ = measured
    different = [
        f"{m.page}, {m.label} ({m.query}): {m.difference}"
        for m in measurements
        if not m.same_result
    ]
    assert not different, "\n".join(different)


def test_every_page_with_figures_is_benchmarked(measured):
    measurements, _ = measured
    pages = app_pages()
    assert "Overview" in pages and "Caseloads" in pages  # the app's page list was read
    covered = {m.page for m in measurements}
    assert covered <= set(pages), "figures named for pages the app does not have"
    missing = set(pages) - WITHOUT_FIGURES - KPI_PAGES - covered
    assert not missing, f"pages with no benchmarked figure: {sorted(missing)}"
    assert covered & KPI_PAGES, "neither KPI page has a benchmarked figure"


def test_report_has_a_row_per_figure(measured):
    measurements, raw = measured
    text = bench.report("demo", measurements, raw)
    rows = [line for line in text.splitlines() if re.match(r"\| [^-|]", line)][1:]  # no header
    assert len(rows) == len(measurements)
    for row, m in zip(rows, measurements, strict=True):
        assert f"| {m.page} | {m.label} | `{m.query}` |" in row
        assert row.endswith("| yes |")


def test_only_the_columns_used_are_read(measured):
    _, raw = measured
    read = raw.columns_read()
    assert read["early_help_episodes"][0] < read["early_help_episodes"][1]
    assert read["contacts"][0] < read["contacts"][1]


def test_a_difference_is_found():
    marts = pl.DataFrame({"district": ["East", "West"], "referrals": [3, 4]})
    same = pd.DataFrame({"district": ["East", "West"], "referrals": [3, 4]})
    assert bench._difference(marts, same, ("district", "referrals")) is None
    for other in (
        pd.DataFrame({"district": ["East", "West"], "referrals": [3, 5]}),
        pd.DataFrame({"district": ["West", "East"], "referrals": [3, 4]}),
        pd.DataFrame({"district": ["East"], "referrals": [3]}),
    ):
        assert bench._difference(marts, other, ("district", "referrals")) is not None


def test_the_server_skips_the_full_collection_after_each_run():
    """Streamlit's post-run garbage collection held back each run's last messages, the chart
    among them, by 60 ms or more on this app's heap (docs/PERFORMANCE.md)."""
    import os

    from streamlit import config

    here = os.getcwd()
    os.chdir(APP.parent)  # Streamlit reads .streamlit/config.toml from the working directory
    try:
        config.get_config_options(force_reparse=True)
        assert config.get_option("runner.postScriptGC") is False
    finally:
        os.chdir(here)
        config.get_config_options(force_reparse=True)
