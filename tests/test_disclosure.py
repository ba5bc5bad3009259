"""Disclosure control (earlyhelp.disclosure): primary and secondary suppression, rounding, and
a search for two filtered views whose difference gives away a small count."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from earlyhelp import disclosure
from earlyhelp.disclosure import POLICIES, protect, protect_value, shown_range

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
DISTRICTS = ("North", "South", "East")
SOURCES = ("Schools", "Health", "Police")
AGES = ("1-4", "5-9", "10-15")
MONTHS = ("2025-01", "2025-02", "2025-03")
DIMENSIONS = (DISTRICTS, SOURCES, AGES, MONTHS)

cells = st.lists(
    st.integers(min_value=0, max_value=14),
    min_size=len(DISTRICTS) * len(SOURCES) * len(AGES) * len(MONTHS),
    max_size=len(DISTRICTS) * len(SOURCES) * len(AGES) * len(MONTHS),
)
# A filter on each dimension: None (all), or a set of values (one value, or a date range).
filters = st.tuples(
    *[st.one_of(st.none(), st.sets(st.sampled_from(values), min_size=1)) for values in DIMENSIONS]
)


def _view(counts: dict, chosen: tuple) -> int:
    return sum(
        n
        for key, n in counts.items()
        if all(f is None or value in f for value, f in zip(key, chosen, strict=True))
    )


def _narrower(outer: tuple, inner: tuple) -> bool:
    return all(o is None or (i is not None and i <= o) for o, i in zip(outer, inner, strict=True))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=cells, first=filters, second=filters, policy=st.sampled_from([DFE, NHS]))
def test_no_pair_of_filtered_views_gives_away_a_small_count(values, first, second, policy):
    """For any two views one inside the other (a district and all districts, a month and a
    quarter, ...), the children in one but not the other number 1 to the threshold only if a
    reader cannot tell that from the two published counts: the true counts each could stand for
    leave more than one possible difference."""
    counts = dict(zip(itertools.product(*DIMENSIONS), values, strict=True))
    if not _narrower(first, second):
        first, second = second, first
    if not _narrower(first, second):
        return  # not nested: their difference is not one group of children
    outer, inner = _view(counts, first), _view(counts, second)
    difference = outer - inner
    if not 1 <= difference <= policy.suppress_up_to:
        return
    shown_outer = protect_value(outer, policy)
    shown_inner = protect_value(inner, policy)
    possible = {
        a - b
        for a in shown_range(shown_outer, policy)
        for b in shown_range(shown_inner, policy)
        if a >= b
    }
    assert len(possible) > 1, (outer, inner, shown_outer, shown_inner)
    assert 0 in possible or min(possible) < difference or max(possible) > difference


@given(st.integers(min_value=0, max_value=10_000), st.sampled_from([DFE, NHS]))
def test_the_same_count_is_always_shown_the_same_way(value, policy):
    """Asking again, or for the same children through another filter, gives nothing new."""
    assert protect_value(value, policy) == protect_value(value, policy)
    frame = pl.DataFrame({"n": [value, value]})
    assert protect(frame, ["n"], policy)["n"].n_unique() == 1


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
