"""Caseloads and workforce: open early help cases on a chosen date by district, team and worker,
against a caseload threshold; open cases over time; waits for a worker; changes of worker; and
council teams against commissioned providers.

The headline tiles (open episodes, and the parts that add up to them: with a worker, waiting,
led by partners) are above five views, one tab each (bound to the URL as `view`, so a copied link
opens the same one); only the open tab is worked out and drawn. The date and the threshold are in
the sidebar; the per-FTE tiles are on the Teams and workers view, which the threshold is for."""

from datetime import date

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.core.calendar import load_events
from earlyhelp.measures import caseloads
from earlyhelp.presentation import charts
from earlyhelp.ui.views import caseloads as views
from earlyhelp.ui.views import common

#: The page's views, one tab each: each answers one question.
BY_DISTRICT, TEAMS, OVER_TIME, WAITING, CHANGES = (
    "By district",
    "Teams and workers",
    "Over time",
    "Waiting for a worker",
    "Changes of worker",
)

runner = ui.warehouse_or_stop()
role = ui.current_role()
first_day, last_day = ui.coverage_or_stop(runner)

st.title("Caseloads and workforce")

with ui.page_controls():
    as_of = st.date_input(
        "Snapshot date",
        value=last_day,
        min_value=date(first_day.year - 5, 1, 1),
        max_value=last_day,
        format="DD/MM/YYYY",
        key="caseloads_as_of",
        help=f"The data cover {charts.long_date(first_day)} to {charts.long_date(last_day)}.",
    )
    threshold = st.number_input(
        "Caseload threshold (open cases per FTE)",
        min_value=1,
        max_value=60,
        value=caseloads.DEFAULT_THRESHOLD,
        step=1,
        key="caseloads_threshold",
        help="Workers with more open cases per full-time equivalent than this are counted "
        "(Teams and workers).",
    )

when = charts.long_date(as_of)
if as_of < first_day:
    st.info(
        f"There are no early help episodes on {when}: the data start on "
        f"{charts.long_date(first_day)}. Choose a snapshot date from "
        f"{charts.long_date(first_day)} to {charts.long_date(last_day)}."
    )
    st.stop()

on_day = {"as_of": as_of}
ui.name_downloads(
    "caseloads",
    None if as_of == last_day else as_of.isoformat(),
    None if threshold == caseloads.DEFAULT_THRESHOLD else f"threshold {threshold}",
)
period_start, period_end = caseloads.twelve_months_to(as_of)
period = {"from": period_start, "to": period_end}
period_text = f"{charts.month_name(period_start)} to {charts.month_name(period_end)}"
events = load_events().filter(pl.col("kind").is_in(["covid", "school"]))

districts = ui.query(runner, "caseload_snapshot_by_district", on_day)

# --- Open cases on the date: the tiles add up to the open episodes ------------------------------
split = caseloads.open_split(
    districts,
    exact=role.exact_counts,
    borough_waiting=ui.query(runner, "kpi_waiting_for_worker", on_day),
)
# Each tile's change is on the same day a year before, unless that day is in the extract's
# warm-up, when open episodes were undercounted (a change from it would read as growth).
warm_up = ui.extract_warm_up(runner)
year_before = {"as_of": caseloads.a_year_before(as_of)}
before = (
    caseloads.open_split(
        ui.query(runner, "caseload_snapshot_by_district", year_before),
        exact=role.exact_counts,
        borough_waiting=ui.query(runner, "kpi_waiting_for_worker", year_before),
    )
    if warm_up.counts_fully(year_before["as_of"])
    else None
)
waiting_kpi = ui.strategy_kpi(runner, "waiting_for_worker") if as_of == last_day else None
st.subheader(f"Open cases on {when}")
with ui.metric_row():
    ui.headline_metric(
        "Open episodes",
        split.open_episodes,
        before and before.open_episodes,
        help=f"Early help episodes open on {when}: started on or before that date and not ended "
        "on or before it. The tiles beside it add up to it.",
    )
    if ui.metric_available(runner, "caseloads.with_worker", "With a worker"):
        ui.headline_metric(
            "With a worker",
            split.with_worker,
            before and before.with_worker,
            help="Open episodes held by a council team or commissioned provider that had a "
            "worker on the day.",
        )
    if ui.metric_available(runner, "caseloads.waiting", "Waiting for a worker"):
        ui.headline_metric(
            "Waiting for a worker",
            split.waiting,
            before and before.waiting,
            help="Open episodes held by a council team or commissioned provider that had not "
            "yet been given their first worker.",
            # The strategy's KPI is this count on the data's latest day.
            target=(waiting_kpi, split.waiting) if waiting_kpi else None,
        )
    if ui.metric_available(runner, "caseloads.with_worker", "Led by partners"):
        ui.headline_metric(
            "Led by partners",
            split.partner_led,
            before and before.partner_led,
            help="Open episodes led by a partner such as a school, a health visitor or an early "
            "years setting, not held by a council team or commissioned provider.",
        )
st.caption(split.sentence() + (" Changes are on the same day a year before." if before else ""))
ui.partial_notes(runner, ["caseloads.with_worker", "caseloads.waiting"])


# --- The views, one tab each (bound to the URL, so a copied link opens the same tab) -----------
VIEWS = {
    BY_DISTRICT: views.by_district,
    TEAMS: views.teams_and_workers,
    OVER_TIME: views.over_time,
    WAITING: views.waiting,
    CHANGES: views.changes,
}
common.show_open_view(VIEWS, common.given(views.Snapshot, globals()))

ui.page_pack(runner, "caseloads")
