"""Front door, pathways and outcomes (issue 5): the marts built at ingest, the named queries
`frontdoor_*`, `pathway_*`, `outcomes_*` and `journeys_sankey`, earlyhelp/measures/pathways.py
and the page's figures in earlyhelp/presentation/charts/pathways.py.

Small hand-made SSD extracts pin down the definitions (working days across bank holidays,
the 365-day re-referral window, step-ups from either record); the demo borough is checked
against an independent Polars computation on its raw extract.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from earlyhelp.core.calendar import working_days_between
from earlyhelp.load.ingest import ingest
from earlyhelp.measures import pathways
from earlyhelp.presentation import charts
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner, load_queries
from tests import demo_files

ANALYST = Role.parse("analyst")
BOARD = Role.parse("board")
MY_QUERIES = (
    "frontdoor_contacts",
    "frontdoor_decision_days",
    "frontdoor_summary",
    "frontdoor_timeliness",
    "journeys_sankey",
    "outcomes_by_level",
    "outcomes_closures",
    "outcomes_durations",
    "pathway_levels",
    "pathway_partner_led",
    "pathway_repeat_episodes",
    "pathway_rereferrals_by_month",
    "pathway_step_ups",
    "pathway_steps_by_month",
    "pathway_summary",
)
ADDITIVE = (
    "referrals",
    "rereferrals_12m",
    "step_ups",
    "step_downs",
    "social_care_closed",
    "closed",
    "closed_outcomes_met",
)


# --- A tiny extract, written as an SSD folder ---------------------------------------------------
def _csv(folder: Path, name: str, rows: list[dict]) -> None:
    pl.DataFrame(rows, infer_schema_length=None).write_csv(folder / f"{name}.csv")


def write_extract(
    folder: Path,
    *,
    episodes: list[dict] = (),
    contacts: list[dict] = (),
    cin: list[dict] = (),
) -> Path:
    """People 1-20 live in North (ZZ1 1), 21-40 in South (ZZ2 1)."""
    folder.mkdir(parents=True, exist_ok=True)
    people = range(1, 41)
    _csv(folder, "ssd_person", [{"pers_person_id": p, "pers_dob": "2012-05-04"} for p in people])
    _csv(
        folder,
        "ssd_address",
        [
            {
                "addr_person_id": p,
                "addr_address_postcode": "ZZ1 1AA" if p <= 20 else "ZZ2 1AB",
                "addr_address_start_date": "2010-01-01",
                "addr_address_end_date": None,
            }
            for p in people
        ],
    )
    (folder / "district_lookup.csv").write_text(
        "postcode_sector,district\nZZ1 1,North\nZZ2 1,South\n"
    )
    if episodes:
        _csv(folder, "ssd_early_help_episodes", list(episodes))
    if contacts:
        _csv(folder, "ssd_contacts", list(contacts))
    if cin:
        _csv(folder, "ssd_cin_episodes", list(cin))
    return folder


def episode(
    episode_id: str,
    person: int,
    start: str,
    end: str | None = None,
    end_reason: str | None = None,
    level: int = 2,
    organisation: str = "Targeted Early Help - North",
    source: str = "2A",
) -> dict:
    return {
        "earl_episode_id": episode_id,
        "earl_person_id": person,
        "earl_episode_start_date": start,
        "earl_episode_end_date": end,
        "earl_episode_end_reason": end_reason,
        "earl_episode_organisation": organisation,
        "earl_level_of_need": level,
        "earl_referral_source_code": source,
    }


def contact(contact_id: str, person: int, day: str, decided: str | None) -> dict:
    outcome = {"decision": "Early help - targeted", "decision_date": decided} if decided else {}
    return {
        "cont_contact_id": contact_id,
        "cont_person_id": person,
        "cont_contact_date": day,
        "cont_contact_source_code": "2A",
        "cont_contact_outcome_json": json.dumps(outcome),
    }


def referral(
    referral_id: str,
    person: int,
    day: str,
    source: str = "6",
    close_reason: str | None = None,
    close_date: str | None = None,
) -> dict:
    return {
        "cine_referral_id": referral_id,
        "cine_person_id": person,
        "cine_referral_date": day,
        "cine_referral_source_code": source,
        "cine_close_reason": close_reason,
        "cine_close_date": close_date,
    }


def build(tmp_path: Path, **tables) -> QueryRunner:
    extract = write_extract(tmp_path / "extract", **tables)
    ingest([extract], tmp_path / "wh", key_path=tmp_path / "key")
    return QueryRunner.open(tmp_path / "wh")


def mart(runner: QueryRunner, name: str) -> pl.DataFrame:
    return pl.read_parquet(runner.version_dir / "marts" / f"{name}.parquet")


# --- Working days: weekends and England and Wales bank holidays ---------------------------------
@pytest.mark.parametrize(
    ("contact_day", "decision_day", "expected"),
    [
        ("2024-03-28", "2024-03-28", 0),  # same day
        ("2024-03-28", "2024-04-02", 1),  # Thursday before Easter: Good Friday, Monday are off
        ("2024-03-29", "2024-04-02", 0),  # Good Friday (the Friday before Easter Monday)
        ("2024-03-28", "2024-04-03", 2),
        ("2024-12-24", "2024-12-27", 1),  # Christmas Day and Boxing Day
        ("2020-12-24", "2020-12-29", 1),  # 2020: Boxing Day on a Saturday, Monday 28th off
        ("2021-12-24", "2021-12-29", 1),  # 2021: Christmas at a weekend, 27th and 28th off
        ("2024-05-03", "2024-05-07", 1),  # Friday before the early May bank holiday
        ("2024-06-07", "2024-06-10", 1),  # an ordinary weekend
        ("2024-06-08", "2024-06-10", 0),  # contact on a Saturday, decided on the Monday
        # Across a year end: the next year's bank holidays count too, though no contact is in it.
        ("2024-12-31", "2025-01-02", 1),  # New Year's Day 2025 is off
        ("2025-12-31", "2026-01-02", 1),  # and 2026's
        ("2021-12-31", "2022-01-04", 1),  # New Year's Day on a Saturday: Monday 3rd is off
        ("2024-12-24", "2025-01-02", 4),  # 24, 27, 30 and 31 December
    ],
)
def test_working_days_leave_out_weekends_and_bank_holidays(contact_day, decision_day, expected):
    start = pl.Series([date.fromisoformat(contact_day)])
    end = pl.Series([date.fromisoformat(decision_day)])
    assert working_days_between(start, end).to_list() == [expected]


def test_working_days_reach_the_front_door_measures_through_ingest(tmp_path):
    runner = build(
        tmp_path,
        episodes=[episode("E1", 1, "2024-04-02")],
        contacts=[
            contact("C1", 1, "2024-03-28", "2024-04-02"),  # 1 working day (Easter)
            contact("C2", 2, "2024-03-28", "2024-04-03"),  # 2
            contact("C3", 3, "2024-03-28", "2024-04-04"),  # 3
            contact("C4", 4, "2024-12-24", "2024-12-27"),  # 1 (Christmas)
            contact("C5", 5, "2024-12-23", "2024-12-31"),  # 4: 23, 24, 27, 30
            contact("C6", 6, "2024-12-23", None),  # no decision yet
        ],
    )
    stored = pl.read_parquet(runner.version_dir / "tables" / "contacts.parquet").sort("contact_id")
    assert stored["decision_working_days"].to_list() == [1, 2, 3, 1, 4, None]

    period = {"from": "2024-01-01", "to": "2024-12-31"}
    days = runner.run("frontdoor_decision_days", period, ANALYST)
    assert dict(days.filter(pl.col("contacts") > 0).iter_rows()) == {1: 2, 2: 1, 3: 1, 4: 1}

    def borough(standard: int) -> dict:
        frame = runner.run("frontdoor_summary", {**period, "standard": standard}, ANALYST)
        return frame.filter(pl.col("district") == "Borough").row(0, named=True)

    assert borough(2) == {
        "district": "Borough",
        "contacts": 6,
        "decided": 5,
        "within_standard": 3,
        "no_decision": 1,
    }
    assert borough(0)["within_standard"] == 0
    assert borough(1)["within_standard"] == 2
    assert borough(10)["within_standard"] == 5


def test_working_days_across_a_year_end_through_ingest(tmp_path):
    """Every contact is in 2024 and some decisions in 2025 or 2026: the later years' bank
    holidays are still left out (they are taken from both dates, not the contact dates)."""
    runner = build(
        tmp_path,
        episodes=[episode("E1", 1, "2024-12-02")],
        contacts=[
            contact("C1", 1, "2024-12-31", "2025-01-02"),  # 1: 31 December (1 January off)
            contact("C2", 2, "2024-12-24", "2025-01-02"),  # 4: 24, 27, 30, 31 December
            contact("C3", 3, "2024-12-31", "2026-01-05"),  # a year of working days
        ],
    )
    stored = pl.read_parquet(runner.version_dir / "tables" / "contacts.parquet").sort("contact_id")
    # 31 Dec 2024 to 5 Jan 2026: 2025 has 261 weekdays and 8 bank holidays (1 Jan, Good Friday
    # 18 Apr, Easter Monday 21 Apr, 5 May, 26 May, 25 Aug, 25 and 26 Dec), so 253 working days;
    # plus 31 Dec 2024, and 2 Jan 2026 (1 Jan 2026 is off; 5 Jan is the end, not counted).
    assert stored["decision_working_days"].to_list() == [1, 4, 1 + 253 + 1]


# --- Re-referrals: the 365 days before this referral's date -------------------------------------
def test_rereferral_window_counts_364_and_365_days_before_but_not_366(tmp_path):
    runner = build(
        tmp_path,
        episodes=[
            episode("A1", 1, "2021-01-01", "2021-02-01", "Outcomes met"),
            episode("A2", 1, "2021-12-31"),  # 364 days after A1
            episode("B1", 2, "2021-01-01", "2021-02-01", "Outcomes met"),
            episode("B2", 2, "2022-01-01"),  # 365 days
            episode("C1", 3, "2021-01-01", "2021-02-01", "Outcomes met"),
            episode("C2", 3, "2022-01-02"),  # 366 days
            episode("D1", 4, "2020-01-01", "2020-02-01", "Outcomes met"),
            episode("D2", 4, "2021-01-01"),  # a year later, but 366 days (2020 was a leap year)
            episode("E1", 25, "2021-06-01"),  # two on the same day: neither is a re-referral
            episode("E2", 25, "2021-06-01"),
            episode("E3", 25, "2021-06-11"),  # 10 days after: a re-referral, third episode
            episode("F1", 26, "2019-03-01", "2019-04-01", "Outcomes met"),
            episode("F2", 26, "2021-03-01"),  # a previous referral, but not in the last 365 days
        ],
    )
    flags = mart(runner, "mart_episode_flags").sort("episode_id")
    got = dict(zip(flags["episode_id"], flags["rereferral_12m"], strict=True))
    assert got == {
        "A1": False,
        "A2": True,
        "B1": False,
        "B2": True,
        "C1": False,
        "C2": False,
        "D1": False,
        "D2": False,
        "E1": False,
        "E2": False,
        "E3": True,
        "F1": False,
        "F2": False,
    }
    numbers = dict(zip(flags["episode_id"], flags["episode_number"], strict=True))
    assert [numbers[e] for e in ("E1", "E2", "E3", "F2", "C2")] == [1, 1, 3, 2, 2]
    days = dict(zip(flags["episode_id"], flags["days_since_previous"], strict=True))
    assert (days["A2"], days["B2"], days["C2"], days["D2"]) == (364, 365, 366, 366)

    summary = runner.run("pathway_summary", {"from": "2021-12-01", "to": "2022-01-31"}, ANALYST)
    borough = summary.filter(pl.col("district") == "Borough").row(0, named=True)
    assert (borough["referrals"], borough["rereferrals_12m"]) == (3, 2)  # A2, B2 (not C2)
    repeats = runner.run("pathway_repeat_episodes", {"from": "2021-01-01", "to": "2021-12-31"})
    assert repeats["referrals"].to_list() == [None, None, None, 0]  # board: 1 to 5 suppressed
    repeats = runner.run(
        "pathway_repeat_episodes", {"from": "2021-01-01", "to": "2021-12-31"}, ANALYST
    )
    # 2021 referrals: first A1 B1 C1 E1 E2; second A2 D2 F2; third E3.
    assert repeats["referrals"].to_list() == [5, 3, 1, 0]


# --- Step-up from either record, and step-down --------------------------------------------------
def test_step_up_is_found_from_either_record_and_counted_once(tmp_path):
    runner = build(
        tmp_path,
        episodes=[
            # Both records: the episode ends Step-up and social care records a 5D referral.
            episode("A", 1, "2021-03-01", "2021-05-01", "Step-up"),
            # Early help record only.
            episode("B", 2, "2021-04-01", "2021-05-10", "Step-up"),
            # Social care record only: the episode is still open when the 5D referral arrives.
            episode("C", 21, "2021-02-01"),
            # Step-up ending and a 5D referral 40 days later: two separate step-ups.
            episode("D", 22, "2021-01-01", "2021-03-01", "Step-up"),
            # Not a step-up: ended with outcomes met; the child's social care referral is police.
            episode("E", 3, "2021-01-01", "2021-04-01", "Outcomes met"),
            # A step-down: social care closed RC9, then early help started.
            episode("F", 23, "2021-05-20", level=3, organisation="Oakwood Primary School"),
        ],
        cin=[
            referral("R1", 1, "2021-05-03", "5D"),  # 2 days after A ended: the same step-up
            referral("R2", 21, "2021-05-15", "5D"),
            referral("R3", 22, "2021-04-10", "5D"),
            referral("R4", 3, "2021-04-20", "6"),
            referral("R5", 23, "2021-03-01", "6", "RC9", "2021-05-14"),
            referral("R6", 24, "2021-03-01", "6", "RC8", "2021-05-14"),
        ],
    )
    ups = mart(runner, "mart_pathway_step_ups")
    by_record = ups.group_by("identified_by").agg(pl.col("step_ups").sum())
    assert dict(by_record.iter_rows()) == {
        "Both records": 1,
        "Early help record only": 2,
        "Social care record only": 2,
    }
    from_start = ups.filter(pl.col("identified_by") == "Social care record only")
    # C: 1 February to 15 May is 103 days; D's later 5D referral has no episode to measure
    # from, because D ended more than 28 days before it.
    assert sorted(from_start["days_from_start"].to_list(), key=lambda d: d is None) == [103, None]

    period = {"from": "2021-01-01", "to": "2021-12-31"}
    summary = runner.run("pathway_summary", period, ANALYST)
    borough = summary.filter(pl.col("district") == "Borough").row(0, named=True)
    assert borough["step_ups"] == 5
    assert borough["step_downs"] == 1
    assert borough["social_care_closed"] == 2
    # Days from early help start to step-up: A 61, B 39, C 103, D 59 -> median (59 + 61) / 2.
    assert borough["median_days_to_step_up"] == 60.0
    north = summary.filter(pl.col("district") == "North").row(0, named=True)
    assert (north["step_ups"], north["step_downs"]) == (2, 0)  # A and B live in North

    records = runner.run("pathway_step_ups", {**period, "by": "record"}, ANALYST)
    assert records.select("category", "step_ups").rows() == [
        ("Both records", 1),
        ("Early help record only", 2),
        ("Social care record only", 2),
    ]
    downs = mart(runner, "mart_pathway_step_downs")
    assert downs["step_downs_started"].sum() == 1

    # Board members see no small counts, and no median worked out from one.
    board = runner.run("pathway_summary", period, BOARD)
    board_row = board.filter(pl.col("district") == "Borough").row(0, named=True)
    assert board_row["step_ups"] is None and board_row["median_days_to_step_up"] is None


def test_step_up_pairing_at_27_28_and_29_days_and_in_ties(tmp_path):
    """A 5D referral within 28 days (either side, 28 included) of a Step-up ending of the same
    child is the same step-up; at 29 days they are two. In a tie each referral and each ending
    is paired once, so nothing is counted twice and nothing is lost."""
    ended = "2021-03-01"
    runner = build(
        tmp_path,
        episodes=[
            episode("A", 1, "2021-01-01", ended, "Step-up"),
            episode("B", 2, "2021-01-01", ended, "Step-up"),
            episode("C", 3, "2021-01-01", ended, "Step-up"),
            episode("D", 4, "2021-01-01", ended, "Step-up"),
            episode("E", 5, "2021-01-01", ended, "Step-up"),
            episode("F", 6, "2021-01-01", ended, "Step-up"),
            # Two endings of one child, 10 days either side of one referral.
            episode("G1", 7, "2021-01-01", ended, "Step-up"),
            episode("G2", 7, "2021-03-05", "2021-03-21", "Step-up"),
        ],
        cin=[
            referral("RA", 1, "2021-03-28", "5D"),  # 27 days after: one step-up
            referral("RB", 2, "2021-03-29", "5D"),  # 28 days after: one step-up
            referral("RC", 3, "2021-03-30", "5D"),  # 29 days after: two
            referral("RD", 4, "2021-02-01", "5D"),  # 28 days before (February 2021): one
            referral("RE", 5, "2021-01-31", "5D"),  # 29 days before: two
            referral("RF1", 6, "2021-02-19", "5D"),  # 10 days before F's ending ...
            referral("RF2", 6, "2021-03-11", "5D"),  # ... and 10 days after: one of them pairs
            referral("RG", 7, "2021-03-11", "5D"),  # 10 days after G1, 10 before G2
        ],
    )
    ups = mart(runner, "mart_pathway_step_ups")
    by_record = dict(ups.group_by("identified_by").agg(pl.col("step_ups").sum()).iter_rows())
    assert by_record == {
        "Both records": 5,  # A-RA, B-RB, D-RD, F-RF1, G1-RG
        "Early help record only": 3,  # C, E, G2
        "Social care record only": 3,  # RC, RE, RF2
    }
    summary = runner.run("pathway_summary", {"from": "2021-01-01", "to": "2021-12-31"}, ANALYST)
    borough = summary.filter(pl.col("district") == "Borough").row(0, named=True)
    assert borough["step_ups"] == 11


def test_partner_led_episodes_are_read_from_the_organisation(tmp_path):
    runner = build(
        tmp_path,
        episodes=[
            episode("A", 1, "2021-05-01", organisation="Oakwood Primary School"),
            episode("B", 2, "2021-05-01", organisation="Rainbow Pre-School"),
            episode("C", 3, "2021-05-01", organisation="School Nursing Service"),
            episode("D", 4, "2021-05-01", organisation="Millbrook GP Practice"),
            episode("E", 5, "2021-05-01", organisation="Targeted Early Help - North"),
            episode("F", 6, "2021-05-01", organisation="Positive Steps"),
            episode("G", 7, "2022-02-01", organisation=""),
        ],
    )
    flags = mart(runner, "mart_episode_flags").sort("episode_id")
    assert flags["lead_organisation"].to_list() == [
        "Schools",
        "Early years",
        "Health",
        "Health",
        "Council or commissioned",
        "Council or commissioned",
        "Not recorded",
    ]
    led = runner.run("pathway_partner_led", {"district": "North"}, ANALYST)
    borough = led.filter(pl.col("district") == "Borough").row(0, named=True)
    assert borough["financial_year"] == "2021-22"
    assert (borough["episodes"], borough["partner_led"], borough["not_recorded"]) == (7, 4, 1)
    assert set(led["district"]) == {"North", "Borough"}


# --- The demo borough ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def runner(demo_warehouse) -> QueryRunner:
    return QueryRunner.open(demo_warehouse)


def test_pathway_summary_borough_row_is_the_sum_of_the_districts(runner):
    for params in ({}, {"from": "2020-04-01", "to": "2021-03-31"}):
        summary = runner.run("pathway_summary", params, ANALYST)
        assert summary["district"][-1] == "Borough"
        districts = summary.filter(pl.col("district") != "Borough")
        borough = summary.filter(pl.col("district") == "Borough")
        assert districts.height >= 5
        for column in ADDITIVE:
            assert borough[column][0] == districts[column].sum(), column
            assert borough[column][0] > 0, column
        assert set(summary.columns) >= {*ADDITIVE, "median_days_open", "district"}


def test_pathway_summary_defaults_to_the_last_12_complete_months(runner):
    default = runner.run("pathway_summary", role=ANALYST)
    row = default.row(0, named=True)
    assert (row["period_start"], row["period_end"]) == (date(2025, 4, 1), date(2026, 3, 31))
    explicit = runner.run("pathway_summary", {"from": "2025-04-01", "to": "2026-03-31"}, ANALYST)
    assert default.equals(explicit)


def test_pathway_summary_declares_its_counts_for_disclosure_control(runner):
    declared = set(runner.counts_of("pathway_summary"))
    assert declared == set(ADDITIVE)
    assert "median_days_open" not in declared


@pytest.fixture(scope="module")
def raw_episodes(demo_extract) -> pl.DataFrame:
    """The demo's episodes read here, the end-reason codes through its mapping.yaml."""
    return demo_files.episodes(demo_extract).select(
        pl.col("episode").alias("id"), "person", "start", "end", "end_reason"
    )


