"""The single fixture builder every test uses (Datasette's tests/fixtures.py is the model).

`demo_extract` is the demo borough written once per test session; `demo_warehouse` is that
extract ingested and published. The pseudonymisation key lives in a temp folder, never in data/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from earlyhelp.load.ingest import ingest
from earlyhelp.tools.demo import write_demo

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
ANNEX_A_SAMPLE = SHARED / "fixtures" / "annex_a_sample_liia.xlsx"
DEMO_SEED = 2021


@pytest.fixture(scope="session", autouse=True)
def _isolated_key(tmp_path_factory):
    import os

    key = tmp_path_factory.mktemp("key") / "pseudonymisation.key"
    previous = os.environ.get("EARLYHELP_KEY_FILE")
    os.environ["EARLYHELP_KEY_FILE"] = str(key)
    yield key
    if previous is None:
        os.environ.pop("EARLYHELP_KEY_FILE", None)
    else:
        os.environ["EARLYHELP_KEY_FILE"] = previous


@pytest.fixture(scope="session")
def demo_extract(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo_extract")
    write_demo(out, seed=DEMO_SEED, scale="borough", fmt="csv")
    return out


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory, demo_extract) -> Path:
    warehouse = tmp_path_factory.mktemp("demo_warehouse")
    ingest([demo_extract], warehouse)
    return warehouse


@pytest.fixture
def annex_a_sample() -> Path:
    if not ANNEX_A_SAMPLE.exists():
        pytest.skip("../shared/fixtures/annex_a_sample_liia.xlsx is not present")
    return ANNEX_A_SAMPLE


@pytest.fixture
def with_demo(demo_warehouse, monkeypatch):
    """The app pointed at the demo warehouse, with the shipped KPI file."""
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(demo_warehouse))
    monkeypatch.delenv("EARLYHELP_KPIS", raising=False)
    return demo_warehouse
