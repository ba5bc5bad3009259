"""The seasonal baseline of a monthly series, and the months that depart from it (peaks, troughs).

The baseline is a robust STL fit (period 12) with the excluded months (Covid by default) and
outlying months imputed from the fit; a peak or trough departs from it by more than `threshold`
times the robust (MAD) scale of the residuals, and is labelled with the nearest calendar event.
Also the monthly-series helpers the forecast shares (reading months, complete periods).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
from statsmodels.tsa.seasonal import STL

from earlyhelp.core.calendar import load_events

PERIOD = 12
MIN_MONTHS = 24
COVID_MONTHS: tuple[date, date] = (date(2020, 3, 1), date(2021, 7, 31))
DEFAULT_BAND = 2.5
# Robust scale of residuals: MAD x 1.4826 estimates the standard deviation of normal noise.
_MAD_TO_SD = 1.4826
# A perfectly regular series has zero residual scale; counts are whole numbers, so a floor of
# half a unit stops a one-referral wobble from being reported as a peak.
_SCALE_FLOOR = 0.5
_IMPUTE_ROUNDS = 4
# STL's trend and seasonal absorb part of the noise, so residuals of the fitted months understate
# month-to-month variation (by about a fifth for 8 years of monthly data, in simulation).
_FIT_INFLATION = 1.2
# Months further than this many residual scales from the fit are left out of the next round.
_OUTLIER = 3.0


FINDING_KEYS = (
    "measure",
    "district",
    "period",
    "kind",
    "observed",
    "expected",
    "change_pct",
    "event",
)


def expected_monthly(
    series: pl.DataFrame,
    month_col: str = "month",
    value_col: str = "referrals",
    *,
    exclude: list[tuple[date, date]] | None = None,
    band: float = DEFAULT_BAND,
) -> pl.DataFrame:
    """The seasonal expectation for each month of `series`, with its normal band.

    `series` has one row per month: `month_col` as text 'YYYY-MM' (as the query
    `referrals_borough_by_month` returns), 'YYYY-MM-DD', Date or Datetime, and a numeric
    `value_col`. Months missing between the first and last are treated as unknown (observed null,
    left out of the fit). `exclude` lists (start, end) date ranges whose months are left out of
    the fit; None means the Covid months, March 2020 to July 2021; [] excludes nothing.

    Returns one row per month, in order: month (text 'YYYY-MM'), observed, expected, lower and
    upper (expected -/+ `band` x residual_scale; lower is not below 0 for a non-negative series),
    residual_scale (robust standard deviation of the residuals of the fitted months).

    Raises ValueError for a missing column, an unreadable or repeated month, or fewer than 24
    fitted months (two seasonal cycles are the least a seasonal baseline needs).
    """
    months, observed = _monthly_values(series, month_col, value_col)
    fitted_mask = _fitted_months(months, observed, value_col, exclude, "a seasonal baseline")
    expected, _ = _fit_with_imputation(observed, fitted_mask)
    residuals = (observed - expected)[fitted_mask]
    scale = max(_robust_scale(residuals) * _FIT_INFLATION, _SCALE_FLOOR)

    lower = expected - band * scale
    if np.nanmin(observed) >= 0:
        lower = np.maximum(lower, 0.0)
    return pl.DataFrame(
        {
            "month": [_label(m) for m in months],
            "observed": observed,
            "expected": expected,
            "lower": lower,
            "upper": expected + band * scale,
            "residual_scale": np.full(len(months), scale),
        },
        schema={
            "month": pl.String,
            "observed": pl.Float64,
            "expected": pl.Float64,
            "lower": pl.Float64,
            "upper": pl.Float64,
            "residual_scale": pl.Float64,
        },
        nan_to_null=True,
    )


def find_peaks(
    series: pl.DataFrame,
    *,
    measure: str = "referrals",
    district: str | None = None,
    events: pl.DataFrame | None = None,
    threshold: float = 2.5,
    event_window_days: int = 45,
    month_col: str = "month",
    exclude: list[tuple[date, date]] | None = None,
) -> list[dict]:
    """Months where `measure` departs from its seasonal expectation by more than `threshold`
    times the normal variation (residual_scale), in month order.

    `series` has `month_col` and a column named `measure`. If `district` is given and `series`
    has a `district` column, only that district's rows are used; the district is also recorded
    on each finding. `events` defaults to the council's calendar (`load_events()`); pass an
    empty frame to label nothing.

    Each finding is a dict: measure, district (or None), period ('YYYY-MM'), kind ('peak' or
    'trough'), observed (int), expected (float, 1 dp), change_pct (against expected, 1 dp; None
    if expected is not positive), event (label of the nearest event starting within the window,
    see `nearest_event`, else None).
    """
    if district is not None and "district" in series.columns:
        series = series.filter(pl.col("district") == district)
    baseline = expected_monthly(series, month_col, measure, exclude=exclude, band=threshold)
    calendar = load_events() if events is None else events

    findings = []
    for row in baseline.iter_rows(named=True):
        observed, expected = row["observed"], row["expected"]
        if observed is None or expected is None:
            continue
        departure = observed - expected
        if abs(departure) <= threshold * row["residual_scale"]:
            continue
        month_start = _parse_month(row["month"])
        findings.append(
            {
                "measure": measure,
                "district": district,
                "period": row["month"],
                "kind": "peak" if departure > 0 else "trough",
                "observed": int(round(observed)),
                "expected": round(expected, 1),
                "change_pct": round(100 * departure / expected, 1) if expected > 0 else None,
                "event": nearest_event(month_start, calendar, window_days=event_window_days),
            }
        )
    return findings


def nearest_event(month: date, events: pl.DataFrame, *, window_days: int = 45) -> str | None:
    """The label of the event that best explains a change in the month starting `month`.

    An event qualifies if its start_date is no later than the month's last day and no more than
    `window_days` before the month's first day (demand moves in the weeks after an event, not
    before it). An event starting within the month is nearest (the earliest such, if several);
    otherwise the one starting latest before the month. None if no event qualifies.
    """
    if events.height == 0:
        return None
    first = month.replace(day=1)
    last = _next_month(first) - timedelta(days=1)
    earliest = first - timedelta(days=window_days)
    candidates = events.filter(
        pl.col("start_date").is_between(earliest, last, closed="both")
    ).with_columns(
        distance=pl.when(pl.col("start_date") >= first)
        .then(0)
        .otherwise((pl.lit(first) - pl.col("start_date")).dt.total_days())
    )
    if candidates.height == 0:
        return None
    return candidates.sort("distance", "start_date")["label"][0]


def describe(finding: dict) -> str:
    """One line for a chart annotation or a report, e.g. "+38% on expected; Schools reopen
    (8 Mar 2021)"."""
    change = finding.get("change_pct")
    if change is None:
        text = f"{finding['observed']} against {finding['expected']} expected"
    else:
        text = f"{change:+.0f}% on expected"
    if finding.get("event"):
        text += f"; {finding['event']}"
    return text


