"""Everything the Demand page shows for one series, in one call: baseline, peaks, forecast."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from earlyhelp.core.calendar import load_term_dates
from earlyhelp.measures.demand.baseline import expected_monthly, find_peaks
from earlyhelp.measures.demand.forecast import (
    FORECAST_HORIZON,
    backtest_monthly,
    forecast_monthly,
    school_returns,
)


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
