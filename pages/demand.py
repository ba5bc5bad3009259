"""Demand for early help: referrals (or contacts) for a chosen selection over time, against
their seasonal expectation, year on year, and forecast, with the unusual months explained.

Every filter is bound to the URL, so a copied link reopens the same view.
"""

from datetime import date

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.core import schema
from earlyhelp.measures import demand
from earlyhelp.presentation import charts
from earlyhelp.ui.views import common
from earlyhelp.ui.views import demand as views

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
# (earlyhelp/measures/quality/).
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
VIEWS = {
    OVER_TIME: views.over_time,
    AGAINST_EXPECTED: views.against_expected,
    YEAR_ON_YEAR: views.year_on_year,
    FORECAST: views.forecast,
}
common.show_open_view(VIEWS, common.given(views.Selection, globals()))

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
