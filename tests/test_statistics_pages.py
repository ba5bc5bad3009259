"""Statistics on the pages (medians, averages, percentages) are withheld with the counts they
are worked out from, and shown as c, on a tiny hand-made warehouse where every count is small.
The rule itself is tested in test_disclosure.py and test_query_headers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from earlyhelp import ui
from earlyhelp.load.ingest import ingest
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from tests.apptest import open_app, open_data_tables
from tests.test_caseloads import write_tiny_extract

#: The Front door and pathways page's views (tabs) with the medians of episodes closed.
ENDINGS, PARTNERS = "How episodes end", "Partners and districts"


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny_statistics")
    ingest([write_tiny_extract(root / "extract")], root / "wh", key_path=root / "key")
    return root / "wh"


@pytest.fixture
def with_tiny(tiny_warehouse, monkeypatch) -> Path:
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(tiny_warehouse))
    return tiny_warehouse


def test_the_board_sees_c_for_a_median_of_a_few_episodes(with_tiny):
    runner = QueryRunner.open(with_tiny)
    exact = runner.run("pathway_summary", {}, Role.parse("analyst"))
    borough = exact.filter(exact["district"] == "Borough").row(0, named=True)
    assert 1 <= borough["closed"] <= 5 and borough["median_days_open"] is not None
    # How episodes end and the districts at a glance are views (tabs) of their own.
    views = [open_app("pages/pathways.py", {"view": v}) for v in (ENDINGS, PARTNERS)]
    for at in views:
        assert not at.exception, [e.value for e in at.exception]
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Median days"] == "c"
    notes = "\n".join(m.value for m in views[0].markdown)
    assert "Median time open: **c days**" in notes
    tables = [
        d.value
        for at in views
        for d in open_data_tables(at).dataframe
        if "Median days open" in d.value.columns
    ]
    (glance,) = [t for t in tables if "District" in t.columns]
    assert set(glance["Median days open"]) == {"c"}
    (by_level,) = [t for t in tables if "Level" in t.columns]
    assert set(by_level["Median days open"]) == {"c"} == set(by_level["Closed"])
    captions = "\n".join(c.value for at in views for c in at.caption)
    assert "A median, average or percentage worked out from a withheld count" in captions


def test_an_analyst_sees_the_same_median_exactly(with_tiny, monkeypatch):
    monkeypatch.setattr(ui.session, "DEMO_ROLE", "analyst")
    runner = QueryRunner.open(with_tiny)
    exact = runner.run("pathway_summary", {}, Role.parse("analyst"))
    median = exact.filter(exact["district"] == "Borough")["median_days_open"][0]
    at = open_app("pages/pathways.py")
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Median days"] == f"{median:,.0f}"
