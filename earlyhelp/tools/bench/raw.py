"""The warehouse's canonical tables as pandas frames, read a column at a time
(RawTables), and the steps the naive pandas versions of the page figures share."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from earlyhelp.query.roles import Role

ANALYST = Role.parse("analyst")  # exact counts on both sides, so the results can be compared
EPISODES = "early_help_episodes"
BOROUGH = "Borough"
NOT_KNOWN = "Not known"


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
