"""Dates in words, GOV.UK style and in English whatever the server's locale: 'April 2018',
'31 March 2026', and the month arithmetic behind every period (month ends, months before and
after, the last complete month). For the measures and the charts alike."""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta

#: English month names whatever the server's locale ("" first, so that MONTH_NAMES[1] is January).
MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_name(day: date) -> str:
    """'April 2018'."""
    return f"{MONTH_NAMES[day.month]} {day.year}"


def long_date(day: date) -> str:
    """'31 March 2026' (GOV.UK style: no leading zero, no ordinal)."""
    return f"{day.day} {MONTH_NAMES[day.month]} {day.year}"


# --- Months: the period arithmetic every stage shares, written once ------------------------------
def month_end(day: date) -> date:
    """The last day of the month of `day`."""
    return day.replace(day=_calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def last_complete_month_end(last_date: date) -> date:
    """The end of the last complete month of data: the month of `last_date` when it is that
    month's last day, otherwise the month before (as the named queries' report_period macro)."""
    if last_date == month_end(last_date):
        return last_date
    return last_date.replace(day=1) - timedelta(days=1)
