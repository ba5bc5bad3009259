"""Forecasts, backtests, school returns and year-on-year views (earlyhelp.measures.demand), on
seeded
synthetic series whose future is known."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from earlyhelp.core.calendar import load_term_dates, school_holidays
from earlyhelp.measures import demand

# Referrals dip in the summer holidays and at Christmas and rise sharply when term starts.
SEASON = np.array([0.9, 0.95, 1.05, 0.9, 1.0, 1.0, 0.95, 0.6, 1.35, 1.15, 1.1, 0.85])
FIRST = date(2018, 4, 1)


def _months(count: int, first: date = FIRST) -> list[str]:
    return [
        f"{first.year + (first.month - 1 + i) // 12:04d}-{(first.month - 1 + i) % 12 + 1:02d}"
        for i in range(count)
    ]


def _counts(rng: np.random.Generator, months: int = 96) -> np.ndarray:
    """Monthly counts around 500 with the school-year season, a slowly wandering level and
    over-dispersed (gamma-Poisson) noise, as referrals behave."""
    t = np.arange(months)
    season = SEASON[(t + FIRST.month - 1) % 12]
    level = 500 * (1 + 0.002 * t + 0.05 * np.cumsum(rng.normal(0, 0.02, months)))
    return rng.poisson(level * season * rng.gamma(50, 1 / 50, months)).astype(float)


def _frame(values: np.ndarray, first: date = FIRST) -> pl.DataFrame:
    return pl.DataFrame({"month": _months(len(values), first), "referrals": values})


def test_forecast_has_the_horizon_ordered_intervals_and_no_negatives():
    rng = np.random.default_rng(3)
    forecast = demand.forecast_monthly(_frame(_counts(rng)), horizon=12)
    assert forecast.columns == [
        "month",
        "forecast",
        "lower_80",
        "upper_80",
        "lower_95",
        "upper_95",
    ]
    assert forecast["month"].to_list() == _months(12, date(2026, 4, 1))
    for inner, outer in (("lower_80", "lower_95"), ("upper_95", "upper_80")):
        assert (forecast[outer] <= forecast[inner]).all()
    assert (forecast["lower_80"] <= forecast["forecast"]).all()
    assert (forecast["forecast"] <= forecast["upper_80"]).all()
    assert (forecast["lower_95"] >= 0).all()


def test_forecast_carries_the_september_return_forward():
    rng = np.random.default_rng(4)
    forecast = demand.forecast_monthly(_frame(_counts(rng)), horizon=12)
    by_month = dict(zip(forecast["month"], forecast["forecast"], strict=True))
    assert by_month["2026-09"] > 1.8 * by_month["2026-08"]


def test_prediction_intervals_hold_held_out_values_at_about_their_nominal_rate():
    """Across 40 series, the 80% and 95% intervals for 12 held-out months should contain about
    80% and 95% of them. 480 correlated months: the bands allow for sampling error."""
    rng = np.random.default_rng(2021)
    inside = {80: [], 95: []}
    for _ in range(40):
        values = _counts(rng)
        forecast = demand.forecast_monthly(_frame(values[:-12]), horizon=12)
        held_out = values[-12:]
        for level in inside:
            lower = forecast[f"lower_{level}"].to_numpy()
            upper = forecast[f"upper_{level}"].to_numpy()
            inside[level].extend((held_out >= lower) & (held_out <= upper))
    assert 0.70 <= np.mean(inside[80]) <= 0.92, np.mean(inside[80])
    assert 0.88 <= np.mean(inside[95]) <= 0.995, np.mean(inside[95])


def test_covid_months_do_not_drag_the_forecast_down():
    rng = np.random.default_rng(5)
    values = _counts(rng)
    with_lockdowns = values.copy()
    # April 2020 to February 2021 at half the usual level (months 24..34 from April 2018).
    with_lockdowns[24:35] *= 0.5
    plain = demand.forecast_monthly(_frame(values))["forecast"].to_numpy()
    hit = demand.forecast_monthly(_frame(with_lockdowns))["forecast"].to_numpy()
    assert np.abs(hit / plain - 1).max() < 0.05


def test_backtest_reports_mape_and_coverage_against_what_happened():
    rng = np.random.default_rng(6)
    values = _counts(rng)
    result = demand.backtest_monthly(_frame(values), holdout=12)
    table = result["table"]
    assert table["month"].to_list() == _months(12, date(2025, 4, 1))
    assert table["observed"].to_list() == values[-12:].tolist()
    expected_mape = float(
        np.mean(np.abs(table["forecast"].to_numpy() - values[-12:]) / values[-12:]) * 100
    )
    assert result["mape"] == pytest.approx(expected_mape, abs=0.1)
    assert 0 < result["mape"] < 15  # noise sd is about 15% of the level
    assert 0 <= result["coverage_80"] <= 1
    assert result["months"] == 12


def test_backtest_skips_suppressed_months():
    rng = np.random.default_rng(8)
    values = _counts(rng)
    values[-3] = np.nan  # a suppressed month
    result = demand.backtest_monthly(_frame(values))
    assert result["table"]["observed"].null_count() == 1
    assert result["mape"] is not None


def test_too_short_a_history_is_refused():
    rng = np.random.default_rng(9)
    with pytest.raises(ValueError, match="at least 24"):
        demand.forecast_monthly(_frame(_counts(rng, 20)))
    with pytest.raises(ValueError):
        demand.backtest_monthly(_frame(_counts(rng, 30)))


def test_school_returns_are_the_long_holidays_only():
    terms = pl.DataFrame(
        {
            "term": ["Summer 2", "Autumn 1", "Autumn 2", "Spring 1"],
            "start_date": [date(2026, 6, 1), date(2026, 9, 2), date(2026, 11, 2), date(2027, 1, 4)],
            "end_date": [
                date(2026, 7, 22),
                date(2026, 10, 23),
                date(2026, 12, 18),
                date(2027, 2, 12),
            ],
        }
    )
    forecast = pl.DataFrame(
        {
            "month": _months(12, date(2026, 4, 1)),
            "forecast": [100.0] * 4 + [60.0, 130.0] + [90.0] * 6,
        }
    )
    returns = demand.school_returns(forecast, terms)
    # 2 Nov follows a half term (10 days): not a return after a long holiday.
    assert [r["label"] for r in returns] == [
        "Schools return 2 Sep 2026",
        "Schools return 4 Jan 2027",
    ]
    september = returns[0]
    assert september["month"] == "2026-09" and september["previous"] == 60.0
    assert september["change_pct"] == pytest.approx(116.7)


def test_school_holidays_from_the_calendar_skip_half_terms():
    holidays = school_holidays(load_term_dates())
    assert holidays, "the calendar has long holidays"
    assert all((end - start).days + 1 >= 12 for start, end in holidays)
    summer_2025 = [h for h in holidays if h[0].year == 2025 and h[0].month == 7]
    assert len(summer_2025) == 1


def test_year_on_year_uses_financial_years():
    frame = _frame(np.arange(15, dtype=float), date(2024, 3, 1))
    by_year = demand.year_on_year(frame)
    assert by_year["year"].unique(maintain_order=True).to_list() == [
        "2023-24",
        "2024-25",
        "2025-26",
    ]
    march_2024 = by_year.filter(pl.col("month") == "2024-03").row(0, named=True)
    assert march_2024["year"] == "2023-24" and march_2024["month_of_year"] == 12
    april_2024 = by_year.filter(pl.col("month") == "2024-04").row(0, named=True)
    assert april_2024["month_of_year"] == 1 and april_2024["month_name"] == "Apr"


@pytest.mark.parametrize(
    ("period", "values", "last_day", "kept"),
    [
        ("month", ["2026-02", "2026-03"], date(2026, 3, 31), 2),
        ("month", ["2026-02", "2026-03"], date(2026, 3, 30), 1),
        ("week", ["2026-03-16", "2026-03-23"], date(2026, 3, 29), 2),  # a Sunday
        ("week", ["2026-03-16", "2026-03-23"], date(2026, 3, 27), 1),
        ("month", ["2026-02", "2026-03"], None, 2),
    ],
)
def test_a_part_period_at_the_end_is_dropped(period, values, last_day, kept):
    frame = pl.DataFrame({period: values, "referrals": [10, 3]})
    assert demand.complete_periods(frame, period, last_day).height == kept


def test_analyse_gives_every_part_the_page_needs():
    rng = np.random.default_rng(10)
    result = demand.analyse(_frame(_counts(rng)), "referrals", measure="referrals")
    assert result.baseline.height == 96
    assert result.forecast is not None and result.forecast.height == demand.FORECAST_HORIZON
    assert result.backtest is not None and result.backtest["mape"] is not None
    assert any(r["label"].startswith("Schools return") for r in result.school_returns)
    assert result.no_forecast_reason is None