def _fit_with_imputation(
    observed: np.ndarray, fitted_mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Trend + seasonal from a robust STL fit, and the series with its unfitted and outlying
    months replaced by that fit (what a forecast should learn from)."""
    n = len(observed)
    idx = np.arange(n)
    y = observed.copy()
    # Start the unfitted months from a linear trend + month-of-year fit to the fitted months,
    # following the deseasonalised level across each gap; the STL rounds below then refine them.
    month_of_year = idx % PERIOD
    design = np.column_stack([np.ones(n), idx / PERIOD, np.eye(PERIOD)[month_of_year][:, 1:]])
    coef, *_ = np.linalg.lstsq(design[fitted_mask], observed[fitted_mask], rcond=None)
    seasonal = design[:, 2:] @ coef[2:]
    deseasonalised = observed - seasonal
    # Level at the gap edges: a centred 7-month mean of the fitted months, not one noisy month.
    known = deseasonalised[fitted_mask]
    window = np.ones(7)
    smoothed = np.convolve(known, window, "same") / np.convolve(np.ones(len(known)), window, "same")
    level = np.interp(idx, idx[fitted_mask], smoothed)
    y[~fitted_mask] = (level + seasonal)[~fitted_mask]

    # A plain (non-robust) STL fit, made robust by treating months far from the fit as unknown
    # and re-imputing them: STL's own robustness weights follow a subset of months and leave
    # heavy-tailed residuals, which understate the normal variation.
    for _ in range(_IMPUTE_ROUNDS):
        result = STL(y, period=PERIOD, seasonal=13, robust=False).fit()
        expected = np.asarray(result.trend) + np.asarray(result.seasonal)
        residuals = (observed - expected)[fitted_mask]
        scale = max(_robust_scale(residuals), _SCALE_FLOOR)
        unknown = ~fitted_mask | (np.abs(observed - expected) > _OUTLIER * scale)
        y = np.where(unknown, expected, observed)
    return expected, y


def _robust_scale(residuals: np.ndarray) -> float:
    return float(np.median(np.abs(residuals - np.median(residuals))) * _MAD_TO_SD)


def _monthly_values(
    series: pl.DataFrame, month_col: str, value_col: str
) -> tuple[list[date], np.ndarray]:
    """Month starts from first to last (gaps filled) and their values (NaN where missing)."""
    for column in (month_col, value_col):
        if column not in series.columns:
            raise ValueError(f"series has no column {column!r} (columns: {series.columns})")
    if series.height == 0:
        raise ValueError(f"series has no rows; a seasonal baseline needs {MIN_MONTHS} months")
    starts = [_parse_month(value) for value in series[month_col].to_list()]
    values = series[value_col].cast(pl.Float64, strict=False).to_list()
    by_month: dict[date, float] = {}
    for start, value in zip(starts, values, strict=True):
        if start in by_month:
            raise ValueError(
                f"month {_label(start)} appears more than once in {month_col!r}: pass one row "
                "per month (one district at a time)"
            )
        by_month[start] = np.nan if value is None else value
    months = [min(by_month)]
    while months[-1] < max(by_month):
        months.append(_next_month(months[-1]))
    return months, np.array([by_month.get(m, np.nan) for m in months], dtype=float)


def _parse_month(value: object) -> date:
    if isinstance(value, date):  # also datetime, a subclass of date
        return date(value.year, value.month, 1)
    if isinstance(value, str):
        text = value.strip()
        try:
            year, month = int(text[0:4]), int(text[5:7])
            if text[4] == "-" and len(text) in (7, 10):
                return date(year, month, 1)
        except (ValueError, IndexError):
            pass
    raise ValueError(f"month {value!r} is not a month: expected 'YYYY-MM' text or a date")


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _in_ranges(month: date, ranges: list[tuple[date, date]]) -> bool:
    """True if any day of the month falls within one of the (start, end) ranges."""
    last = _next_month(month) - timedelta(days=1)
    return any(start <= last and end >= month for start, end in ranges)


def _label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def complete_periods(frame: pl.DataFrame, period_col: str, last_day: date | None) -> pl.DataFrame:
    """`frame` without its last period if the data stop part way through it: a part month (or
    week) would look like a collapse in demand. `period_col` is 'month' ('YYYY-MM') or 'week'
    ('YYYY-MM-DD', the Monday); `last_day` is the last day the extract covers (None: keep all).
    """
    if last_day is None or frame.is_empty():
        return frame
    start = _parse_month(frame[period_col][-1]) if period_col == "month" else None
    if start is not None:
        period_end = _next_month(start) - timedelta(days=1)
    else:
        period_end = date.fromisoformat(str(frame[period_col][-1])[:10]) + timedelta(days=6)
    return frame.head(-1) if last_day < period_end else frame


def _fitted_months(
    months: list[date],
    observed: np.ndarray,
    value_col: str,
    exclude: list[tuple[date, date]] | None,
    purpose: str,
) -> np.ndarray:
    """Which months the seasonal pattern is learnt from: those with a value outside the excluded
    ranges (the Covid months when `exclude` is None). Raises ValueError if fewer than
    MIN_MONTHS, naming `purpose` ("a seasonal baseline", "a forecast")."""
    ranges = [COVID_MONTHS] if exclude is None else list(exclude)
    excluded = np.array([_in_ranges(m, ranges) for m in months], dtype=bool)
    fitted_mask = ~excluded & ~np.isnan(observed)
    if fitted_mask.sum() < MIN_MONTHS:
        raise ValueError(
            f"{value_col}: {int(fitted_mask.sum())} month(s) with data outside the excluded "
            f"periods, from {_label(months[0])} to {_label(months[-1])}; {purpose} "
            f"needs at least {MIN_MONTHS} (two full years)"
        )
    return fitted_mask
