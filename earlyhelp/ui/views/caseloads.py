"""What the Caseloads page draws in its five tabs (by district, teams and workers, over time,
waiting for a worker, changes of worker), for the snapshot date and threshold chosen."""

from dataclasses import dataclass
from datetime import date

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.measures import caseloads
from earlyhelp.presentation import charts
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from earlyhelp.ui.views import common

ALL_DISTRICTS, ALL_TEAMS = "All districts", "All teams"


@dataclass(frozen=True)
class Snapshot:
    """The page's choices (the snapshot date, the threshold) and what its views share."""

    runner: QueryRunner
    role: Role
    as_of: date
    #: The snapshot date in words, and it as the queries' parameter.
    when: str
    on_day: dict
    threshold: int
    #: The 12 months to the snapshot date: the queries' parameters, and in words.
    period: dict
    period_text: str
    #: The calendar events the charts mark.
    events: pl.DataFrame
    #: Open episodes by district on the day (caseload_snapshot_by_district).
    districts: pl.DataFrame
    warm_up: caseloads.WarmUp


def by_district(page: Snapshot) -> None:
    """Open episodes by district, and (analysts only) the records behind them."""
    runner, role, as_of, when, on_day = page.runner, page.role, page.as_of, page.when, page.on_day
    districts = page.districts
    if ui.measure_available(runner, "caseloads.open_by_district"):
        common.bars_with_data(
            districts,
            "district",
            "open_episodes",
            title="Open episodes by district",
            x_title=f"Open early help episodes on {when}",
            subject=f"open early help episodes in each district on {when}",
            download_name="caseloads_open_by_district",
            count_columns=runner.counts_of("caseload_snapshot_by_district"),
        )

    team_rows = ui.query(runner, "caseload_by_team", on_day)
    if ui.can_run(runner, ui.RECORDS_QUERY, role):
        with st.expander(f"Records behind these figures: episodes open on {when}"):
            with st.container(horizontal=True, gap="small"):
                records_district = st.selectbox(
                    "District",
                    [ALL_DISTRICTS, *districts["district"].to_list()],
                    key="caseloads_records_district",
                )
                records_team = st.selectbox(
                    "Team",
                    [ALL_TEAMS, *team_rows["team"].to_list()],  # as recorded, unlabelled
                    key="caseloads_records_team",
                    help="The team of the worker holding the episode on the day; choosing a team "
                    "leaves out episodes waiting for a worker.",
                )
            ui.show_records(
                runner,
                {
                    "open_on": as_of,
                    "district": None if records_district == ALL_DISTRICTS else records_district,
                    "team": None if records_team == ALL_TEAMS else records_team,
                },
                download_name=f"open_episodes_{as_of.isoformat()}_records",
                key="caseloads-records",
            )


