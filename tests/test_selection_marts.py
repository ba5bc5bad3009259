"""The selection marts (every Demand selection summed ahead) give the same figures as summing the
detailed marts they are built from, for every combination of filters set and unset."""

from __future__ import annotations

import itertools

import polars as pl
import pytest

from earlyhelp.load.warehouse import current_version_dir
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner

ANALYST = Role.parse("analyst")
REFERRAL_FILTERS = ("district", "source_group", "level_of_need", "age_band")
CONTACT_FILTERS = ("district", "source_group", "age_band")


@pytest.fixture(scope="module")
def runner(demo_warehouse) -> QueryRunner:
    return QueryRunner.open(demo_warehouse)


@pytest.fixture(scope="module")
def marts(demo_warehouse):
    """The warehouse's marts read from their Parquet copies, not through the named queries."""
    folder = current_version_dir(demo_warehouse) / "marts"
    return lambda name: pl.read_parquet(folder / f"{name}.parquet")


def _summed(detail: pl.DataFrame, measure: str, chosen: dict, population: pl.DataFrame):
    """The series for a selection (by month or week), summed here from the detailed mart."""
    period = "month" if "month" in detail.columns else "week"
    shown = "%Y-%m" if period == "month" else "%Y-%m-%d"
    periods = detail.select(pl.col(period).unique()).sort(period)
    selected = detail.filter(
        *[pl.col(column) == value for column, value in chosen.items() if value is not None]
    )
    covered = population["age_band"].unique().to_list()
    sums = selected.group_by(period).agg(
        pl.col(measure).sum(),
        pl.col(measure).filter(pl.col("age_band").is_in(covered)).sum().alias("under_18"),
    )
    return (
        periods.join(sums, on=period, how="left")
        .fill_null(0)
        .select(pl.col(period).dt.strftime(shown), measure, "under_18")
        .sort(period)
    )


def _selections(detail: pl.DataFrame, columns: tuple[str, ...]):
    """Every pattern of filters set and unset, each set filter on its most common value."""
    common = {
        column: detail.group_by(column).len().sort("len", descending=True)[column][0]
        for column in columns
    }
    for pattern in itertools.product((False, True), repeat=len(columns)):
        yield {
            column: common[column] if used else None
            for column, used in zip(columns, pattern, strict=True)
        }


@pytest.mark.parametrize(
    ("query", "detail_mart", "measure", "filters"),
    [
        (
            "referrals_filtered",
            "mart_referrals_monthly",
            "referrals",
            REFERRAL_FILTERS,
        ),
        (
            "contacts_filtered",
            "mart_contacts_monthly",
            "contacts",
            CONTACT_FILTERS,
        ),
        (
            "referrals_filtered_weekly",
            "mart_referrals_by_period:week",
            "referrals",
            REFERRAL_FILTERS,
        ),
        (
            "contacts_filtered_weekly",
            "mart_contacts_by_period:week",
            "contacts",
            CONTACT_FILTERS,
        ),
    ],
)
def test_every_selection_matches_the_detailed_mart(
    runner, marts, query, detail_mart, measure, filters
):
    name, *period = detail_mart.split(":")  # `mart:week`: the week rows of a by-period mart
    detail = marts(name)
    if period:
        detail = detail.filter(period=period[0]).drop("period").rename({"period_start": "week"})
    population = marts("mart_population_yearly")
    checked = 0
    for chosen in _selections(detail, filters):
        actual = runner.run(query, chosen, ANALYST)
        expected = _summed(detail, measure, chosen, population)
        period = expected.columns[0]
        assert actual[period].to_list() == expected[period].to_list(), chosen
        assert actual[measure].to_list() == expected[measure].to_list(), chosen
        assert actual[f"{measure}_under_18"].to_list() == expected["under_18"].to_list(), chosen
        checked += 1
    assert checked == 2 ** len(filters)


FLAGS = {
    "district": "all_districts",
    "source_group": "all_sources",
    "level_of_need": "all_levels",
    "age_band": "all_ages",
}


@pytest.mark.parametrize(
    ("selection_mart", "dimensions", "measures"),
    [
        (
            "mart_selection_events:referrals:month",
            REFERRAL_FILTERS,
            ("events", "events_under_18"),
        ),
        (
            "mart_selection_events:contacts:month",
            CONTACT_FILTERS,
            ("events", "events_under_18"),
        ),
        (
            "mart_selection_events:referrals:week",
            REFERRAL_FILTERS,
            ("events", "events_under_18"),
        ),
        (
            "mart_selection_events:contacts:week",
            CONTACT_FILTERS,
            ("events", "events_under_18"),
        ),
        ("mart_selection_durations_monthly", ("district",), ("closures",)),
    ],
)
def test_all_rows_are_the_sum_of_the_rows_they_cover(marts, selection_mart, dimensions, measures):
    """Each 'all' row (for example all districts) equals the sum of the rows of every value
    (for mart_selection_events, within one measure and period: `mart:measure:period`)."""
    name, *series = selection_mart.split(":")
    mart = marts(name)
    if series:
        measure, period = series
        mart = mart.filter(measure=measure, period=period).drop("measure", "period")
        if measure == "contacts":  # contacts have no level of need: every row is all levels
            assert mart["all_levels"].all() and mart["level_of_need"].is_null().all()
            mart = mart.drop("all_levels", "level_of_need")
    for measure in measures:
        assert mart.schema[measure] == pl.Int64, measure
    for dimension in dimensions:
        flag = FLAGS[dimension]
        keys = [c for c in mart.columns if c not in (dimension, flag, *measures)]
        detailed = mart.filter(~pl.col(flag)).group_by(keys).agg(pl.col(measures).sum())
        summed = mart.filter(pl.col(flag)).select(*keys, *measures)
        assert summed.height == detailed.height, dimension
        joined = summed.join(detailed, on=keys, how="inner", nulls_equal=True, suffix="_detail")
        assert joined.height == summed.height, dimension
        for measure in measures:
            assert joined[measure].equals(joined[f"{measure}_detail"], check_names=False), (
                dimension,
                measure,
            )


def test_outcomes_by_level_matches_the_detailed_mart(runner, marts):
    durations = marts("mart_pathway_durations")
    last_month = durations["month"].max()
    first_month = last_month.replace(year=last_month.year - 1)
    params = {"from": first_month.isoformat(), "to": last_month.isoformat()}
    district = durations.group_by("district").len().sort("len", descending=True)["district"][0]
    for chosen in (None, district):
        actual = runner.run("outcomes_by_level", {**params, "district": chosen}, ANALYST)
        period = durations.filter(pl.col("month").is_between(first_month, last_month))
        if chosen is not None:
            period = period.filter(pl.col("district") == chosen)
        days = period.select(pl.col("days_open").repeat_by("closures").explode())
        all_levels = actual.filter(pl.col("level") == "All levels")
        assert all_levels["closed"][0] == period["closures"].sum(), chosen
        assert all_levels["closed_outcomes_met"][0] == (
            period.filter(pl.col("end_reason") == "Outcomes met")["closures"].sum()
        ), chosen
        assert all_levels["median_days_open"][0] == days["days_open"].median(), chosen
        for level in range(1, 5):
            rows = period.filter(pl.col("level_of_need") == level)
            shown = actual.filter(pl.col("level") == f"Level {level}")
            assert shown["closed"].to_list() == ([rows["closures"].sum()] if rows.height else [])
