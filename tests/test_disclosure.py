"""Disclosure control (earlyhelp.query.disclosure): primary and secondary suppression, rounding, and
a search for two filtered views whose difference gives away a small count."""

from __future__ import annotations

import dataclasses
import itertools

import polars as pl
import pytest
from hypothesis import HealthCheck, event, find, given, settings
from hypothesis import strategies as st

from earlyhelp.query import disclosure
from earlyhelp.query.disclosure import POLICIES, Policy, protect, protect_value, shown_range

DFE, NHS = POLICIES["dfe"], POLICIES["nhs"]


@pytest.mark.parametrize(
    ("policy", "true", "shown"),
    [
        (DFE, 0, 0),
        (DFE, 1, None),
        (DFE, 5, None),
        # 6 and 7 would be shown as 5, read as an unsuppressed small count: withheld.
        (DFE, 6, None),
        (DFE, 7, None),
        (DFE, 8, 10),
        (DFE, 12, 10),
        (DFE, 13, 15),
        (DFE, 7051, 7050),
        (NHS, 7, None),
        (NHS, 8, 10),
        (NHS, 0, 0),
    ],
)
def test_each_count_is_suppressed_or_rounded(policy, true, shown):
    assert protect_value(true, policy) == shown


@pytest.mark.parametrize("policy", [DFE, NHS], ids=["dfe", "nhs"])
def test_shown_range_is_exactly_the_counts_shown_that_way(policy):
    for true in range(0, 200):
        shown = protect_value(true, policy)
        assert true in shown_range(shown, policy)
        assert all(protect_value(v, policy) == shown for v in shown_range(shown, policy))


def test_protect_applies_the_policy_to_count_columns_only():
    frame = pl.DataFrame(
        {"month": ["a", "b", "c"], "referrals": [0, 3, 7051], "children": [4, 4, 4]}
    )
    out = protect(frame, ["referrals"], DFE)
    assert out["referrals"].to_list() == [0, None, 7050]
    assert out["children"].to_list() == [4, 4, 4]
    assert out.schema == frame.schema


def test_secondary_suppression_protects_a_lonely_suppressed_cell():
    frame = pl.DataFrame(
        {
            "month": ["2025-01"] * 3 + ["2025-02"] * 3,
            "district": ["North", "South", "East"] * 2,
            "referrals": [3, 40, 9, 20, 30, 40],
        }
    )
    out = protect(frame, ["referrals"], DFE, key_columns=["month", "district"])
    january = out.filter(pl.col("month") == "2025-01")["referrals"].to_list()
    # North (3) is suppressed; East (9), the smallest other cell that month, goes with it.
    assert january == [None, 40, None]
    # Across months, North and East each now have one suppressed cell: their February cells
    # are suppressed too, so neither January value can be recovered from a district total.
    february = out.filter(pl.col("month") == "2025-02")["referrals"].to_list()
    assert february[1] == 30
    assert february[0] is None and february[2] is None


def test_no_suppression_no_change_beyond_rounding():
    frame = pl.DataFrame({"district": ["North", "South"], "referrals": [40, 61]})
    out = protect(frame, ["referrals"], DFE, key_columns=["district"])
    assert out["referrals"].to_list() == [40, 60]


def test_policy_comes_from_configuration(monkeypatch):
    monkeypatch.setenv(disclosure.POLICY_ENV, "nhs")
    assert disclosure.current_policy() is NHS
    monkeypatch.setenv(disclosure.POLICY_ENV, "none")
    with pytest.raises(ValueError, match="not a disclosure policy"):
        disclosure.current_policy()


# --- Differencing: a search for two views that give away a small count --------------------------
# The grid of true counts behind every view: district x source x age band x month.
DISTRICTS = ("North", "South", "East")
SOURCES = ("Schools", "Health", "Police")
AGES = ("1-4", "5-9", "10-15")
MONTHS = ("2025-01", "2025-02", "2025-03")
GRID = list(itertools.product(DISTRICTS, SOURCES, AGES, MONTHS))
#: What a reader can say of a withheld cell: it is not 0 (a true zero is shown as 0) and, since
#: a complementary suppression can hide any count, it may be as large as the whole grid.
LARGEST = len(GRID) * 40


