"""Front door, pathways and outcomes: how quickly the front door decides, how children move
between early help and social care, how often they come back, how episodes end, and who leads
early help. Filters -> named queries -> charts; the counting is in queries/ and the marts."""

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.measures import pathways
from earlyhelp.ui.views import common
from earlyhelp.ui.views import pathways_front_door as front_door
from earlyhelp.ui.views import pathways_journeys as journeys
from earlyhelp.ui.views.pathways import Selection

ALL_DISTRICTS = "All districts"
#: The page's views, one tab each (bound to the URL as `view`): each answers one question, and
#: only the open one is worked out and drawn.
FRONT_DOOR, LEVELS, STEPS, REREFERRALS, ENDINGS, PARTNERS = (
    "Front door",
    "Levels of need",
    "Step-ups and step-downs",
    "Re-referrals",
    "How episodes end",
    "Partners and districts",
)

runner = ui.warehouse_or_stop()

st.title("Front door, pathways and outcomes")

first_date, last_date = ui.coverage_or_stop(runner)
periods = {p.label: p for p in pathways.periods(first_date, last_date)}
districts = ui.query(runner, "districts")["district"].to_list()

with ui.page_controls():
    district_choice = st.selectbox("District", [ALL_DISTRICTS, *districts], key="pathways_district")
    period = periods[st.selectbox("Period", list(periods), key="pathways_period")]
    standard = int(
        st.number_input(
            "Front-door standard (working days)",
            min_value=0,
            max_value=pathways.MAX_STANDARD_DAYS,
            value=pathways.DEFAULT_STANDARD_DAYS,
            step=1,
            key="pathways_standard",
            help="A contact meets the standard when the front door decides within this many "
            "working days (weekends and bank holidays do not count; 0 means the same day).",
        )
    )

district = None if district_choice == ALL_DISTRICTS else district_choice
place = district or pathways.BOROUGH
area = district or "the whole borough"
params = {**period.params, "district": district}
in_time = pathways.standard_words(standard)
ui.name_downloads(
    "pathways",
    district,
    None if period is next(iter(periods.values())) else period.words,
    None if standard == pathways.DEFAULT_STANDARD_DAYS else f"standard {standard} days",
)
st.caption(f"Showing {area}, {period.words}, against the same months a year before.")

# --- Headline figures ---------------------------------------------------------------------------
summary = ui.query(runner, "pathway_summary", period.params)
front = ui.query(runner, "frontdoor_summary", {**period.params, "standard": standard})
row = summary.filter(pl.col("district") == place)
front_row = front.filter(pl.col("district") == place)
if row.is_empty() or front_row.is_empty():
    st.info(f"There is no data for {area}. Choose All districts.")
    st.stop()
row, front_row = row.row(0, named=True), front_row.row(0, named=True)
if not (row["referrals"] or row["closed"] or front_row["contacts"]):
    st.info(
        f"There were no contacts, referrals or closures for {area} from {period.words}. "
        "Choose another period or All districts."
    )
    st.stop()

# The same months a year before, for each tile's change (none when the data do not reach back).
before = pathways.period_before(period, first_date)
row_before, front_before = {}, {}
if before is not None:
    found = ui.query(runner, "pathway_summary", before.params).filter(pl.col("district") == place)
    found_front = ui.query(
        runner, "frontdoor_summary", {**before.params, "standard": standard}
    ).filter(pl.col("district") == place)
    row_before = found.row(0, named=True) if found.height else {}
    front_before = found_front.row(0, named=True) if found_front.height else {}


def kpi_target(kpi_id: str, value: float | None, **kpi_params) -> tuple | None:
    """A strategy KPI's target for a tile, when the tile counts what the KPI counts: its 12
    months (the period chosen first), its parameters (the standard), and an area it has a
    target for."""
    if period is not next(iter(periods.values())):
        return None
    kpi = ui.strategy_kpi(runner, kpi_id)
    if (
        kpi is None
        or not kpi.applies_to(place)
        or any(kpi.params.get(k) != v for k, v in kpi_params.items())
    ):
        return None
    return kpi, value


decided_share = pathways.percent(front_row["within_standard"], front_row["decided"])
rereferral_share = pathways.percent(row["rereferrals_12m"], row["referrals"])
#: Six tiles on one row of the main column (labels up to about 15 characters); presenting,
#: the column is the screen's width and the type larger.
TILE_PX = 200 if ui.presenting() else 145
with ui.metric_row():
    if ui.metric_available(runner, "pathways.timeliness", "Decided in time"):
        ui.metric_tile(
            "Decided in time",
            pathways.format_percent(decided_share),
            delta=pathways.points_change(
                decided_share,
                pathways.percent(front_before.get("within_standard"), front_before.get("decided")),
            ),
            help=f"Contacts with a decision that were decided within {in_time}.",
            target=kpi_target("decisions_in_time", decided_share, standard=standard),
            width=TILE_PX,
        )
    ui.headline_metric(
        "Referrals",
        row["referrals"],
        row_before.get("referrals"),
        help="Early help episodes that started in the period.",
        target=kpi_target("referrals", row["referrals"]),
        width=TILE_PX,
    )
    ui.metric_tile(
        "Re-referrals",
        pathways.format_percent(rereferral_share),
        delta=pathways.points_change(
            rereferral_share,
            pathways.percent(row_before.get("rereferrals_12m"), row_before.get("referrals")),
        ),
        help="Share of referrals for a child who had another referral in the 365 days before.",
        target=kpi_target("rereferrals", rereferral_share),
        width=TILE_PX,
    )
    if ui.metric_available(runner, "pathways.step_ups", "Step-ups"):
        ui.headline_metric(
            "Step-ups",
            row["step_ups"],
            row_before.get("step_ups"),
            help="Children stepped up from early help to social care (a number; the "
            "Scorecard's step-up measure is their percentage of episodes closed).",
            width=TILE_PX,
        )
    if ui.metric_available(runner, "pathways.step_downs", "Step-downs"):
        ui.headline_metric(
            "Step-downs",
            row["step_downs"],
            row_before.get("step_downs"),
            help="Social care cases closed and referred to early help (closure reason RC9).",
            width=TILE_PX,
        )
    median = row["median_days_open"]
    ui.metric_tile(
        "Median days",
        ui.statistic_text(median, [row["closed"]], pathways.format_days),
        delta=pathways.points_change(median, row_before.get("median_days_open"), " days"),
        help="Median days open: half of the early help episodes closed in the period were open "
        "longer than this.",
        target=kpi_target("median_episode_days", median),
        width=TILE_PX,
    )

ui.partial_notes(runner, ["pathways.timeliness", "pathways.step_ups", "pathways.step_downs"])


# --- The views, one tab each (bound to the URL, so a copied link opens the same tab) -----------
VIEWS = {
    FRONT_DOOR: front_door.front_door,
    LEVELS: front_door.levels_of_need,
    STEPS: front_door.steps,
    REREFERRALS: journeys.rereferrals,
    ENDINGS: journeys.endings,
    PARTNERS: journeys.partners_and_districts,
}
common.show_open_view(VIEWS, common.given(Selection, globals()))

ui.page_pack(runner, "pathways")