def teams_and_workers(page: Snapshot) -> None:
    """Open cases per FTE, by team, and how they are spread over the workers."""
    runner, role, as_of, when = page.runner, page.role, page.as_of, page.when
    threshold, on_day = page.threshold, page.on_day
    summary = ui.query(runner, "workers_caseload_summary", on_day).row(0, named=True)
    summary_per_fte = caseloads.with_cases_per_fte(pl.DataFrame([summary])).row(0, named=True)
    distribution = ui.query(runner, "workers_caseload_distribution", on_day)
    above = caseloads.workers_above(distribution, threshold)
    if ui.metric_available(runner, "caseloads.per_fte", "Cases per FTE"):
        with ui.metric_row():
            st.metric(
                "Cases per FTE",
                "none"
                if summary_per_fte["cases_per_fte"] is None
                else summary_per_fte["cases_per_fte"],
                help="Open cases held by workers with an FTE recorded, divided by their total "
                "FTE (case-holding workers only).",
                border=True,
                width=ui.METRIC_WIDTH_PX,
            )
            st.metric(
                f"Above {threshold} per FTE",
                f"{above} of {int(distribution['workers'].sum())}",
                help="Case-holding workers with an FTE recorded whose open cases per FTE are "
                "above the threshold (set in the sidebar).",
                border=True,
                width=ui.METRIC_WIDTH_PX,
            )
        ui.partial_notes(runner, ["caseloads.per_fte"])
    team_rows = ui.query(runner, "caseload_by_team", on_day)
    teams = caseloads.with_provider_label(caseloads.with_cases_per_fte(team_rows), "team")
    if teams.is_empty():
        # A measure missing from this extract says so instead (no worker holds a case at all).
        if ui.measure_available(runner, "caseloads.with_worker"):
            st.info(
                f"No worker held an open early help case on {when}, so there is nothing to show "
                "by team or worker. Choose a later snapshot date."
            )
        return
    team_table = teams.select(
        "team",
        "provider_type",
        "open_cases",
        "workers",
        "fte",
        "cases_per_fte",
        "workers_fte_not_recorded",
        "cases_fte_not_recorded",
    )
    team_counts = runner.counts_of("caseload_by_team")
    per_fte = {"cases_per_fte": ("cases_fte_recorded",)}
    # A role kept to one district gets each team's cases of its own district's children only
    # (the query runner asks for them): a team's row for the borough holds other districts'.
    whose = f" of {role.district}'s children" if role.district else ""
    if ui.measure_available(runner, "caseloads.by_team"):
        common.bars_with_data(
            teams,
            "team",
            "open_cases",
            title="Open cases by team" + (f", {role.district}" if role.district else ""),
            x_title=f"Cases{whose} held by the team's workers on {when}",
            subject=f"open early help cases{whose} held by each team's workers on {when}",
            table=team_table,
            download_name="caseloads_open_by_team",
            count_columns=team_counts,
            statistics=per_fte,
        )
    if role.district and ui.measure_available(runner, "caseloads.per_fte"):
        st.info(
            "Caseload per FTE by team is a figure for the whole service, not for one district: "
            f"the teams' workers also hold other districts' cases, so it is not shown in the "
            f"{role.district} view."
        )
    elif ui.measure_available(runner, "caseloads.per_fte"):
        common.bars_with_data(
            teams,
            "team",
            "cases_per_fte",
            title="Caseload per FTE by team",
            x_title=f"Open cases per case-holding FTE on {when}",
            subject=f"open early help cases per case-holding FTE in each team on {when}",
            table=team_table,
            download_name="caseloads_per_fte_by_team",
            count_columns=team_counts,
            note=caseloads.fte_note(summary),
            statistics=per_fte,
        )

    st.subheader("Caseload per worker")
    if ui.measure_available(runner, "caseloads.by_worker"):
        ui.chart_with_data(
            charts.caseload_distribution_figure(distribution, threshold, as_of),
            caseloads.distribution_table(distribution, threshold),
            download_name="caseloads_workers_distribution",
            note=f"{above} of {int(distribution['workers'].sum())} case-holding workers with an "
            f"FTE recorded have more than {threshold} open cases per FTE. "
            + caseloads.fte_note(summary),
        )
    if caseloads.sees_worker_names(role):
        workers = ui.query(runner, "workers_caseload", on_day)
        per_worker = caseloads.worker_table(workers, threshold)
        if role.scoped_manager:
            # Cases of this district's children only: per FTE is a whole-service figure.
            per_worker = per_worker.drop("cases_per_fte", f"above_{threshold:g}_per_fte")
        table = ui.display_table(per_worker, runner.counts_of("workers_caseload"))
        st.subheader(f"Each worker's open cases, {when}")
        if role.scoped_manager:
            st.caption(
                f"Each worker holding a case of {role.district}'s children on {when}, with those "
                f"cases only. Cases per FTE are not shown here: the workers' time is shared with "
                f"other districts' children."
            )
        ui.show_table(table, key="table-caseloads-workers")
        ui.download_table(table, "caseloads_by_worker", key="download-caseloads-workers")
    else:
        st.caption(
            f"Individual workers' caseloads are shown to managers and analysts only; the "
            f"{ui.role_label(role)} shows how caseloads are spread."
        )


