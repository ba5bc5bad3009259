"""What the Demand page draws in its four tabs (over time, against expected, year on year,
forecast) for the selection made in its sidebar, with the seasonal fit they share."""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.core.calendar import load_events, load_term_dates, school_holidays
from earlyhelp.measures import demand
from earlyhelp.presentation import charts
from earlyhelp.query.runner import QueryRunner


@dataclass(frozen=True)
class Selection:
    """The page's choices in the sidebar, and the series its views draw."""

    runner: QueryRunner
    #: referrals or contacts; its coverage table's noun (referral, contact); the shown unit.
    measure: str
    noun: str
    unit: str
    #: Month or Week, and the series' period column (month, week).
    interval: str
    period_col: str
    #: The series per `interval` and per month, each with its shown `value` (count or rate).
    series: pl.DataFrame
    monthly: pl.DataFrame
    params: dict
    as_rate: bool
    #: The column of the children under 18 a rate counts.
    under_18: str
    #: The selection in words ("whole borough" when nothing is chosen).
    selection: str
    value_format: str

    @property
    def per(self) -> str:
        return "per week" if self.interval == "Week" else "per month"


@st.cache_data(show_spinner=False, max_entries=256)
def analysed(
    months: tuple[str, ...], values: tuple[float | None, ...], measure: str, district: str | None
) -> demand.DemandAnalysis:
    """The baseline, findings and forecast for one series (cached: the fits take a moment)."""
    series = pl.DataFrame(
        {"month": months, "value": values}, schema_overrides={"value": pl.Float64}
    )
    return demand.analyse(series, "value", measure=measure, district=district, events=load_events())


def chart_events() -> pl.DataFrame:
    """The calendar events the charts mark (read only by the views that draw them)."""
    return load_events().filter(pl.col("kind").is_in(["covid", "school"]))


def over_time(page: Selection) -> None:
    runner, measure, unit, interval = page.runner, page.measure, page.unit, page.interval
    per, period_col, series, as_rate = page.per, page.period_col, page.series, page.as_rate
    under_18, selection = page.under_18, page.selection
    trend_frame = series.select(period_col, "value").rename({"value": unit})
    trend = ui.cached_figure(
        charts.monthly_trend,
        trend_frame,
        period_col,
        unit,
        events=chart_events(),
        title=f"{unit.capitalize()} {per}, {selection}",
        y_title=f"{unit.capitalize()} {per}"
        + (". Light shading: school holidays" if interval == "Week" else ""),
        subject=f"{unit} {per}, {selection}",
        holidays=school_holidays(load_term_dates()) if interval == "Week" else (),
    )
    columns = [under_18, "children", "value"] if as_rate else []
    table = series.select(period_col, measure, *columns)
    if as_rate:
        table = table.rename({"value": "per_10000_children"})
    ui.chart_with_data(
        trend,
        table,
        download_name=f"{measure}_{per.replace(' ', '_')}",
        count_columns=[measure, under_18],
    )
    # Analysts only: the query layer refuses everyone else.
    if ui.can_run(runner, ui.RECORDS_QUERY):
        with st.expander("Records behind this chart"):
            records_behind_the_chart(page)


def records_behind_the_chart(page: Selection) -> None:
    runner, measure, monthly, params = page.runner, page.measure, page.monthly, page.params
    if measure != "referrals":
        st.info(
            "The records are early help episodes, one row each: choose Referrals to early "
            "help to list the referrals behind the chart."
        )
        return
    month = st.selectbox(
        "Month",
        monthly["month"].to_list()[::-1],
        format_func=lambda m: charts.month_name(date.fromisoformat(f"{m}-01")),
        key="demand_records_month",
        help="The referrals (early help episodes started) in this month, for the selection above.",
    )
    started = date.fromisoformat(f"{month}-01")
    ui.show_records(
        runner,
        {
            **params,
            "started_from": started,
            "started_to": started.replace(day=monthrange(started.year, started.month)[1]),
        },
        download_name=f"referrals_{month}_records",
        key="demand-records",
    )


def analysis(page: Selection) -> demand.DemandAnalysis | None:
    """The baseline, findings and forecast for the monthly series, or None (with the reason
    shown) when the selection has too little history to learn its seasonal pattern."""
    measure, noun, monthly, params = page.measure, page.noun, page.monthly, page.params
    as_rate, selection = page.as_rate, page.selection
    try:
        return analysed(
            tuple(monthly["month"].to_list()),
            tuple(monthly["value"].to_list()),
            f"{measure}_per_10000" if as_rate else measure,
            params["district"],
        )
    except ValueError:
        st.info(
            f"There are too few months with {noun}s for this selection ({selection}) to learn "
            f"its seasonal pattern: at least {demand.MIN_MONTHS} months (two full years) are "
            "needed, and months with very small numbers are hidden to protect children's "
            "privacy. Choose a wider selection, for example all districts or all age bands."
        )
        return None


