"""Benchmark: each page's figures from the marts, beside a naive pandas implementation of the
same figures over the raw rows, in one run on the same machine (`python -m earlyhelp bench`).

The pandas side is what a council analyst might write first: read the warehouse's canonical
tables, then filter and group the raw rows for every figure, following the definitions in the
query and mart headers rather than the marts' SQL. Both sides must agree (the run
checks it), so the comparison is like for like and a genuine cross-check of the marts. Only the
columns some figure uses are read; load time is reported separately and the per-figure times
exclude it, which flatters pandas.

This is a benchmark, not a test: figures vary with the machine and its load.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow.parquet as pq

from earlyhelp.core import config
from earlyhelp.core.calendar import bank_holidays
from earlyhelp.measures import caseloads, kpis, pathways
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner

ANALYST = Role.parse("analyst")  # exact counts on both sides, so the results can be compared
EPISODES = "early_help_episodes"
BOROUGH = "Borough"
NOT_KNOWN = "Not known"


@dataclass(frozen=True)
class Figure:
    """One figure a page shows: the named query it runs, and the same figure in pandas."""

    page: str
    label: str
    query: str
    params: dict
    naive: Callable[[RawTables, dict], pd.DataFrame]
    #: Columns to compare (the query's output, in the pandas result's names).
    compare: tuple[str, ...]


class RawTables:
    """The warehouse's canonical tables as pandas frames, each column read on first use.

    A national warehouse has tens of millions of rows per table, so only the columns a figure
    asks for are read (and kept for the next figure), never whole tables.
    """

    def __init__(self, version_dir: Path) -> None:
        self.folder = version_dir / "tables"
        self._frames: dict[str, pd.DataFrame] = {}
        self.load_seconds = 0.0

    def read(self, name: str, columns: Iterable[str]) -> pd.DataFrame:
        wanted = list(dict.fromkeys(columns))
        frame = self._frames.get(name)
        missing = [c for c in wanted if frame is None or c not in frame.columns]
        if missing:
            started = time.perf_counter()
            # Dates as datetime64 rather than Python date objects: a fifth of the memory.
            added = pd.read_parquet(
                self.folder / f"{name}.parquet",
                columns=missing,
                to_pandas_kwargs={"date_as_object": False},
            )
            frame = added if frame is None else pd.concat([frame, added], axis=1)
            self._frames[name] = frame
            self.load_seconds += time.perf_counter() - started
        return frame[wanted]

    def rows(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self._frames.items()}

    def columns_read(self) -> dict[str, tuple[int, int]]:
        """Columns read of each table, and how many it has."""
        return {
            name: (frame.shape[1], len(pq.read_schema(self.folder / f"{name}.parquet").names))
            for name, frame in self._frames.items()
        }


# --- Naive pandas versions of the page figures ------------------------------------------------
# Shared steps, each written as an analyst would: filter the raw rows, group, count.
def _known_districts(raw: RawTables) -> list[str]:
    """Every district the events name. (The warehouse also lists the districts of its postcode
    lookup, which the canonical tables do not hold; a district with no events at all would be
    missing here.)"""
    names: set[str] = set()
    for table in (EPISODES, "contacts", "cin_referrals"):
        names.update(raw.read(table, ["district"])["district"].dropna().unique())
    return sorted(names)


def _every_district(raw: RawTables, counts: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """One row per known district (and any other district counted), with 0 where none."""
    places = sorted(set(_known_districts(raw)) | set(counts.index))
    out = counts.reindex(places)[columns].fillna(0).astype("int64")
    return out.rename_axis("district").reset_index()


def _with_borough(by_district: pd.DataFrame, borough: dict) -> pd.DataFrame:
    return pd.concat(
        [by_district, pd.DataFrame([{"district": BOROUGH, **borough}])], ignore_index=True
    )


def _round_half_up(values: pd.Series, digits: int) -> pd.Series:
    """Rounded as SQL's round() does, halves away from zero (numpy rounds halves to even)."""
    scale = 10**digits
    return np.floor(values * scale + 0.5) / scale


