"""Overview: headline figures, the monthly referral trend with events, and the districts."""

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.core.calendar import load_events
from earlyhelp.measures import benchmarks, caseloads
from earlyhelp.presentation import charts

runner = ui.warehouse_or_stop()

headline = ui.query(runner, "overview_headlines").row(0, named=True)
period_start, period_end = headline["period_start"], headline["period_end"]
events = load_events().filter(pl.col("kind").is_in(["covid", "school"]))

st.title("Early help overview")
st.markdown(
    f"**{charts.long_date(period_start)} to {charts.long_date(period_end)}**, against the "
    "12 months before (open episodes: against a year before)."
)
referrals_kpi = ui.strategy_kpi(runner, "referrals")
# Open episodes a year before are compared only out of the extract's warm-up, when they were
# not undercounted (episodes begun before the data are missing from its first months).
open_before = (
    headline["open_episodes_year_before"]
    if ui.extract_warm_up(runner).counts_fully(caseloads.a_year_before(period_end))
    else None
)

with ui.metric_row():
    ui.headline_metric(
        "Referrals to early help",
        headline["referrals_12m"],
        headline["referrals_prev_12m"],
        help="Children whose early help episode started in the last 12 months.",
        # The strategy's referrals KPI counts the same: the borough's 12 complete months.
        target=(referrals_kpi, headline["referrals_12m"]) if referrals_kpi else None,
    )
    ui.headline_metric(
        "Open episodes now",
        headline["open_episodes"],
        open_before,
        help=f"Early help episodes open on {charts.long_date(period_end)}: started on or "
        "before that date and not ended on or before it.",
    )
    if ui.metric_available(runner, "overview.contacts", "Contacts"):
        ui.headline_metric(
            "Contacts",
            headline["contacts_12m"],
            headline["contacts_prev_12m"],
            help="Contacts into the front door (MASH or single point of access) in the last "
            "12 months.",
        )
    if ui.metric_available(runner, "overview.step_ups", "Step-ups to social care"):
        ui.headline_metric(
            # A number of episodes: "Step-ups to social care" is the Scorecard's percentage.
            "Ended in a step-up",
            headline["step_ups_12m"],
            headline["step_ups_prev_12m"],
            help="Early help episodes that ended in the last 12 months because the child was "
            "referred to children's social care (a number; the Scorecard's step-up measure is "
            "the percentage of episodes that ended this way).",
        )
ui.partial_notes(runner, ["overview.contacts", "overview.step_ups"])
# Published figures to set beside these (when DfE files are loaded): the Compared with others page.
compared = benchmarks.council_standing(runner.manifest, lambda n, p: ui.query(runner, n, p))
published = benchmarks.comparator_words(*compared, "referrals_rate") if compared else None
if published:
    st.caption(
        f"For comparison, as DfE published it: {published} More on the Compared with others page."
    )

monthly = ui.query(runner, "referrals_borough_by_month", {"to": period_end})
trend = charts.monthly_trend(
    monthly,
    "month",
    "referrals",
    events=events,
    title="Referrals to early help each month, whole borough",
    y_title="Referrals per month",
    subject="monthly referrals to early help in the borough",
)
explanation = "\n\n".join(
    text
    for text in (
        charts.change_sentence(
            headline["referrals_12m"], headline["referrals_prev_12m"], period_end
        ),
        charts.trend_summary(monthly, "month", "referrals", events),
    )
    if text
)
ui.chart_with_data(
    trend,
    monthly,
    download_name="referrals_by_month",
    count_columns=runner.counts_of("referrals_borough_by_month"),
    note=explanation,
)

st.header("Districts")
if ui.measure_available(runner, "overview.referrals_by_district"):
    by_district = ui.query(runner, "referrals_by_month", {"to": period_end})
    district_trend = charts.small_multiples(
        by_district,
        "month",
        "referrals",
        "district",
        events=events,
        title="Referrals to early help each month, by district",
        y_title="Referrals per month",
        subject="monthly referrals to early help in each district",
    )
    ui.chart_with_data(
        district_trend,
        by_district.pivot(on="district", index="month", values="referrals"),
        download_name="referrals_by_month_and_district",
        count_columns=by_district["district"].unique().to_list(),
    )

    caseload = ui.query(runner, "caseload_by_district", {"as_of": period_end})
    ui.chart_with_data(
        charts.bar_chart(
            caseload,
            "district",
            "open_episodes",
            title=f"Open early help episodes by district, {charts.long_date(period_end)}",
            x_title="Open episodes",
            subject=f"open early help episodes in each district on {charts.long_date(period_end)}",
        ),
        caseload,
        download_name="open_episodes_by_district",
        count_columns=runner.counts_of("caseload_by_district"),
    )

ui.page_pack(runner, "overview")
