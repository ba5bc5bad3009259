"""Seasonal baselines for monthly demand, and the months that depart from them.

Early help demand follows the school year (referrals fall in the summer holidays and rise when
term starts), so a September rise is normal, not news. A *peak* here is a month whose observed
value departs from its seasonal expectation by more than `threshold` times the normal month to
month variation; a *trough* is the same below. Each finding is labelled with the nearest
calendar event (`earlyhelp.core.calendar.load_events`) that could explain it.

The baseline is an STL decomposition (statsmodels, period 12) of the monthly series, made robust
by leaving months far from the fit (and any excluded months) out of each next round and imputing
them from the fit. The Covid months (March 2020 to July 2021 by default) are excluded this way,
so the lockdown troughs and the reopening surge neither bend the trend nor leak into later years'
seasonal pattern. Excluded months still get an expected value, so the lockdowns and the
reopening are themselves found. The normal variation is the robust (MAD) scale of the residuals.

Pure library code: no Streamlit, no SQL, no file I/O except the events calendar.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import polars as pl
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.forecasting.stl import STLForecast
from statsmodels.tsa.seasonal import STL

from earlyhelp.core.calendar import load_events, load_term_dates

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

FORECAST_HORIZON = 12
BACKTEST_MONTHS = 12
#: Prediction interval levels drawn on the forecast chart (inner and outer band).
INTERVAL_LEVELS = (0.80, 0.95)
# The deseasonalised series is forecast as ARIMA(1,1,0) with drift: it follows a level that
# wanders (as caseloads and thresholds change) and a trend. On simulated monthly counts with a
# drifting level its 80% and 95% intervals held 84% and 96% of later values; ARIMA(1,0,0)
# (89%, 98%) and exponential smoothing (60%, 80%) were further from their nominal rates.
_FORECAST_ORDER = (1, 1, 0)
# Half terms are a week plus two weekends (9 or 10 days between terms); summer, Christmas and
# Easter are longer, and the returns after them move demand.
_LONG_HOLIDAY_DAYS = 14

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


# --- Forecast ---------------------------------------------------------------------------------
def forecast_monthly(
    series: pl.DataFrame,
    month_col: str = "month",
    value_col: str = "referrals",
    *,
    horizon: int = FORECAST_HORIZON,
    exclude: list[tuple[date, date]] | None = None,
) -> pl.DataFrame:
    """The next `horizon` months of `value_col`, with 80% and 95% prediction intervals.

    The history is the seasonal baseline's (`expected_monthly`): the Covid months (or `exclude`)
    and months far from the seasonal pattern are replaced by the fitted pattern, so a lockdown
    does not drag the forecast down and a one-off surge does not lift it. The school-year
    pattern (an STL seasonal component) is carried forward, and the rest is forecast as
    ARIMA(1,1,0) with drift, whose uncertainty gives the intervals. A non-negative history gives
    non-negative bounds.

    Returns one row per future month: month ('YYYY-MM'), forecast, lower_80, upper_80,
    lower_95, upper_95. Raises ValueError as `expected_monthly` does.
    """
    months, observed = _monthly_values(series, month_col, value_col)
    fitted_mask = _fitted_months(months, observed, value_col, exclude, "a forecast")
    _, cleaned = _fit_with_imputation(observed, fitted_mask)
    index = pd.date_range(months[0], periods=len(months), freq="MS")
    fitted = _fit_forecaster(pd.Series(cleaned, index=index))
    prediction = fitted.get_prediction(start=len(months), end=len(months) + horizon - 1)
    frames = {level: prediction.summary_frame(alpha=1 - level) for level in INTERVAL_LEVELS}
    mean = frames[INTERVAL_LEVELS[0]]["mean"].to_numpy()
    floor = 0.0 if np.nanmin(observed) >= 0 else -np.inf
    future = [months[-1]]
    for _ in range(horizon):
        future.append(_next_month(future[-1]))
    columns: dict[str, object] = {
        "month": [_label(m) for m in future[1:]],
        "forecast": np.maximum(mean, floor),
    }
    for level, frame in frames.items():
        percent = round(level * 100)
        columns[f"lower_{percent}"] = np.maximum(frame["mean_ci_lower"].to_numpy(), floor)
        columns[f"upper_{percent}"] = np.maximum(frame["mean_ci_upper"].to_numpy(), floor)
    return pl.DataFrame(columns).with_columns(pl.col(pl.Float64).round(1))


def backtest_monthly(
    series: pl.DataFrame,
    month_col: str = "month",
    value_col: str = "referrals",
    *,
    holdout: int = BACKTEST_MONTHS,
    exclude: list[tuple[date, date]] | None = None,
) -> dict:
    """How well the forecast would have done: fit on all but the last `holdout` months,
    forecast them, and compare with what happened.

    Returns {"mape": mean absolute percentage error (%, over held-out months with a value above
    0; None if none), "coverage_80": share of held-out months inside the 80% interval,
    "months": holdout, "table": one row per held-out month (month, observed, forecast,
    lower_80, upper_80, error_pct)}. Raises ValueError if what is left to fit on is too short.
    """
    months, observed = _monthly_values(series, month_col, value_col)
    if len(months) <= holdout:
        raise ValueError(f"{value_col}: {len(months)} month(s) cannot hold out {holdout}")
    history = pl.DataFrame(
        {"month": [_label(m) for m in months[:-holdout]], value_col: observed[:-holdout]},
        nan_to_null=True,
    )
    predicted = forecast_monthly(history, "month", value_col, horizon=holdout, exclude=exclude)
    actual = observed[-holdout:]
    table = predicted.select("month", "forecast", "lower_80", "upper_80").with_columns(
        pl.Series("observed", actual, nan_to_null=True)
    )
    table = table.with_columns(
        pl.when(pl.col("observed") > 0)
        .then(((pl.col("forecast") - pl.col("observed")) / pl.col("observed") * 100).round(1))
        .alias("error_pct")
    ).select("month", "observed", "forecast", "lower_80", "upper_80", "error_pct")
    known = table.filter(pl.col("observed").is_not_null())
    errors = known["error_pct"].drop_nulls()
    inside = known.filter(
        (pl.col("observed") >= pl.col("lower_80")) & (pl.col("observed") <= pl.col("upper_80"))
    )
    return {
        "mape": round(float(errors.abs().mean()), 1) if errors.len() else None,
        "coverage_80": inside.height / known.height if known.height else None,
        "months": holdout,
        "table": table,
    }


def school_returns(
    forecast: pl.DataFrame, term_dates: pl.DataFrame, *, month_col: str = "month"
) -> list[dict]:
    """The returns to school after a long holiday that fall in the forecast, each with the
    forecast change on the month before: what the next September will bring.

    A return is the first day of a term that follows a holiday of at least 14 days (summer,
    Christmas, Easter; not a half term). Returns dicts with date, label (e.g. "Schools return
    2 Sep 2026"), month ('YYYY-MM'), forecast, previous (the forecast or None for the month
    before) and change_pct, in date order.
    """
    if forecast.is_empty() or term_dates.is_empty():
        return []
    terms = term_dates.sort("start_date").with_columns(
        (pl.col("start_date") - pl.col("end_date").shift(1)).dt.total_days().alias("gap")
    )
    returns = terms.filter(pl.col("gap") >= _LONG_HOLIDAY_DAYS)["start_date"].to_list()
    by_month = dict(zip(forecast[month_col].to_list(), forecast["forecast"].to_list(), strict=True))
    found = []
    for day in returns:
        month = _label(day)
        if month not in by_month:
            continue
        previous_month = _label(date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1))
        previous = by_month.get(previous_month)
        value = by_month[month]
        change = round(100 * (value - previous) / previous, 1) if previous else None
        found.append(
            {
                "date": day,
                "label": f"Schools return {day.day} {day:%b} {day.year}",
                "month": month,
                "forecast": value,
                "previous": previous,
                "change_pct": change,
            }
        )
    return found


def year_on_year(
    series: pl.DataFrame, month_col: str = "month", value_col: str = "referrals"
) -> pl.DataFrame:
    """The series by financial year (April to March), as councils report: columns year
    ('2024-25'), month_of_year (1 = April .. 12 = March), month_name ('Apr'), month
    ('YYYY-MM') and the value. Years are in order; the latest may be part of a year."""
    months, observed = _monthly_values(series, month_col, value_col)
    rows = []
    for month, value in zip(months, observed, strict=True):
        start_year = month.year if month.month >= 4 else month.year - 1
        rows.append(
            {
                "year": f"{start_year}-{(start_year + 1) % 100:02d}",
                "month_of_year": (month.month - 4) % 12 + 1,
                "month_name": f"{month:%b}",
                "month": _label(month),
                value_col: None if np.isnan(value) else float(value),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "year": pl.String,
            "month_of_year": pl.Int64,
            "month_name": pl.String,
            "month": pl.String,
            value_col: pl.Float64,
        },
    )


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


def _fit_forecaster(history: pd.Series):
    with warnings.catch_warnings():
        # Short or flat series make the optimiser warn; the fit it returns is still usable.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        model = STLForecast(
            history,
            ARIMA,
            model_kwargs={"order": _FORECAST_ORDER, "trend": "t"},
            period=PERIOD,
            robust=True,
        )
        return model.fit()


# --- Everything the Demand page shows, in one call ----------------------------------------------
@dataclass
class DemandAnalysis:
    """The seasonal baseline, unusual months, forecast and its backtest for one series."""

    baseline: pl.DataFrame
    findings: list[dict]
    forecast: pl.DataFrame | None = None
    backtest: dict | None = None
    school_returns: list[dict] = field(default_factory=list)
    #: Why there is no forecast (None when there is one).
    no_forecast_reason: str | None = None


def analyse(
    series: pl.DataFrame,
    value_col: str,
    *,
    measure: str | None = None,
    district: str | None = None,
    events: pl.DataFrame | None = None,
    term_dates: pl.DataFrame | None = None,
    horizon: int = FORECAST_HORIZON,
) -> DemandAnalysis:
    """Baseline, peaks and troughs, forecast, backtest and coming school returns for a monthly
    series (`month`, `value_col`). Raises ValueError when there is too little history for a
    seasonal baseline; a forecast that cannot be made is reported in `no_forecast_reason`."""
    baseline = expected_monthly(series, "month", value_col)
    findings = find_peaks(
        series.select("month", pl.col(value_col).alias(measure or value_col)),
        measure=measure or value_col,
        district=district,
        events=events,
    )
    result = DemandAnalysis(baseline, findings)
    try:
        result.forecast = forecast_monthly(series, "month", value_col, horizon=horizon)
        result.backtest = backtest_monthly(series, "month", value_col)
    except ValueError as exc:
        result.forecast = None
        result.no_forecast_reason = str(exc)
        return result
    terms = load_term_dates() if term_dates is None else term_dates
    result.school_returns = school_returns(result.forecast, terms)
    return result
