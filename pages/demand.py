"""Demand for early help: referrals (or contacts) for a chosen selection over time, against
their seasonal expectation, year on year, and forecast, with the unusual months explained.

Every filter is bound to the URL, so a copied link reopens the same view.
"""

from calendar import monthrange
from datetime import date

import polars as pl
import streamlit as st

from earlyhelp.core import schema
from earlyhelp.core.calendar import load_events, load_term_dates, school_holidays
from earlyhelp.measures import demand
from earlyhelp.presentation import charts, ui

ALL_DISTRICTS = "All districts"
ALL_SOURCES = "All sources"
ALL_LEVELS = "All levels of need"
ALL_AGES = "All age bands"
LEVELS = ("1", "2", "3", "4", "0")
MEASURES = {
    "Referrals to early help": ("referrals", "early_help_episodes", "referral"),
    "Contacts to the front door": ("contacts", "contacts", "contact"),
}
QUERIES = {
    ("referrals", "Month"): "referrals_filtered",
    ("referrals", "Week"): "referrals_filtered_weekly",
    ("contacts", "Month"): "contacts_filtered",
    ("contacts", "Week"): "contacts_filtered_weekly",
}
NUMBER, RATE = "Number", "Rate per 10,000 children"
#: The page's views, one tab each. Only the open tab is worked out and drawn (the seasonal fit
#: and the forecast take a moment, and a browser drawing four charts answers a filter slowly).
OVER_TIME, AGAINST_EXPECTED, YEAR_ON_YEAR, FORECAST = (
    "Over time",
    "Against expected",
    "Year on year",
    "Forecast",
)


def level_label(value: str) -> str:
    if value == ALL_LEVELS:
        return value
    return "Level not recorded" if value == "0" else f"Level {value}"


@st.cache_data(show_spinner=False, max_entries=256)
def analysed(
    months: tuple[str, ...], values: tuple[float | None, ...], measure: str, district: str | None
) -> demand.DemandAnalysis:
    """The baseline, findings and forecast for one series (cached: the fits take a moment)."""
    series = pl.DataFrame(
        {"month": months, "value": values}, schema_overrides={"value": pl.Float64}
    )
    return demand.analyse(series, "value", measure=measure, district=district, events=load_events())


runner = ui.warehouse_or_stop()
st.title("Demand for early help")

# --- Filters (each bound to the URL) ----------------------------------------------------------
districts = ui.query(runner, "districts")["district"].to_list()
controls = ui.page_controls()
with controls:
    measure_label = st.segmented_control(
        "Measure",
        list(MEASURES),
        default=next(iter(MEASURES)),
        key="measure",
        bind="query-params",
        required=True,
    )
    interval = st.segmented_control(
        "Per", ["Month", "Week"], default="Month", key="per", bind="query-params", required=True
    )
    show_as = st.segmented_control(
        "Show as", [NUMBER, RATE], default=NUMBER, key="show", bind="query-params", required=True
    )
measure, coverage_table, noun = MEASURES[measure_label]
with controls:
    district = st.selectbox(
        "District", [ALL_DISTRICTS, *districts], key="district", bind="query-params"
    )
    source_group = st.selectbox(
        "Referral source" if measure == "referrals" else "Contact source",
        [ALL_SOURCES, *schema.SOURCE_GROUPS],
        key="source",
        bind="query-params",
    )
    level_of_need = st.selectbox(
        "Level of need",
        [ALL_LEVELS, *LEVELS],
        format_func=level_label,
        key="level",
        bind="query-params",
        disabled=measure == "contacts",
        help="Contacts have no level of need: it is decided when early help starts."
        if measure == "contacts"
        else None,
    )
    age_band = st.selectbox(
        "Age band", [ALL_AGES, *schema.AGE_BANDS], key="age", bind="query-params"
    )

params = {
    "district": None if district == ALL_DISTRICTS else district,
    "source_group": None if source_group == ALL_SOURCES else source_group,
    "age_band": None if age_band == ALL_AGES else age_band,
}
if measure == "referrals":
    params["level_of_need"] = None if level_of_need == ALL_LEVELS else int(level_of_need)
chosen = [
    text
    for text, value in (
        (district, params["district"]),
        (f"from {source_group.lower()}", params["source_group"]),
        (level_label(level_of_need).lower(), params.get("level_of_need")),
        (f"aged {age_band}", params["age_band"]),
    )
    if value is not None
]
selection = ", ".join(chosen) if chosen else "whole borough"
# A filter on a field this extract lacks would show zeros: say so instead
# (earlyhelp/measures/quality.py).
contact = measure == "contacts"
for key, chosen_value in (
    ("demand.contacts" if contact else "demand.referrals", True),
    ("demand.contact_district" if contact else "demand.district", params["district"]),
    ("demand.contact_source" if contact else "demand.source", params["source_group"]),
    ("demand.level_of_need", params.get("level_of_need")),
    ("demand.contact_age_band" if contact else "demand.age_band", params["age_band"]),
):
    if chosen_value is not None and not ui.measure_available(runner, key):
        st.stop()

# --- Data -------------------------------------------------------------------------------------
period_col = "month" if interval == "Month" else "week"
series = ui.query(runner, QUERIES[(measure, interval)], params)
monthly = series if interval == "Month" else ui.query(runner, QUERIES[(measure, "Month")], params)
try:
    _, last_day = ui.coverage(runner, coverage_table)
except Exception:  # no coverage recorded: treat every period as complete
    last_day = None

