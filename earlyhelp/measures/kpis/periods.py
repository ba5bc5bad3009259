"""Strategy KPIs' periods: the trend's points (12 months to each quarter end, or each quarter
end's snapshot), month arithmetic, and the data's coverage from the warehouse manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from earlyhelp.core.dates import (
    add_months,
    last_complete_month_end,
    long_date,
    month_end,
    month_name,
)
from earlyhelp.core.errors import QueryError

#: The trend: the latest value and one every STEP_MONTHS before it, TREND_POINTS in all (two
#: years). The point YEAR_BACK steps back is "a year before", the previous period.
TREND_POINTS = 9
STEP_MONTHS = 3
YEAR_BACK = 4
PERIOD_MONTHS = 12


@dataclass(frozen=True)
class Point:
    """One value of a KPI's trend: the 12 months from `start` to `end`, or the day `end`."""

    start: date
    end: date
    usable: bool  # False when the period starts before the data do

    def words(self, kind: str) -> str:
        if kind == "snapshot":
            return long_date(self.end)
        return f"{month_name(self.start)} to {month_name(self.end)}"


def trend_points(kind: str, first_date: date, last_date: date) -> list[Point]:
    """The trend's points, oldest first; the last is the latest value.

    Periods: the 12 complete months to the latest complete month, and to every third month
    before it. Snapshots: the latest date of the data, and the month end every three months
    before it. A point before the data start is marked unusable (its value would be too low).
    """
    first_full_month = (
        first_date if first_date.day == 1 else add_months(first_date.replace(day=1), 1)
    )
    points = []
    if kind == "period":
        end_month = last_complete_month_end(last_date).replace(day=1)
        for step in range(TREND_POINTS):
            month = add_months(end_month, -STEP_MONTHS * step)
            start = add_months(month, -(PERIOD_MONTHS - 1))
            points.append(Point(start, month_end(month), start >= first_full_month))
    else:
        for step in range(TREND_POINTS):
            day = (
                last_date
                if step == 0
                else month_end(add_months(last_date.replace(day=1), -STEP_MONTHS * step))
            )
            points.append(Point(day, day, day >= first_date))
    return points[::-1]


def coverage(manifest: dict, table: str = "early_help_episodes") -> tuple[date, date]:
    """First and last dates of a table (from the warehouse manifest)."""
    for row in manifest.get("coverage") or []:
        if row.get("table_name") == table and row.get("first_date") and row.get("last_date"):
            return date.fromisoformat(row["first_date"]), date.fromisoformat(row["last_date"])
    raise QueryError(f"the warehouse manifest has no coverage for {table}")
