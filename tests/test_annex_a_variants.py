"""Annex A as it arrives: each variant written with openpyxl, figures checked against counts
worked out by hand from the rows written here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from earlyhelp.core.errors import UnusableInput
from earlyhelp.load import validate
from earlyhelp.load.ingest import ingest
from earlyhelp.load.pseudonymise import load_or_create_key, pseudonym
from earlyhelp.load.sources import annex_a

openpyxl = pytest.importorskip("openpyxl")


def write_book(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def table(result, name: str) -> pl.DataFrame:
    return pl.read_parquet(result.version_dir / "tables" / f"{name}.parquet")


def counts(result) -> dict[str, tuple[int, int, int]]:
    return {r["table"]: (r["rows_read"], r["loaded"], r["rejected"]) for r in result.reconciliation}


def rejects(result) -> pl.DataFrame:
    return pl.read_csv(result.version_dir / "rejects.csv", infer_schema=False)


# --- units ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, column, expected",
    [
        ("p1) 5D: LA services", "source_code", "5D"),
        ("p1) 5D: LA services - early help", "source_code", "5D"),
        ("q) 6: Police", "source_code", "6"),
        ("zz1) 10: Unknown", "source_code", "10"),
        ("a) Male", "sex", "M"),
        ("b2) Female", "sex", "F"),
    ],
)
def test_option_prefixes_with_digits_are_stripped(raw, column, expected):
    frame = pl.DataFrame({"v": [raw]})
    assert frame.select(validate.normalise_code(column, pl.col("v")))["v"][0] == expected


@pytest.mark.parametrize(
    "number, header, column",
    [
        (1, "Child Unique ID", "child_id"),
        (1, "ChildUniqueID", "child_id"),
        (1, "child_unique_id", "child_id"),
        (3, "Child Unique Identifier", "child_id"),
        (1, "DateOfContact", "contact_date"),
        (1, "Contact Source", "source_code"),
        (1, "ContactSource", "source_code"),
        (1, "DateOfBirth", "birth_month"),
        (1, "Age of Child (Years)", None),  # age is worked out from the date of birth
        (1, "AgeOfChildYears", None),
        (1, "LA", "la"),
        (1, "Local authority", "la"),
        (2, "AssessmentStartDate", "start_date"),
        (2, "Assessment completion date", "end_date"),
        (2, "Organisation completing assessment", "organisation"),
        (3, "DateOfReferral", "referral_date"),
        (3, "ReferralSource", "source_code"),
        (3, "Referral NFA?", "nfa"),
        (3, "Number of Referrals in Last 12 Months", None),
        (3, "AllocatedWorker", "worker_id"),
        (4, "Continuous Assessment Start Date", "start_date"),
        (4, "Child Seen During Continuous Assessment", None),
        (4, "Continuous Assessment Date of Authorisation", "end_date"),
        (
            4,
            "Was the child assessed as requiring LA children's social care support?",
            "needs_support",
        ),
        (6, "CIN Start Date", "referral_date"),
        (6, "CINClosureDate", "close_date"),
        (6, "Reason for Closure", "close_reason"),
        (6, "Primary Need Code", "primary_need_code"),
        (6, "Date Child Was Last Seen", None),
        (6, "Does the Child have a Disability", None),
    ],
)
def test_headers_are_matched_by_normalised_name(number, header, column):
    assert annex_a.header_column(number, header) == column


@pytest.mark.parametrize(
    "name, number",
    [
        ("List 1", 1),
        ("List1", 1),
        ("L1", 1),
        ("Contacts", 1),
        ("List 1 (continued)", 1),
        ("List 1 (2)", 1),
        ("Contacts (2)", 1),
        ("List 2", 2),
        ("Early Help", 2),
        ("Early help assessments", 2),
        ("List 3", 3),
        ("Referrals", 3),
        ("List 4", 4),
        ("Assessments", 4),
        ("List 6", 6),
        ("Children in need", 6),
        ("List 10", 10),
        ("Guidance", None),
    ],
)
def test_sheet_names(name, number):
    assert annex_a.sheet_list(name) == number


# --- workbooks -----------------------------------------------------------------------------------


def test_joined_up_headers_named_sheets_and_digit_option_prefixes(tmp_path):
    path = write_book(
        tmp_path / "ssd_to_annex_a.xlsx",
        {
            "Guidance": [["How to fill in this return"]],
            "Contacts": [
                ["ChildUniqueID", "Gender", "Ethnicity", "DateOfBirth", "AgeOfChildYears"]
                + ["DateOfContact", "ContactSource"],
                [101, "a) Male", "a) WBRI", date(2015, 4, 5), 8, date(2024, 1, 10), "q) 6: Police"],
                [102, "b) Female", "a) WBRI", date(2016, 5, 6), 7, date(2024, 1, 11), "e) 2A"],
                [103, "a) Male", "a) WBRI", date(2017, 6, 7), 6, date(2024, 1, 12), "p1) 5D"],
            ],
            "Early Help": [
                ["ChildUniqueID", "AssessmentStartDate", "AssessmentCompletionDate"]
                + ["OrganisationCompletingAssessment"],
                [102, date(2024, 1, 15), date(2024, 2, 1), "Top Town Academy"],
            ],
            "Referrals": [
                ["ChildUniqueID", "DateOfReferral", "ReferralSource", "ReferralNFA"]
                + ["AllocatedTeam", "AllocatedWorker"],
                [103, date(2024, 1, 20), "p1) 5D: LA services", "b) No", "Duty", "W1"],
                [104, date(2024, 1, 21), "q) 6: Police", "a) Yes", "Duty", "W2"],
            ],
            "List 5": [["Child Unique ID"], [101]],
        },
    )
    result = ingest([path], tmp_path / "wh", key_path=tmp_path / "k")
    assert counts(result)["contacts"] == (3, 3, 0)
    assert counts(result)["early_help_episodes"] == (1, 1, 0)
    assert counts(result)["cin_referrals"] == (2, 2, 0)
    assert counts(result)["children"] == (4, 4, 0)  # 101-104, each once
    contacts = table(result, "contacts").sort("contact_date")
    assert contacts["source_code"].to_list() == ["6", "2A", "5D"]
    referrals = table(result, "cin_referrals").sort("referral_date")
    assert referrals["source_code"].to_list() == ["5D", "6"]  # 5D: a step-up from early help
    assert referrals["nfa"].to_list() == [False, True]
    not_used = dict(result.not_used)
    assert not_used[f"{path}#Guidance"] == "not an Annex A list sheet"
    assert "List 5 (section 47 enquiries): not used" in not_used[f"{path}#List 5"]
    fields = pl.read_json(result.version_dir / "manifest.json")["source_fields"][0]
    assert fields["contacts"]["contact_date"] == "Contacts.DateOfContact"
    assert fields["contacts"]["decision"] is None  # Annex A has no front-door decision


def test_continuation_sheets_are_more_rows_of_the_same_list(tmp_path):
    header = ["Child Unique ID", "Date of Contact", "Contact Source"]
    path = write_book(
        tmp_path / "long.xlsx",
        {
            "List 1": [header, [1, date(2024, 3, 1), "q) 6"], [2, date(2024, 3, 2), "q) 6"]],
            "List 1 (2)": [header, [3, date(2024, 3, 3), "q) 6"], [4, date(2024, 3, 4), "q) 6"]],
            # Continued without a header row: the columns of the list's first sheet.
            "List 1 (continued)": [[5, date(2024, 3, 5), "q) 6"], [6, "not a date", "q) 6"]],
        },
    )
    result = ingest([path], tmp_path / "wh", key_path=tmp_path / "k", max_rejected_pct=100)
    assert counts(result)["contacts"] == (6, 5, 1)
    bad = rejects(result).filter(pl.col("column") == "contact_date").row(0, named=True)
    assert bad["source_file"] == f"{path}#List 1 (continued)" and bad["source_row"] == "2"
    assert table(result, "contacts")["contact_date"].max() == date(2024, 3, 5)


def test_lists_4_and_6_close_the_referrals(tmp_path):
    path = write_book(
        tmp_path / "annex_a.xlsx",
        {
            "List 3": [
                ["Child Unique ID", "Date of Referral", "Referral Source", "Allocated Team"],
                [301, date(2024, 1, 5), "q) 6: Police", "Duty"],
                [302, date(2024, 1, 10), "e) 2A: Schools", "Duty"],
                [303, date(2024, 2, 1), "e) 2A: Schools", "Duty"],
            ],
            "List 4": [
                ["Child Unique ID", "Continuous Assessment Start Date"]
                + ["Continuous Assessment Date of Authorisation"]
                + ["Was the child assessed as requiring LA children's social care support?"],
                # no need of support: closes 302's referral on the authorisation date
                [302, date(2024, 1, 12), date(2024, 2, 20), "b) No"],
                [303, date(2024, 2, 2), date(2024, 3, 1), "a) Yes"],  # stays open
                # 301's closure is in List 6, which says more (the reason): List 6 wins
                [301, date(2024, 1, 6), date(2024, 2, 28), "b) No"],
            ],
            "List 6": [
                ["Child Unique ID", "CIN Start Date", "Primary Need Code", "CIN Closure Date"]
                + ["Reason for Closure", "Allocated Team"],
                # began with List 3's referral of 301: gives it its closure
                [301, date(2024, 1, 5), "N1 - Abuse or neglect", date(2024, 3, 1), "RC9", None],
                # began before List 3's period and closed: a referral of its own
                [304, date(2023, 6, 1), "N4", date(2024, 2, 15), "RC9 - Closed, early help", "T"],
                [305, date(2022, 1, 1), "N1", None, None, "T"],  # open: adds nothing
            ],
        },
    )
    result = ingest([path], tmp_path / "wh", key_path=tmp_path / "k")
    assert counts(result)["cin_referrals"] == (4, 4, 0)  # 301, 302, 303 and 304
    assert counts(result)["children"] == (4, 4, 0)
    referrals = table(result, "cin_referrals").sort("referral_date")
    rows = referrals.select(
        "referral_date", "source_code", "primary_need_code", "close_date", "close_reason", "team"
    ).rows()
    assert rows == [
        (date(2023, 6, 1), None, "N4", date(2024, 2, 15), "RC9", "T"),
        (date(2024, 1, 5), "6", "N1", date(2024, 3, 1), "RC9", "Duty"),
        (date(2024, 1, 10), "2A", None, date(2024, 2, 20), None, "Duty"),
        (date(2024, 2, 1), "2A", None, None, None, "Duty"),
    ]
    # Step-downs (closed RC9): 301 and 304.
    assert referrals.filter(pl.col("close_reason") == "RC9").height == 2
    not_used = dict(result.not_used)
    assert not_used[f"{path}#List 6"].startswith("1 of 3 rows")
    assert not_used[f"{path}#List 4"].startswith("2 of 3 rows")


def contacts_return(path: Path, contacts: list[list], referrals: list[list]) -> Path:
    return write_book(
        path,
        {
            "List 1": [["Child Unique ID", "Gender", "Date of Contact", "Contact Source"]]
            + contacts,
            "List 3": [["Child Unique ID", "Date of Referral", "Referral Source"]] + referrals,
        },
    )


def test_overlapping_returns_count_each_contact_once_and_list_the_duplicates(tmp_path):
    january = contacts_return(
        tmp_path / "return_2024_01.xlsx",
        [
            [101, "a) Male", date(2024, 1, 10), "q) 6: Police"],
            [102, "b) Female", date(2024, 1, 11), "a) 1A: Individual"],
            [103, "a) Male", date(2024, 1, 20), "e) 2A: Schools"],
        ],
        [[101, date(2024, 1, 12), "q) 6: Police"]],
    )
    february = contacts_return(
        tmp_path / "return_2024_02.xlsx",
        [
            # January's contact of 101 again, written differently: the same natural key
            ["101", "a) Male", "10/01/2024", "Police"],
            [103, "a) Male", date(2024, 1, 20), "e) 2A: Schools"],  # again
            [104, "b) Female", date(2024, 2, 2), "q) 6: Police"],
            [101, "a) Male", date(2024, 2, 5), "q) 6: Police"],  # a new contact of 101
        ],
        [[101, date(2024, 1, 12), "q) 6: Police"]],  # January's referral again
    )
    # Overlapping returns repeat rows by design; the duplicates count as rejected rows, so
    # the quality gate is opened here to look at the figures themselves.
    result = ingest(
        [january, february], tmp_path / "wh", key_path=tmp_path / "k", max_rejected_pct=100
    )
    assert counts(result)["contacts"] == (7, 5, 2)
    assert counts(result)["cin_referrals"] == (2, 1, 1)
    assert counts(result)["children"] == (4, 4, 0)  # 101-104: one row each, no duplicates
    contacts = table(result, "contacts")
    child = pseudonym(load_or_create_key(tmp_path / "k"), "101")
    assert sorted(contacts.filter(pl.col("child_id") == child)["contact_date"].to_list()) == [
        date(2024, 1, 10),
        date(2024, 2, 5),
    ]
    by_month = contacts.group_by(pl.col("contact_date").dt.month()).len().sort("contact_date")
    assert by_month.rows() == [(1, 3), (2, 2)]
    duplicates = rejects(result).filter(pl.col("reason").str.starts_with("duplicate of"))
    assert duplicates.select("source_file", "source_row", "table", "reason").rows() == [
        (f"{february}#List 1", "2", "contacts", f"duplicate of {january}#List 1 row 2"),
        (f"{february}#List 1", "3", "contacts", f"duplicate of {january}#List 1 row 4"),
        (f"{february}#List 3", "2", "cin_referrals", f"duplicate of {january}#List 3 row 2"),
    ]
    assert "101" not in set(duplicates["value"].drop_nulls().to_list())


def council_return(path: Path) -> Path:
    return write_book(
        path,
        {
            "List 1": [
                ["Child Unique ID", "Date of Contact", "Contact Source", "LA"],
                [1, date(2024, 1, 2), "q) 6", "370 - Barnsley"],
                [2, date(2024, 1, 3), "q) 6", "370 - Barnsley"],
                [3, date(2024, 1, 4), "q) 6", "373 - Sheffield"],
            ],
            "List 3": [
                ["Child Unique ID", "Date of Referral", "Referral Source", "Local authority"],
                [1, date(2024, 1, 5), "q) 6", "370 - Barnsley"],
                [3, date(2024, 1, 6), "q) 6", "373 - Sheffield"],
            ],
        },
    )


def test_a_file_holding_several_councils_is_refused_unless_one_is_chosen(tmp_path):
    path = council_return(tmp_path / "pan_london.xlsx")
    with pytest.raises(UnusableInput) as refused:
        ingest([path], tmp_path / "wh", key_path=tmp_path / "k")
    message = str(refused.value)
    assert len(message.splitlines()) == 1
    assert str(path) in message and "370 - Barnsley" in message and "373 - Sheffield" in message

    for choice in ("barnsley", "370", "370 - BARNSLEY"):
        notes: list[tuple[str, str]] = []
        tables = annex_a.read_workbook(path, local_authority=choice, not_used=notes)
        by_table = {t.table: t.frame.height for t in tables if t.table != "children"}
        assert by_table == {"contacts": 2, "cin_referrals": 1}, choice
        assert dict(notes)[f"{path}#List 1"].startswith("1 of 3 rows: another council's")

    result = ingest([path], tmp_path / "wh", key_path=tmp_path / "k", local_authority="Sheffield")
    assert counts(result)["contacts"] == (1, 1, 0)
    assert counts(result)["cin_referrals"] == (1, 1, 0)
    assert counts(result)["children"] == (1, 1, 0)

    with pytest.raises(UnusableInput, match="no rows for council 'Leeds'"):
        annex_a.read_workbook(path, local_authority="Leeds")


def test_one_council_in_the_la_column_needs_no_choice(tmp_path):
    path = write_book(
        tmp_path / "barnsley.xlsx",
        {
            "List 1": [
                ["Child Unique ID", "Date of Contact", "LA"],
                [1, date(2024, 1, 2), "Barnsley"],
                [2, date(2024, 1, 3), None],
            ]
        },
    )
    tables = annex_a.read_workbook(path)
    assert {t.table: t.frame.height for t in tables}["contacts"] == 2


def test_the_sample_names_every_sheet_it_does_not_read(annex_a_sample):
    notes: list[tuple[str, str]] = []
    tables = annex_a.read_workbook(annex_a_sample, not_used=notes)
    heights = {t.table: t.frame.height for t in tables if t.table != "children"}
    assert heights == {"contacts": 5, "early_help_episodes": 5, "cin_referrals": 6}
    named = {sheet.rsplit("#", 1)[1]: why for sheet, why in notes}
    assert set(named) == {f"List {n}" for n in (4, 5, 6, 7, 8, 9, 10, 11)}
    assert named["List 8"] == "List 8 (children in care): not used by this product"
    # Its List 6 episodes are all open and began before List 3's referrals; its List 4
    # outcomes are not yes or no ("CS Assessment Updated").
    assert named["List 6"].startswith("5 of 5 rows")
    assert named["List 4"].startswith("5 of 5 rows")
