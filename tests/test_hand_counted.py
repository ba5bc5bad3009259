"""Every count query on a small extract with real small counts, for the analyst (exact) and the
board (disclosure-controlled), against figures counted by hand (issue 23, point 3).

The extract is tests/small_extract.py: 26 episodes, 30 contacts and 8 social care referrals of
24 children in North (C01-C10), South (C11-C18) and East (C19-C24), April 2025 to 31 March 2026.
Every expected figure below is a literal worked out from those rows, with a comment saying how;
none is computed by the code under test (no `protect_value`, no query).

The board's figures follow the default policy (DfE, earlyhelp/query/disclosure.py), worked out by
hand:
a true 0 is shown as 0; 1 to 7 are withheld (`C`); other counts are rounded half up to the
nearest 5 (8-12 -> 10, 13-17 -> 15, 18-22 -> 20, 23-27 -> 25); and where a row or column of a
result (one key varying, the others fixed) has exactly one withheld cell, its smallest visible
non-zero cell is withheld too (secondary suppression). A statistic (median, average) worked out
from a withheld count is withheld.

A query that returns no counts, or that the board may not run, is listed in NOT_COUNT_QUERIES
or ANALYST_ONLY with the reason; a new count query with no expectations here fails
test_every_count_query_has_expectations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from earlyhelp.core.errors import QueryError
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner, load_queries
from tests.small_extract import small_warehouse

C = "c"  # withheld (null in the query result, 'c' on a page)

#: Queries that return no counts of children (nothing for disclosure control to protect).
NOT_COUNT_QUERIES = {
    "districts": "the list of district names",
    "data_coverage": "first and last dates and row counts of whole tables, shown to everyone",
    "quality_filled": "rows and filled values per data-quality check (rows of tables, not "
    "children counted by a measure)",
    "kpi_workers_above_threshold": "counts of staff, not children (kpis.yaml: not hidden)",
    "workers_caseload_distribution": "counts of staff in each caseload band, not children",
    "benchmark_comparison": "DfE's published figures for local authorities, as published",
    "benchmark_local_authorities": "the list of local authorities in DfE's published figures",
    "benchmark_standing": "DfE's published figures for the council and its neighbours",
}


#: Count queries the board may not run (`-- roles:`): checked for analysts, and refused the board.
ANALYST_ONLY = {
    "episode_records": "record-level drill-down, for analysts only",
    "workers_caseload": "named workers, for managers and analysts only",
}


@dataclass(frozen=True)
class Case:
    query: str
    params: dict
    columns: tuple[str, ...]  # key columns, then counts and statistics, in the rows' order
    analyst: list[tuple]
    board: list[tuple] | None = None  # None: the board may not run it (see ANALYST_ONLY)


CASES: list[Case] = []


def case(query: str, params: dict, columns, analyst, board) -> None:
    CASES.append(Case(query, params, tuple(columns), analyst, board))


Q1 = {"from": "2026-01-01", "to": "2026-03-31"}  # January to March 2026
AS_OF = {"as_of": "2026-03-31"}  # the last day of the data

# --- Referrals and contacts by month ----------------------------------------------------------
# Episode starts by month: North Jan E02 E04 E05 = 3, Feb E06 E07 E08 = 3, Mar E09 E10 E11 E12 =
# 4; South Jan E15 E16, Feb E17 E18, Mar E19 E20 = 2 each; East Jan E22, Feb E23, Mar E24 E25
# E26 = 1, 1, 3. Every one of them 1-7: withheld for the board.
case(
    "referrals_by_month",
    Q1,
    ("month", "district", "referrals"),
    [
        ("2026-01", "East", 1), ("2026-01", "North", 3), ("2026-01", "South", 2),
        ("2026-02", "East", 1), ("2026-02", "North", 3), ("2026-02", "South", 2),
        ("2026-03", "East", 3), ("2026-03", "North", 4), ("2026-03", "South", 2),
    ],
    [
        ("2026-01", "East", C), ("2026-01", "North", C), ("2026-01", "South", C),
        ("2026-02", "East", C), ("2026-02", "North", C), ("2026-02", "South", C),
        ("2026-03", "East", C), ("2026-03", "North", C), ("2026-03", "South", C),
    ],
)  # fmt: skip
# The same by month for the borough: 1+3+2 = 6, 1+3+2 = 6, 3+4+2 = 9 (-> 10).
case(
    "referrals_borough_by_month",
    Q1,
    ("month", "referrals"),
    [("2026-01", 6), ("2026-02", 6), ("2026-03", 9)],
    [("2026-01", C), ("2026-02", C), ("2026-03", 10)],
)
# Contacts by the child's district: North Jan K07 K10 K12, Feb K16 K18 K19 K20, Mar K23 K25 K28
# K29; South Jan K08 K11, Feb K14 K15 K17, Mar K22 K24 K27; East Jan K09, Feb K13, Mar K21 K26
# K30.
case(
    "contacts_by_month",
    Q1,
    ("month", "district", "contacts"),
    [
        ("2026-01", "East", 1), ("2026-01", "North", 3), ("2026-01", "South", 2),
        ("2026-02", "East", 1), ("2026-02", "North", 4), ("2026-02", "South", 3),
        ("2026-03", "East", 3), ("2026-03", "North", 4), ("2026-03", "South", 3),
    ],
    [
        ("2026-01", "East", C), ("2026-01", "North", C), ("2026-01", "South", C),
        ("2026-02", "East", C), ("2026-02", "North", C), ("2026-02", "South", C),
        ("2026-03", "East", C), ("2026-03", "North", C), ("2026-03", "South", C),
    ],
)  # fmt: skip
# Every month with an episode start, whole borough: E01 (Apr), E13 (Jun), E21 (Sep), E03 (Oct),
# E14 (Nov), then 6, 6, 9 as above. Under 18: all but E20 (C18, 18 on 23 March 2026).
case(
    "referrals_filtered",
    {},
    ("month", "referrals", "referrals_under_18"),
    [
        ("2025-04", 1, 1), ("2025-06", 1, 1), ("2025-09", 1, 1), ("2025-10", 1, 1),
        ("2025-11", 1, 1), ("2026-01", 6, 6), ("2026-02", 6, 6), ("2026-03", 9, 8),
    ],
    [
        ("2025-04", C, C), ("2025-06", C, C), ("2025-09", C, C), ("2025-10", C, C),
        ("2025-11", C, C), ("2026-01", C, C), ("2026-02", C, C), ("2026-03", 10, 10),
    ],
)  # fmt: skip
# Contacts by month, whole borough: K01 (Apr), K02 (May), K03 (Aug), K04 K05 (Oct), K06 (Dec),
# then Jan 6, Feb 8 (-> 10), Mar 10 (-> 10), of which under 18 all but K27 (C18, 18 in March).
case(
    "contacts_filtered",
    {},
    ("month", "contacts", "contacts_under_18"),
    [
        ("2025-04", 1, 1), ("2025-05", 1, 1), ("2025-08", 1, 1), ("2025-10", 2, 2),
        ("2025-12", 1, 1), ("2026-01", 6, 6), ("2026-02", 8, 8), ("2026-03", 10, 9),
    ],
    [
        ("2025-04", C, C), ("2025-05", C, C), ("2025-08", C, C), ("2025-10", C, C),
        ("2025-12", C, C), ("2026-01", C, C), ("2026-02", 10, 10), ("2026-03", 10, 10),
    ],
)  # fmt: skip
# East's weeks (Mondays) among the weeks any episode started: E21 (1 Sep), E22 (Wed 14 Jan),
# E23 (Wed 4 Feb), E24 (Wed 4 Mar), E25 (Wed 18 Mar), E26 (Mon 30 Mar): one each.
_WEEKS = [
    "2025-03-31", "2025-06-02", "2025-09-01", "2025-10-06", "2025-11-03", "2026-01-05",
    "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16",
    "2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30",
]  # fmt: skip
_EAST_WEEKS = {"2025-09-01", "2026-01-12", "2026-02-02", "2026-03-02", "2026-03-16", "2026-03-30"}
case(
    "referrals_filtered_weekly",
    {"district": "East"},
    ("week", "referrals", "referrals_under_18"),
    [(w, 1, 1) if w in _EAST_WEEKS else (w, 0, 0) for w in _WEEKS],
    [(w, C, C) if w in _EAST_WEEKS else (w, 0, 0) for w in _WEEKS],
)

# Police contacts (source 6) by week, among the 18 weeks (Mondays) with any contact: K04 (Wed 1
# Oct 2025), K08 (Mon 5 Jan), K09 (Tue 13 Jan), K18 (Thu 19 Feb), K19 (Tue 24 Feb), K23 (Thu 5
# Mar), K26 (Mon 16 Mar): one each, all under 18.
_CONTACT_WEEKS = [
    "2025-03-31", "2025-05-26", "2025-08-25", "2025-09-29", "2025-10-27", "2025-12-22",
    "2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02", "2026-02-09",
    "2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23",
]  # fmt: skip
_POLICE_WEEKS = {
    "2025-09-29", "2026-01-05", "2026-01-12", "2026-02-16", "2026-02-23", "2026-03-02",
    "2026-03-16",
}  # fmt: skip
case(
    "contacts_filtered_weekly",
    {"source_group": "Police"},
    ("week", "contacts", "contacts_under_18"),
    [(w, 1, 1) if w in _POLICE_WEEKS else (w, 0, 0) for w in _CONTACT_WEEKS],
    [(w, C, C) if w in _POLICE_WEEKS else (w, 0, 0) for w in _CONTACT_WEEKS],
)

# The same series through the one query behind them all (demand_selection), measure and period
# chosen by parameters: the hand counts above, under its own column names. A level of need does
# not apply to contacts and is ignored for them.
case(
    "demand_selection",
    {"measure": "referrals", "period": "month"},
    ("period", "events", "events_under_18"),
    CASES[-4].analyst,
    CASES[-4].board,
)
case(
    "demand_selection",
    {"measure": "contacts", "period": "week", "source_group": "Police", "level_of_need": 3},
    ("period", "events", "events_under_18"),
    CASES[-2].analyst,
    CASES[-2].board,
)


# Filtered: South's referrals from schools (2A): E13 (Jun 2025), E16 (Jan), E17 (Feb), E20 (Mar;
# C18 is 18, so not under 18); among the 8 months with any referral; South's 2700 children.
def _columns(*columns) -> list[tuple]:
    """Rows from columns written out one by one."""
    return list(zip(*columns, strict=True))


_REFERRAL_MONTHS = [
    "2025-04", "2025-06", "2025-09", "2025-10", "2025-11", "2026-01", "2026-02", "2026-03",
]  # fmt: skip
case(
    "referrals_filtered",
    {"district": "South", "source_group": "Schools"},
    ("month", "referrals", "referrals_under_18", "children"),
    _columns(_REFERRAL_MONTHS, [0, 1, 0, 0, 0, 1, 1, 1], [0, 1, 0, 0, 0, 1, 1, 0], [2700] * 8),
    _columns(_REFERRAL_MONTHS, [0, C, 0, 0, 0, C, C, C], [0, C, 0, 0, 0, C, C, 0], [2700] * 8),
)
# Level 2 and aged 5-9: E04 (C03, Jan), E06 (C05) and E17 (C15) in February; E09, E26 (under 1)
# and E23 (10-15) are other ages. Children aged 5-9: 1000 + 750 + 500.
case(
    "referrals_filtered",
    {"level_of_need": 2, "age_band": "5-9"},
    ("month", "referrals", "referrals_under_18", "children"),
    _columns(_REFERRAL_MONTHS, [0, 0, 0, 0, 0, 1, 2, 0], [0, 0, 0, 0, 0, 1, 2, 0], [2250] * 8),
    _columns(_REFERRAL_MONTHS, [0, 0, 0, 0, 0, C, C, 0], [0, 0, 0, 0, 0, C, C, 0], [2250] * 8),
)

# --- Caseloads --------------------------------------------------------------------------------
# Open on 31 March 2026 (started on or before, not ended on or before): North E02 E05 E06 E08
# E09 E10 E11 E12 = 8 (-> 10); South E15 E17 E18 E19 E20 = 5; East E22 E24 E25 E26 = 4.
case(
    "caseload_by_district",
    AS_OF,
    ("district", "open_episodes"),
    [("East", 4), ("North", 8), ("South", 5)],
    [("East", C), ("North", 10), ("South", C)],
)
# Case-held (a council team leads it, or a worker's involvement names it): North all but E06
# (school) and E09 (health) = 6, of which with a worker E02 E05 E08 = 3, waiting E10 E11 E12 =
# 3; South E15 (commissioned, I12) E18 E19 = 3, with a worker E15 E18, waiting E19; East E22
# E24 E25 = 3, with a worker E22 E24, waiting E25. Borough: 12 case-held (-> 10), 5 waiting.
case(
    "caseload_snapshot_by_district",
    AS_OF,
    ("district", "open_episodes", "case_held_episodes", "with_worker", "waiting"),
    [("East", 4, 3, 2, 1), ("North", 8, 6, 3, 3), ("South", 5, 3, 2, 1)],
    [("East", C, C, C, C), ("North", 10, C, C, C), ("South", C, C, C, C)],
)
case(
    "kpi_waiting_for_worker",
    AS_OF,
    ("district", "case_held_episodes", "waiting"),
    [("East", 3, 1), ("North", 6, 3), ("South", 3, 1), ("Borough", 12, 5)],
    [("East", C, C), ("North", C, C), ("South", C, C), ("Borough", 10, C)],
)
# On Friday 20 March 2026, the day E07 ends (an episode is not open on its end day): North E02
# E05 E06 E08 E09 E10 = 6, case-held E02 E05 E08 E10, with a worker E02 E05 E08, waiting E10;
# South E15 E17 E18 E19 (E16 ended 6 March; E20 starts 23 March), case-held E15 E18 E19,
# waiting E19; East E22 E23 E24 E25, case-held E22 E24 E25, waiting E25. Borough 10 case-held
# (-> 10), 3 waiting.
case(
    "caseload_snapshot_by_district",
    {"as_of": "2026-03-20"},
    ("district", "open_episodes", "case_held_episodes", "with_worker", "waiting"),
    [("East", 4, 3, 2, 1), ("North", 6, 4, 3, 1), ("South", 4, 3, 2, 1)],
    [("East", C, C, C, C), ("North", C, C, C, C), ("South", C, C, C, C)],
)
case(
    "kpi_waiting_for_worker",
    {"as_of": "2026-03-20"},
    ("district", "case_held_episodes", "waiting"),
    [("East", 3, 1), ("North", 4, 1), ("South", 3, 1), ("Borough", 10, 3)],
    [("East", C, C), ("North", C, C), ("South", C, C), ("Borough", 10, C)],
)
# Open at each month end, by district (waiting: case-held with no worker yet):
# North: E01 Apr-Jun (ended 15 Jul); E03 Oct-Dec; 31 Jan E02 E04 E05 (E05 waits for I05 until
# 16 Feb); 28 Feb E02 E05 E06 E07 E08 (E08 waits for I07 until 2 Mar); 31 Mar as above.
# South: E13 Jun-Nov (ended 19 Dec); E14 Nov-Jan (ended 13 Feb); 31 Jan E14 E15 E16 (E16 waits
# for I13 until 27 Feb); 28 Feb E15 E16 E17 E18; 31 Mar E15 E17 E18 E19 E20 (E19 waits).
# East: E21 Sep-Dec (ended 30 Jan); 31 Jan E22; 28 Feb E22 E23; 31 Mar E22 E24 E25 E26 (E25 waits).
_MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]
_OPEN = {
    "East": [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 4],
    "North": [1, 1, 1, 0, 0, 0, 1, 1, 1, 3, 5, 8],
    "South": [0, 0, 1, 1, 1, 1, 1, 2, 1, 3, 4, 5],
}
_WAITING = {
    "East": [0] * 11 + [1],
    "North": [0] * 9 + [1, 1, 3],
    "South": [0] * 9 + [1, 0, 1],
}


# The board's: 0 stays 0, 1-7 withheld, North's 8 in March shown as 10.
_OPEN_BOARD = {
    "East": [0, 0, 0, 0, 0, C, C, C, C, C, C, C],
    "North": [C, C, C, 0, 0, 0, C, C, C, C, C, 10],
    "South": [0, 0, C, C, C, C, C, C, C, C, C, C],
}
_WAITING_BOARD = {
    "East": [0] * 11 + [C],
    "North": [0] * 9 + [C, C, C],
    "South": [0] * 9 + [C, 0, C],
}


# Every month's row holds at most one cell from 8 up (North in March), and every non-zero cell
# in a month's row with one withheld cell is withheld too, so no secondary suppression.
case(
    "caseload_by_month",
    AS_OF,
    ("month", "district", "open_episodes", "waiting"),
    [
        (m, d, _OPEN[d][i], _WAITING[d][i])
        for i, m in enumerate(_MONTHS)
        for d in ("East", "North", "South")
    ],
    [
        (m, d, _OPEN_BOARD[d][i], _WAITING_BOARD[d][i])
        for i, m in enumerate(_MONTHS)
        for d in ("East", "North", "South")
    ],
)
# By level of need at each month end (0 = not recorded: E10; 1: E19; 2: E04 E06 E09 E17 E23
# E26; 3: the rest). Level 3: E01 (Apr-Jun), E13 (Jun-Nov), E21 (Sep-Dec), E03 (Oct-Dec), E14
# (Nov-Jan); 31 Jan E02 E05 E14 E15 E16 E22 = 6; 28 Feb E02 E05 E07 E08 E15 E16 E18 E22 = 8;
# 31 Mar E02 E05 E08 E11 E12 E15 E18 E20 E22 E24 E25 = 11. Level 2: Jan E04; Feb E06 E17 E23;
# Mar E06 E09 E17 E26. Board: February's row has level 2 withheld (3) alone, so its level 3 (8)
# is withheld too (secondary suppression); March's level 3 (11) is shown as 10.
_LEVELS = {
    0: [0] * 11 + [1],
    1: [0] * 11 + [1],
    2: [0] * 9 + [1, 3, 4],
    3: [1, 1, 2, 1, 1, 2, 3, 4, 3, 6, 8, 11],
}
_LEVELS_BOARD = {
    0: [0] * 11 + [C],
    1: [0] * 11 + [C],
    2: [0] * 9 + [C, C, C],
    3: [C, C, C, C, C, C, C, C, C, C, C, 10],  # February's 8: withheld beside level 2's 3
}
case(
    "caseload_by_month_and_level",
    AS_OF,
    ("month", "level_of_need", "open_episodes"),
    [(m, level, _LEVELS[level][i]) for i, m in enumerate(_MONTHS) for level in range(4)],
    [(m, level, _LEVELS_BOARD[level][i]) for i, m in enumerate(_MONTHS) for level in range(4)],
)


# Open cases each worker holds on 31 March 2026: W1 E02 (I04); W2 E05 E08 (I05, I07); W4 E15 E18
# (I12, I14; no FTE recorded); W5 E22 E24 (I16, I17); W3's last case ended on 6 March (I13).
# By team (the involvement's team): North W1 + W2 = 3 cases, FTE 1.0 + 0.5; South W4 2 cases,
# FTE not recorded; East W5 2 cases, FTE 0.8.
case(
    "caseload_by_team",
    AS_OF,
    ("team", "open_cases", "workers", "cases_fte_not_recorded", "cases_fte_recorded", "fte"),
    [
        ("Targeted Early Help - East", 2, 1, 0, 2, 0.8),
        ("Targeted Early Help - North", 3, 2, 0, 3, 1.5),
        ("Targeted Early Help - South", 2, 1, 2, 0, 0.0),
    ],
    [
        ("Targeted Early Help - East", C, 1, 0, C, 0.8),
        ("Targeted Early Help - North", C, 2, 0, C, 1.5),
        ("Targeted Early Help - South", C, 1, C, 0, 0.0),
    ],
)
# The same for the borough: 4 workers, 7 cases, 2 of them W4's (no FTE), 5 with an FTE (2.3).
case(
    "workers_caseload_summary",
    AS_OF,
    ("workers", "workers_fte_not_recorded", "open_cases", "cases_fte_not_recorded",
     "cases_fte_recorded", "fte"),
    [(4, 1, 7, 2, 5, 2.3)],
    [(4, 1, C, C, C, 2.3)],
)  # fmt: skip
# Per worker, for managers and analysts only: cases per FTE 2 / 0.5, 2 / 0.8, 1 / 1.0.
case(
    "workers_caseload",
    AS_OF,
    ("worker_id", "open_cases", "cases_per_fte"),
    [("W2", 2, 4.0), ("W5", 2, 2.5), ("W1", 1, 1.0), ("W4", 2, None)],
    None,
)

# --- Allocation and continuity ----------------------------------------------------------------
# First workers who started January to March 2026, days from the episode's start: North E02 7
# (I04), E05 28 (I05), E07 2 (I06), E08 7 (I07): median 7 (the lower middle of 2, 7, 7, 28),
# average 44 / 4 = 11.0, none over 28; South E15 1 (I12), E16 32 (I13), E18 3 (I14): median 3,
# average 36 / 3 = 12.0, one over 28; East E22 0 (I16), E24 7 (I17): median 0, average 3.5.
# Board: every count 1-4 withheld, and with it each median and average.
case(
    "allocation_by_district",
    Q1,
    ("district", "allocated", "median_days", "average_days", "over_28_days"),
    [("East", 2, 0, 3.5, 0), ("North", 4, 7, 11.0, 0), ("South", 3, 3, 12.0, 1)],
    [("East", C, C, C, 0), ("North", C, C, C, 0), ("South", C, C, C, C)],
)
# The same by the episode's organisation: Positive Steps E15; South's team E16 and E18 (median
# 3 of 3, 32; average 17.5).
case(
    "allocation_by_organisation",
    Q1,
    ("organisation", "allocated", "median_days", "average_days", "over_28_days"),
    [
        ("Positive Steps", 1, 1, 1.0, 0),
        ("Targeted Early Help - East", 2, 0, 3.5, 0),
        ("Targeted Early Help - North", 4, 7, 11.0, 0),
        ("Targeted Early Help - South", 2, 3, 17.5, 1),
    ],
    [
        ("Positive Steps", C, C, C, 0),
        ("Targeted Early Help - East", C, C, C, 0),
        ("Targeted Early Help - North", C, C, C, 0),
        ("Targeted Early Help - South", C, C, C, C),
    ],
)
# Episodes with a worker that closed January to March 2026: North E03 (W1 then W2: one change,
# ended 20 Jan) and E07 (ended 20 Mar); South E14 (13 Feb) and E16 (6 Mar); East E21 (30 Jan).
# E04 and E23 (schools) never had a worker.
case(
    "continuity_by_district",
    Q1,
    ("district", "episodes_closed", "worker_changes", "two_or_more_changes"),
    [("East", 1, 0, 0), ("North", 2, 1, 0), ("South", 2, 0, 0)],
    [("East", C, 0, 0), ("North", C, C, 0), ("South", C, 0, 0)],
)
case(
    "continuity_by_organisation",
    Q1,
    ("organisation", "episodes_closed", "worker_changes", "two_or_more_changes"),
    [
        ("Targeted Early Help - East", 1, 0, 0),
        ("Targeted Early Help - North", 2, 1, 0),
        ("Targeted Early Help - South", 2, 0, 0),
    ],
    [
        ("Targeted Early Help - East", C, 0, 0),
        ("Targeted Early Help - North", C, C, 0),
        ("Targeted Early Help - South", C, 0, 0),
    ],
)
# By month of closure, all months: E01 (Jul 2025), E13 (Dec 2025: W3, W4, W3, two changes),
# E03 and E21 (Jan), E14 (Feb), E07 and E16 (Mar).
case(
    "continuity_by_month",
    AS_OF,
    ("month", "episodes_closed", "two_or_more_changes"),
    [("2025-07", 1, 0), ("2025-12", 1, 1), ("2026-01", 2, 0), ("2026-02", 1, 0),
     ("2026-03", 2, 0)],
    [("2025-07", C, 0), ("2025-12", C, C), ("2026-01", C, 0), ("2026-02", C, 0),
     ("2026-03", C, 0)],
)  # fmt: skip


# --- Front door -------------------------------------------------------------------------------
# The 24 contacts of January to March 2026 (K07-K30) by source group: schools (2A) K07 K11 K12
# K13 K14 K24 K27 K29 = 8 (-> 10); police (6) K08 K09 K18 K19 K23 K26 = 6; health (3A, 3B) K10
# K15 K20 K21 K30 = 5; individuals (1A) K16 K28; other (8, 9) K22 K25; LA services (5A) K17.
case(
    "frontdoor_contacts",
    Q1,
    ("category", "contacts"),
    [("Schools", 8), ("Police", 6), ("Health", 5), ("Individuals", 2), ("Other", 2),
     ("LA services", 1)],
    [("Schools", 10), ("Police", C), ("Health", C), ("Individuals", C), ("Other", C),
     ("LA services", C)],
)  # fmt: skip
# Working days from contact to decision (written beside each contact in small_extract.py), the
# 22 decided: 0 K15 K23; 1 K09 K30; 3 K17 K29; 4 K11 K22; 2 the other 14 (-> 15).
_DAYS = [(0, 2), (1, 2), (2, 14), (3, 2), (4, 2)] + [(d, 0) for d in range(5, 12)]
case(
    "frontdoor_decision_days",
    Q1,
    ("decision_days", "contacts"),
    _DAYS,
    [(0, C), (1, C), (2, 15), (3, C), (4, C)] + [(d, 0) for d in range(5, 12)],
)
# December 2025 alone: K06, Monday 22 December to Monday 5 January, 7 working days (Christmas
# Day, Boxing Day and New Year's Day not counted).
case(
    "frontdoor_decision_days",
    {"from": "2025-12-01", "to": "2025-12-31"},
    ("decision_days", "contacts"),
    [(d, 1 if d == 7 else 0) for d in range(12)],
    [(d, C if d == 7 else 0) for d in range(12)],
)
# By district, January to March 2026: East K09 K13 K21 K26 K30, all decided within 2 days;
# North K07 K10 K12 K16 K18 K19 K20 K23 K25 K28 K29 = 11, K19 with no decision, K29 in 3 days;
# South K08 K11 K14 K15 K17 K22 K24 K27 = 8, K24 with no decision, K11 K17 K22 over 2 days.
# Board: East's 5 contacts are withheld alone among the contacts, so the smallest shown one,
# South's 8, is withheld too (secondary suppression); Borough 24 -> 25, 22 -> 20, 18 -> 20.
case(
    "frontdoor_summary",
    {**Q1, "standard": 2},
    ("district", "contacts", "decided", "within_standard", "no_decision"),
    [("East", 5, 5, 5, 0), ("North", 11, 10, 9, 1), ("South", 8, 7, 4, 1),
     ("Borough", 24, 22, 18, 2)],
    [("East", C, C, C, 0), ("North", 10, 10, 10, C), ("South", C, C, C, C),
     ("Borough", 25, 20, 20, C)],
)  # fmt: skip
# The same by month. Board: the borough's January (6) is withheld alone among its months, so
# its February (8, smaller than March's 10) is withheld too.
case(
    "frontdoor_timeliness",
    Q1,
    ("month", "district", "contacts", "decided", "within_standard"),
    [
        ("2026-01", "East", 1, 1, 1), ("2026-02", "East", 1, 1, 1), ("2026-03", "East", 3, 3, 3),
        ("2026-01", "North", 3, 3, 3), ("2026-02", "North", 4, 3, 3),
        ("2026-03", "North", 4, 4, 3),
        ("2026-01", "South", 2, 2, 1), ("2026-02", "South", 3, 3, 2),
        ("2026-03", "South", 3, 2, 1),
        ("2026-01", "Borough", 6, 6, 5), ("2026-02", "Borough", 8, 7, 6),
        ("2026-03", "Borough", 10, 9, 7),
    ],
    [
        ("2026-01", "East", C, C, C), ("2026-02", "East", C, C, C), ("2026-03", "East", C, C, C),
        ("2026-01", "North", C, C, C), ("2026-02", "North", C, C, C),
        ("2026-03", "North", C, C, C),
        ("2026-01", "South", C, C, C), ("2026-02", "South", C, C, C),
        ("2026-03", "South", C, C, C),
        ("2026-01", "Borough", C, C, C), ("2026-02", "Borough", C, C, C),
        ("2026-03", "Borough", 10, 10, C),
    ],
)  # fmt: skip


# --- Pathways and KPIs -------------------------------------------------------------------------
# Episodes closed January to March 2026 by referral source, level and end reason: E04 and E23
# (schools, level 2, outcomes met); E14 (health 3A, step-up); E07 (individual 1A, disengaged);
# E03 (police, step-up); E16 (school, moved away); E21 (school, no further action).
case(
    "journeys_sankey",
    Q1,
    ("source_group", "level_of_need", "end_reason", "episodes"),
    [
        ("Schools", 2, "Outcomes met", 2), ("Health", 3, "Step-up", 1),
        ("Individuals", 3, "Disengaged", 1), ("Police", 3, "Step-up", 1),
        ("Schools", 3, "Moved away", 1), ("Schools", 3, "No further action", 1),
    ],
    [
        ("Schools", 2, "Outcomes met", C), ("Health", 3, "Step-up", C),
        ("Individuals", 3, "Disengaged", C), ("Police", 3, "Step-up", C),
        ("Schools", 3, "Moved away", C), ("Schools", 3, "No further action", C),
    ],
)  # fmt: skip
# Episodes started January to March 2026: North E02 E04-E12 = 10, led by partners E04 E06
# (Northfield Primary) and E09 (health visitors); South E15-E20 = 6, E17 (Oakwood Primary;
# Positive Steps is commissioned, not a partner); East E22-E26 = 5, E23 (Hillside Academy) and
# E26 (health visitors). Borough 21 (-> 20), 6.
case(
    "kpi_partner_led",
    Q1,
    ("district", "period_start", "episodes", "partner_led"),
    [("East", date(2026, 1, 1), 5, 2), ("North", date(2026, 1, 1), 10, 3),
     ("South", date(2026, 1, 1), 6, 1), ("Borough", date(2026, 1, 1), 21, 6)],
    [("East", date(2026, 1, 1), C, C), ("North", date(2026, 1, 1), 10, C),
     ("South", date(2026, 1, 1), C, C), ("Borough", date(2026, 1, 1), 20, C)],
)  # fmt: skip
# The same referrals, with population.csv's children (the mid-2025 estimate, the only one):
# North 200 + 800 + 1000 + 1200 + 400 = 3600, South 2700, East 1800, borough 8100. Under 18
# (the rate's numerator): all but E20 (South: C18 is 18 on its start day).
case(
    "kpi_referral_rate",
    Q1,
    ("district", "referrals", "referrals_under_18", "children"),
    [
        ("East", 5, 5, 1800),
        ("North", 10, 10, 3600),
        ("South", 6, 5, 2700),
        ("Borough", 21, 20, 8100),
    ],
    [
        ("East", C, C, 1800),
        ("North", 10, 10, 3600),
        ("South", C, C, 2700),
        ("Borough", 20, 20, 8100),
    ],
)


# Episodes started January to March 2026 by level of need: 1 E19; 2 E04 E06 E09 E17 E23 E26;
# 0 (not recorded) E10; 3 the other 13 (-> 15). Open on 31 March: 1, 4 (E04 and E23 closed), 1
# and 11 (-> 10; E07 and E16 closed).
case(
    "pathway_levels",
    Q1,
    ("level_of_need", "referrals", "open_at_end"),
    [(1, 1, 1), (2, 6, 4), (3, 13, 11), (4, 0, 0), (0, 1, 1)],
    [(1, C, C), (2, C, C), (3, 15, 10), (4, 0, 0), (0, C, C)],
)
# Financial year 2025-26 (all 26 episodes, a full year): East E21-E26 = 6, partners E23
# (school) and E26 (health); North 12, E04 E06 (school) and E09 (health); South 8, E17 (school).
# Board: East's 6 is withheld alone among the districts' episodes, so the smallest shown, South's
# 8, is withheld too; North 12 -> 10, borough 26 -> 25.
case(
    "pathway_partner_led",
    {},
    ("financial_year", "part_year", "district", "episodes", "partner_led", "schools", "health",
     "early_years", "not_recorded"),
    [("2025-26", False, "East", 6, 2, 1, 1, 0, 0), ("2025-26", False, "North", 12, 3, 2, 1, 0, 0),
     ("2025-26", False, "South", 8, 1, 1, 0, 0, 0),
     ("2025-26", False, "Borough", 26, 6, 4, 2, 0, 0)],
    [("2025-26", False, "East", C, C, C, C, 0, 0), ("2025-26", False, "North", 10, C, C, C, 0, 0),
     ("2025-26", False, "South", C, C, C, 0, 0, 0),
     ("2025-26", False, "Borough", 25, C, C, C, 0, 0)],
)  # fmt: skip
# Of the 21 referrals of January to March 2026, E02 (C01, after E01) and E12 (C06, after E07)
# are second episodes, the other 19 first ones. Board: the 2 is withheld alone, so the 19
# (-> 20) is withheld too.
case(
    "pathway_repeat_episodes",
    Q1,
    ("episode", "referrals"),
    [("First episode", 19), ("Second episode", 2), ("Third episode", 0), ("Fourth or later", 0)],
    [("First episode", C), ("Second episode", C), ("Third episode", 0), ("Fourth or later", 0)],
)
# Re-referrals within 365 days before the referral: E02 (12 Jan 2026, 286 days after E01) and
# E12 (25 Mar, 37 days after E07), both North.
case(
    "pathway_rereferrals_by_month",
    Q1,
    ("month", "district", "referrals", "rereferrals_12m"),
    [
        ("2026-01", "East", 1, 0), ("2026-02", "East", 1, 0), ("2026-03", "East", 3, 0),
        ("2026-01", "North", 3, 1), ("2026-02", "North", 3, 0), ("2026-03", "North", 4, 1),
        ("2026-01", "South", 2, 0), ("2026-02", "South", 2, 0), ("2026-03", "South", 2, 0),
        ("2026-01", "Borough", 6, 1), ("2026-02", "Borough", 6, 0),
        ("2026-03", "Borough", 9, 1),
    ],
    [
        ("2026-01", "East", C, 0), ("2026-02", "East", C, 0), ("2026-03", "East", C, 0),
        ("2026-01", "North", C, C), ("2026-02", "North", C, 0), ("2026-03", "North", C, C),
        ("2026-01", "South", C, 0), ("2026-02", "South", C, 0), ("2026-03", "South", C, 0),
        ("2026-01", "Borough", C, C), ("2026-02", "Borough", C, 0),
        ("2026-03", "Borough", 10, C),
    ],
)  # fmt: skip
# Step-ups January to March 2026, time from the episode's start: E14 (ended Step-up 13 Feb, 102
# days; R02 from early help 3 days later is the same step-up) and E03 (20 Jan, 106 days; R01
# the next day the same); R03 (C07, from early help on 10 Mar while E08, started 23 Feb, is
# open: 15 days).
case(
    "pathway_step_ups",
    Q1,
    ("category", "step_ups"),
    [("Under 1 month", 1), ("1 to 3 months", 0), ("3 to 6 months", 2), ("6 to 12 months", 0),
     ("12 months or more", 0)],
    [("Under 1 month", C), ("1 to 3 months", 0), ("3 to 6 months", C), ("6 to 12 months", 0),
     ("12 months or more", 0)],
)  # fmt: skip
# By month: step-ups E03 (Jan), E14 (Feb), R03 (Mar); early help closed Jan E03 E21, Feb E04
# E14, Mar E07 E16 E23; social care closed in February R04 (RC9, a step-down) and R05 (RC8).
case(
    "pathway_steps_by_month",
    Q1,
    ("month", "step_ups", "early_help_closed", "step_downs", "social_care_closed"),
    [("2026-01", 1, 2, 0, 0), ("2026-02", 1, 2, 1, 2), ("2026-03", 1, 3, 0, 0)],
    [("2026-01", C, C, 0, 0), ("2026-02", C, C, C, C), ("2026-03", C, C, 0, 0)],
)
# By district, January to March 2026 (days open and days to step-up as above):
# East: 5 referrals; R05 closed; E21 (151 days) and E23 (51, outcomes met) closed: median 101.
# North: 10 referrals, re-referrals E02 E12; step-ups E03 (106 days) and R03 (15): median 60.5;
# closed E03 (106) E04 (53, outcomes met) E07 (32): median 53.
# South: 6 referrals; step-up E14 (102); step-down R04; closed E14 (102) E16 (39): median 70.5.
# Borough: 21, 2, 3 step-ups (median of 15, 102, 106: 102), 1, 2, 7 closed (median 53), 2.
# Board: every count but 10 (-> 10) and 21 (-> 20) withheld, and with them every median.
case(
    "pathway_summary",
    Q1,
    ("district", "referrals", "rereferrals_12m", "step_ups", "step_downs", "social_care_closed",
     "closed", "closed_outcomes_met", "median_days_open", "median_days_to_step_up"),
    [("East", 5, 0, 0, 0, 1, 2, 1, 101.0, None),
     ("North", 10, 2, 2, 0, 0, 3, 1, 53.0, 60.5),
     ("South", 6, 0, 1, 1, 1, 2, 0, 70.5, 102.0),
     ("Borough", 21, 2, 3, 1, 2, 7, 2, 53.0, 102.0)],
    # East's median days to step-up has nothing to work out (no step-ups, shown as 0): empty.
    [("East", C, 0, 0, 0, C, C, C, C, None),
     ("North", 10, C, C, 0, 0, C, C, C, C),
     ("South", C, 0, C, C, C, C, 0, C, C),
     ("Borough", 20, C, C, C, C, C, C, C, C)],
)  # fmt: skip
# Records, for analysts only: East's episodes open on 31 March 2026 (4 match).
case(
    "episode_records",
    {"district": "East", "open_on": "2026-03-31"},
    ("episode_id", "start_date", "level_of_need", "source_group", "age_band", "matching"),
    [("E22", date(2026, 1, 14), 3, "Police", "5-9", 4),
     ("E24", date(2026, 3, 4), 3, "Health", "5-9", 4),
     ("E25", date(2026, 3, 18), 3, "Police", "10-15", 4),
     ("E26", date(2026, 3, 30), 2, "Health", "Under 1", 4)],
    None,
)  # fmt: skip
# Level 2 episodes started from 2026, earliest first: E04 (5 Jan), E06 (2 Feb), E23 (4 Feb), E17
# (9 Feb), E09 (2 Mar), E26 (30 Mar).
case(
    "episode_records",
    {"level_of_need": 2, "started_from": "2026-01-01"},
    ("episode_id", "district", "matching"),
    [("E04", "North", 6), ("E06", "North", 6), ("E23", "East", 6), ("E17", "South", 6),
     ("E09", "North", 6), ("E26", "East", 6)],
    None,
)  # fmt: skip


# --- Outcomes ---------------------------------------------------------------------------------
# Episodes closed January to March 2026 and their days open: level 2 E04 (5 Jan to 27 Feb, 53)
# and E23 (4 Feb to 27 Mar, 51), both outcomes met, median 52; level 3 E07 (32), E16 (39), E14
# (3 Nov to 13 Feb, 102), E03 (6 Oct to 20 Jan, 106), E21 (1 Sep to 30 Jan, 151), median 102;
# all seven, median 53.
case(
    "outcomes_by_level",
    Q1,
    ("level", "closed", "closed_outcomes_met", "median_days_open"),
    [("Level 2", 2, 2, 52.0), ("Level 3", 5, 0, 102.0), ("All levels", 7, 2, 53.0)],
    [("Level 2", C, C, C), ("Level 3", C, 0, C), ("All levels", C, C, C)],
)
# The same closures by end reason: level 3 step-ups E03 E14, disengaged E07, moved away E16, no
# further action E21. The board sees 0 where none closed that way and c for every other cell.
_REASONS = ("Outcomes met", "Step-up", "Disengaged", "Moved away", "No further action", "Other")
_CLOSURES = {
    "Level 2": (2, 0, 0, 0, 0, 0),
    "Level 3": (0, 2, 1, 1, 1, 0),
    "All levels": (2, 2, 1, 1, 1, 0),
}
_CLOSURES_BOARD = {
    "Level 2": (C, 0, 0, 0, 0, 0),
    "Level 3": (0, C, C, C, C, 0),
    "All levels": (C, C, C, C, C, 0),
}
_CLOSED = {"Level 2": 2, "Level 3": 5, "All levels": 7}
case(
    "outcomes_closures",
    Q1,
    ("grp", "district", "end_reason", "closures", "closed"),
    [
        (g, "Borough", r, _CLOSURES[g][i], _CLOSED[g])
        for g in _CLOSURES
        for i, r in enumerate(_REASONS)
    ],
    [
        (g, "Borough", r, _CLOSURES_BOARD[g][i], C)
        for g in _CLOSURES
        for i, r in enumerate(_REASONS)
    ],
)
# Days open in bands: 1 to 3 months (30-90 days) 32 39 51 53; 3 to 6 months 102 106 151.
case(
    "outcomes_durations",
    Q1,
    ("duration", "closures"),
    [("Under 1 month", 0), ("1 to 3 months", 4), ("3 to 6 months", 3), ("6 to 9 months", 0),
     ("9 to 12 months", 0), ("12 months or more", 0)],
    [("Under 1 month", 0), ("1 to 3 months", C), ("3 to 6 months", C), ("6 to 9 months", 0),
     ("9 to 12 months", 0), ("12 months or more", 0)],
)  # fmt: skip
# April 2025 to March 2026: all 26 referrals (-> 25), none the year before, all 30 contacts
# (none the year before), 2 episodes ended Step-up (E03, E14; none the year before), 17 open
# on 31 March (-> 15); the extract starts after 31 March 2025, so nothing to count open then
# (null: for the board, as for a withheld count, no figure and so no change on the tile).
case(
    "overview_headlines",
    AS_OF,
    ("period_start", "referrals_12m", "referrals_prev_12m", "contacts_12m", "contacts_prev_12m",
     "step_ups_12m", "step_ups_prev_12m", "open_episodes", "open_episodes_year_before"),
    [(date(2025, 4, 1), 26, 0, 30, 0, 2, 0, 17, None)],
    [(date(2025, 4, 1), 25, 0, 30, 0, C, 0, 15, C)],
)  # fmt: skip

# --- Set beside DfE's published figures ------------------------------------------------------
# Social care referrals in the year to 31 March 2026 (the extract's referrals run from R07 on 2
# April 2025 to R08 on 27 March 2026, so the year is covered): R01-R08 = 8 (-> 10), of which
# R08 (C22, 137 days after R05) is a re-referral: 12.5%. Nothing before April 2025 to look back
# to. Board: the 1 and with it the percentage withheld.
case(
    "benchmark_extract_referrals",
    {},
    ("year_ending", "referrals", "rereferrals", "rereferral_pct", "lookback_complete"),
    [(2026, 8, 1, 12.5, False)],
    [(2026, 10, C, C, False)],
)


# --- The tests --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def runner(tmp_path_factory) -> QueryRunner:
    opened = QueryRunner.open(small_warehouse(tmp_path_factory))
    yield opened
    opened.close()


def _rows(runner: QueryRunner, item: Case, role: str) -> list[tuple]:
    frame = runner.run(item.query, item.params, Role.parse(role))
    missing = [c for c in item.columns if c not in frame.columns]
    assert not missing, f"{item.query} returns no {missing}"
    query = runner.queries[item.query]
    rows = []
    for row in frame.select(item.columns).iter_rows(named=True):
        shown = []
        for name, value in row.items():
            withheld = value is None and role != "analyst"
            if withheld and name in query.statistics:
                # Empty when there was nothing to work out (its counts shown), else withheld.
                withheld = any(row.get(base, 0) is None for base in query.statistics[name])
            shown.append(C if withheld else value)
        rows.append(tuple(shown))
    return rows


def _id(item: Case) -> str:
    return f"{item.query}{item.params}"


@pytest.mark.parametrize("item", CASES, ids=_id)
def test_analyst_sees_hand_counted_figures(runner, item):
    assert _rows(runner, item, "analyst") == item.analyst


@pytest.mark.parametrize("item", [c for c in CASES if c.board is not None], ids=_id)
def test_board_sees_hand_protected_figures(runner, item):
    assert _rows(runner, item, "board") == item.board


@pytest.mark.parametrize("name", sorted(ANALYST_ONLY))
def test_board_may_not_run_record_and_worker_queries(runner, name):
    with pytest.raises(QueryError, match="only for"):
        runner.run(name, {"as_of": "2026-03-31"} if name == "workers_caseload" else {})


def test_every_count_query_has_expectations():
    queries = load_queries()
    covered = {c.query for c in CASES}
    counting = {name for name, q in queries.items() if name not in NOT_COUNT_QUERIES and q.counts}
    assert counting - covered == set(), "count queries with no hand-counted expectations"
    assert {n for n in NOT_COUNT_QUERIES if queries[n].counts} == set(), (
        "a query listed as returning no counts now declares some"
    )
    assert set(NOT_COUNT_QUERIES) <= set(queries), "a listed query no longer exists"
    assert set(queries) - covered - set(NOT_COUNT_QUERIES) == set(), (
        "a new query: give it hand-counted expectations or say here why it has none"
    )
    # Every query the board may run, with counts, has a board expectation.
    board_may_run = {n for n in counting if not queries[n].roles or "board" in queries[n].roles}
    assert board_may_run - {c.query for c in CASES if c.board is not None} == set()
    assert board_may_run | set(ANALYST_ONLY) == counting, "a count query the board may not run"