def test_demo_rereferrals_and_durations_match_an_independent_polars_count(runner, raw_episodes):
    first, last = date(2025, 4, 1), date(2026, 3, 31)
    pairs = raw_episodes.join(raw_episodes, on="person", suffix="_before").filter(
        (pl.col("start_before") < pl.col("start"))
        & ((pl.col("start") - pl.col("start_before")).dt.total_days() <= 365)
    )
    in_period = raw_episodes.filter(pl.col("start").is_between(first, last))
    rereferred = in_period.filter(pl.col("id").is_in(pairs["id"].unique().implode()))
    closed = raw_episodes.filter(pl.col("end").is_between(first, last))
    median_days = closed.select((pl.col("end") - pl.col("start")).dt.total_days().median()).item()

    borough = (
        runner.run("pathway_summary", {"from": first, "to": last}, ANALYST)
        .filter(pl.col("district") == "Borough")
        .row(0, named=True)
    )
    assert borough["referrals"] == in_period.height
    assert borough["rereferrals_12m"] == rereferred.height
    assert borough["closed"] == closed.height
    assert (
        borough["closed_outcomes_met"]
        == closed.filter(pl.col("end_reason") == "Outcomes met").height
    )
    assert borough["median_days_open"] == pytest.approx(median_days)


def test_demo_step_ups_match_an_independent_polars_count(runner, raw_episodes, demo_extract):
    first, last = date(2025, 4, 1), date(2026, 3, 31)
    cin = demo_files.read_table(demo_extract, "ssd_cin_episodes")
    endings = raw_episodes.filter(pl.col("end_reason") == "Step-up")
    from_early_help = cin.filter(pl.col("cine_referral_source_code") == "5D")
    # A 5D referral within 28 days of a Step-up ending of the same child is the same step-up.
    near = from_early_help.join(endings, left_on="cine_person_id", right_on="person").filter(
        (pl.col("cine_referral_date") - pl.col("end")).dt.total_days().abs() <= 28
    )
    only_referral = from_early_help.filter(
        ~pl.col("cine_referral_id").is_in(near["cine_referral_id"].implode())
    )
    expected = endings.filter(pl.col("end").is_between(first, last)).height + (
        only_referral.filter(pl.col("cine_referral_date").is_between(first, last)).height
    )
    step_downs = cin.filter(
        (pl.col("cine_close_reason") == "RC9") & pl.col("cine_close_date").is_between(first, last)
    ).height
    borough = (
        runner.run("pathway_summary", {"from": first, "to": last}, ANALYST)
        .filter(pl.col("district") == "Borough")
        .row(0, named=True)
    )
    assert borough["step_ups"] == expected
    assert borough["step_downs"] == step_downs