def against_expected(page: Selection) -> None:
    measure, unit, as_rate, selection = page.measure, page.unit, page.as_rate, page.selection
    value_format = page.value_format
    result = analysis(page)
    if result is None:
        return
    covid_start, covid_end = (charts.month_name(day) for day in demand.COVID_MONTHS)
    ui.chart_with_data(
        ui.cached_figure(
            charts.expected_demand,
            result.baseline,
            result.findings,
            chart_events(),
            title=f"{unit.capitalize()} against expected, {selection}",
            subtitle=(
                "Per month. Grey band: normal variation. \u25b2 unusually high, "
                "\u25bc unusually low"
            ),
            subject=f"monthly {unit}, {selection}",
            value_format=value_format,
        ),
        result.baseline.select(
            "month",
            pl.col("observed").round(1).alias(unit.replace(" ", "_")),
            pl.col("expected").round(1),
            pl.col("lower").round(1).alias("normal_low"),
            pl.col("upper").round(1).alias("normal_high"),
        ),
        download_name=f"{measure}_against_expected",
        count_columns=[] if as_rate else [measure],
        note=(
            "Expected demand is the seasonal pattern learnt from this selection's history: the "
            "usual rise and fall over the school year on top of the longer-term trend. The grey "
            "band is the normal month-to-month variation around it. The Covid months, "
            f"{covid_start} to {covid_end}, are left out when the pattern is learnt, so they do "
            "not distort it, but they are still compared with it. An unusually high month (a "
            f"peak) is more than {demand.DEFAULT_BAND:g} times the usual month-to-month spread "
            "above expected, not the usual September rise when schools return; an unusually "
            "low month (a trough) is the same below. Each is labelled with the nearest event "
            "in the council's calendar."
        ),
    )
    st.subheader("Unusual months")
    if not result.findings:
        st.info(
            f"No month was unusually high or low for this selection ({selection}): every month "
            "was within its normal variation."
        )
        return
    findings = pl.DataFrame(
        [
            {
                "period": f["period"],
                "kind": "Peak" if f["kind"] == "peak" else "Trough",
                "observed": f["observed"],
                "expected": f["expected"],
                "change_%": f["change_pct"],
                "event": f["event"] or "",
                "summary": demand.describe(f),
            }
            for f in result.findings
        ],
        schema={
            "period": pl.String,
            "kind": pl.String,
            "observed": pl.Float64,
            "expected": pl.Float64,
            "change_%": pl.Float64,
            "event": pl.String,
            "summary": pl.String,
        },
    )
    shown = ui.display_table(findings)
    ui.show_table(shown, key="table-demand-findings")
    ui.download_table(shown, "demand_unusual_months", key="download-demand-findings")


def year_on_year(page: Selection) -> None:
    measure, unit, monthly, as_rate = page.measure, page.unit, page.monthly, page.as_rate
    selection, value_format = page.selection, page.value_format
    by_year = demand.year_on_year(monthly.select("month", "value"), "month", "value")
    ui.chart_with_data(
        ui.cached_figure(
            charts.year_on_year_chart,
            by_year,
            "value",
            title=f"{unit.capitalize()} by financial year, {selection}",
            subtitle=f"{unit.capitalize()} per month, April to March",
            subject=f"monthly {unit}, {selection}",
            value_format=value_format,
        ),
        by_year.pivot(on="year", index="month_name", values="value", maintain_order=True).rename(
            {"month_name": "month"}
        ),
        download_name=f"{measure}_year_on_year",
        count_columns=[] if as_rate else by_year["year"].unique(maintain_order=True).to_list(),
    )


def forecast(page: Selection) -> None:
    measure, unit, monthly, as_rate = page.measure, page.unit, page.monthly, page.as_rate
    selection, value_format = page.selection, page.value_format
    result = analysis(page)
    if result is None:
        return
    if result.forecast is None:
        st.info(
            f"A forecast needs at least {demand.MIN_MONTHS} months of history outside the Covid "
            f"months, plus {demand.BACKTEST_MONTHS} to test it on; this selection ({selection}) "
            "has too few. Choose a wider selection."
        )
        return
    predicted, backtest = result.forecast, result.backtest or {}
    ui.chart_with_data(
        ui.cached_figure(
            charts.forecast_chart,
            monthly.select("month", "value"),
            predicted,
            result.school_returns,
            value_col="value",
            title=f"Forecast {unit}, next {len(predicted)} months, {selection}",
            subtitle="Per month. Dashed: forecast. Shading: 80% and 95% prediction intervals",
            subject=f"monthly {unit}, {selection}",
            value_format=value_format,
        ),
        predicted.rename({"forecast": f"forecast_{measure}" if not as_rate else "forecast_rate"}),
        download_name=f"{measure}_forecast",
    )
    september = [r for r in result.school_returns if r["change_pct"] is not None]
    lines = [
        f"**{r['label']}:** about {r['forecast']:{value_format}} {unit} expected in "
        f"{charts.month_name(date.fromisoformat(r['month'] + '-01'))}, "
        f"{r['change_pct']:+.0f}% on the month before."
        for r in september
    ]
    if lines:
        st.markdown("\n".join(f"- {line}" for line in lines))
    mape, coverage = backtest.get("mape"), backtest.get("coverage_80")
    if mape is None:
        return
    st.markdown(
        f"**How accurate is it?** Forecasting the last {backtest['months']} months from the "
        f"months before them, the forecast was off by **{mape:.1f}%** on average (mean "
        "absolute percentage error)"
        + (
            f", and {coverage:.0%} of those months fell inside the 80% interval."
            if coverage is not None
            else "."
        )
        + " The forecast carries the school-year pattern forward, learnt with the Covid "
        "months set aside; it cannot know about changes to come, such as a new front door "
        "or a change in thresholds."
    )
    with st.expander("Show the backtest as a table"):
        backtest_table = ui.display_table(backtest["table"])
        ui.show_table(backtest_table, key="table-demand-backtest")
        ui.download_table(
            backtest_table, f"{measure}_forecast_backtest", key="download-demand-backtest"
        )
