"""Naive pandas versions of the Overview and Demand pages' figures, over the raw tables."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from earlyhelp.tools.bench.raw import (
    EPISODES,
    NOT_KNOWN,
    RawTables,
    _every_district,
    _known_districts,
)

# --- Overview and Demand ----------------------------------------------------------------------
FILTERS = ("district", "source_group", "age_band", "level_of_need")


def _filtered(frame: pd.DataFrame, params: dict) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column in ("district", "source_group", "age_band"):
        if params.get(column) is not None:
            mask &= frame[column] == params[column]
    if params.get("level_of_need") is not None:
        mask &= frame["level_of_need"].fillna(0) == params["level_of_need"]
    return frame[mask]


def _per_period(
    raw: RawTables, table: str, params: dict, date_col: str, measure: str, weekly: bool
) -> pd.DataFrame:
    frame = raw.read(table, [date_col, *(c for c in FILTERS if params.get(c) is not None)])
    dates = pd.to_datetime(frame[date_col])
    periods = (
        dates.dt.to_period("W-SUN").dt.start_time if weekly else dates.dt.to_period("M")
    ).rename("period")
    every = periods.drop_duplicates().sort_values()
    chosen = _filtered(frame, params)
    counts = periods[chosen.index].value_counts()
    out = pd.DataFrame({"period": every.to_numpy()})
    out[measure] = out["period"].map(counts).fillna(0).astype("int64")
    fmt = "%Y-%m-%d" if weekly else "%Y-%m"
    key = "week" if weekly else "month"
    out[key] = out["period"].dt.strftime(fmt) if weekly else out["period"].astype(str)
    return out[[key, measure]].sort_values(key).reset_index(drop=True)


def referrals_per_period(weekly: bool) -> Callable[[RawTables, dict], pd.DataFrame]:
    def naive(raw: RawTables, params: dict) -> pd.DataFrame:
        return _per_period(raw, EPISODES, params, "start_date", "referrals", weekly)

    return naive


def contacts_per_period(weekly: bool) -> Callable[[RawTables, dict], pd.DataFrame]:
    def naive(raw: RawTables, params: dict) -> pd.DataFrame:
        return _per_period(raw, "contacts", params, "contact_date", "contacts", weekly)

    return naive


def referrals_by_month_and_district(raw: RawTables, params: dict) -> pd.DataFrame:
    episodes = raw.read(EPISODES, ["start_date", "district"])
    month = episodes["start_date"].dt.to_period("M").astype(str)
    out = episodes.groupby([month.rename("month"), "district"]).size().rename("referrals")
    return out.reset_index().sort_values(["month", "district"]).reset_index(drop=True)


def _open_on(episodes: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Open on a day: started on or before it and not ended on or before it."""
    return (episodes["start_date"] <= day) & (
        episodes["end_date"].isna() | (episodes["end_date"] > day)
    )


def open_episodes_by_district(raw: RawTables, params: dict) -> pd.DataFrame:
    episodes = raw.read(EPISODES, ["start_date", "end_date", "district"])
    is_open = _open_on(episodes, pd.Timestamp(params["as_of"]))
    # An episode with no district is counted as 'Not known', so the rows add up to the borough.
    counts = episodes.loc[is_open, "district"].fillna(NOT_KNOWN).value_counts()
    return _every_district(raw, counts.to_frame("open_episodes"), ["open_episodes"])


def districts(raw: RawTables, params: dict) -> pd.DataFrame:
    return pd.DataFrame({"district": _known_districts(raw)})
