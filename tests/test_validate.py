"""Each validation rule: a row is loaded, rejected with its reason, or loses one value."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earlyhelp.load.sources import RawTable
from earlyhelp.load.validate import REJECTED, validate_table

TODAY = date(2026, 11, 23)


def episodes(**columns) -> RawTable:
    n = len(next(iter(columns.values())))
    base = {
        "episode_id": [f"E{i}" for i in range(n)],
        "child_id": [f"C{i}" for i in range(n)],
        "start_date": ["2021-03-08"] * n,
    }
    base.update(columns)
    frame = pl.DataFrame(base, schema={k: pl.String for k in base}).with_row_index(
        "source_row", offset=2
    )
    return RawTable("early_help_episodes", "ssd_early_help_episodes.csv", frame)


def run(raw: RawTable, table: str = "early_help_episodes"):
    return validate_table(table, [raw], TODAY)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2021-03-08", date(2021, 3, 8)),
        ("2021-03-08 00:00:00", date(2021, 3, 8)),
        ("08/03/2021", date(2021, 3, 8)),
        ("08-03-2021", date(2021, 3, 8)),
        ("44263", date(2021, 3, 8)),  # Excel serial day
        ("44263.0", date(2021, 3, 8)),
    ],
)
def test_dates_are_read_in_every_format_councils_use(text, expected):
    result = run(episodes(start_date=[text]))
    assert result.frame["start_date"].to_list() == [expected]
    assert result.rejects.height == 0


@pytest.mark.parametrize(
    "text, reason",
    [
        ("2021-02-30", "not a date"),
        ("31/02/2020", "not a date"),
        ("yesterday", "not a date"),
        ("1850-01-01", "implausible date"),
        ("2027-01-01", "in the future"),
    ],
)
def test_impossible_and_future_dates_reject_the_row(text, reason):
    result = run(episodes(start_date=[text]))
    assert result.frame.height == 0
    assert result.rows_rejected == 1
    reject = result.rejects.row(0, named=True)
    assert reject["column"] == "start_date"
    assert reason in reject["reason"]
    assert reject["source_row"] == 2
    assert reject["source_file"] == "ssd_early_help_episodes.csv"
    assert reject["action"] == REJECTED


def test_missing_required_value_rejects_the_row():
    result = run(episodes(child_id=[None, "#N/A", "C3"]))
    assert result.frame["episode_id"].to_list() == ["E2"]
    assert set(result.rejects["reason"]) == {"required value is missing"}
    assert result.rejects["source_row"].to_list() == [2, 3]


def test_end_before_start_is_rejected_and_same_day_is_allowed():
    result = run(
        episodes(start_date=["2021-03-08", "2021-03-08"], end_date=["2021-03-07", "2021-03-08"])
    )
    assert result.frame["episode_id"].to_list() == ["E1"]
    assert "end date is before start date" in result.rejects["reason"][0]


def test_duplicates_keep_the_first_and_name_it():
    raw = episodes(episode_id=["E1", "E1", "E2"], child_id=["A", "B", "C"])
    result = run(raw)
    assert result.frame["episode_id"].to_list() == ["E1", "E2"]
    reject = result.rejects.row(0, named=True)
    assert reject["source_row"] == 3
    assert reject["reason"] == "duplicate of ssd_early_help_episodes.csv row 2"


def test_duplicate_of_a_rejected_row_is_loaded():
    raw = episodes(episode_id=["E1", "E1"], start_date=["not a date", "2021-01-01"])
    result = run(raw)
    assert result.frame["source_row"].to_list() == [3]


@pytest.mark.parametrize(
    "text, code",
    [
        ("q) 6: Police", "6"),
        ("b) 1B: Individual", "1B"),
        ("2A", "2A"),
        ("Schools", "2A"),
        ("10", "10"),
        ("j) 3D: Health services", "3D"),
    ],
)
def test_coded_labels_become_codes(text, code):
    result = run(episodes(source_code=[text]))
    assert result.frame["source_code"].to_list() == [code]


def test_unknown_code_clears_the_value_but_keeps_the_row():
    result = run(episodes(source_code=["ZZ"], level_of_need=["7"]))
    assert result.frame.height == 1
    assert result.frame["source_code"].to_list() == [None]
    assert result.frame["level_of_need"].to_list() == [None]
    assert set(result.rejects["action"]) == {"value cleared"}
    assert set(result.rejects["column"]) == {"source_code", "level_of_need"}
    assert result.rows_rejected == 0


def test_non_breaking_spaces_and_padding_are_cleaned():
    result = run(episodes(organisation=["\u00a0Top\u00a0Town  Academy "]))
    assert result.frame["organisation"].to_list() == ["Top Town Academy"]


@pytest.mark.parametrize(
    "text, sex", [("a) Male", "M"), ("b) Female", "F"), ("c) Not stated/recorded", "U"), ("F", "F")]
)
def test_sex_labels(text, sex):
    frame = pl.DataFrame({"source_row": [2], "child_id": ["C1"], "sex": [text]}).cast(
        {"source_row": pl.Int64}
    )
    result = validate_table("children", [RawTable("children", "p.csv", frame)], TODAY)
    assert result.frame["sex"].to_list() == [sex]


def test_child_ids_and_postcodes_are_not_copied_into_rejects():
    frame = pl.DataFrame(
        {
            "source_row": [2],
            "person_id": ["12345"],
            "postcode": ["NOT A POSTCODE"],
            "start_date": ["2020-01-01"],
        }
    ).cast({"source_row": pl.Int64})
    result = validate_table("addresses", [RawTable("addresses", "a.csv", frame)], TODAY)
    assert result.rows_rejected == 1
    assert result.rejects["value"].to_list() == [None]
    assert "NOT A POSTCODE" not in result.rejects.write_csv()


def test_rows_read_equal_loaded_plus_rejected():
    raw = episodes(
        episode_id=["E1", "E1", "E2", "E3", "E4"],
        child_id=["A", "B", None, "D", "E"],
        start_date=["2021-01-01", "2021-01-02", "2021-01-03", "bad", "2021-01-05"],
        source_code=["6", "6", "6", "6", "nonsense"],
    )
    result = run(raw)
    assert result.rows_read == 5
    assert result.frame.height + result.rows_rejected == result.rows_read
    assert result.frame["episode_id"].to_list() == ["E1", "E4"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=" \t\n\r\u00a0\u2003abNnUuLlAa/#-é", max_size=12), max_size=20))
def test_clean_text_matches_its_plain_definition(values):
    """The fast cleaning gives what the plain rule says: non-breaking spaces and runs of any
    whitespace become one space, ends are trimmed, and null tokens in any case become null."""
    from earlyhelp.load.validate import NULL_TOKENS, clean_text

    plain = (
        pl.col("x")
        .str.replace_all("\u00a0", " ", literal=True)
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    plain = pl.when(plain.str.to_uppercase().is_in(NULL_TOKENS)).then(None).otherwise(plain)
    frame = pl.DataFrame({"x": values}, schema={"x": pl.String})
    assert (
        frame.select(clean_text("x").alias("x"))["x"].to_list()
        == frame.select(plain.alias("x"))["x"].to_list()
    )
