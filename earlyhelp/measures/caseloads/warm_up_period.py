"""The extract's warm-up: the first months of an extract, in which episodes begun before the data
start are missing, so open-episode counts there are too low; how long it lasts (from how long
episodes run), and the note a page or pack shows beside those months. No Plotly (the shading is
presentation/charts/caseloads.py)."""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date

import polars as pl

from earlyhelp.core.dates import add_months, long_date, month_name
from earlyhelp.query import disclosure

# --- The extract's warm-up ----------------------------------------------------------------------
#: The share of episodes that close within the warm-up: see warm_up_months.
WARM_UP_SHARE = 0.9
#: The warm-up when episode lengths cannot be read (no closures, or too many withheld).
WARM_UP_FALLBACK_MONTHS = 12
#: The warm-up when more than one episode in ten lasts a year or more (the last band is open).
WARM_UP_LONGEST_MONTHS = 24
WARM_UP_LABEL = "Warm-up"
WARM_UP_HOVER = "Episodes begun before the data start are missing from these months"


def _band_months(band: str) -> int | None:
    """The whole months an outcomes_durations band runs up to: 'Under 1 month' -> 1, '6 to 9
    months' -> 9, '12 months or more' -> None (no end)."""
    if "or more" in band:
        return None
    numbers = re.findall(r"\d+", band)
    return int(numbers[-1]) if numbers else None


def warm_up_months(durations: pl.DataFrame, withheld_up_to: int | None = None) -> int:
    """How many months an extract's open-episode counts take to warm up: the months within
    which 9 in 10 early help episodes close, read from outcomes_durations over the whole
    extract (closures in bands of months; the upper end of the band that holds the 90th
    percentile, so the warm-up errs towards too long).

    Why: the extract holds the episodes that started on or after its first day, so a count of
    episodes open on day D leaves out those that started before the first day and were still
    open on D: episodes longer than D minus the first day. Once that gap passes the length
    9 in 10 episodes close within, fewer than one episode in ten lasts that long; and as an
    open count holds each episode for as long as it lasts, what is missing is a smaller share
    still (on the demo data: a third of the count three months in, 3% at nine months, 1% at
    twelve). The counts before then climb because of the extract, not because of demand.

    A band withheld for disclosure (null) is read both as 0 and as `withheld_up_to`, the later
    band taken. No closures at all gives WARM_UP_FALLBACK_MONTHS; a 90th percentile of a year
    or more, WARM_UP_LONGEST_MONTHS. (Closed episodes only: the few still open at the end, and
    the long ones cut off by the start, make this a little short; the band's upper end and the
    rounding up to a month end in warm_up_end make up for it.)
    """
    return _warm_up(durations, withheld_up_to)[0]


def _warm_up(durations: pl.DataFrame, withheld_up_to: int | None = None) -> tuple[int, str]:
    """warm_up_months, with the reason in words for the note under a chart."""
    unknown = (
        WARM_UP_FALLBACK_MONTHS,
        f"{WARM_UP_FALLBACK_MONTHS} months, as episode lengths cannot be read",
    )
    if durations.is_empty():
        return unknown
    rows = durations.sort("sort_order")
    bands = [_band_months(b) for b in rows["duration"].to_list()]
    counts = rows["closures"].to_list()
    largest = (
        withheld_up_to if withheld_up_to is not None else disclosure.current_policy().withheld_up_to
    )

    def band_of(fill: int) -> int | None | str:
        values = [fill if c is None else c for c in counts]
        total = sum(values)
        if not total:
            return "none"
        so_far = 0
        for months, value in zip(bands, values, strict=True):
            so_far += value
            if so_far >= WARM_UP_SHARE * total:
                return months
        return None

    found = [band_of(0), band_of(largest)]
    if "none" in found:
        return unknown
    if None in found:
        return WARM_UP_LONGEST_MONTHS, "more than 1 in 10 episodes last a year or more"
    months = max(found)
    return months, f"9 in 10 episodes close within {months} months"


def a_year_before(day: date) -> date:
    """The same day a year before (28 February for 29 February)."""
    return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)


def warm_up_end(first_day: date, months: int) -> date:
    """The first month end at least `months` after the data's first day: open-episode counts
    on it and after are out of the warm-up."""
    start = add_months(first_day, months)
    return start.replace(day=_calendar.monthrange(start.year, start.month)[1])


@dataclass(frozen=True)
class WarmUp:
    """The months at the start of an extract whose open-episode counts are too low (episodes
    that began before the data are missing), shaded on every chart of open cases over time."""

    first_day: date
    months: int
    end: date  # the first month end out of the warm-up
    why: str = ""  # why this many months, in words ("9 in 10 episodes close within 9 months")

    @property
    def last_month(self) -> date:
        """The first day of the last month whose month-end count is in the warm-up."""
        return add_months(self.end, -1)

    def counts_fully(self, day: date) -> bool:
        """Whether open episodes counted on `day` are out of the warm-up (none missing but a
        few long ones), so a change from that day means something."""
        return day >= self.end

    def covers(self, months: pl.Series) -> bool:
        """Whether any of these months ('YYYY-MM' text or dates) is in the warm-up."""
        shown = [m for m in months.to_list() if m is not None]
        return any(str(m)[:7] < self.end.isoformat()[:7] for m in shown)

    def months_text(self) -> str:
        """The warm-up's months in words: 'April to December 2018'."""
        first, last = self.first_day.replace(day=1), self.last_month
        if first >= last:
            return month_name(first)
        start = month_name(first)
        if first.year == last.year:
            start = start.split()[0]
        return f"{start} to {month_name(last)}"

    def note(self, months: pl.Series) -> str | None:
        """The sentence under a chart of these months, or None when none is in the warm-up."""
        if not self.covers(months):
            return None
        return (
            f"Shaded, {self.months_text()}: the warm-up, when episodes that began before the "
            f"data start ({long_date(self.first_day)}) are missing, so open cases are "
            f"undercounted ({self.why or f'{self.months} months'})."
        )


def warm_up(first_day: date, durations: pl.DataFrame) -> WarmUp:
    """The warm-up of an extract that starts on `first_day`, from outcomes_durations over the
    whole extract (from its first day to its last): see warm_up_months."""
    months, why = _warm_up(durations)
    return WarmUp(first_day, months, warm_up_end(first_day, months), why)


# --- Who may see what ---------------------------------------------------------------------------
