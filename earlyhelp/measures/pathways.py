"""Front door, pathways and outcomes: the periods and shares of the pathways page.

The counting is done at ingest (marts `mart_episode_flags`, `mart_pathway_*`) and by the named
queries `frontdoor_*`, `pathway_*`, `outcomes_*` and `journeys_sankey`. This module turns their
(already disclosure-protected) counts into what a board member reads: the periods to choose
from, and percentages recomputed from the protected counts (a suppressed count gives no
percentage). The page's own figures (working days to decision against the standard, closure
outcomes in panels, the journeys Sankey and the partner-led share by year) are in
`earlyhelp/presentation/charts/pathways.py`.
No Plotly, no Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from earlyhelp.core import schema
from earlyhelp.core.dates import add_months, last_complete_month_end, month_end, month_name

BOROUGH = "Borough"
DEFAULT_STANDARD_DAYS = 2
MAX_STANDARD_DAYS = 10  # decision_days in the marts is capped at 11 ("11 or more")
LEVEL_LABELS = {
    0: "Level not recorded",
    1: "Level 1",
    2: "Level 2",
    3: "Level 3",
    4: "Level 4",
}
OUTCOMES = (*schema.END_REASONS, schema.OTHER_END_REASON, "Not recorded")
SUPPRESSED = "c"


# --- Periods ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    label: str
    start: date  # first day of the first month
    end: date  # last day of the last month

    @property
    def params(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    @property
    def words(self) -> str:
        """'April 2025 to March 2026'."""
        return f"{month_name(self.start)} to {month_name(self.end)}"


def period_before(period: Period, first_date: date) -> Period | None:
    """The same months a year earlier, for the headline tiles' changes; None when the data do
    not reach back that far (a change on part of a period would mislead)."""
    start = add_months(period.start, -12)
    if start < first_date.replace(day=1):
        return None
    return Period(f"{period.label}, a year before", start, month_end(add_months(period.end, -12)))


def points_change(now: float | None, before: float | None, unit: str = " points") -> str | None:
    """A tile's change between two shown figures ('+0.4 points'), or None without both."""
    if now is None or before is None:
        return None
    change = round(now - before, 1)
    return f"{change:+,.1f}{unit}" if not float(change).is_integer() else f"{change:+,.0f}{unit}"


def periods(first_date: date, last_date: date) -> list[Period]:
    """The periods to choose from: the last 12 complete months first (the default), then each
    financial year (April to March) the data touch, newest first; a year the data only partly
    cover says so."""
    end = last_complete_month_end(last_date)
    start = add_months(end.replace(day=1), -11)
    chosen = [Period(f"Last 12 months ({month_name(start)} to {month_name(end)})", start, end)]
    year = end.year if end.month >= 4 else end.year - 1
    while date(year + 1, 3, 31) >= first_date and year >= first_date.year - 1:
        fy_start, fy_end = date(year, 4, 1), date(year + 1, 3, 31)
        part = fy_start < first_date.replace(day=1) or fy_end > end
        label = f"Financial year {year}-{(year + 1) % 100:02d}" + (" (part year)" if part else "")
        chosen.append(Period(label, fy_start, min(fy_end, end)))
        year -= 1
    return chosen


# --- Shares from protected counts -------------------------------------------------------------
def percent(numerator: int | None, denominator: int | None) -> float | None:
    """Per cent to one decimal place; None when either count is suppressed or nothing to divide."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return round(100 * numerator / denominator, 1)


def with_percent(frame: pl.DataFrame, numerator: str, denominator: str, name: str) -> pl.DataFrame:
    """Adds `name`: numerator as a per cent of denominator, recomputed from the protected counts
    (null where either is suppressed or the denominator is 0)."""
    share = (
        pl.when(pl.col(denominator) > 0)
        .then((100 * pl.col(numerator) / pl.col(denominator)).round(1))
        .otherwise(None)
    )
    return frame.with_columns(share.cast(pl.Float64).alias(name))


def format_percent(value: float | None) -> str:
    return SUPPRESSED if value is None else f"{value:.1f}%"


def format_days(value: float | None) -> str:
    if value is None:
        return "none"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def standard_words(days: int) -> str:
    """'2 working days', '1 working day', 'the same day'."""
    if days == 0:
        return "the same day"
    return f"{days} working day" + ("" if days == 1 else "s")


def level_label(level: int | None) -> str:
    return LEVEL_LABELS.get(int(level or 0), f"Level {level}")


def steps_long(frame: pl.DataFrame) -> pl.DataFrame:
    """pathway_steps_by_month as one row per month and flow, for a labelled line each (a flow
    whose column the page left out, because the extract cannot count it, has no line)."""
    return pl.concat(
        [
            frame.select("month", pl.lit(flow).alias("flow"), pl.col(column).alias("n"))
            for flow, column in (("Step-ups", "step_ups"), ("Step-downs", "step_downs"))
            if column in frame.columns
        ]
    )
