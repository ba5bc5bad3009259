"""Columns derived at ingest: the district at the event date, the age band, the source group.

The district comes from the child's home addresses (not placements) and the postcode sector
lookup; the age band from the child's birth month.
"""

from __future__ import annotations

import polars as pl

from earlyhelp.core import schema
from earlyhelp.load.mapping import (
    DEFAULT_EXCLUDED_ADDRESS_PREFIXES,
    Mapping,
)
from earlyhelp.load.validate import (
    EARLIEST_PLAUSIBLE_DATE,
    postcode_sector,
    postcode_sector_only,
)


def _home_addresses(addresses: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """Addresses where the family lives: a placement address (a foster home, a residential
    unit) does not move a child's district. An address with no start date counts from the
    beginning of the data."""
    kind = pl.col("address_type").fill_null("").str.strip_chars().str.to_uppercase()
    if mapping.excluded_address_types is not None:
        excluded = kind.is_in(list(mapping.excluded_address_types))
    else:
        excluded = pl.any_horizontal(
            [kind.str.starts_with(prefix) for prefix in DEFAULT_EXCLUDED_ADDRESS_PREFIXES]
        )
    return addresses.filter(~excluded).with_columns(
        pl.col("start_date").fill_null(EARLIEST_PLAUSIBLE_DATE)
    )


def _no_district_periods() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "person_id": pl.String,
            "district": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
        }
    )


def _district_periods(addresses: pl.DataFrame, lookup: pl.DataFrame) -> pl.DataFrame:
    """Each child's district over time, from addresses and the postcode sector lookup."""
    sectors = lookup.select(
        postcode_sector_only(pl.col("postcode_sector")).alias("sector"), "district"
    )
    return (
        addresses.with_columns(postcode_sector(pl.col("postcode")).alias("sector"))
        .join(sectors, on="sector", how="inner")
        .select("person_id", "district", "start_date", "end_date")
        .sort("start_date")
    )


def _with_district(frame: pl.DataFrame, date_column: str, periods: pl.DataFrame) -> pl.DataFrame:
    """The district of the address valid on the event date; failing that the nearest address."""
    if periods.height == 0:
        return frame.with_columns(pl.lit(schema.UNKNOWN_DISTRICT).alias("district"))
    events = frame.with_row_index("__row").sort(date_column)
    # Only this batch's children: the join then scales with the batch, not with every address.
    children = frame.select(pl.col("child_id").unique())
    starts = (
        periods.join(children, left_on="person_id", right_on="child_id", how="semi")
        .rename({"person_id": "child_id", "start_date": "__from", "end_date": "__to"})
        .sort("__from")
    )
    before = events.join_asof(
        starts,
        left_on=date_column,
        right_on="__from",
        by="child_id",
        strategy="backward",
        check_sortedness=False,
    )
    after = events.select("__row", "child_id", date_column).join_asof(
        starts.select("child_id", "__from", pl.col("district").alias("__next")),
        left_on=date_column,
        right_on="__from",
        by="child_id",
        strategy="forward",
        check_sortedness=False,
    )
    merged = before.join(after.select("__row", "__next"), on="__row", how="left")
    # An address that ended before the event still beats none: children's moves are often
    # recorded late. Only when no address is known at all is the district unknown.
    district = pl.coalesce(pl.col("district"), pl.col("__next"), pl.lit(schema.UNKNOWN_DISTRICT))
    return (
        merged.with_columns(district.alias("district"))
        .sort("__row")
        .drop("__row", "__from", "__to", "__next")
    )


def age_band(age: pl.Expr) -> pl.Expr:
    return (
        pl.when(age.is_null() | (age < 0))
        .then(pl.lit("Not known"))
        .when(age < 1)
        .then(pl.lit("Under 1"))
        .when(age < 5)
        .then(pl.lit("1-4"))
        .when(age < 10)
        .then(pl.lit("5-9"))
        .when(age < 16)
        .then(pl.lit("10-15"))
        .when(age < 18)
        .then(pl.lit("16-17"))
        .otherwise(pl.lit("18+"))
    )


def _with_age_band(frame: pl.DataFrame, date_column: str, births: pl.DataFrame) -> pl.DataFrame:
    joined = frame.join(births, on="child_id", how="left")
    event, born = pl.col(date_column), pl.col("birth_month")
    age = event.dt.year() - born.dt.year() - (event.dt.month() < born.dt.month()).cast(pl.Int32)
    return joined.with_columns(age_band(age).alias("age_band")).drop("birth_month")


def _source_group(code: pl.Expr) -> pl.Expr:
    groups = {c: group for c, (_desc, group) in schema.SOURCE_CODES.items()}
    return code.replace_strict(groups, default="Unknown", return_dtype=pl.String)
