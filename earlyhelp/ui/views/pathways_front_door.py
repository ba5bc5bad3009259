"""What the Pathways page draws in its first three tabs: how quickly the front door decides and
on what contacts, referrals and open episodes by level of need, and the step-ups to social care
and step-downs to early help."""

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.measures import pathways, quality
from earlyhelp.presentation import charts
from earlyhelp.ui.views import common
from earlyhelp.ui.views.pathways import (
    Selection,
    per_cent_by_district,
    per_cent_by_month,
    with_borough,
)


def front_door(page: Selection) -> None:
    """How quickly the front door decides, and on what contacts."""
    runner, period, area, params = page.runner, page.period, page.area, page.params
    standard, in_time, front = page.standard, page.in_time, page.front
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
    timeliness = with_borough(page, timeliness)
    if not ui.measure_available(runner, "pathways.timeliness"):
        pass  # not in this extract: the notice says which field
    elif not timeliness["decided"].fill_null(1).sum():
        st.info(
            f"No contacts with a decision for {area} from {period.words}. Choose another period or "
            "All districts."
        )
    else:
        per_cent_by_month(
            page,
            timeliness,
            title=f"Contacts decided within {in_time}",
            y_title="Per cent of contacts with a decision, each month",
            subject=f"the per cent of contacts decided within {in_time}",
            download_name="contacts_decided_in_time_by_month",
            count_columns=runner.counts_of("frontdoor_timeliness"),
            statistics=in_time_share,
            note=how_counted,  # under the chart: the chart comes first on a projector's screen
        )
        by_district = pathways.with_percent(front, "within_standard", "decided", "per_cent")
        per_cent_by_district(
            page,
            by_district,
            "per_cent",
            title=f"Contacts decided within {in_time}, by district",
            x_title=f"Per cent of contacts with a decision, {period.words}",
            subject=f"the per cent of contacts decided within {in_time} in each district and "
            "the borough",
            download_name="contacts_decided_in_time_by_district",
            count_columns=runner.counts_of("frontdoor_summary"),
            statistics=in_time_share,
        )
        days = ui.query(runner, "frontdoor_decision_days", params)
        ui.chart_with_data(
            charts.decision_days_figure(days, standard, f"{area}, {period.words}"),
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
            common.bars_with_data(
                contacts,
                by,
                "contacts",
                title=f"Contacts by {noun}",
                x_title=f"Contacts, {period.words}",
                subject=f"contacts into the front door by {noun}, {area}",
                download_name=f"contacts_by_{by}",
                count_columns=runner.counts_of("frontdoor_contacts"),
            )


def levels_of_need(page: Selection) -> None:
    """Referrals and open episodes by level of need."""
    runner, period, area, params = page.runner, page.period, page.area, page.params
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
            common.bars_with_data(
                levels,
                "level",
                value,
                title=title,
                x_title=words,
                subject=f"{subject}, {area}",
                sort=False,
                download_name=f"{value}_by_level_of_need",
                count_columns=runner.counts_of("pathway_levels"),
            )


def steps(page: Selection) -> None:
    """Step-ups to social care and step-downs to early help."""
    runner, period, area, params = page.runner, page.period, page.area, page.params
    summary, row = page.summary, page.row
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
            per_cent_by_district(
                page,
                rates,
                value,
                title=title,
                x_title=words,
                subject=f"{subject}, {period.words}, in each district and the borough",
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
        common.bars_with_data(
            timing,
            "time_band",
            "step_ups",
            title="Time from the start of early help to step-up",
            x_title=f"Step-ups, {period.words}",
            subject=f"step-ups by time from the start of the early help episode, {area}",
            sort=False,
            download_name="step_ups_by_time_from_start",
            count_columns=["step_ups"],
            note=f"Median time from the start of early help to step-up: "
            f"**{step_up_days} days**. "
            f"Where the step-ups were recorded: {found}.",
        )