def _last_complete_month_end(raw: RawTables) -> pd.Timestamp:
    """The end of the last complete month of the episodes: the default period's end."""
    last = raw.read(EPISODES, ["start_date"])["start_date"].max()
    if last == last + pd.offsets.MonthEnd(0):
        return last
    return last.replace(day=1) - pd.Timedelta(days=1)


def _months(raw: RawTables, params: dict) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Whole months from the month of `from` to the month of `to` (by default the 12 complete
    months to the end of the data), as the first day and the day after the last."""
    to = pd.Timestamp(params["to"]) if params.get("to") else _last_complete_month_end(raw)
    last_month = to.to_period("M")
    first_month = (
        pd.Timestamp(params["from"]).to_period("M") if params.get("from") else last_month - 11
    )
    return first_month.start_time, (last_month + 1).start_time


def _in_months(dates: pd.Series, months: tuple[pd.Timestamp, pd.Timestamp]) -> pd.Series:
    return (dates >= months[0]) & (dates < months[1])


def _median(values: pd.Series) -> float | None:
    return None if values.empty else float(values.median())


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


# --- Caseloads --------------------------------------------------------------------------------
# As the mart_caseload_assignments header defines it: a worker holds an open episode on a day
# through an involvement active that day (started on or before it, not ended before it: its end
# day counts); when several are active, the one that started last holds it (on the same start
# day, the larger involvement id). An involvement with no worker recorded is no one's: it is
# left out of every caseload figure.
def _worker_involvements(raw: RawTables, columns: list[str]) -> pd.DataFrame:
    """Involvements with an episode and a worker recorded (a blank worker id is none) that
    hold the case (holds_case, from the mapping's case-holding roles: a team manager's
    oversight does not; no value means it does)."""
    involvements = raw.read("involvements", ["episode_id", "worker_id", "holds_case", *columns])
    worker = involvements["worker_id"].str.strip()
    holds = involvements["holds_case"].fillna(True).astype(bool)
    kept = involvements["episode_id"].notna() & worker.notna() & (worker != "") & holds
    return involvements.loc[kept, ["episode_id", "worker_id", *columns]]


def _first_worker_start(raw: RawTables) -> pd.Series:
    """The day each episode got its first worker: its earliest involvement's start."""
    involvements = _worker_involvements(raw, ["start_date"])
    return involvements.groupby("episode_id")["start_date"].min()


def _case_held(raw: RawTables, episodes: pd.DataFrame, first_start: pd.Series) -> pd.Series:
    """Held by a council team or commissioned provider: the episode has a worker, or its
    organisation is one of the teams (a partner-led episode has neither)."""
    team_names = raw.read("teams", ["team_name"])["team_name"].dropna()
    return episodes["episode_id"].map(first_start).notna() | episodes["organisation"].isin(
        team_names
    )


def _held_on(raw: RawTables, day: pd.Timestamp) -> pd.DataFrame:
    """The involvement holding each episode open on `day`, with its worker, team and FTE (null
    when missing or 0)."""
    involvements = _worker_involvements(raw, ["involvement_id", "team", "start_date", "end_date"])
    active = involvements[
        (involvements["start_date"] <= day)
        & (involvements["end_date"].isna() | (involvements["end_date"] >= day))
    ]
    episodes = raw.read(EPISODES, ["episode_id", "start_date", "end_date"])
    active = active[active["episode_id"].isin(episodes.loc[_open_on(episodes, day), "episode_id"])]
    held = active.sort_values(["episode_id", "start_date", "involvement_id"]).drop_duplicates(
        "episode_id", keep="last"
    )
    workers = raw.read("workers", ["worker_id", "department", "fte"]).dropna(subset=["worker_id"])
    held = held.merge(workers, on="worker_id", how="left")

    def blank_to_null(text: pd.Series) -> pd.Series:
        text = text.str.strip()
        return text.where(text != "")

    # The involvement's team (an ssd_department id named through the teams table, else as
    # given), else the worker's department (mart_case_involvements, mart_caseload_worker_spans).
    teams = raw.read("teams", ["team_id", "team_name"]).dropna(subset=["team_id"])
    names = dict(zip(teams["team_id"], blank_to_null(teams["team_name"]), strict=True))
    held["team"] = (
        held["team"]
        .map(names)
        .fillna(blank_to_null(held["team"]))
        .fillna(blank_to_null(held["department"]))
        .fillna("Team not recorded")
    )
    held["fte"] = held["fte"].where(held["fte"] > 0)
    return held


