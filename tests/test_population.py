"""The optional child population table: read from population.csv, validated row by row, and used
as the denominator of rates per 10,000 children."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from earlyhelp.core.errors import UnusableInput
from earlyhelp.load.ingest import ingest
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from tests.test_ingest import write_minimal_ssd

ANALYST = Role.parse("analyst")


def _population(folder: Path, body: str) -> Path:
    path = folder / "population.csv"
    path.write_text("district,year,age_band,children\n" + body)
    return path


def test_population_beside_the_extract_is_loaded(tmp_path):
    extract = write_minimal_ssd(tmp_path / "extract")
    _population(extract, "North,2019,5-9,1000\nNorth,2021,5-9,1100\nSouth,2020,5-9,2000\n")
    result = ingest([extract], tmp_path / "wh", key_path=tmp_path / "k")
    reconciliation = {row["table"]: row for row in result.reconciliation}
    assert reconciliation["population"]["loaded"] == 3
    runner = QueryRunner.open(tmp_path / "wh")
    north = runner.run("referrals_filtered", {"district": "North"}, ANALYST)
    # 2020 lies between the 2019 and 2021 estimates: the earlier one is used on a tie.
    assert north.filter(pl.col("month") == "2020-01")["children"][0] == 1000
    assert north.filter(pl.col("month") == "2021-03")["children"][0] == 1100
    borough = runner.run("referrals_filtered", {}, ANALYST)
    assert borough.filter(pl.col("month") == "2021-03")["children"][0] == 1100 + 2000


def test_bad_population_rows_are_rejected_with_their_reason(tmp_path):
    extract = write_minimal_ssd(tmp_path / "extract")
    _population(
        extract,
        "North,2020,5-9,1000\n"
        "North,2020,5-9,999\n"  # a duplicate of the row above
        "North,twenty,5-9,1000\n"
        "North,2020,Adults,1000\n"
        "North,2020,1-4,-5\n"
        ",2020,1-4,10\n",
    )
    result = ingest([extract], tmp_path / "wh", key_path=tmp_path / "k", max_rejected_pct=100)
    reconciliation = {row["table"]: row for row in result.reconciliation}
    assert reconciliation["population"]["rows_read"] == 6
    assert reconciliation["population"]["loaded"] == 1
    rejects = pl.read_csv(result.version_dir / "rejects.csv").filter(
        pl.col("table") == "population"
    )
    reasons = dict(zip(rejects["source_row"].to_list(), rejects["reason"].to_list(), strict=True))
    assert reasons[3].startswith("duplicate of")
    assert "whole number" in reasons[4]
    assert "unknown code" in reasons[5]
    assert "0 or more" in reasons[6]
    assert "required value is missing" in reasons[7]
    assert set(rejects["action"]) == {"row rejected"}


def test_population_alone_is_not_an_extract(tmp_path):
    population = _population(tmp_path, "North,2020,5-9,1000\n")
    with pytest.raises(UnusableInput, match="no recognisable early help"):
        ingest([population], tmp_path / "wh", key_path=tmp_path / "k")


def test_population_can_be_given_as_its_own_path(tmp_path):
    extract = write_minimal_ssd(tmp_path / "extract")
    elsewhere = tmp_path / "ons"
    elsewhere.mkdir()
    population = _population(elsewhere, "South,2021,5-9,2000\n")
    ingest([extract, population], tmp_path / "wh", key_path=tmp_path / "k")
    runner = QueryRunner.open(tmp_path / "wh")
    south = runner.run("referrals_filtered", {"district": "South"}, ANALYST)
    assert south["children"].unique().to_list() == [2000]


def test_without_population_there_is_no_denominator(tmp_path):
    extract = write_minimal_ssd(tmp_path / "extract")
    ingest([extract], tmp_path / "wh", key_path=tmp_path / "k")
    runner = QueryRunner.open(tmp_path / "wh")
    frame = runner.run("referrals_filtered", {}, ANALYST)
    assert frame["children"].null_count() == frame.height


def test_missing_population_column_is_named(tmp_path):
    extract = write_minimal_ssd(tmp_path / "extract")
    (extract / "population.csv").write_text("district,year,children\nNorth,2020,10\n")
    with pytest.raises(UnusableInput, match="age_band"):
        ingest([extract], tmp_path / "wh", key_path=tmp_path / "k")