def over_time(page: Snapshot) -> None:
    """Open episodes at the end of each month, by district and by level of need, with the
    extract's warm-up shaded (its first months miss the episodes begun before the data)."""
    runner, when, on_day, events = page.runner, page.when, page.on_day, page.events
    warm_up = page.warm_up
    by_month = ui.query(runner, "caseload_by_month", on_day)
    if by_month.is_empty():
        st.info(
            f"There is no complete month of data up to {when}. Choose a later snapshot date to see "
            "open cases month by month."
        )
    else:
        ui.chart_with_data(
            charts.shade_extract_warm_up(
                warm_up,
                charts.small_multiples(
                    by_month,
                    "month",
                    "open_episodes",
                    "district",
                    events=events,
                    title="Open episodes by district",
                    y_title="Open early help episodes at the end of each month",
                    subject="open early help episodes at the end of each month in each district",
                ),
            ),
            by_month.pivot(on="district", index="month", values="open_episodes"),
            download_name="caseloads_open_by_month_and_district",
            count_columns=by_month["district"].unique().to_list(),
            note=warm_up.note(by_month["month"]),
        )
        if ui.measure_available(runner, "caseloads.by_level"):
            by_level = caseloads.level_labels(
                ui.query(runner, "caseload_by_month_and_level", on_day)
            )
            ui.chart_with_data(
                charts.shade_extract_warm_up(
                    warm_up,
                    charts.monthly_trend(
                        by_level,
                        "month",
                        "open_episodes",
                        color="level_of_need",
                        events=events,
                        title="Open episodes by level of need",
                        y_title="At the end of each month, whole borough",
                        subject="open early help episodes at the end of each month by level "
                        "of need",
                    ),
                ),
                by_level.pivot(on="level_of_need", index="month", values="open_episodes"),
                download_name="caseloads_open_by_month_and_level",
                count_columns=by_level["level_of_need"].unique().to_list(),
                note=warm_up.note(by_level["month"]),
            )


def waiting(page: Snapshot) -> None:
    """Open episodes waiting for a first worker, and how long the last 12 months' waited."""
    runner, when, period, period_text = page.runner, page.when, page.period, page.period_text
    districts = page.districts
    if ui.measure_available(runner, "caseloads.waiting"):
        common.bars_with_data(
            districts,
            "district",
            "waiting",
            title="Waiting for a first worker",
            x_title=f"Open episodes with no worker yet on {when}",
            subject="open early help episodes waiting for their first worker in each district "
            f"on {when}",
            table=districts.select("district", "case_held_episodes", "with_worker", "waiting"),
            download_name="caseloads_waiting_by_district",
            count_columns=runner.counts_of("caseload_snapshot_by_district"),
        )
    allocation = ui.query(runner, "allocation_by_district", period)
    allocated = allocation.filter(pl.col("median_days").is_not_null())
    if not ui.measure_available(runner, "caseloads.allocation"):
        pass  # not in this extract: the notice says which field
    elif not allocation["allocated"].fill_null(1).sum():
        st.info(
            f"No episode was given its first worker from {period_text}. Choose a later snapshot "
            "date to see how long families waited."
        )
    elif allocated.is_empty():
        st.info(
            f"Too few families were given their first worker in each district from {period_text} "
            "to show how long they waited without risking identifying them."
        )
        ui.show_table(
            ui.display_table(
                allocation,
                runner.counts_of("allocation_by_district"),
                runner.statistics_of("allocation_by_district"),
            ),
            key="table-caseloads_days_to_allocation_by_district",
        )
    else:
        ui.chart_with_data(
            charts.whole_number_axis(
                charts.bar_chart(
                    allocated,
                    "district",
                    "median_days",
                    title="Days from referral to first worker",
                    x_title=f"Median days by district, {period_text}",
                    subject=f"the median days from referral to first worker in each district, "
                    f"for episodes given a worker from {period_text}",
                )
            ),
            allocation,
            download_name="caseloads_days_to_allocation_by_district",
            count_columns=runner.counts_of("allocation_by_district"),
            statistics=runner.statistics_of("allocation_by_district"),
            note="Days from the start of the episode to the start of its first worker's "
            "involvement, for episodes given their first worker in these 12 months.",
        )


