"""Front door, pathways and outcomes: how quickly the front door decides, how children move
between early help and social care, how often they come back, how episodes end, and who leads
early help. Filters -> named queries -> charts; the counting is in queries/ and the marts."""

import polars as pl
import streamlit as st

from earlyhelp.measures import pathways, quality
from earlyhelp.presentation import charts, ui
from earlyhelp.query import disclosure

ALL_DISTRICTS = "All districts"
OUTCOMES_BY = {"Level of need": "level", "District": "district"}
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
def front_door() -> None:
    """How quickly the front door decides, and on what contacts."""
    how_counted = (
        f"Front-door timeliness in this data is **{quality.timeliness_words(runner.manifest)}**. "
        "Weekends and England and Wales bank holidays are left out, and a decision on the day of "
        f"the contact is 0. The standard is {in_time}; change it in the sidebar. Shares are of "
        "contacts with a decision date."
    )
    # Percentages are worked out here from the protected counts; each is withheld (c) with them.
    in_time_share = {"per_cent": ("within_standard", "decided")}
    timeliness = pathways.with_percent(
        ui.query(runner, "frontdoor_timeliness", {**params, "standard": standard}),
        "within_standard",
        "decided",
        "per_cent",
    )
    if district is None:
        timeliness = timeliness.filter(pl.col("district") == pathways.BOROUGH)
    if not ui.measure_available(runner, "pathways.timeliness"):
        pass  # not in this extract: the notice says which field
    elif not timeliness["decided"].fill_null(1).sum():
        st.info(
            f"No contacts with a decision for {area} from {period.words}. Choose another period or "
            "All districts."
        )
    else:
        ui.chart_with_data(
            charts.monthly_trend(
                timeliness,
                "month",
                "per_cent",
                color="district" if district else None,
                title=f"Contacts decided within {in_time}",
                y_title="Per cent of contacts with a decision, each month",
                subject=f"the per cent of contacts decided within {in_time}, {area}"
                + (" against the whole borough" if district else ""),
            ),
            timeliness,
            download_name="contacts_decided_in_time_by_month",
            count_columns=runner.counts_of("frontdoor_timeliness"),
            statistics=in_time_share,
            note=how_counted,  # under the chart: the chart comes first on a projector's screen
        )
        by_district = pathways.with_percent(front, "within_standard", "decided", "per_cent")
        ui.chart_with_data(
            pathways.labelled_bar_chart(
                by_district,
                "district",
                "per_cent",
                title=f"Contacts decided within {in_time}, by district",
                x_title=f"Per cent of contacts with a decision, {period.words}",
                subject=f"the per cent of contacts decided within {in_time} in each district and "
                "the borough",
                noun="areas (districts and the borough)",
                highlight=place,
            ),
            by_district,
            download_name="contacts_decided_in_time_by_district",
            count_columns=runner.counts_of("frontdoor_summary"),
            statistics=in_time_share,
        )
        days = ui.query(runner, "frontdoor_decision_days", params)
        ui.chart_with_data(
            pathways.decision_days_figure(days, standard, f"{area}, {period.words}"),
            days,
            download_name="contacts_by_working_days_to_decision",
            count_columns=runner.counts_of("frontdoor_decision_days"),
        )

    left, right = st.columns(2)
    for column, by, noun, key in (
        (left, "source", "who made them", "pathways.contact_source"),
        (right, "decision", "decision", "pathways.decisions"),
    ):
        contacts = ui.query(runner, "frontdoor_contacts", {**params, "by": by})
        contacts = contacts.rename({"category": by})
        with column:
            if not ui.measure_available(runner, key):
                continue
            ui.chart_with_data(
                charts.bar_chart(
                    contacts,
                    by,
                    "contacts",
                    title=f"Contacts by {noun}",
                    x_title=f"Contacts, {period.words}",
                    subject=f"contacts into the front door by {noun}, {area}",
                ),
                contacts,
                download_name=f"contacts_by_{by}",
                count_columns=runner.counts_of("frontdoor_contacts"),
            )


def levels_of_need() -> None:
    """Referrals and open episodes by level of need."""
    st.info(
        "**Moves between levels of need during an episode are not recorded in this data.** Each "
        "early help episode has one level of need, so we cannot show a child moving from one "
        "level to another within an episode. Moves between early help and social care are shown "
        "as step-ups and step-downs, in their own tab."
    )
    levels = ui.query(runner, "pathway_levels", params).with_columns(
        pl.col("level_of_need")
        .map_elements(pathways.level_label, return_dtype=pl.String)
        .alias("level")
    )
    levels = levels.select("level", "level_of_need", "referrals", "open_at_end")
    levels_shown = ui.measure_available(runner, "pathways.level_of_need")
    left, right = st.columns(2)
    for column, value, title, words, subject in (
        (
            left,
            "referrals",
            "Referrals by level of need",
            f"Referrals, {period.words}",
            f"referrals to early help by level of need, {period.words}",
        ),
        (
            right,
            "open_at_end",
            f"Open episodes on {charts.long_date(period.end)}",
            "Open early help episodes",
            f"early help episodes open on {charts.long_date(period.end)} by level of need",
        ),
    ):
        if not levels_shown:
            break
        with column:
            ui.chart_with_data(
                charts.bar_chart(
                    levels,
                    "level",
                    value,
                    title=title,
                    x_title=words,
                    subject=f"{subject}, {area}",
                    sort=False,
                ),
                levels,
                download_name=f"{value}_by_level_of_need",
                count_columns=runner.counts_of("pathway_levels"),
            )