def test_frontdoor_and_rereferral_series_agree_with_the_summaries(runner):
    period = {"from": "2025-04-01", "to": "2026-03-31"}
    monthly = runner.run("frontdoor_timeliness", {**period, "standard": 2}, ANALYST)
    summary = runner.run("frontdoor_summary", {**period, "standard": 2}, ANALYST)
    for column in ("contacts", "decided", "within_standard"):
        by_place = monthly.group_by("district").agg(pl.col(column).sum())
        assert dict(by_place.iter_rows()) == dict(summary.select("district", column).iter_rows())
    assert monthly.filter(pl.col("district") == "Borough").height == 12
    rereferrals = runner.run("pathway_rereferrals_by_month", period, ANALYST)
    totals = runner.run("pathway_summary", period, ANALYST)
    assert dict(
        rereferrals.group_by("district").agg(pl.col("rereferrals_12m").sum()).iter_rows()
    ) == dict(totals.select("district", "rereferrals_12m").iter_rows())


def test_a_stricter_standard_gives_a_smaller_share(runner):
    period = {"from": "2025-04-01", "to": "2026-03-31"}
    shares = []
    for standard in (0, 1, 2, 5, 10):
        row = (
            runner.run("frontdoor_summary", {**period, "standard": standard}, ANALYST)
            .filter(pl.col("district") == "Borough")
            .row(0, named=True)
        )
        shares.append(pathways.percent(row["within_standard"], row["decided"]))
    assert shares == sorted(shares) and shares[0] < shares[-1]