has_population = monthly["children"].drop_nulls().len() > 0
as_rate = show_as == RATE
if as_rate and not ui.measure_available(runner, "demand.rate"):
    as_rate = False  # the notice says what is missing; numbers are shown instead
if as_rate and not has_population:
    st.warning(
        "Rates per 10,000 children need the child population: ingest a population.csv "
        "(district, year, age_band, children) with the extract. "
        + (
            "There is no population for ages 18+ or not known."
            if params["age_band"] in ("18+", "Not known")
            else "Showing numbers instead."
        )
    )
    as_rate = False
unit = f"{noun}s per 10,000 children" if as_rate else f"{noun}s"
ui.name_downloads("demand", *chosen, "per 10,000 children" if as_rate else None)
value_format = ",.1f" if as_rate else ",.0f"


under_18 = f"{measure}_under_18"


def with_value(frame: pl.DataFrame, period: str) -> pl.DataFrame:
    """The shown value (count or rate), and the last period dropped if the data stop part way
    through it (a part month would look like a collapse in demand)."""
    # A rate counts only the children the population covers (under 18) over that population.
    rate = (pl.col(under_18) / pl.col("children") * 10_000).round(2)
    value = rate if as_rate else pl.col(measure)
    frame = frame.with_columns(value.cast(pl.Float64).alias("value"))
    return demand.complete_periods(frame, period, last_day)


series = with_value(series, period_col)
monthly = with_value(monthly, "month")

counts = monthly[measure].drop_nulls()
if monthly.is_empty() or (counts.sum() == 0 and monthly[measure].null_count() == 0):
    st.info(
        f"There are no {noun}s for this selection ({selection}). "
        "Choose a wider selection, for example all districts or all age bands."
    )
    st.stop()

# --- Headline figures ---------------------------------------------------------------------------
last12, previous12 = monthly.tail(12), monthly.slice(max(monthly.height - 24, 0), 12)
first_month = charts.month_name(date.fromisoformat(last12["month"][0] + "-01"))
last_month = charts.month_name(date.fromisoformat(last12["month"][-1] + "-01"))


def total(frame: pl.DataFrame, column: str = measure) -> int | None:
    """A 12-month total, or None (shown as c) if any month in it was suppressed."""
    values = frame[column]
    return None if values.null_count() else int(values.sum())


def rate_of(frame: pl.DataFrame) -> float | None:
    """12 months' rate per 10,000: one rate wherever it is shown (the Scorecard's KPI, the
    District profile, `kpis`): under-18s over the population of the year the 12 months'
    seventh month is in. None when a month is withheld or the population is missing."""
    yearly = total(frame, under_18)
    if yearly is None or frame.height < 12 or frame["children"].null_count():
        return None
    return yearly / float(frame["children"][6]) * 10_000


# A strategy target applies to the figure the KPI counts: referrals for the whole borough.
whole_borough = measure == "referrals" and not any(params.values())
referrals_kpi = ui.strategy_kpi(runner, "referrals") if whole_borough else None
rate_kpi = ui.strategy_kpi(runner, "referral_rate") if whole_borough else None
with ui.metric_row():
    shown_total = total(last12)
    ui.headline_metric(
        f"{noun.capitalize()}s, 12 months",
        shown_total,
        total(previous12) if previous12.height == 12 else None,
        help=f"{noun.capitalize()}s in the 12 months from {first_month} to {last_month}.",
        target=(referrals_kpi, shown_total) if referrals_kpi else None,
    )
    if has_population and last12["children"].null_count() == 0:
        rate, rate_before = rate_of(last12), rate_of(previous12)
        ui.metric_tile(
            "Per 10,000 children",
            "c" if rate is None else f"{rate:,.0f}",
            delta=None
            if rate is None or rate_before is None
            else f"{round(rate) - round(rate_before):+,}",
            help=f"{noun.capitalize()}s of children under 18 in the 12 months, per 10,000 "
            "children living in the selected area and ages (the mid-year estimate for the year "
            "in the middle of the 12 months).",
            target=(rate_kpi, rate) if rate_kpi else None,
        )
    st.markdown(
        f"**{first_month} to {last_month}**, against the 12 months before.  \n"
        f"**{selection.capitalize()}**"
        + ("" if ui.presenting() else ": choose what to show in the sidebar.")
    )


# --- The views, one tab each (bound to the URL, so a copied link opens the same tab) -----------
def chart_events() -> pl.DataFrame:
    """The calendar events the charts mark (read only by the views that draw them)."""
    return load_events().filter(pl.col("kind").is_in(["covid", "school"]))


per = "per week" if interval == "Week" else "per month"


def over_time() -> None:
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
            records_behind_the_chart()


def records_behind_the_chart() -> None:
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


def analysis() -> demand.DemandAnalysis | None:
    """The baseline, findings and forecast for the monthly series, or None (with the reason
    shown) when the selection has too little history to learn its seasonal pattern."""
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


def against_expected() -> None:
    result = analysis()
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


def year_on_year() -> None:
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


def forecast() -> None:
    result = analysis()
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


VIEWS = {
    OVER_TIME: over_time,
    AGAINST_EXPECTED: against_expected,
    YEAR_ON_YEAR: year_on_year,
    FORECAST: forecast,
}
tabs = st.tabs(list(VIEWS), key="view", bind="query-params")
for tab, show in zip(tabs, VIEWS.values(), strict=True):
    if tab.open:
        with tab:
            show()

ui.page_pack(
    runner,
    "demand",
    district=params["district"],
    demand_filters={
        "source_group": params["source_group"],
        "level_of_need": params.get("level_of_need"),
        "age_band": params["age_band"],
    },
)