def steps() -> None:
    """Step-ups to social care and step-downs to early help."""
    st.markdown(
        "A **step-up** is a child whose early help episode ended because they were referred to "
        'children\'s social care: the episode ended "Step-up", or social care recorded a '
        "referral from early help (source 5D); when both records show it, it is counted once. "
        "A **step-down** is a social care case closed and referred to early help (closure reason "
        "RC9)."
    )
    step_ups_shown = ui.measure_available(runner, "pathways.step_ups")
    step_downs_shown = ui.measure_available(runner, "pathways.step_downs")
    if step_ups_shown or step_downs_shown:
        steps = ui.query(runner, "pathway_steps_by_month", params)
        # A flow this extract cannot count is left out, not drawn as a line of zeros.
        if not step_downs_shown:
            steps = steps.drop("step_downs", "social_care_closed")
        elif not step_ups_shown:
            steps = steps.drop("step_ups", "early_help_closed")
        flows = {
            "Step-ups": ("step-ups to social care", step_ups_shown),
            "Step-downs": ("step-downs to early help", step_downs_shown),
        }
        shown_flows = {flow: words for flow, (words, shown) in flows.items() if shown}
        ui.chart_with_data(
            charts.monthly_trend(
                pathways.steps_long(steps),
                "month",
                "n",
                color="flow",
                title=f"{' and '.join(shown_flows).capitalize()} each month",
                y_title="Children per month",
                subject=f"monthly {' and '.join(shown_flows.values())}, {area}",
            ),
            steps,
            download_name="step_ups_and_step_downs_by_month",
            count_columns=runner.counts_of("pathway_steps_by_month"),
        )
    rates = pathways.with_percent(summary, "step_ups", "closed", "step_up_per_cent")
    rates = pathways.with_percent(rates, "step_downs", "social_care_closed", "step_down_per_cent")
    rates = rates.select(
        "district",
        "step_ups",
        "closed",
        "step_up_per_cent",
        "step_downs",
        "social_care_closed",
        "step_down_per_cent",
    )
    left, right = st.columns(2)
    for column, value, title, words, subject, shown in (
        (
            left,
            "step_up_per_cent",
            "Step-ups, by district",
            "Per cent of early help episodes closed",
            "step-ups as a per cent of early help episodes closed",
            step_ups_shown,
        ),
        (
            right,
            "step_down_per_cent",
            "Step-downs, by district",
            "Per cent of social care cases closed",
            "step-downs as a per cent of social care cases closed",
            step_downs_shown,
        ),
    ):
        if not shown:
            continue
        with column:
            ui.chart_with_data(
                pathways.labelled_bar_chart(
                    rates,
                    "district",
                    value,
                    title=title,
                    x_title=words,
                    subject=f"{subject}, {period.words}, in each district and the borough",
                    noun="areas (districts and the borough)",
                    highlight=place,
                ),
                rates,
                download_name=value,
                count_columns=runner.counts_of("pathway_summary"),
                statistics={
                    "step_up_per_cent": ("step_ups", "closed"),
                    "step_down_per_cent": ("step_downs", "social_care_closed"),
                },
            )

    if step_ups_shown:
        step_up_days = ui.statistic_text(
            row["median_days_to_step_up"], [row["step_ups"]], pathways.format_days
        )
        timing = ui.query(runner, "pathway_step_ups", params).select(
            pl.col("category").alias("time_band"), "step_ups"
        )
        records = ui.query(runner, "pathway_step_ups", {**params, "by": "record"})
        found = "; ".join(
            f"{category.lower()}: {ui.format_count(n)}"
            for category, n in records.select("category", "step_ups").iter_rows()
        )
        ui.chart_with_data(
            charts.bar_chart(
                timing,
                "time_band",
                "step_ups",
                title="Time from the start of early help to step-up",
                x_title=f"Step-ups, {period.words}",
                subject=f"step-ups by time from the start of the early help episode, {area}",
                sort=False,
            ),
            timing,
            download_name="step_ups_by_time_from_start",
            count_columns=["step_ups"],
            note=f"Median time from the start of early help to step-up: "
            f"**{step_up_days} days**. "
            f"Where the step-ups were recorded: {found}.",
        )