def test_every_pathway_query_runs_for_a_board_member_and_declares_real_count_columns(runner):
    queries = load_queries()
    params = {
        "frontdoor_contacts": {"by": "decision"},
        "frontdoor_timeliness": {"standard": 2},
        "frontdoor_summary": {"standard": 2},
        "outcomes_closures": {"by": "district"},
        "pathway_step_ups": {"by": "record"},
    }
    for name in MY_QUERIES:
        assert queries[name].purpose, name
        assert "-- columns:" in queries[name].sql, name
        frame = runner.run(name, params.get(name, {}), BOARD)
        assert not frame.is_empty(), name
        assert set(queries[name].counts) <= set(frame.columns), name
        assert queries[name].counts, name


def test_outcomes_and_journeys_add_up_to_the_closures(runner):
    period = {"from": "2025-04-01", "to": "2026-03-31"}
    closed = (
        runner.run("pathway_summary", period, ANALYST)
        .filter(pl.col("district") == "Borough")["closed"]
        .item()
    )
    journeys = runner.run("journeys_sankey", period, ANALYST)
    assert journeys["episodes"].sum() == closed
    outcomes = runner.run("outcomes_closures", {**period, "by": "level"}, ANALYST)
    all_levels = outcomes.filter(pl.col("grp") == "All levels")
    assert all_levels["closures"].sum() == closed == all_levels["closed"][0]
    durations = runner.run("outcomes_durations", period, ANALYST)
    assert durations["closures"].sum() == closed
    by_level = runner.run("outcomes_by_level", period, ANALYST)
    assert by_level.filter(pl.col("level") == "All levels")["closed"].item() == closed


