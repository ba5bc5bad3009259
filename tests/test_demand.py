"""Seasonal baselines and peak finding (earlyhelp.measures.demand), on seeded synthetic series."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from earlyhelp.measures.demand import describe, expected_monthly, find_peaks, nearest_event

# Referrals dip in the summer holidays and at Christmas and rise sharply when term starts.
SEASON = np.array([1.0, 1.05, 1.1, 1.0, 1.05, 0.95, 0.85, 0.6, 1.35, 1.15, 1.05, 0.85])
NO_EVENTS = pl.DataFrame(
    {"start_date": [], "label": []}, schema={"start_date": pl.Date, "label": pl.String}
)
PEAK_AT, TROUGH_AT = 50, 70  # 2020-03 and 2021-11 in a series starting 2016-01


def _series(seed: int = 7, months: int = 96, *, as_date: bool = False) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    values = 200 * (1 + 0.002 * t) * SEASON[t % 12] + rng.normal(0, 8, months)
    starts = [date(2016 + i // 12, i % 12 + 1, 1) for i in range(months)]
    month = starts if as_date else [f"{d:%Y-%m}" for d in starts]
    return pl.DataFrame({"month": month, "referrals": np.round(values).astype(int)})


def _with_anomalies(frame: pl.DataFrame) -> pl.DataFrame:
    values = frame["referrals"].to_numpy().astype(float)
    values[PEAK_AT] *= 1.4
    values[TROUGH_AT] *= 0.6
    return frame.with_columns(referrals=pl.Series(np.round(values).astype(int)))


@pytest.mark.parametrize("exclude", [None, []], ids=["covid-excluded", "nothing-excluded"])
def test_purely_seasonal_series_has_no_peaks(exclude):
    findings = find_peaks(_series(), events=NO_EVENTS, exclude=exclude)
    assert len(findings) <= 1
    assert not [f for f in findings if f["period"].endswith("-09")]


def test_baseline_tracks_the_seasonal_pattern():
    baseline = expected_monthly(_series())
    assert baseline.columns == ["month", "observed", "expected", "lower", "upper", "residual_scale"]
    assert baseline.height == 96
    assert baseline["month"][0] == "2016-01"
    september = baseline.filter(pl.col("month") == "2019-09")
    august = baseline.filter(pl.col("month") == "2019-08")
    assert september["expected"][0] > 1.8 * august["expected"][0]
    assert (baseline["lower"] <= baseline["expected"]).all()
    assert (baseline["expected"] <= baseline["upper"]).all()
    assert 4 < baseline["residual_scale"][0] < 16  # the noise has sd 8


@pytest.mark.parametrize("exclude", [None, []], ids=["covid-excluded", "nothing-excluded"])
def test_injected_peak_and_trough_are_found(exclude):
    findings = find_peaks(_with_anomalies(_series()), events=NO_EVENTS, exclude=exclude)
    by_period = {f["period"]: f for f in findings}
    assert by_period["2020-03"]["kind"] == "peak"
    assert by_period["2021-11"]["kind"] == "trough"
    assert 30 < by_period["2020-03"]["change_pct"] < 50
    assert -50 < by_period["2021-11"]["change_pct"] < -30
    assert len(findings) <= 3
    peak = by_period["2020-03"]
    assert set(peak) == {
        "measure", "district", "period", "kind", "observed", "expected", "change_pct", "event",
    }  # fmt: skip
    assert peak["measure"] == "referrals" and peak["district"] is None
    assert isinstance(peak["observed"], int)
    assert peak["expected"] == round(peak["expected"], 1)
    assert peak["change_pct"] == round(peak["change_pct"], 1)


def test_text_and_date_months_give_the_same_findings():
    text = find_peaks(_with_anomalies(_series()), events=NO_EVENTS)
    dated = find_peaks(_with_anomalies(_series(as_date=True)), events=NO_EVENTS)
    assert text == dated
    assert [f["period"] for f in dated][:1] and all(len(f["period"]) == 7 for f in dated)


def test_district_filter_and_label():
    frame = pl.concat(
        [
            _with_anomalies(_series()).with_columns(district=pl.lit("North")),
            _series(seed=8).with_columns(district=pl.lit("South")),
        ]
    )
    findings = find_peaks(frame, district="North", events=NO_EVENTS)
    assert {f["district"] for f in findings} == {"North"}
    assert "2020-03" in {f["period"] for f in findings}
    with pytest.raises(ValueError, match="more than once"):
        find_peaks(frame, events=NO_EVENTS)


EVENTS = pl.DataFrame(
    {
        "start_date": [date(2021, 1, 5), date(2021, 3, 8), date(2021, 7, 19)],
        "label": ["Third lockdown", "Schools reopen (8 Mar 2021)", "Restrictions lifted"],
    }
)


def test_nearest_event_in_window():
    assert nearest_event(date(2021, 3, 1), EVENTS) == "Schools reopen (8 Mar 2021)"
    # Started 27 days before February: within the 45-day window.
    assert nearest_event(date(2021, 2, 1), EVENTS) == "Third lockdown"
    # April: the reopening started 24 days before, nearer than the lockdown.
    assert nearest_event(date(2021, 4, 1), EVENTS) == "Schools reopen (8 Mar 2021)"
    assert nearest_event(date(2021, 7, 1), EVENTS) == "Restrictions lifted"
    # Outside the window on both sides.
    assert nearest_event(date(2021, 6, 1), EVENTS) is None
    assert nearest_event(date(2020, 12, 1), EVENTS) is None
    assert nearest_event(date(2021, 5, 1), EVENTS, window_days=20) is None


def test_findings_are_labelled_with_the_event():
    events = pl.DataFrame(
        {
            "start_date": [date(2020, 3, 23), date(2021, 10, 1), date(2019, 1, 1)],
            "label": ["First lockdown", "Autumn change", "Unrelated"],
        }
    )
    findings = find_peaks(_with_anomalies(_series()), events=events, event_window_days=45)
    by_period = {f["period"]: f for f in findings}
    assert by_period["2020-03"]["event"] == "First lockdown"
    assert by_period["2021-11"]["event"] == "Autumn change"  # 31 days before November
    narrow = find_peaks(_with_anomalies(_series()), events=events, event_window_days=20)
    assert {f["period"]: f for f in narrow}["2021-11"]["event"] is None


def test_default_events_come_from_the_calendar():
    findings = find_peaks(_with_anomalies(_series()))
    assert {f["period"]: f for f in findings}["2020-03"]["event"] == "First lockdown"


def test_describe():
    finding = {"observed": 138, "expected": 100.0, "change_pct": 38.0, "event": None}
    assert describe(finding) == "+38% on expected"
    finding["event"] = "Schools reopen (8 Mar 2021)"
    assert describe(finding) == "+38% on expected; Schools reopen (8 Mar 2021)"
    assert describe({**finding, "change_pct": -40.2, "event": None}) == "-40% on expected"


def test_too_short_series_is_refused():
    with pytest.raises(ValueError, match="at least 24"):
        expected_monthly(_series(months=23))
    # Long enough in total, but the Covid months leave too few to fit.
    covid = _series(months=36).with_columns(
        month=pl.Series([f"{2019 + i // 12}-{i % 12 + 1:02d}" for i in range(36)])
    )
    with pytest.raises(ValueError, match="at least 24"):
        find_peaks(covid, events=NO_EVENTS)
    assert find_peaks(covid, events=NO_EVENTS, exclude=[]) is not None


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="no column 'contacts'"):
        expected_monthly(_series(), value_col="contacts")
    bad = _series().with_columns(month=pl.col("month").str.replace("2016-01", "Jan 2016"))
    with pytest.raises(ValueError, match="'Jan 2016' is not a month"):
        expected_monthly(bad)


def test_missing_months_are_left_out():
    frame = _series().filter(pl.col("month") != "2018-05")
    baseline = expected_monthly(frame)
    may = baseline.filter(pl.col("month") == "2018-05")
    assert baseline.height == 96
    assert may["observed"][0] is None and may["expected"][0] is not None
