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

The work is split by job: baseline (the seasonal baseline, peaks and troughs), forecast (the
forecast, its backtest, school returns and years) and analysis (all of it for the Demand page).
This module re-exports what callers use.
"""

from earlyhelp.measures.demand.analysis import (
    DemandAnalysis,
    analyse,
)
from earlyhelp.measures.demand.baseline import (
    COVID_MONTHS,
    DEFAULT_BAND,
    FINDING_KEYS,
    MIN_MONTHS,
    PERIOD,
    complete_periods,
    describe,
    expected_monthly,
    find_peaks,
    nearest_event,
)
from earlyhelp.measures.demand.forecast import (
    BACKTEST_MONTHS,
    FORECAST_HORIZON,
    INTERVAL_LEVELS,
    backtest_monthly,
    forecast_monthly,
    school_returns,
    year_on_year,
)

__all__ = [
    "BACKTEST_MONTHS",
    "COVID_MONTHS",
    "DEFAULT_BAND",
    "DemandAnalysis",
    "FINDING_KEYS",
    "FORECAST_HORIZON",
    "INTERVAL_LEVELS",
    "MIN_MONTHS",
    "PERIOD",
    "analyse",
    "backtest_monthly",
    "complete_periods",
    "describe",
    "expected_monthly",
    "find_peaks",
    "forecast_monthly",
    "nearest_event",
    "school_returns",
    "year_on_year",
]