# --- Library: periods, shares and figures -------------------------------------------------------
def test_periods_start_with_the_last_12_complete_months_then_financial_years():
    chosen = pathways.periods(date(2018, 4, 3), date(2026, 3, 31))
    assert chosen[0].start == date(2025, 4, 1) and chosen[0].end == date(2026, 3, 31)
    assert chosen[0].label.startswith("Last 12 months")
    assert chosen[1].label == "Financial year 2025-26"
    assert chosen[-1].label == "Financial year 2018-19"
    assert len(chosen) == 9
    mid_month = pathways.periods(date(2018, 4, 3), date(2026, 3, 15))
    assert mid_month[0].end == date(2026, 2, 28)
    assert mid_month[1].label == "Financial year 2025-26 (part year)"
    assert mid_month[1].end == date(2026, 2, 28)
    assert mid_month[0].params == {"from": "2025-03-01", "to": "2026-02-28"}


def test_shares_are_recomputed_from_protected_counts():
    assert pathways.percent(1, 4) == 25.0
    assert pathways.percent(None, 4) is None and pathways.percent(3, None) is None
    assert pathways.percent(0, 0) is None
    frame = pl.DataFrame({"n": [1, None, 0], "d": [3, 10, 0]})
    assert pathways.with_percent(frame, "n", "d", "p")["p"].to_list() == [33.3, None, None]
    assert pathways.format_percent(None) == "c"
    assert pathways.standard_words(0) == "the same day"
    assert pathways.standard_words(1) == "1 working day"