def rereferrals() -> None:
    """Re-referrals within 12 months, and repeat episodes."""
    st.markdown(
        "A **re-referral** is a referral for a child who had another referral to early help in "
        "the 365 days before this referral's date. Referrals before the data start are not seen, "
        "so the first year of data shows fewer re-referrals than there were."
    )
    rereferral_share = {"per_cent": ("rereferrals_12m", "referrals")}
    rereferrals = pathways.with_percent(
        ui.query(runner, "pathway_rereferrals_by_month", params),
        "rereferrals_12m",
        "referrals",
        "per_cent",
    )
    if district is None:
        rereferrals = rereferrals.filter(pl.col("district") == pathways.BOROUGH)
    ui.chart_with_data(
        charts.monthly_trend(
            rereferrals,
            "month",
            "per_cent",
            color="district" if district else None,
            title="Re-referrals within 12 months",
            y_title="Per cent of referrals each month",
            subject=f"the per cent of referrals that were re-referrals within 12 months, {area}"
            + (" against the whole borough" if district else ""),
        ),
        rereferrals,
        download_name="rereferrals_by_month",
        count_columns=runner.counts_of("pathway_rereferrals_by_month"),
        statistics=rereferral_share,
    )
    left, right = st.columns(2)
    with left:
        by_district = pathways.with_percent(summary, "rereferrals_12m", "referrals", "per_cent")
        by_district = by_district.select("district", "referrals", "rereferrals_12m", "per_cent")
        ui.chart_with_data(
            pathways.labelled_bar_chart(
                by_district,
                "district",
                "per_cent",
                title="Re-referrals, by district",
                x_title=f"Per cent of referrals, {period.words}",
                subject="the per cent of referrals that were re-referrals within 12 months in each "
                "district and the borough",
                noun="areas (districts and the borough)",
                highlight=place,
            ),
            by_district,
            download_name="rereferrals_by_district",
            count_columns=runner.counts_of("pathway_summary"),
            statistics=rereferral_share,
        )
    with right:
        repeats = ui.query(runner, "pathway_repeat_episodes", params).select(
            pl.col("episode").alias("episode_number"), "referrals"
        )
        ui.chart_with_data(
            charts.bar_chart(
                repeats,
                "episode_number",
                "referrals",
                title="Referrals by the child's episode number",
                x_title=f"Referrals, {period.words}",
                subject=f"referrals by how many early help episodes the child has had, {area}",
                sort=False,
            ),
            repeats,
            download_name="referrals_by_episode_number",
            count_columns=runner.counts_of("pathway_repeat_episodes"),
        )


def endings() -> None:
    """How early help episodes end, and the journeys from referral to closure."""
    outcomes_by = OUTCOMES_BY[
        st.radio(
            "Compare outcomes by",
            list(OUTCOMES_BY),
            horizontal=True,
            key="pathways_outcomes_by",
        )
    ]
    outcomes_key = "pathways.outcomes_by_level" if outcomes_by == "level" else "pathways.outcomes"
    if ui.measure_available(runner, outcomes_key):
        closures = ui.query(
            runner,
            "outcomes_closures",
            {
                **period.params,
                "by": outcomes_by,
                "district": district if outcomes_by == "level" else None,
            },
        )
        ui.chart_with_data(
            pathways.outcome_panels(
                closures,
                "grp",
                title="Outcomes at closure, by "
                + ("level of need" if outcomes_by == "level" else "district"),
                subject=f"outcomes of early help episodes closed {period.words}, "
                + (f"{area}, by level of need" if outcomes_by == "level" else "by district"),
                highlight=place if outcomes_by == "district" else "All levels",
            ),
            pathways.with_percent(closures, "closures", "closed", "per_cent"),
            download_name=f"closure_outcomes_by_{outcomes_by}",
            count_columns=runner.counts_of("outcomes_closures"),
            statistics={"per_cent": ("closures", "closed")},
        )
    left, right = st.columns(2)
    median_open = ui.statistic_text(row["median_days_open"], [row["closed"]], pathways.format_days)
    with left:
        durations = ui.query(runner, "outcomes_durations", params).select("duration", "closures")
        ui.chart_with_data(
            charts.bar_chart(
                durations,
                "duration",
                "closures",
                title="How long episodes were open",
                x_title=f"Episodes closed, {period.words}",
                subject=f"early help episodes closed by how long they were open, {area}",
                sort=False,
            ),
            durations,
            download_name="episodes_closed_by_time_open",
            count_columns=runner.counts_of("outcomes_durations"),
            note=f"Median time open: **{median_open} days**.",
        )
    with right:
        if ui.measure_available(runner, "pathways.days_by_level"):
            by_level = ui.query(runner, "outcomes_by_level", params)
            median_figure = pathways.labelled_bar_chart(
                by_level,
                "level",
                "median_days_open",
                title="Median days open, by level of need",
                x_title=f"Days, episodes closed {period.words}",
                subject="the median days open of early help episodes closed, by level of need, "
                f"{area}",
                noun="levels of need",
                highlight="All levels",
                formatter=lambda v: f"{pathways.format_days(v)} days",
            )
            ui.chart_with_data(
                median_figure,
                by_level,
                download_name="median_days_open_by_level",
                count_columns=runner.counts_of("outcomes_by_level"),
                statistics=runner.statistics_of("outcomes_by_level"),
            )

    st.subheader("Journeys through early help")
    journeys = ui.query(runner, "journeys_sankey", params)
    if not ui.measure_available(runner, "pathways.journeys"):
        pass  # not in this extract: the notice says which field
    elif journeys.is_empty():
        st.info(
            f"No early help episodes closed for {area} from {period.words}. Choose another period "
            "or All districts."
        )
    else:
        ui.chart_with_data(
            pathways.sankey_figure(
                journeys,
                title="From referral to closure",
                subject=f"early help episodes closed {period.words}, {area}",
            ),
            journeys.with_columns(
                pl.col("level_of_need").map_elements(pathways.level_label, return_dtype=pl.String)
            ),
            download_name="journeys_source_level_outcome",
            count_columns=runner.counts_of("journeys_sankey"),
        )