@dataclasses.dataclass(frozen=True)
class Case:
    """Two views of the same grid, the inner one's children all in the outer one, as a dashboard
    user can ask for them; `difference` (the children in the outer view only) is 1 to the
    policy's promise by construction."""

    counts: dict
    policy: Policy
    promise: int
    kind: str  # "narrower filter", "one district of the borough", "borough less the others"
    outer: tuple  # (sources, ages) shown for the outer view
    inner: tuple
    district: str
    month: str
    difference: int


def _in(key: tuple, chosen: tuple) -> bool:
    _, source, age, _ = key
    sources, ages = chosen
    return source in sources and age in ages


def _outer_only(case_kind: str, outer: tuple, inner: tuple, district: str, month: str):
    """The grid cells counted in the outer view and not in the inner one."""
    return [
        key
        for key in GRID
        if key[3] == month
        and _in(key, outer)
        and (
            (case_kind == "narrower filter" and key[0] == district and not _in(key, inner))
            or (
                case_kind == "one district of the borough"
                and not (key[0] == district and _in(key, inner))
            )
            or (case_kind == "borough less the others" and key[0] == district)
        )
    ]


def _some_of(values) -> st.SearchStrategy:
    """One or more of `values` (a permutation cut short: never a rejected draw)."""
    return st.permutations(values).flatmap(
        lambda order: st.integers(1, len(order)).map(lambda k: frozenset(order[:k]))
    )


@st.composite
def nested_views(draw, policy: Policy, promise: int) -> Case:
    """Draws the views first, then the counts, so that the children in one view and not the
    other number 1 to `promise`: every case reaches the check (a search over random counts
    and filters almost never finds a small difference between nested views)."""
    outer = (draw(_some_of(SOURCES)), draw(_some_of(AGES)))
    inner = (draw(_some_of(sorted(outer[0]))), draw(_some_of(sorted(outer[1]))))
    kinds = ["one district of the borough", "borough less the others"]
    if inner != outer:
        kinds.append("narrower filter")
    kind = draw(st.sampled_from(kinds))
    if kind == "borough less the others":
        inner = outer  # the same filter, one district left out by summing the others
    district, month = draw(st.sampled_from(DISTRICTS)), draw(st.sampled_from(MONTHS))
    values = draw(st.lists(st.integers(0, 40), min_size=len(GRID), max_size=len(GRID)))
    counts = dict(zip(GRID, values, strict=True))
    region = _outer_only(kind, outer, inner, district, month)
    difference = draw(st.integers(1, promise))
    for key in region:
        counts[key] = 0
    for key in draw(st.lists(st.sampled_from(region), min_size=difference, max_size=difference)):
        counts[key] += 1
    return Case(counts, policy, promise, kind, outer, inner, district, month, difference)


def _published(case: Case, chosen: tuple, by_district: bool) -> dict:
    """One view as the dashboard publishes it: the filtered counts by month (and district),
    through `protect` with its key columns, so secondary suppression is applied as in a page."""
    totals: dict = {}
    for key, n in case.counts.items():
        if _in(key, chosen):
            cell = (key[0], key[3]) if by_district else (key[3],)
            totals[cell] = totals.get(cell, 0) + n
    keys = ["district", "month"] if by_district else ["month"]
    frame = pl.DataFrame(
        [dict(zip(keys, cell, strict=True), referrals=n) for cell, n in sorted(totals.items())]
    )
    out = protect(frame, ["referrals"], case.policy, key_columns=keys)
    return {tuple(row[k] for k in keys): row["referrals"] for row in out.iter_rows(named=True)}


def _true(case: Case, chosen: tuple, district: str | None) -> int:
    return sum(
        n
        for key, n in case.counts.items()
        if key[3] == case.month and _in(key, chosen) and district in (None, key[0])
    )


def _readable(shown: int | None, policy: Policy) -> tuple[int, int]:
    """The true counts a reader can infer from one published cell, as (lowest, highest)."""
    if shown is None:
        return 1, LARGEST
    possible = shown_range(shown, policy)
    return possible.start, possible.stop - 1


