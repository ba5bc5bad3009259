"""The Scorecard and District profile pages through Streamlit's AppTest on the demo warehouse:
they run cleanly, group the KPIs by strategy priority, show status in words, keep each KPI's
definition one click away, rerun for another district, and refuse a KPI file that cannot be used
with a message instead of a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from earlyhelp.measures import kpis
from earlyhelp.presentation import charts
from tests.apptest import assert_ran_cleanly, open_app, open_data_tables

SCORECARD = "pages/scorecard.py"
PROFILE = "pages/district_profile.py"
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "kpis.yaml"
STATUS_WORDS = ("On target", "Close to target", "Off target")


def run_page(page: str, query_params: dict | None = None) -> AppTest:
    return open_app(page, query_params)


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def tables(at: AppTest) -> list:
    return [t.value for t in at.table]


# --- Scorecard ----------------------------------------------------------------------------------
#: The Scorecard's first tab (bound to the URL as `view`); then one tab for each priority.
AT_A_GLANCE = "At a glance"


def tab_labels(at: AppTest) -> list[str]:
    return [t.label for t in at.tabs]


@pytest.fixture(scope="module")
def scorecard(demo_warehouse) -> dict[str, AppTest]:
    """The Scorecard opened on each of its tabs, from a link naming the tab (only the open tab
    is drawn). The first is At a glance, the page as it opens."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EARLYHELP_WAREHOUSE", str(demo_warehouse))
        patch.delenv("EARLYHELP_KPIS", raising=False)
        first = run_page(SCORECARD)
        views = {AT_A_GLANCE: first}
        views.update(
            {label: run_page(SCORECARD, {"view": label}) for label in tab_labels(first)[1:]}
        )
        return views


def priority_views(scorecard: dict[str, AppTest]) -> list[AppTest]:
    return [at for label, at in scorecard.items() if label != AT_A_GLANCE]


def test_scorecard_has_a_tab_for_each_priority_and_draws_only_the_open_one(scorecard):
    kpi_set = kpis.load_kpis(DEFAULT_FILE)
    priorities = kpi_set.by_priority()
    glance = scorecard[AT_A_GLANCE]
    labels = tab_labels(glance)
    assert labels[0] == AT_A_GLANCE and len(labels) == len(priorities) + 1
    for label, (priority, members) in zip(labels[1:], priorities, strict=True):
        # A long title is cut at its first comma for its tab, and leads the tab in full.
        assert priority.title.startswith(label), (label, priority.title)
        at = scorecard[label]
        assert_ran_cleanly(at)
        assert [t.value for t in at.title] == ["Strategy scorecard"]
        assert tab_labels(at) == labels
        assert not at.header, "the tab's label is its heading: no heading repeats it"
        assert [h.value for h in at.subheader] == [k.title for k in members]
        body = texts(at.markdown)
        assert priority.title in body or label == priority.title
        assert priority.description in body
        assert not at.table, "the summary table is drawn only on its own tab"
    assert_ran_cleanly(glance)
    assert [t.value for t in glance.title] == ["Strategy scorecard"]
    assert not glance.header and not glance.subheader
    assert not glance.get("plotly_chart"), "no KPI's charts until its priority's tab is open"
    # Each KPI's anchor, as a link to a KPI uses it.
    for label, (_, members) in zip(labels[1:], priorities, strict=True):
        anchors = [h.proto.anchor for h in scorecard[label].subheader]
        assert anchors == [f"kpi-{k.id}" for k in members]


def test_scorecard_headline_counts_the_measures_by_status(scorecard):
    at = scorecard[AT_A_GLANCE]
    kpi_set = kpis.load_kpis(DEFAULT_FILE)
    statuses = tables(at)[0]["Status"].to_list()
    tiles = {m.label: int(m.value) for m in at.metric}
    assert len(tiles) == len(kpis.RAGS)
    for status in kpis.RAGS:
        (label,) = [t for t in tiles if kpis.status_text(status) in t]
        assert label.startswith(f":{kpis.BADGE_COLOURS[status]}-badge["), "word, symbol, colour"
        assert tiles[label] == statuses.count(kpis.status_text(status)), status
    assert sum(tiles.values()) == len(kpi_set.kpis)
    # Each tile's change: on how many measures had that status a year before (the table's
    # change column says, for each measure, which way it moved).
    changes = [int(m.delta.split()[0]) for m in at.metric]
    assert all(m.delta.endswith(" on a year before") for m in at.metric)
    assert sum(changes) == 0, "as many measures a year before as now, statuses moved between"


def test_scorecard_shows_status_in_words_and_symbols(scorecard):
    at = scorecard[AT_A_GLANCE]
    summary = tables(at)[0]
    statuses = summary["Status"].to_list()
    assert len(statuses) == len(kpis.load_kpis(DEFAULT_FILE).kpis)
    for word in STATUS_WORDS:
        assert any(word in s for s in statuses), word
    symbols = {s.split(" ")[0] for s in statuses}
    assert symbols <= {"✔", "▲", "✖", "–"}
    assert [b.label for b in at.download_button][0] == "Download the scorecard (CSV)"
    badges = "\n".join(texts(v.markdown) for v in priority_views(scorecard))
    for word in STATUS_WORDS:
        assert word in badges


