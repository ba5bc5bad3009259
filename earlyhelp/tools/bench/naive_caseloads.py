"""Naive pandas versions of the Caseloads page's figures, over the raw tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from earlyhelp.tools.bench.naive_demand import _open_on
from earlyhelp.tools.bench.raw import (
    EPISODES,
    NOT_KNOWN,
    RawTables,
    _every_district,
    _in_months,
    _months,
    _round_half_up,
)


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