def _what_a_reader_learns(case: Case) -> dict:
    """The published cells of the two views, and what they tell a reader of the difference."""
    if case.kind == "narrower filter":
        outer_cells = [_published(case, case.outer, True)[(case.district, case.month)]]
        inner_cells = [_published(case, case.inner, True)[(case.district, case.month)]]
        outer_true = _true(case, case.outer, case.district)
        inner_true = _true(case, case.inner, case.district)
    elif case.kind == "one district of the borough":
        outer_cells = [_published(case, case.outer, False)[(case.month,)]]
        inner_cells = [_published(case, case.inner, True)[(case.district, case.month)]]
        outer_true = _true(case, case.outer, None)
        inner_true = _true(case, case.inner, case.district)
    else:  # the borough less the sum of the other districts: one district's count
        outer_cells = [_published(case, case.outer, False)[(case.month,)]]
        by_district = _published(case, case.outer, True)
        inner_cells = [by_district[(d, case.month)] for d in DISTRICTS if d != case.district]
        outer_true = _true(case, case.outer, None)
        inner_true = outer_true - _true(case, case.outer, case.district)
    outer = [_readable(s, case.policy) for s in outer_cells]
    inner = [_readable(s, case.policy) for s in inner_cells]
    outer_low, outer_high = sum(o[0] for o in outer), sum(o[1] for o in outer)
    inner_low, inner_high = sum(i[0] for i in inner), sum(i[1] for i in inner)
    return {
        "shown": outer_cells + inner_cells,
        "true": (outer_true, inner_true),
        "honest": outer_low <= outer_true <= outer_high and inner_low <= inner_true <= inner_high,
        "difference": (max(outer_low - inner_high, 0), outer_high - inner_low),
    }


def _gives_away_a_small_count(case: Case) -> bool:
    """True if the two published views let a reader pin down the difference, or know it to be
    1 to the policy's promise, or if a published cell is a figure from 1 to the promise, or
    misleads (the truth is not among what the reader infers)."""
    learnt = _what_a_reader_learns(case)
    low, high = learnt["difference"]
    small_figure = any(s is not None and 1 <= s <= case.promise for s in learnt["shown"])
    return (
        not learnt["honest"]
        or not low <= case.difference <= high
        or low == high
        or 1 <= low <= high <= case.promise
        or small_figure
    )


#: Each policy with the number of children it promises never to give away.
PROMISES = [(DFE, DFE.suppress_up_to), (NHS, NHS.suppress_up_to)]


def _with_promise(policy_and_promise: tuple) -> st.SearchStrategy:
    return nested_views(*policy_and_promise)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PROMISES).flatmap(_with_promise))
def test_no_pair_of_nested_views_gives_away_a_small_count(case):
    """For two views one inside the other (a narrower filter, one district of the borough, the
    borough less the other districts), each published as a page publishes it (`protect` with
    key columns: primary and secondary suppression, then rounding), a reader cannot pin down
    the children in one and not the other, nor tell that they are 1 to the promised few.

    The cases are drawn so that the difference is small, so every one reaches the check
    (`pytest --hypothesis-show-statistics` shows the share and the kinds of pair)."""
    event(f"policy {case.policy.name}, {case.kind}")
    outer_true, inner_true = _what_a_reader_learns(case)["true"]
    assert outer_true - inner_true == case.difference, "the case is what it says it is"
    assert 1 <= case.difference <= case.promise
    event("reached the check")
    assert not _gives_away_a_small_count(case), _what_a_reader_learns(case)


@dataclasses.dataclass(frozen=True)
class _Unsuppressed(Policy):
    """The DfE policy with primary suppression switched off: small counts are only rounded."""

    @property
    def withheld_up_to(self) -> int:
        return 0


@pytest.mark.parametrize(
    "weakened",
    [
        dataclasses.replace(DFE, round_to=1),
        _Unsuppressed("dfe", DFE.suppress_up_to, DFE.round_to, "suppression off"),
    ],
    ids=["rounding off", "suppression off"],
)
def test_the_differencing_check_finds_a_leak_when_a_protection_is_turned_off(weakened):
    """The property above has teeth: with rounding, or primary suppression, turned off, the
    same search finds two views that give a small count away."""
    leak = find(
        nested_views(weakened, DFE.suppress_up_to),
        _gives_away_a_small_count,
        settings=settings(max_examples=2_000, database=None, deadline=None),
    )
    assert 1 <= leak.difference <= DFE.suppress_up_to


