"""The extract's days and the demand model: expected contacts a day by source group, sampled
per district and source code."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from earlyhelp.core import calendar
from earlyhelp.core.schema import SOURCE_CODES, SOURCE_GROUPS
from earlyhelp.tools.demo.areas import _Area
from earlyhelp.tools.demo.settings import (
    _DAY,
    CHRISTMAS_FACTOR,
    CODE_WEIGHTS,
    CODES,
    COVID_PERIODS,
    EXTRACT_DATE,
    FIRST_DAY,
    OFFICE_WEEK,
    OTHER_HOLIDAY_FACTOR,
    RETURN_SURGES,
    SCHOOL_HOLIDAY_FACTOR,
    SEPTEMBER_DECAY_DAYS,
    SEPTEMBER_RISE,
    TERM_START_DECAY_DAYS,
    TERM_START_RISE,
    TREND_ORIGIN,
    TREND_PER_YEAR,
    WEEKDAY_FACTORS,
)


@dataclass(frozen=True)
class ExtractDays:
    """The extract's days and what the demand model needs to know about each of them."""

    day: np.ndarray  # days since 1970-01-01
    weekday: np.ndarray  # 0 Monday .. 6 Sunday
    bank_holiday: np.ndarray
    christmas: np.ndarray  # 24 December to 1 January
    school_holiday: np.ndarray
    days_into_term: np.ndarray  # days since the teaching block began
    first_block_of_year: np.ndarray  # the block starting the academic year (September)
    bank_holidays: np.ndarray  # datetime64[D], for working-day arithmetic

    @classmethod
    def load(cls) -> ExtractDays:
        dates = np.arange(FIRST_DAY, EXTRACT_DATE + 1)
        day = dates.astype(_DAY)
        terms = calendar.load_term_dates()
        holiday = calendar.school_holiday_flags(pl.Series("date", dates), terms).to_numpy()
        starts = terms["start_date"].cast(pl.Int32).to_numpy().astype(_DAY)
        block = np.searchsorted(starts, day, side="right") - 1
        start_months = terms["start_date"].dt.month().to_numpy()
        years = dates.astype("datetime64[Y]").astype(int) + 1970
        bank = np.array(
            calendar.bank_holidays(int(years[0]), int(years[-1]) + 1), dtype="datetime64[D]"
        )
        month = dates.astype("datetime64[M]")
        day_of_month = (dates - month).astype(int) + 1
        month_of_year = month.astype(int) % 12 + 1
        return cls(
            day=day,
            weekday=(day + 3) % 7,  # 1970-01-01 was a Thursday
            bank_holiday=np.isin(dates, bank),
            christmas=((month_of_year == 12) & (day_of_month >= 24))
            | ((month_of_year == 1) & (day_of_month == 1)),
            school_holiday=holiday,
            days_into_term=day - starts[block],
            first_block_of_year=np.isin(start_months[block], (8, 9)),
            bank_holidays=bank,
        )


def _day(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(_DAY))


def _covid_factors(day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Multipliers on school referrals and on other sources, from the Covid periods and surges."""
    schools = np.ones(len(day))
    others = np.ones(len(day))
    for first, last, school_factor, other_factor in COVID_PERIODS:
        during = (day >= _day(first)) & (day <= _day(last))
        schools[during] = school_factor
        others[during] = other_factor
    for first, amplitude, decay in RETURN_SURGES:
        since = day - _day(first)
        schools *= np.where(since >= 0, 1.0 + amplitude * np.exp(-np.maximum(since, 0) / decay), 1)
    return schools, others


def expected_daily_referrals(
    days: ExtractDays, mix: dict[str, float], per_year: float
) -> np.ndarray:
    """Expected contacts per day for each source group (rows in SOURCE_GROUPS order).

    Each group's pattern (weekday x school year x Covid x trend) is scaled so that in the two
    years before Covid it gives `mix[group] * per_year` a year.
    """
    weekday = np.where(days.bank_holiday, 6, days.weekday)
    school_covid, other_covid = _covid_factors(days.day)
    trend = (1.0 + TREND_PER_YEAR) ** ((days.day - TREND_ORIGIN.astype(_DAY)) / 365.25)
    september = days.first_block_of_year
    rise = np.where(september, SEPTEMBER_RISE, TERM_START_RISE)
    decay = np.where(september, SEPTEMBER_DECAY_DAYS, TERM_START_DECAY_DAYS)
    term_start = 1.0 + rise * np.exp(-days.days_into_term / decay)
    baseline_days = days.day < _day("2020-04-01")
    years = baseline_days.sum() / 365.25
    rates = np.zeros((len(SOURCE_GROUPS), len(days.day)))
    for g, group in enumerate(SOURCE_GROUPS):
        week = np.array(WEEKDAY_FACTORS.get(group, OFFICE_WEEK))[weekday]
        if group == "Schools":
            season = np.where(days.school_holiday, SCHOOL_HOLIDAY_FACTOR, term_start)
            covid = school_covid
        else:
            season = np.where(days.school_holiday, OTHER_HOLIDAY_FACTOR, 1.0)
            covid = other_covid
        season = season * np.where(days.christmas, CHRISTMAS_FACTOR, 1.0)
        pattern = week * season * trend
        scale = mix[group] * per_year * years / pattern[baseline_days].sum()
        rates[g] = scale * pattern * covid
    return rates


def _code_table() -> tuple[np.ndarray, np.ndarray]:
    """For each source group: cumulative weights of its codes, and the codes' indices."""
    width = max(sum(1 for c in CODES if SOURCE_CODES[c][1] == g) for g in SOURCE_GROUPS)
    cumulative = np.ones((len(SOURCE_GROUPS), width))
    codes = np.zeros((len(SOURCE_GROUPS), width), dtype=np.int64)
    for g, group in enumerate(SOURCE_GROUPS):
        members = [i for i, c in enumerate(CODES) if SOURCE_CODES[c][1] == group]
        weights = np.array([CODE_WEIGHTS[CODES[i]] for i in members])
        cumulative[g, : len(members)] = np.cumsum(weights / weights.sum())
        codes[g, : len(members)] = members
        codes[g, len(members) :] = members[-1]
    return cumulative, codes


def _sample_stream(
    rng: np.random.Generator, area: _Area, rates: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson counts per district, source group and day; returns (day index, district, code)."""
    weights = np.array(area.district_weights) / sum(area.district_weights)
    counts = rng.poisson(weights[:, None, None] * rates[None, :, :])
    cells = np.repeat(np.arange(counts.size), counts.ravel())
    district, group, day_index = np.unravel_index(cells, counts.shape)
    cumulative, codes = _code_table()
    position = (rng.random(len(cells))[:, None] >= cumulative[group]).sum(axis=1)
    position = np.minimum(position, cumulative.shape[1] - 1)
    return day_index, district, codes[group, position]
