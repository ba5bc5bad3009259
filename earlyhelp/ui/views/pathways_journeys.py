"""What the Pathways page draws in its last three tabs: re-referrals and repeat episodes, how
episodes end (with the journeys from referral to closure), and who leads early help with every
district's figures side by side."""

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.measures import pathways
from earlyhelp.presentation import charts
from earlyhelp.query import disclosure
from earlyhelp.ui.views import common
from earlyhelp.ui.views.pathways import (
    Selection,
    per_cent_by_district,
    per_cent_by_month,
    with_borough,
)

OUTCOMES_BY = {"Level of need": "level", "District": "district"}


def rereferrals(page: Selection) -> None:
    """Re-referrals within 12 months, and repeat episodes."""
    runner, period, area, params = page.runner, page.period, page.area, page.params
    summary = page.summary
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
    per_cent_by_month(
        page,
        with_borough(page, rereferrals),
        title="Re-referrals within 12 months",
        y_title="Per cent of referrals each month",
        subject="the per cent of referrals that were re-referrals within 12 months",
        download_name="rereferrals_by_month",
        count_columns=runner.counts_of("pathway_rereferrals_by_month"),
        statistics=rereferral_share,
    )
    left, right = st.columns(2)
    with left:
        by_district = pathways.with_percent(summary, "rereferrals_12m", "referrals", "per_cent")
        by_district = by_district.select("district", "referrals", "rereferrals_12m", "per_cent")
        per_cent_by_district(
            page,
            by_district,
            "per_cent",
            title="Re-referrals, by district",
            x_title=f"Per cent of referrals, {period.words}",
            subject="the per cent of referrals that were re-referrals within 12 months in each "
            "district and the borough",
            download_name="rereferrals_by_district",
            count_columns=runner.counts_of("pathway_summary"),
            statistics=rereferral_share,
        )
    with right:
        repeats = ui.query(runner, "pathway_repeat_episodes", params).select(
            pl.col("episode").alias("episode_number"), "referrals"
        )
        common.bars_with_data(
            repeats,
            "episode_number",
            "referrals",
            title="Referrals by the child's episode number",
            x_title=f"Referrals, {period.words}",
            subject=f"referrals by how many early help episodes the child has had, {area}",
            sort=False,
            download_name="referrals_by_episode_number",
            count_columns=runner.counts_of("pathway_repeat_episodes"),
        )


def endings(page: Selection) -> None:
    """How early help episodes end, and the journeys from referral to closure."""
    runner, period, district, place = page.runner, page.period, page.district, page.place
    area, params, row = page.area, page.params, page.row
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
            charts.outcome_panels(
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
        common.bars_with_data(
            durations,
            "duration",
            "closures",
            title="How long episodes were open",
            x_title=f"Episodes closed, {period.words}",
            subject=f"early help episodes closed by how long they were open, {area}",
            sort=False,
            download_name="episodes_closed_by_time_open",
            count_columns=runner.counts_of("outcomes_durations"),
            note=f"Median time open: **{median_open} days**.",
        )
    with right:
        if ui.measure_available(runner, "pathways.days_by_level"):
            by_level = ui.query(runner, "outcomes_by_level", params)
            median_figure = charts.labelled_bar_chart(
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
            charts.sankey_figure(
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


def partners_and_districts(page: Selection) -> None:
    """Who leads early help, and every district's figures side by side."""
    runner, period, place, summary = page.runner, page.period, page.place, page.summary
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
            charts.yearly_share_figure(
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