def test_sankey_leaves_out_suppressed_paths_and_says_so():
    frame = pl.DataFrame(
        {
            "source_group": ["Schools", "Police", "Health"],
            "level_of_need": [2, 3, 0],
            "end_reason": ["Outcomes met", "Step-up", "Disengaged"],
            "episodes": [40, 12, None],
        }
    )
    fig = charts.sankey_figure(frame, title="Journeys", subject="test journeys")
    sankey = fig.data[0]
    assert list(sankey.node.label) == [
        "Schools (40)",
        "Police (12)",
        "Level 2 (40)",
        "Level 3 (12)",
        "Outcomes met (40)",
        "Step-up (12)",
    ]
    assert sum(sankey.link.value) == 2 * 52
    alt = charts.alt_text(fig)
    assert alt.startswith("Sankey diagram of test journeys: 52 episodes")
    assert "1 paths withheld as small numbers are not drawn" in alt
    # One line of subtitle at the width charts are laid out for, even with 10,000s of paths.
    subtitle = fig.layout.title.subtitle.text
    assert subtitle == "Source, level of need, outcome: 52 episodes, 1 small paths withheld"
    longest = subtitle.replace("52", "12,345").replace(" 1 ", " 1,234 ")
    assert charts.text_px(longest, charts.SUBTITLE_FONT_PX) <= charts.ASSUMED_PLOT_WIDTH_PX
    assert min(charts.font_sizes(fig)) >= charts.MIN_FONT_PX
    assert not fig.layout.showlegend