def changes(page: Snapshot) -> None:
    """Changes of worker, by district, by month and by council team or provider."""
    runner, on_day, period, period_text = page.runner, page.on_day, page.period, page.period_text
    events = page.events
    st.markdown(
        "Families should not have to tell their story many times. These are episodes that had a "
        "worker and closed, with how often their worker changed."
    )
    continuity = caseloads.with_average_changes(
        caseloads.with_share(
            ui.query(runner, "continuity_by_district", period),
            "two_or_more_changes",
            "episodes_closed",
            "two_or_more_pct",
        )
    )
    continuity_counts = runner.counts_of("continuity_by_district")
    # Worked out here from the protected counts: withheld (c) with them.
    continuity_shares = {
        "two_or_more_pct": ("two_or_more_changes", "episodes_closed"),
        "average_changes": ("worker_changes", "episodes_closed"),
    }
    changes_shown = ui.measure_available(runner, "caseloads.changes")
    if not changes_shown:
        pass  # not in this extract: the notice says which field
    elif continuity.filter(pl.col("two_or_more_pct").is_not_null()).is_empty():
        st.info(
            f"No episode with a worker closed from {period_text}. Choose a later snapshot date to "
            "see changes of worker."
        )
    else:
        common.bars_with_data(
            continuity,
            "district",
            "two_or_more_pct",
            title="Two or more changes of worker",
            x_title=f"% of closed episodes by district, {period_text}",
            subject=f"the per cent of closed episodes with two or more changes of worker in "
            f"each district, {period_text}",
            download_name="caseloads_changes_by_district",
            count_columns=continuity_counts,
            statistics=continuity_shares,
        )
    by_closure = caseloads.with_share(
        ui.query(runner, "continuity_by_month", on_day),
        "two_or_more_changes",
        "episodes_closed",
        "two_or_more_pct",
    )
    if changes_shown and not by_closure.is_empty():
        ui.chart_with_data(
            charts.monthly_trend(
                by_closure,
                "month",
                "two_or_more_pct",
                events=events,
                title="Two or more changes of worker",
                y_title="% of episodes closed each month, whole borough",
                subject="the per cent of closed early help episodes with two or more changes of "
                "worker, by month of closure",
            ),
            by_closure,
            download_name="caseloads_changes_by_month",
            count_columns=runner.counts_of("continuity_by_month"),
            statistics=continuity_shares,
        )

    st.subheader("Council teams and commissioned providers")
    providers = caseloads.provider_comparison(
        ui.query(runner, "allocation_by_organisation", period),
        ui.query(runner, "continuity_by_organisation", period),
    )
    if not ui.measure_available(runner, "caseloads.providers"):
        pass  # not in this extract: the notice says which field
    elif providers.is_empty():
        st.info(
            f"No episode held by a council team or commissioned provider was given a worker or "
            f"closed from {period_text}. Choose a later snapshot date."
        )
    else:
        common.bars_with_data(
            providers,
            "organisation",
            "two_or_more_pct",
            title="Changes of worker by organisation",
            x_title=f"% of closed episodes with two or more, {period_text}",
            subject=f"the per cent of closed episodes with two or more changes of worker for "
            f"each council team and commissioned provider, {period_text}",
            download_name="caseloads_providers",
            count_columns=caseloads.PROVIDER_COUNTS,
            note=caseloads.provider_sentence(providers, period_text),
            statistics={**runner.statistics_of("allocation_by_organisation"), **continuity_shares},
        )
