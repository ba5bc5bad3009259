"""Naive pandas versions of the Front door and pathways page's figures, over the raw
tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from earlyhelp.core.calendar import bank_holidays
from earlyhelp.tools.bench.raw import (
    BOROUGH,
    EPISODES,
    NOT_KNOWN,
    RawTables,
    _every_district,
    _in_months,
    _known_districts,
    _median,
    _months,
    _with_borough,
)


# --- Front door and pathways ------------------------------------------------------------------
def _working_days(start: pd.Series, end: pd.Series) -> pd.Series:
    """Working days from start to end: weekends and England and Wales bank holidays left out,
    the same day is 0; null without both dates."""
    both = start.notna() & end.notna()
    first, last = start[both], end[both]
    if first.empty:
        return pd.Series(np.nan, index=start.index)
    years = min(first.min().year, last.min().year), max(first.max().year, last.max().year)
    days = np.busday_count(
        first.to_numpy().astype("datetime64[D]"),
        last.to_numpy().astype("datetime64[D]"),
        holidays=np.array(bank_holidays(*years), dtype="datetime64[D]"),
    )
    return pd.Series(days, index=first.index).reindex(start.index)


def _contacts_in(raw: RawTables, params: dict) -> pd.DataFrame:
    contacts = raw.read("contacts", ["contact_date", "decision_date", "district"])
    contacts = contacts[_in_months(contacts["contact_date"], _months(raw, params))]
    days = _working_days(contacts["contact_date"], contacts["decision_date"])
    standard = 2 if params.get("standard") is None else int(params["standard"])
    return pd.DataFrame(
        {
            "month": contacts["contact_date"].dt.strftime("%Y-%m"),
            "district": contacts["district"].fillna(NOT_KNOWN),
            "contacts": 1,
            "decided": days.notna(),
            "within_standard": days <= standard,
            "no_decision": days.isna(),
        }
    )


def frontdoor_summary(raw: RawTables, params: dict) -> pd.DataFrame:
    columns = ["contacts", "decided", "within_standard", "no_decision"]
    counts = _contacts_in(raw, params).groupby("district")[columns].sum()
    by_district = _every_district(raw, counts, columns)
    return _with_borough(by_district, by_district[columns].sum().to_dict())


def frontdoor_timeliness(raw: RawTables, params: dict) -> pd.DataFrame:
    """Every month of the period for each district (or the one chosen) and the borough."""
    columns = ["contacts", "decided", "within_standard"]
    contacts = _contacts_in(raw, params)
    first, after = _months(raw, params)
    months = [str(m) for m in pd.period_range(first, after - pd.Timedelta(days=1), freq="M")]
    places = [d for d in _known_districts(raw) if params.get("district") in (None, d)]
    by_place = contacts.groupby(["district", "month"])[columns].sum()
    borough = contacts.groupby("month")[columns].sum()
    parts = [
        by_place.reindex(pd.MultiIndex.from_product([places, months], names=["district", "month"])),
        borough.reindex(pd.Index(months, name="month")).assign(district=BOROUGH),
    ]
    out = pd.concat([p.reset_index() for p in parts], ignore_index=True)
    out[columns] = out[columns].fillna(0).astype("int64")
    return out


def _rereferral_12m(episodes: pd.DataFrame) -> pd.Series:
    """Whether the child had another referral in the 365 days before this one (an earlier day:
    referrals on the same day are not re-referrals of each other)."""
    days = (
        episodes[["child_id", "start_date"]]
        .drop_duplicates()
        .sort_values(["child_id", "start_date"])
    )
    days["previous"] = days.groupby("child_id")["start_date"].shift()
    previous = episodes[["child_id", "start_date"]].merge(
        days, on=["child_id", "start_date"], how="left"
    )["previous"]
    gap = episodes["start_date"].to_numpy() - previous.to_numpy()
    return pd.Series(gap <= np.timedelta64(365, "D"), index=episodes.index)


def _step_ups(raw: RawTables) -> pd.DataFrame:
    """Every step-up to social care, once: an early help episode ending "Step-up", a social
    care referral from early help (source 5D), or both when the referral is within 28 days of
    the ending (each paired with its nearest, as the mart_pathway_step_ups header says).
    Columns: date, district, level_of_need, identified_by, days_from_start (from the start of
    the child's early help episode)."""
    episodes = raw.read(
        EPISODES,
        [
            "episode_id",
            "child_id",
            "start_date",
            "end_date",
            "end_reason",
            "district",
            "level_of_need",
        ],
    )
    referrals = raw.read(
        "cin_referrals", ["referral_id", "child_id", "referral_date", "source_code", "district"]
    )
    ended = episodes[(episodes["end_reason"] == "Step-up") & episodes["end_date"].notna()]
    referred = referrals[referrals["source_code"] == "5D"]
    pairs = referred[["referral_id", "child_id", "referral_date"]].merge(
        ended[["episode_id", "child_id", "end_date"]], on="child_id"
    )
    pairs["gap"] = (pairs["referral_date"] - pairs["end_date"]).abs()
    pairs = pairs[pairs["gap"] <= pd.Timedelta(days=28)]
    nearest_episode = pairs.sort_values(["referral_id", "gap", "episode_id"]).drop_duplicates(
        "referral_id"
    )
    nearest_referral = pairs.sort_values(["episode_id", "gap", "referral_id"]).drop_duplicates(
        "episode_id"
    )
    matched = nearest_episode.merge(nearest_referral, on=["referral_id", "episode_id"])
    from_episodes = pd.DataFrame(
        {
            "date": ended["end_date"],
            "district": ended["district"],
            "level_of_need": ended["level_of_need"].fillna(0),
            "identified_by": np.where(
                ended["episode_id"].isin(matched["episode_id"]),
                "Both records",
                "Early help record only",
            ),
            "days_from_start": (ended["end_date"] - ended["start_date"]).dt.days,
        }
    )
    # Recorded by social care only: linked to the child's latest early help episode started on
    # or before the referral, unless that episode ended more than 28 days before it.
    alone = referred[~referred["referral_id"].isin(matched["referral_id"])]
    candidates = alone.merge(
        episodes[["child_id", "start_date", "end_date", "level_of_need"]], on="child_id"
    )
    candidates = candidates[candidates["start_date"] <= candidates["referral_date"]]
    latest = candidates.sort_values(["referral_id", "start_date"]).drop_duplicates(
        "referral_id", keep="last"
    )
    latest = latest[
        latest["end_date"].isna()
        | (latest["end_date"] >= latest["referral_date"] - pd.Timedelta(days=28))
    ]
    alone = alone.merge(
        latest[["referral_id", "start_date", "level_of_need"]], on="referral_id", how="left"
    )
    from_referrals = pd.DataFrame(
        {
            "date": alone["referral_date"],
            "district": alone["district"],
            "level_of_need": alone["level_of_need"].fillna(0),
            "identified_by": "Social care record only",
            "days_from_start": (alone["referral_date"] - alone["start_date"]).dt.days,
        }
    )
    steps = pd.concat([from_episodes, from_referrals], ignore_index=True)
    steps["district"] = steps["district"].fillna(NOT_KNOWN)
    return steps


def _closed_in(raw: RawTables, params: dict) -> pd.DataFrame:
    episodes = raw.read(
        EPISODES, ["start_date", "end_date", "end_reason", "district", "level_of_need"]
    )
    closed = episodes[_in_months(episodes["end_date"], _months(raw, params))]
    if params.get("district") is not None:
        closed = closed[closed["district"] == params["district"]]
    return closed.assign(
        district=closed["district"].fillna(NOT_KNOWN),
        days_open=(closed["end_date"] - closed["start_date"]).dt.days,
        outcomes_met=closed["end_reason"] == "Outcomes met",
    )


def pathway_summary(raw: RawTables, params: dict) -> pd.DataFrame:
    months = _months(raw, params)
    episodes = raw.read(EPISODES, ["child_id", "start_date", "district"])
    rereferral = _rereferral_12m(episodes)
    referred = _in_months(episodes["start_date"], months)
    referrals = pd.DataFrame(
        {"district": episodes["district"].fillna(NOT_KNOWN), "rereferrals_12m": rereferral}
    )[referred]
    steps = _step_ups(raw)
    steps = steps[_in_months(steps["date"], months)]
    social_care = raw.read("cin_referrals", ["close_date", "close_reason", "district"])
    social_care = social_care[_in_months(social_care["close_date"], months)]
    closed = _closed_in(raw, params)
    counts = pd.DataFrame(
        {
            "referrals": referrals.groupby("district").size(),
            "rereferrals_12m": referrals.groupby("district")["rereferrals_12m"].sum(),
            "step_ups": steps.groupby("district").size(),
            "step_downs": (social_care["close_reason"] == "RC9")
            .groupby(social_care["district"].fillna(NOT_KNOWN))
            .sum(),
            "social_care_closed": social_care.groupby(
                social_care["district"].fillna(NOT_KNOWN)
            ).size(),
            "closed": closed.groupby("district").size(),
            "closed_outcomes_met": closed.groupby("district")["outcomes_met"].sum(),
        }
    )
    columns = list(counts.columns)
    by_district = _every_district(raw, counts, columns)
    timed = steps.dropna(subset=["days_from_start"])
    by_district["median_days_open"] = by_district["district"].map(
        closed.groupby("district")["days_open"].median()
    )
    by_district["median_days_to_step_up"] = by_district["district"].map(
        timed.groupby("district")["days_from_start"].median()
    )
    return _with_borough(
        by_district,
        {
            **by_district[columns].sum().to_dict(),
            "median_days_open": _median(closed["days_open"]),
            "median_days_to_step_up": _median(timed["days_from_start"]),
        },
    )


STEP_UP_BANDS = (  # (days from the start of early help under, band)
    (30, "Under 1 month"),
    (91, "1 to 3 months"),
    (183, "3 to 6 months"),
    (365, "6 to 12 months"),
    (None, "12 months or more"),
)
NO_EPISODE = "No early help episode found"


def step_ups_by_time(raw: RawTables, params: dict) -> pd.DataFrame:
    steps = _step_ups(raw)
    steps = steps[_in_months(steps["date"], _months(raw, params))]
    if params.get("district") is not None:
        steps = steps[steps["district"] == params["district"]]
    days = steps["days_from_start"]
    band = pd.Series(NO_EPISODE, index=steps.index)
    for under, label in reversed(STEP_UP_BANDS):
        band = band.mask(days.notna() & ((days < under) if under else True), label)
    counts = band.value_counts()
    labels = [label for _, label in STEP_UP_BANDS]
    if counts.get(NO_EPISODE, 0) > 0:
        labels.append(NO_EPISODE)
    return pd.DataFrame(
        {
            "category": labels,
            "sort_order": range(1, len(labels) + 1),
            "step_ups": [int(counts.get(label, 0)) for label in labels],
        }
    )


def outcomes_by_level(raw: RawTables, params: dict) -> pd.DataFrame:
    closed = _closed_in(raw, params)
    level = closed["level_of_need"].fillna(0).astype(int)
    closed = closed.assign(
        level=np.where(level == 0, "Level not recorded", "Level " + level.astype(str)),
        sort_key=level.where(level != 0, 9),
    )
    everything = pd.concat([closed, closed.assign(level="All levels", sort_key=10)])
    out = everything.groupby("level").agg(
        sort_key=("sort_key", "min"),
        closed=("days_open", "size"),
        closed_outcomes_met=("outcomes_met", "sum"),
        median_days_open=("days_open", "median"),
    )
    return out.sort_values("sort_key").reset_index()
