"""Small text and date helpers shared by the figure builders and their sentences: when a
warehouse version was loaded in words, lists joined with 'and', labels without their dates,
month text read as dates. No Plotly here."""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from earlyhelp.core.dates import long_date


def loaded_at(created: str | None) -> str:
    """When a warehouse version was published, in words and UK time ('3 December 2026 at
    11:58'), from its manifest's ISO timestamp; 'at an unknown time' without one."""
    if not created:
        return "at an unknown time"
    moment = datetime.fromisoformat(created)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(ZoneInfo("Europe/London"))
    except ZoneInfoNotFoundError:  # no time zone database: say the time in UTC
        return f"{long_date(moment.date())} at {moment:%H:%M} UTC"
    return f"{long_date(moment.date())} at {moment:%H:%M}"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() else text


def _as_dates(series: pl.Series) -> pl.Series:
    """Month text 'YYYY-MM', ISO date text, Date or Datetime -> Date."""
    if series.dtype == pl.Date:
        return series
    if isinstance(series.dtype, pl.Datetime):
        return series.dt.date()
    text = series.cast(pl.String)
    return pl.Series(
        series.name,
        [None if v is None else date.fromisoformat(v if len(v) > 7 else v + "-01") for v in text],
        dtype=pl.Date,
    )


def _month_end(day: date) -> date:
    return day.replace(day=_calendar.monthrange(day.year, day.month)[1])


def _plain_label(label: str) -> str:
    """'Schools return (Sep 2020)' -> 'Schools return' (the date is given separately)."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", label).strip() or label