def test_figures_carry_alt_text_and_readable_fonts():
    days = pl.DataFrame({"decision_days": list(range(12)), "contacts": [9, 8, None, 6] + [0] * 8})
    closures = pl.DataFrame(
        {
            "grp": ["Level 1", "Level 1", "All levels", "All levels"],
            "end_reason": ["Outcomes met", "Step-up", "Outcomes met", "Step-up"],
            "closures": [8, 2, 8, 2],
            "closed": [10, 10, 10, 10],
        }
    )
    years = pl.DataFrame(
        {
            "year": ["2024-25", "2025-26"] * 2,
            "district": ["North", "North", "Borough", "Borough"],
            "per_cent": [40.0, 45.0, None, 47.5],
        }
    )
    figures = [
        charts.decision_days_figure(days, 2, "the borough"),
        charts.outcome_panels(closures, "grp", title="Outcomes", subject="outcomes"),
        charts.yearly_share_figure(
            years, "year", "district", "per_cent", title="t", y_title="y", subject="shares"
        ),
        charts.labelled_bar_chart(
            years.filter(pl.col("year") == "2025-26"),
            "district",
            "per_cent",
            title="t",
            x_title="x",
            subject="shares",
            noun="areas",
        ),
    ]
    for fig in figures:
        assert charts.alt_text(fig), fig.layout.title.text
        assert min(charts.font_sizes(fig)) >= charts.MIN_FONT_PX
        assert not fig.layout.showlegend
    assert "17 of 23" in charts.alt_text(figures[0])  # the suppressed day counts as 0 here
    assert figures[0].data[0].text[2] == "c"
    assert "Borough 47.5% in 2025-26" in charts.alt_text(figures[2])
    assert list(figures[3].data[0].text) == ["45.0%", "47.5%"]