def open_cases_by_district(raw: RawTables, params: dict) -> pd.DataFrame:
    day = pd.Timestamp(params["as_of"])
    episodes = raw.read(
        EPISODES, ["episode_id", "start_date", "end_date", "district", "organisation"]
    )
    episodes = episodes[_open_on(episodes, day)]
    first_start = _first_worker_start(raw)
    case_held = _case_held(raw, episodes, first_start)
    first = episodes["episode_id"].map(first_start)
    flags = pd.DataFrame(
        {
            "district": episodes["district"].fillna(NOT_KNOWN),
            "open_episodes": 1,
            "case_held_episodes": case_held,
            "with_worker": episodes["episode_id"].isin(_held_on(raw, day)["episode_id"]),
            "waiting": case_held & (first.isna() | (first > day)),
        }
    )
    columns = ["open_episodes", "case_held_episodes", "with_worker", "waiting"]
    return _every_district(raw, flags.groupby("district")[columns].sum(), columns)


def _cases_per_worker(held: pd.DataFrame) -> pd.DataFrame:
    return held.groupby("worker_id").agg(open_cases=("episode_id", "size"), fte=("fte", "first"))


def workers_caseload_summary(raw: RawTables, params: dict) -> pd.DataFrame:
    workers = _cases_per_worker(_held_on(raw, pd.Timestamp(params["as_of"])))
    recorded = workers["fte"].notna()
    row = {
        "workers": len(workers),
        "workers_fte_not_recorded": int((~recorded).sum()),
        "open_cases": int(workers["open_cases"].sum()),
        "cases_fte_not_recorded": int(workers.loc[~recorded, "open_cases"].sum()),
        "cases_fte_recorded": int(workers.loc[recorded, "open_cases"].sum()),
        "fte": float(_round_half_up(workers["fte"].sum(), 2)),
    }
    return pd.DataFrame([row])


def caseload_by_team(raw: RawTables, params: dict) -> pd.DataFrame:
    held = _held_on(raw, pd.Timestamp(params["as_of"]))
    # A worker's FTE counts once in each team they hold cases for.
    pairs = held.groupby(["team", "worker_id"]).agg(
        open_cases=("episode_id", "size"), fte=("fte", "first")
    )
    pairs["no_fte"] = pairs["fte"].isna()
    pairs["cases_no_fte"] = pairs["open_cases"].where(pairs["no_fte"], 0)
    teams = pairs.groupby("team").agg(
        open_cases=("open_cases", "sum"),
        workers=("open_cases", "size"),
        workers_fte_not_recorded=("no_fte", "sum"),
        cases_fte_not_recorded=("cases_no_fte", "sum"),
        fte=("fte", "sum"),
    )
    teams["cases_fte_recorded"] = teams["open_cases"] - teams["cases_fte_not_recorded"]
    teams["fte"] = _round_half_up(teams["fte"], 2)
    return teams.sort_index().reset_index()


def open_cases_by_month(raw: RawTables, params: dict) -> pd.DataFrame:
    """Open and waiting episodes per district at each month's end (the data's last day in its
    final month), for the months counted on or before as_of."""
    as_of = pd.Timestamp(params["as_of"])
    episodes = raw.read(
        EPISODES, ["episode_id", "start_date", "end_date", "district", "organisation"]
    )
    first_start = _first_worker_start(raw)
    case_held = _case_held(raw, episodes, first_start)
    first = episodes["episode_id"].map(first_start)
    last_day = episodes["start_date"].max()  # the data cover up to the last referral
    # Grouped once a month: category codes are quick.
    district = episodes["district"].fillna(NOT_KNOWN).astype("category")
    rows = []
    for month in pd.period_range(episodes["start_date"].min(), last_day, freq="M"):
        day = min(month.end_time.normalize(), last_day)
        if day > as_of:
            continue
        is_open = _open_on(episodes, day)
        waiting = is_open & case_held & (first.isna() | (first > day))
        counted = (
            pd.DataFrame({"open_episodes": is_open, "waiting": waiting})
            .groupby(district, observed=True)
            .sum()
        )
        rows.append(counted.assign(month=str(month)).reset_index())
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["month", "district"]).reset_index(drop=True)