def test_scorecard_definitions_are_one_click_away(scorecard):
    kpi_set = kpis.load_kpis(DEFAULT_FILE)
    views = priority_views(scorecard)
    definitions = [e for at in views for e in at.expander if e.label == "What this measures"]
    assert len(definitions) == len(kpi_set.kpis)
    body = "\n".join(texts(at.markdown) for at in views)
    for kpi in kpi_set.kpis:
        assert kpi.definition in body
        assert f"`{kpi.query}`" in body


def test_scorecard_charts_have_alt_text_tables_and_downloads(
    scorecard, demo_warehouse, monkeypatch
):
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(demo_warehouse))  # to open the tables
    kpi_set = kpis.load_kpis(DEFAULT_FILE)
    charted = 0
    infos = []
    for at in priority_views(scorecard):
        shown = at.get("plotly_chart")
        charted += len(shown)
        captions = texts(at.caption)
        for chart in shown:
            assert chart.proto.alt and chart.proto.alt not in captions
            figure = json.loads(chart.proto.spec)
            assert not figure["layout"].get("showlegend", False)
            assert min(charts.font_sizes(figure)) >= charts.MIN_FONT_PX
        # A figure whose every value is withheld is a sentence instead of a chart, with its table.
        withheld = [i for i in at.info if charts.ALL_WITHHELD in i.value]
        data_tables = [e for e in at.expander if e.label == "Show data as a table"]
        assert len(data_tables) == len(shown) + len(withheld)
        open_data_tables(at)
        assert_ran_cleanly(at)
        downloads = [b.label for b in at.download_button]
        assert downloads.count("Download this table (CSV)") == len(data_tables)
        infos.append(texts(at.info))
    assert charted >= len(kpi_set.kpis) + 8, "a trend for each, districts for most"
    assert "whole borough only" in "\n".join(infos), "caseload per FTE has no district figures"


# --- District profile ---------------------------------------------------------------------------
def kpi_tables(at: AppTest) -> list:
    return [t for t in tables(at) if "Measure" in t.columns]


def test_district_profile_runs_and_groups_the_kpis_by_priority(with_demo):
    at = run_page(PROFILE)
    assert_ran_cleanly(at)
    assert [t.value for t in at.title] == ["District profile"]
    district = at.selectbox(key="district").value
    assert district == "Central"
    kpi_set = kpis.load_kpis(DEFAULT_FILE)
    assert [h.value for h in at.subheader] == [p.title for p, _ in kpi_set.by_priority()]
    found = kpi_tables(at)
    assert len(found) == len(kpi_set.by_priority())
    assert all(district in t.columns for t in found)
    statuses = " ".join(s for t in found for s in t["District status"].to_list())
    assert any(word in statuses for word in STATUS_WORDS)
    definitions = [e for e in at.expander if e.label == "What these measures mean"]
    assert len(definitions) == len(kpi_set.by_priority())
    body = texts(at.markdown)
    for kpi in kpi_set.kpis:
        assert kpi.definition in body
    # Every tile has its change on a year before; the rate also the borough's beside it.
    tiles = {m.label: m for m in at.metric}
    assert all(m.delta and m.delta[:1] in "+-" for m in tiles.values()), tiles
    rate = tiles["Per 10,000 children"].delta
    assert re.fullmatch(r"[+-][\d,]+ · borough [\d,]+", rate), rate
    headers = [h.value for h in at.header]
    # Its demand and caseload first (the first screen's chart), then the strategy's measures.
    assert headers == ["Demand", "Caseload", f"Strategy measures: {district} against the borough"]
    shown = at.get("plotly_chart")
    assert len(shown) == 2
    for chart in shown:
        assert chart.proto.alt and chart.proto.alt not in texts(at.caption)
        figure = json.loads(chart.proto.spec)
        assert min(charts.font_sizes(figure)) >= charts.MIN_FONT_PX


def test_choosing_another_district_reruns_with_its_values(with_demo):
    at = run_page(PROFILE)
    before = kpi_tables(at)[0]
    metrics_before = [m.value for m in at.metric]
    at.selectbox(key="district").select("North").run()
    assert_ran_cleanly(at)
    after = kpi_tables(at)[0]
    assert "North" in after.columns and "Central" not in after.columns
    assert after["North"].to_list() != before["Central"].to_list()
    assert after["Borough"].to_list() == before["Borough"].to_list()
    assert [m.value for m in at.metric] != metrics_before
    assert "North" in [h.value for h in at.header][-1]


def test_the_district_comes_from_the_link(with_demo):
    at = run_page(PROFILE, {"district": "West"})
    assert_ran_cleanly(at)
    assert at.selectbox(key="district").value == "West"
    assert "West" in kpi_tables(at)[0].columns


# --- A KPI file that cannot be used -------------------------------------------------------------
@pytest.mark.parametrize("page", [SCORECARD, PROFILE])
def test_a_bad_kpi_file_stops_the_page_with_a_message(with_demo, tmp_path, monkeypatch, page):
    data = yaml.safe_load(DEFAULT_FILE.read_text())
    data["kpis"][1]["target"] = "lots"
    bad = tmp_path / "kpis.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    monkeypatch.setenv("EARLYHELP_KPIS", str(bad))
    at = run_page(page)
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert str(bad) in message and "KPI 'referral_rate'" in message
    assert "target must be a number" in message
    assert not at.get("plotly_chart") and not at.table