@pytest.mark.parametrize(
    ("policy", "true", "shown"),
    [(DFE, 0, 0), (DFE, 7, None), (DFE, 8, 10), (DFE, 12, 10), (DFE, 13, 15), (NHS, 9, 10)],
)
def test_the_same_count_is_shown_the_same_way_wherever_it_appears(policy, true, shown):
    """Asking again, or for the same children through another query, gives nothing new: the
    count is shown as the same figure (written out here) whatever else is in the result."""
    alone = pl.DataFrame({"n": [true]})
    among_others = pl.DataFrame({"n": [41, true, 3, 0, true, 97]})
    assert protect(alone, ["n"], policy)["n"].to_list() == [shown]
    assert protect(among_others, ["n"], policy)["n"].to_list()[1::3] == [shown, shown]


# --- Statistics worked out from counts ------------------------------------------------------------
def test_a_median_is_withheld_when_its_count_is():
    frame = pl.DataFrame(
        {
            "district": ["North", "South", "East", "West"],
            "allocated": [3, 40, 0, 12],
            "median_days": [9, 4, None, 6],
            "average_days": [8.5, 4.2, None, 6.1],
        }
    )
    statistics = {"median_days": ("allocated",), "average_days": ("allocated",)}
    out = protect(frame, ["allocated"], DFE, statistics=statistics)
    assert out["allocated"].to_list() == [None, 40, 0, 10]
    # North's 3 families: their median and average would describe those 3, so both go.
    assert out["median_days"].to_list() == [None, 4, None, 6]
    assert out["average_days"].to_list() == [None, 4.2, None, 6.1]
    assert out.schema == frame.schema


def test_a_percentage_is_withheld_when_its_numerator_or_denominator_is():
    frame = pl.DataFrame(
        {
            "grp": ["a", "b", "c", "d"],
            "part": [2, 30, 20, 0],
            "whole": [50, 4, 80, 60],
            "pct": [4.0, 750.0, 25.0, 0.0],
        }
    )
    out = protect(frame, ["part", "whole"], DFE, statistics={"pct": ("part", "whole")})
    assert out["pct"].to_list() == [None, None, 25.0, 0.0]


def test_a_statistic_of_a_complementary_suppression_is_withheld_too():
    frame = pl.DataFrame(
        {
            "month": ["2025-01"] * 3,
            "district": ["North", "South", "East"],
            "closed": [3, 40, 9],
            "median_days_open": [50.0, 60.0, 70.0],
        }
    )
    out = protect(
        frame,
        ["closed"],
        DFE,
        key_columns=["month", "district"],
        statistics={"median_days_open": ("closed",)},
    )
    assert out["closed"].to_list() == [None, 40, None]  # East (9) hides North (3)
    assert out["median_days_open"].to_list() == [None, 60.0, None]


def test_withheld_statistics_show_as_c_and_empty_ones_stay_empty():
    frame = pl.DataFrame(
        {"allocated": [None, 0, 40], "median_days": [None, None, 4]},
        schema={"allocated": pl.Int64, "median_days": pl.Int64},
    )
    shown = disclosure.as_display_text(frame, ["allocated"], {"median_days": ("allocated",)})
    assert shown["allocated"].to_list() == ["c", "0", "40"]
    assert shown["median_days"].to_list() == ["c", None, "4"]


# --- A manager of one district: their rows exact, the rest protected among themselves ------------
def test_exact_rows_are_left_alone_and_the_others_protected():
    frame = pl.DataFrame(
        {
            "month": ["2025-01"] * 4,
            "district": ["North", "South", "East", "Borough"],
            "referrals": [3, 40, 9, 52],
            "median_days": [10.0, 20.0, 30.0, 25.0],
        }
    )
    exact = frame["district"] == "North"
    out = protect(
        frame,
        ["referrals"],
        DFE,
        key_columns=["month", "district"],
        statistics={"median_days": ("referrals",)},
        exact_rows=exact,
    )
    assert out["district"].to_list() == frame["district"].to_list(), "row order kept"
    assert out.row(0) == frame.row(0), "North exactly, small count and its median too"
    assert out["referrals"].to_list()[1:] == [40, 10, 50]
    # Nothing to hide among the others: no complementary suppression spent on North's row.
    assert out.schema == frame.schema


def test_with_no_exact_rows_protect_is_the_board_view():
    frame = pl.DataFrame({"district": ["North", "South"], "referrals": [3, 41]})
    none = pl.Series([False, False])
    assert protect(frame, ["referrals"], DFE, exact_rows=none).equals(
        protect(frame, ["referrals"], DFE)
    )