def partners_and_districts() -> None:
    """Who leads early help, and every district's figures side by side."""
    st.markdown(
        "The share of early help episodes led by partners (schools, health and early years "
        "settings) rather than by the council or the providers it commissions, by the financial "
        "year the episode started. Who leads is read from the organisation recorded on the episode."
    )
    if ui.measure_available(runner, "pathways.partner_led"):
        partners = pathways.with_percent(
            ui.query(runner, "pathway_partner_led", {"district": None}),
            "partner_led",
            "episodes",
            "per_cent",
        )
        ui.chart_with_data(
            pathways.yearly_share_figure(
                partners.with_columns(
                    pl.when(pl.col("part_year"))
                    .then(pl.col("financial_year") + "*")
                    .otherwise(pl.col("financial_year"))
                    .alias("year")
                ),
                "year",
                "district",
                "per_cent",
                title="Early help episodes led by partners",
                y_title="Per cent of episodes started in the year. * part year",
                subject="the per cent of early help episodes led by partners in each district and "
                "the borough",
                highlight=place,
            ),
            partners,
            download_name="partner_led_episodes_by_year",
            count_columns=runner.counts_of("pathway_partner_led"),
            statistics={"per_cent": ("partner_led", "episodes")},
        )

    st.subheader("Districts at a glance")
    st.markdown(
        f"{period.words}. Re-referral % is of referrals; outcomes met % is of episodes closed. "
        f"Counts of 1 to {disclosure.current_policy().withheld_up_to} are shown as **c** to "
        "protect children's privacy, and so is a percentage or median worked out from one."
    )
    glance = pathways.with_percent(summary, "rereferrals_12m", "referrals", "rereferral_per_cent")
    glance = pathways.with_percent(glance, "closed_outcomes_met", "closed", "outcomes_met_per_cent")
    # Withheld statistics become c before the counts they are worked out from are left out.
    glance = ui.mark_withheld(
        glance,
        {
            "rereferral_per_cent": ("rereferrals_12m", "referrals"),
            "outcomes_met_per_cent": ("closed_outcomes_met", "closed"),
            **runner.statistics_of("pathway_summary"),
        },
    )
    glance = glance.select(
        "district",
        "referrals",
        pl.col("rereferral_per_cent").alias("re-referral_%"),
        pl.col("step_ups").alias("step-ups"),
        pl.col("step_downs").alias("step-downs"),
        "closed",
        pl.col("outcomes_met_per_cent").alias("outcomes_met_%"),
        "median_days_open",
        pl.col("median_days_to_step_up").alias("median_days_to_step-up"),
    )
    if ui.measure_available(runner, "pathways.districts"):
        table = ui.display_table(glance, ["referrals", "step-ups", "step-downs", "closed"])
        ui.show_table(table, key="table-pathway-summary")
        ui.download_table(table, "pathway_summary", key="download-pathway-summary")


VIEWS = {
    FRONT_DOOR: front_door,
    LEVELS: levels_of_need,
    STEPS: steps,
    REREFERRALS: rereferrals,
    ENDINGS: endings,
    PARTNERS: partners_and_districts,
}
tabs = st.tabs(list(VIEWS), key="view", bind="query-params")
for tab, show in zip(tabs, VIEWS.values(), strict=True):
    if tab.open:
        with tab:
            show()

ui.page_pack(runner, "pathways")