def allocation_by_district(raw: RawTables, params: dict) -> pd.DataFrame:
    """Days from referral to first worker, for episodes whose first worker started in the
    months: the lower median, the average (one decimal place) and how many waited over 28."""
    episodes = raw.read(EPISODES, ["episode_id", "start_date", "district"])
    allocated = episodes.assign(first=episodes["episode_id"].map(_first_worker_start(raw)))
    allocated = allocated[_in_months(allocated["first"], _months(raw, params))]
    # A worker recorded before the episode started waited 0 days.
    days = (allocated["first"] - allocated["start_date"]).dt.days.clip(lower=0)
    district = allocated["district"].fillna(NOT_KNOWN)
    by_district = days.groupby(district)
    counts = pd.DataFrame(
        {
            "allocated": by_district.size(),
            "over_28_days": (days > 28).groupby(district).sum(),
        }
    )
    out = _every_district(raw, counts, ["allocated", "over_28_days"])
    lower_median = by_district.apply(lambda d: np.sort(d.to_numpy())[(len(d) + 1) // 2 - 1])
    out["median_days"] = out["district"].map(lower_median)
    out["average_days"] = out["district"].map(_round_half_up(by_district.mean(), 1))
    return out


def continuity_by_district(raw: RawTables, params: dict) -> pd.DataFrame:
    """Closed episodes that had a worker, their changes of worker (an involvement whose worker
    differs from the one before it, involvements with no worker left out) and how many had two
    or more, by month of closure."""
    involvements = _worker_involvements(raw, ["involvement_id", "start_date"])
    ordered = involvements.sort_values(["episode_id", "start_date", "involvement_id"])
    previous = ordered.groupby("episode_id")["worker_id"].shift()
    changed = previous.notna() & (previous != ordered["worker_id"])
    changes = changed.groupby(ordered["episode_id"]).sum()
    episodes = raw.read(EPISODES, ["episode_id", "end_date", "district"])
    closed = episodes[_in_months(episodes["end_date"], _months(raw, params))]
    closed = closed.assign(
        changes=closed["episode_id"].map(changes), district=closed["district"].fillna(NOT_KNOWN)
    ).dropna(subset=["changes"])
    counts = closed.groupby("district").agg(
        episodes_closed=("changes", "size"),
        worker_changes=("changes", "sum"),
        two_or_more_changes=("changes", lambda c: int((c >= 2).sum())),
    )
    return _every_district(raw, counts, list(counts.columns))


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


# --- Scorecard and District profile -----------------------------------------------------------
def referral_rate(raw: RawTables, params: dict) -> pd.DataFrame:
    """Referrals in the months and the children living in each district: the mid-year
    estimate for the year of the period's seventh month, or the nearest year estimated (the
    earlier on a tie), summed over age bands."""
    months = _months(raw, params)
    episodes = raw.read(EPISODES, ["start_date", "district", "age_band"])
    referred = episodes[_in_months(episodes["start_date"], months)]
    population = raw.read("population", ["district", "year", "age_band", "children"])
    # The rate's numerator: children in the age bands the population covers (under 18).
    under_18 = referred["age_band"].isin(population["age_band"].unique())
    counts = pd.DataFrame(
        {
            "referrals": referred.groupby("district").size(),
            "referrals_under_18": referred[under_18].groupby("district").size(),
        }
    )
    by_district = _every_district(raw, counts, ["referrals", "referrals_under_18"])
    year = (months[0] + pd.DateOffset(months=6)).year
    distance = (population["year"] - year).abs() * 2 + (population["year"] > year)
    nearest = population.loc[
        distance.groupby([population["district"], population["age_band"]]).idxmin()
    ]
    children = nearest.groupby("district")["children"].sum()
    by_district["children"] = by_district["district"].map(children)
    return _with_borough(
        by_district,
        {
            "referrals": len(referred),
            "referrals_under_18": int(under_18.sum()),
            "children": by_district["children"].sum() if children.size else None,
        },
    )


LEAD_PATTERNS = (  # for organisations data/organisations.csv does not list, in this order
    (
        "Early years",
        r"nursery|pre-?school|children'?s cent|early years|playgroup|childminder|day care",
    ),
    (
        "Health",
        r"\bnhs\b|health|\bgp\b|nursing|nurse|paediatric|pediatric|hospital|midwi|surgery|"
        r"medical|camhs|clinic",
    ),
    ("Schools", r"school|academy|college|\bpru\b"),
)
LEAD_BY_TYPE = {
    "school": "Schools",
    "health": "Health",
    "early_years": "Early years",
    "council": "Council or commissioned",
    "commissioned": "Council or commissioned",
    "other": "Other",
}
PARTNERS = ("Schools", "Health", "Early years")


def _lead_organisation(organisations: pd.Series) -> pd.Series:
    """Who leads each episode, from its organisation's type in the organisations file the
    ingest read (names compared ignoring case), else from patterns in its name."""
    listed = pd.read_csv(config.organisations_file(), dtype=str)
    listed.columns = listed.columns.str.strip().str.lower()
    types = dict(
        zip(
            listed["organisation"].str.strip().str.lower(),
            listed["type"].str.strip().str.lower().str.replace(r"[ -]", "_", regex=True),
            strict=True,
        )
    )

    def lead(name: object) -> str:
        if not isinstance(name, str) or not name.strip():
            return "Not recorded"
        if name.lower() in types:
            return LEAD_BY_TYPE[types[name.lower()]]
        for who, pattern in LEAD_PATTERNS:
            if re.search(pattern, name, flags=re.IGNORECASE):
                return who
        return "Council or commissioned"

    names = organisations.dropna().unique()
    return organisations.map(dict(zip(names, map(lead, names), strict=True))).fillna("Not recorded")


def partner_led(raw: RawTables, params: dict) -> pd.DataFrame:
    episodes = raw.read(EPISODES, ["start_date", "district", "organisation"])
    started = episodes[_in_months(episodes["start_date"], _months(raw, params))]
    led = pd.DataFrame(
        {
            "episodes": 1,
            "partner_led": _lead_organisation(started["organisation"]).isin(PARTNERS),
        }
    )
    counts = led.groupby(started["district"].fillna(NOT_KNOWN)).sum()
    by_district = _every_district(raw, counts, ["episodes", "partner_led"])
    return _with_borough(by_district, by_district[["episodes", "partner_led"]].sum().to_dict())


# --- The registry -----------------------------------------------------------------------------
def figures(first_day: date, last_day: date, district: str) -> list[Figure]:
    """The figures each page shows on opening, with the page's default choices, and one
    filtered view, for a warehouse whose episodes run from `first_day` to `last_day`, filtered
    to `district`."""
    filtered = {"district": district, "age_band": "5-9", "source_group": "Schools"}
    on_day = {"as_of": last_day}
    caseload_from, caseload_to = caseloads.twelve_months_to(last_day)
    caseload_months = {"from": caseload_from, "to": caseload_to}
    pathway_months = pathways.periods(first_day, last_day)[0].params
    whole_borough = {**pathway_months, "district": None}
    latest = kpis.trend_points("period", first_day, last_day)[-1]
    kpi_months = {"from": latest.start.isoformat(), "to": latest.end.isoformat()}
    last_month = kpis.last_complete_month_end(last_day).replace(day=1)
    year_before = {"from": kpis.add_months(last_month, -23), "to": kpis.add_months(last_month, -12)}
    return [
        Figure(
            "Overview",
            "Referrals by month and district",
            "referrals_by_month",
            {},
            referrals_by_month_and_district,
            ("month", "district", "referrals"),
        ),
        Figure(
            "Overview",
            "Open episodes by district",
            "caseload_by_district",
            {"as_of": last_day.isoformat()},
            open_episodes_by_district,
            ("district", "open_episodes"),
        ),
        Figure("Demand", "Districts (filter)", "districts", {}, districts, ("district",)),
        Figure(
            "Demand",
            "Referrals by month",
            "referrals_filtered",
            {},
            referrals_per_period(False),
            ("month", "referrals"),
        ),
        Figure(
            "Demand",
            "Referrals by month, filtered",
            "referrals_filtered",
            filtered,
            referrals_per_period(False),
            ("month", "referrals"),
        ),
        Figure(
            "Demand",
            "Referrals by week, filtered",
            "referrals_filtered_weekly",
            filtered,
            referrals_per_period(True),
            ("week", "referrals"),
        ),
        Figure(
            "Demand",
            "Contacts by month",
            "contacts_filtered",
            {},
            contacts_per_period(False),
            ("month", "contacts"),
        ),
        Figure(
            "Caseloads",
            "Open, case-held, with a worker and waiting, by district",
            "caseload_snapshot_by_district",
            on_day,
            open_cases_by_district,
            ("district", "open_episodes", "case_held_episodes", "with_worker", "waiting"),
        ),
        Figure(
            "Caseloads",
            "Case-holding workers, cases and FTE",
            "workers_caseload_summary",
            on_day,
            workers_caseload_summary,
            (
                "workers",
                "workers_fte_not_recorded",
                "open_cases",
                "cases_fte_not_recorded",
                "cases_fte_recorded",
                "fte",
            ),
        ),
        Figure(
            "Caseloads",
            "Open cases, workers and FTE by team",
            "caseload_by_team",
            on_day,
            caseload_by_team,
            (
                "team",
                "open_cases",
                "workers",
                "workers_fte_not_recorded",
                "cases_fte_not_recorded",
                "cases_fte_recorded",
                "fte",
            ),
        ),
        Figure(
            "Caseloads",
            "Open and waiting at each month end, by district",
            "caseload_by_month",
            on_day,
            open_cases_by_month,
            ("month", "district", "open_episodes", "waiting"),
        ),
        Figure(
            "Caseloads",
            "Days from referral to first worker, by district",
            "allocation_by_district",
            caseload_months,
            allocation_by_district,
            ("district", "allocated", "median_days", "average_days", "over_28_days"),
        ),
        Figure(
            "Caseloads",
            "Changes of worker in closed episodes, by district",
            "continuity_by_district",
            caseload_months,
            continuity_by_district,
            ("district", "episodes_closed", "worker_changes", "two_or_more_changes"),
        ),
        Figure(
            "Front door and pathways",
            "Pathways at a glance, by district and borough",
            "pathway_summary",
            pathway_months,
            pathway_summary,
            (
                "district",
                "referrals",
                "rereferrals_12m",
                "step_ups",
                "step_downs",
                "social_care_closed",
                "closed",
                "closed_outcomes_met",
                "median_days_open",
                "median_days_to_step_up",
            ),
        ),
        Figure(
            "Front door and pathways",
            "Contacts decided within 2 working days, by district",
            "frontdoor_summary",
            {**pathway_months, "standard": pathways.DEFAULT_STANDARD_DAYS},
            frontdoor_summary,
            ("district", "contacts", "decided", "within_standard", "no_decision"),
        ),
        Figure(
            "Front door and pathways",
            "Contacts decided within 2 working days, by month",
            "frontdoor_timeliness",
            {**whole_borough, "standard": pathways.DEFAULT_STANDARD_DAYS},
            frontdoor_timeliness,
            ("month", "district", "contacts", "decided", "within_standard"),
        ),
        Figure(
            "Front door and pathways",
            "Step-ups by time from the start of early help",
            "pathway_step_ups",
            whole_borough,
            step_ups_by_time,
            ("category", "sort_order", "step_ups"),
        ),
        Figure(
            "Front door and pathways",
            "Closed episodes and median days open, by level of need",
            "outcomes_by_level",
            whole_borough,
            outcomes_by_level,
            ("level", "closed", "closed_outcomes_met", "median_days_open"),
        ),
        Figure(
            "Scorecard",
            "Referrals per 10,000 children (KPI)",
            "kpi_referral_rate",
            kpi_months,
            referral_rate,
            ("district", "referrals", "referrals_under_18", "children"),
        ),
        Figure(
            "Scorecard",
            "Early help led by partners (KPI)",
            "kpi_partner_led",
            kpi_months,
            partner_led,
            ("district", "episodes", "partner_led"),
        ),
        Figure(
            "District profile",
            "Referrals and children, 12 months",
            "kpi_referral_rate",
            {},
            referral_rate,
            ("district", "referrals", "referrals_under_18", "children"),
        ),
        Figure(
            "District profile",
            "Referrals and children, the 12 months before",
            "kpi_referral_rate",
            year_before,
            referral_rate,
            ("district", "referrals", "referrals_under_18", "children"),
        ),
    ]


@dataclass
class Measurement:
    page: str
    label: str
    query: str
    marts_ms: float
    pandas_ms: float
    same_result: bool
    #: Where the two differ, when they do (the first difference found).
    difference: str | None = None

    @property
    def speedup(self) -> float:
        return self.pandas_ms / self.marts_ms if self.marts_ms else float("inf")


def _median_ms(run: Callable[[], object], runs: int, warm_up: bool = True) -> float:
    if warm_up:  # first-use costs (plans, caches, lazy loads) are not what a user waits for
        run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _difference(marts: pl.DataFrame, naive: pd.DataFrame, columns: tuple[str, ...]) -> str | None:
    """Where the marts' result and the pandas one differ in `columns`, or None when they agree:
    same rows in the same order, counts exactly, other numbers to 1e-9 (sums of fractions such
    as FTE may round differently in the last bit)."""
    left = marts.select(columns).to_pandas().reset_index(drop=True)
    right = naive[list(columns)].reset_index(drop=True)
    if left.shape != right.shape:
        return f"{len(left)} rows from the marts, {len(right)} from pandas"
    for column in columns:
        a, b = left[column], right[column]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            x, y = a.astype("float64").to_numpy(), b.astype("float64").to_numpy()
            equal = np.isclose(x, y, rtol=0, atol=1e-9) | (np.isnan(x) & np.isnan(y))
        else:
            equal = (a.astype(str) == b.astype(str)).to_numpy()
        if not equal.all():
            row = int(np.argmin(equal))
            return f"{column} in row {row + 1}: {a[row]!r} from the marts, {b[row]!r} from pandas"
    return None


def run_queries(
    warehouse: Path, runs: int = 20, pandas_runs: int | None = None
) -> tuple[list[Measurement], RawTables]:
    """Each figure timed `runs` times from the marts and `pandas_runs` times (default a quarter
    as many, at least 3) in pandas, after the run that compares them, which also warms pandas
    up: at national scale a pandas figure takes minutes."""
    pandas_runs = pandas_runs or max(3, runs // 4)
    runner = QueryRunner.open(warehouse)
    raw = RawTables(runner.version_dir)
    coverage = runner.run("data_coverage", role=ANALYST)
    episodes = coverage.filter(pl.col("table_name") == EPISODES)
    first_day, last_day = episodes["first_date"][0], episodes["last_date"][0]
    district = runner.run("districts", role=ANALYST)["district"][0]
    measurements = []
    for figure in figures(first_day, last_day, district):
        result = runner.run(figure.query, figure.params, ANALYST)
        difference = _difference(result, figure.naive(raw, figure.params), figure.compare)
        measurements.append(
            Measurement(
                figure.page,
                figure.label,
                figure.query,
                _median_ms(lambda f=figure: runner.run(f.query, f.params, ANALYST), runs),
                _median_ms(lambda f=figure: f.naive(raw, f.params), pandas_runs, warm_up=False),
                difference is None,
                difference,
            )
        )
    return measurements, raw


def report(label: str, measurements: list[Measurement], raw: RawTables) -> str:
    read = raw.columns_read()
    rows = ", ".join(
        f"{name} {count:,} ({read[name][0]} of {read[name][1]} columns)"
        for name, count in raw.rows().items()
    )
    lines = [
        f"## {label}: page figures from marts against naive pandas",
        f"Raw rows read: {rows}. pandas load: {raw.load_seconds:.1f} s (not in the times below).",
        "",
        "| page | figure | query | marts (ms) | pandas (ms) | pandas / marts | same result |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for m in measurements:
        lines.append(
            f"| {m.page} | {m.label} | `{m.query}` | {m.marts_ms:.1f} | {m.pandas_ms:.1f} | "
            f"{m.speedup:.1f}x | {'yes' if m.same_result else 'NO'} |"
        )
    different = [m for m in measurements if m.difference]
    if different:
        lines.append("")
        lines.extend(f"- {m.label} (`{m.query}`): {m.difference}" for m in different)
    return "\n".join(lines)


# --- In the browser: the app against the framework floor ------------------------------------------
FLOOR_APP = Path(__file__).resolve().parents[2] / "tests" / "benchmarks" / "floor_app.py"
APP = Path(__file__).resolve().parents[2] / "app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHART = ".js-plotly-plot .main-svg"
CHART_TITLE = ".js-plotly-plot .gtitle"


@dataclass
class BrowserMeasurement:
    label: str
    first_chart_ms: float
    filter_change_ms: float


def streamlit_command(script: Path, port: int) -> list[str]:
    """`streamlit run script` headless on 127.0.0.1:port, without usage statistics: how the
    benchmark and the browser tests start a server."""
    import sys

    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def _serve(script: Path, warehouse: Path | None):
    """`streamlit run script` on a free port; returns (process, url) once it answers."""
    import os
    import socket
    import subprocess
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ}
    if warehouse is not None:
        env["EARLYHELP_WAREHOUSE"] = str(warehouse)
    process = subprocess.Popen(
        streamlit_command(script, port),
        cwd=APP.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise RuntimeError(f"streamlit did not start for {script}")


def _measure_page(browser, url: str, option: str, runs: int) -> tuple[float, float]:
    """Median ms from navigation to the first drawn chart, and from choosing `option` in the
    first select box to the first chart's title naming it."""
    first, change = [], []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url)
        page.locator(CHART).first.wait_for(timeout=120_000)
        first.append((time.perf_counter() - started) * 1000)
        page.locator('[data-testid="stSelectbox"]').first.click()
        option_item = page.get_by_role("option", name=option, exact=True)
        started = time.perf_counter()
        option_item.click()
        page.wait_for_function(
            "([selector, text]) => [...document.querySelectorAll(selector)]"
            ".some(e => e.textContent.endsWith(text))",
            arg=[CHART_TITLE, option],
            timeout=120_000,
        )
        change.append((time.perf_counter() - started) * 1000)
        context.close()
    return statistics.median(first), statistics.median(change)


def run_browser(warehouse: Path, runs: int = 5) -> list[BrowserMeasurement]:
    from playwright.sync_api import sync_playwright

    servers = []
    try:
        app, app_url = _serve(APP, warehouse)
        servers.append(app)
        floor, floor_url = _serve(FLOOR_APP, None)
        servers.append(floor)
        district = QueryRunner.open(warehouse).run("districts", role=ANALYST)["district"][0]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # Warm both servers (first imports, first queries), as a user arriving later would.
            _measure_page(browser, app_url + "/demand", district, 1)
            _measure_page(browser, floor_url, "North", 1)
            results = [
                BrowserMeasurement(
                    "Demand page", *_measure_page(browser, app_url + "/demand", district, runs)
                ),
                BrowserMeasurement(
                    "Bare Streamlit page (floor)", *_measure_page(browser, floor_url, "North", runs)
                ),
            ]
            browser.close()
        return results
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=10)


def browser_report(label: str, results: list[BrowserMeasurement]) -> str:
    app, floor = results
    lines = [
        f"## {label}: in the browser, against a bare Streamlit page",
        "",
        "| page | first chart (ms) | filter change to new chart (ms) |",
        "|---|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r.label} | {r.first_chart_ms:.0f} | {r.filter_change_ms:.0f} |")
    lines.append(
        f"| ratio (app / floor) | {app.first_chart_ms / floor.first_chart_ms:.2f}x | "
        f"{app.filter_change_ms / floor.filter_change_ms:.2f}x |"
    )
    return "\n".join(lines)
