"""The figures to time: each page's opening figures (and one filtered view), each with its
named query, parameters and naive pandas version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from earlyhelp.measures import caseloads, kpis, pathways
from earlyhelp.tools.bench.naive_caseloads import (
    allocation_by_district,
    caseload_by_team,
    continuity_by_district,
    open_cases_by_district,
    open_cases_by_month,
    workers_caseload_summary,
)
from earlyhelp.tools.bench.naive_demand import (
    contacts_per_period,
    districts,
    open_episodes_by_district,
    referrals_by_month_and_district,
    referrals_per_period,
)
from earlyhelp.tools.bench.naive_pathways import (
    frontdoor_summary,
    frontdoor_timeliness,
    outcomes_by_level,
    pathway_summary,
    step_ups_by_time,
)
from earlyhelp.tools.bench.naive_scorecard import partner_led, referral_rate
from earlyhelp.tools.bench.raw import RawTables


@dataclass(frozen=True)
class Figure:
    """One figure a page shows: the named query it runs, and the same figure in pandas."""

    page: str
    label: str
    query: str
    params: dict
    naive: Callable[[RawTables, dict], pd.DataFrame]
    #: Columns to compare (the query's output, in the pandas result's names).
    compare: tuple[str, ...]


# --- The registry -----------------------------------------------------------------------------
def figures(first_day: date, last_day: date, district: str) -> list[Figure]:
    """The figures each page shows on opening, with the page's default choices, and one
    filtered view, for a warehouse whose episodes run from `first_day` to `last_day`, filtered
    to `district`."""
    filtered = {"district": district, "age_band": "5-9", "source_group": "Schools"}
    on_day = {"as_of": last_day}
    caseload_from, caseload_to = caseloads.twelve_months_to(last_day)
    caseload_months = {"from": caseload_from, "to": caseload_to}
    pathway_months = pathways.periods(first_day, last_day)[0].params
    whole_borough = {**pathway_months, "district": None}
    latest = kpis.trend_points("period", first_day, last_day)[-1]
    kpi_months = {"from": latest.start.isoformat(), "to": latest.end.isoformat()}
    last_month = kpis.last_complete_month_end(last_day).replace(day=1)
    year_before = {"from": kpis.add_months(last_month, -23), "to": kpis.add_months(last_month, -12)}
    return [
        Figure(
            "Overview",
            "Referrals by month and district",
            "referrals_by_month",
            {},
            referrals_by_month_and_district,
            ("month", "district", "referrals"),
        ),
        Figure(
            "Overview",
            "Open episodes by district",
            "caseload_by_district",
            {"as_of": last_day.isoformat()},
            open_episodes_by_district,
            ("district", "open_episodes"),
        ),
        Figure("Demand", "Districts (filter)", "districts", {}, districts, ("district",)),
        Figure(
            "Demand",
            "Referrals by month",
            "referrals_filtered",
            {},
            referrals_per_period(False),
            ("month", "referrals"),
        ),
        Figure(
            "Demand",
            "Referrals by month, filtered",
            "referrals_filtered",
            filtered,
            referrals_per_period(False),
            ("month", "referrals"),
        ),
        Figure(
            "Demand",
            "Referrals by week, filtered",
            "referrals_filtered_weekly",
            filtered,
            referrals_per_period(True),
            ("week", "referrals"),
        ),
        Figure(
            "Demand",
            "Contacts by month",
            "contacts_filtered",
            {},
            contacts_per_period(False),
            ("month", "contacts"),
        ),
        Figure(
            "Caseloads",
            "Open, case-held, with a worker and waiting, by district",
            "caseload_snapshot_by_district",
            on_day,
            open_cases_by_district,
            ("district", "open_episodes", "case_held_episodes", "with_worker", "waiting"),
        ),
        Figure(
            "Caseloads",
            "Case-holding workers, cases and FTE",
            "workers_caseload_summary",
            on_day,
            workers_caseload_summary,
            (
                "workers",
                "workers_fte_not_recorded",
                "open_cases",
                "cases_fte_not_recorded",
                "cases_fte_recorded",
                "fte",
            ),
        ),
        Figure(
            "Caseloads",
            "Open cases, workers and FTE by team",
            "caseload_by_team",
            on_day,
            caseload_by_team,
            (
                "team",
                "open_cases",
                "workers",
                "workers_fte_not_recorded",
                "cases_fte_not_recorded",
                "cases_fte_recorded",
                "fte",
            ),
        ),
        Figure(
            "Caseloads",
            "Open and waiting at each month end, by district",
            "caseload_by_month",
            on_day,
            open_cases_by_month,
            ("month", "district", "open_episodes", "waiting"),
        ),
        Figure(
            "Caseloads",
            "Days from referral to first worker, by district",
            "allocation_by_district",
            caseload_months,
            allocation_by_district,
            ("district", "allocated", "median_days", "average_days", "over_28_days"),
        ),
        Figure(
            "Caseloads",
            "Changes of worker in closed episodes, by district",
            "continuity_by_district",
            caseload_months,
            continuity_by_district,
            ("district", "episodes_closed", "worker_changes", "two_or_more_changes"),
        ),
        Figure(
            "Front door and pathways",
            "Pathways at a glance, by district and borough",
            "pathway_summary",
            pathway_months,
            pathway_summary,
            (
                "district",
                "referrals",
                "rereferrals_12m",
                "step_ups",
                "step_downs",
                "social_care_closed",
                "closed",
                "closed_outcomes_met",
                "median_days_open",
                "median_days_to_step_up",
            ),
        ),
        Figure(
            "Front door and pathways",
            "Contacts decided within 2 working days, by district",
            "frontdoor_summary",
            {**pathway_months, "standard": pathways.DEFAULT_STANDARD_DAYS},
            frontdoor_summary,
            ("district", "contacts", "decided", "within_standard", "no_decision"),
        ),
        Figure(
            "Front door and pathways",
            "Contacts decided within 2 working days, by month",
            "frontdoor_timeliness",
            {**whole_borough, "standard": pathways.DEFAULT_STANDARD_DAYS},
            frontdoor_timeliness,
            ("month", "district", "contacts", "decided", "within_standard"),
        ),
        Figure(
            "Front door and pathways",
            "Step-ups by time from the start of early help",
            "pathway_step_ups",
            whole_borough,
            step_ups_by_time,
            ("category", "sort_order", "step_ups"),
        ),
        Figure(
            "Front door and pathways",
            "Closed episodes and median days open, by level of need",
            "outcomes_by_level",
            whole_borough,
            outcomes_by_level,
            ("level", "closed", "closed_outcomes_met", "median_days_open"),
        ),
        Figure(
            "Scorecard",
            "Referrals per 10,000 children (KPI)",
            "kpi_referral_rate",
            kpi_months,
            referral_rate,
            ("district", "referrals", "referrals_under_18", "children"),
        ),
        Figure(
            "Scorecard",
            "Early help led by partners (KPI)",
            "kpi_partner_led",
            kpi_months,
            partner_led,
            ("district", "episodes", "partner_led"),
        ),
        Figure(
            "District profile",
            "Referrals and children, 12 months",
            "kpi_referral_rate",
            {},
            referral_rate,
            ("district", "referrals", "referrals_under_18", "children"),
        ),
        Figure(
            "District profile",
            "Referrals and children, the 12 months before",
            "kpi_referral_rate",
            year_before,
            referral_rate,
            ("district", "referrals", "referrals_under_18", "children"),
        ),
    ]
