"""Strategy KPI scorecard: is the strategy working? Each KPI's latest value against its target
with its status, its trend over two years, its change on a year before and how the districts
compare, grouped by the strategy's priorities. The KPIs, their queries and targets are data
(data/kpis.yaml, read by earlyhelp/measures/kpis/); the counting is in queries/.

Headline tiles (how many measures are on target, close, off, not available) above the tabs; the
first tab is every measure at a glance, then one tab for each priority with its measures. The
tab is bound to the URL (`view`), and only the open tab is drawn."""

import functools

import streamlit as st

from earlyhelp import ui
from earlyhelp.measures import benchmarks, kpis
from earlyhelp.presentation import charts, kpi_charts
from earlyhelp.ui.views import common

runner = ui.warehouse_or_stop()
role = ui.current_role()

st.title("Strategy scorecard")
st.markdown(
    "Is the early help strategy working? Each measure it commits to against its target, for the "
    "whole borough. Choose a priority for each measure's trend and how the districts compare."
)

try:
    kpi_set = kpis.load_kpis(kpis.kpis_file(), runner.queries)
except kpis.KpiFileError as exc:
    st.error(f"The KPI definitions could not be used. {exc}")
    st.stop()
first_date, last_date = ui.coverage_or_stop(runner)


def run(name: str, params: dict):
    return ui.query(runner, name, params, role)


results = kpis.evaluate_all(kpi_set, run, first_date, last_date, role)
by_id = {r.kpi.id: r for r in results}
counted = {s: sum(r.status() == s for r in results) for s in kpis.RAGS}
# The same a year before (each KPI's status on its figure then), for each tile's change.
counted_before = {s: sum(r.kpi.status(r.previous()) == s for r in results) for s in kpis.RAGS}

# --- Headline: how many measures have each status -----------------------------------------------
with ui.metric_row():
    for status in kpis.RAGS:
        st.metric(
            f":{kpis.BADGE_COLOURS[status]}-badge[{kpis.status_text(status)}]",
            counted[status],
            delta=f"{counted[status] - counted_before[status]:+,} on a year before",
            delta_color="off",
            delta_arrow="off" if counted[status] == counted_before[status] else "auto",
            help=f"Of the {len(results)} strategy measures, for the whole borough; the change is "
            "on how many had this status a year before."
            + (
                " Not available: the figure is too small to show, or there is no data."
                if status == "none"
                else ""
            ),
            border=True,
            width=ui.METRIC_WIDTH_PX,
        )


# --- The views, one tab each (bound to the URL, so a copied link opens the same tab) -----------
AT_A_GLANCE = "At a glance"
#: A priority's title longer than this is cut at its first comma for its tab's label, so every
#: tab's label fits across a 1366px screen (the full title leads the tab).
LONGEST_LABEL = 30


def tab_label(title: str) -> str:
    """A priority's tab label: its title, or the title up to its first comma when long."""
    short = title.split(",", 1)[0].strip()
    return short if len(title) > LONGEST_LABEL and short else title


def at_a_glance() -> None:
    """Every measure in one table, its status cell filled with the status's colour."""
    st.markdown(
        f"Of {len(results)} measures, **{counted['green']} on target**, "
        f"**{counted['amber']} close to target** and **{counted['red']} off target**"
        + (f"; {counted['none']} not available" if counted["none"] else "")
        + ". Latest figures are for the 12 complete months to "
        f"{charts.month_name(kpis.last_complete_month_end(last_date))}, or on "
        f"{charts.long_date(last_date)} for measures counted on a date."
    )
    summary = ui.display_table(kpis.scorecard_table(results, kpi_set))
    ui.status_table(
        summary,
        ["Status"],
        alt="Every strategy measure for the whole borough: latest figure, target, status and "
        "change on a year before.",
    )
    ui.download_table(
        summary, "scorecard", key="download-scorecard-summary", label="Download the scorecard (CSV)"
    )


def priority_view(priority: kpis.Priority, members: list[kpis.Kpi]) -> None:
    """A priority's measures, each leading with its figure and status, then its charts."""
    full_title = "" if tab_label(priority.title) == priority.title else f"**{priority.title}.** "
    if full_title or priority.description:
        st.markdown(full_title + (priority.description or ""))
    # DfE's published social care figures beside the KPIs that have one (when they are loaded).
    compared = benchmarks.council_standing(runner.manifest, lambda n, p: ui.query(runner, n, p))
    for kpi in members:
        show_kpi(kpi, by_id[kpi.id], compared)


def show_kpi(kpi: kpis.Kpi, result: kpis.KpiResult, compared) -> None:
    status = result.status()
    with st.container(border=True, key=f"kpi-{kpi.id}"):
        st.subheader(kpi.title, anchor=f"kpi-{kpi.id}")
        if not ui.measure_available(runner, f"kpi.{kpi.id}"):
            return  # not in this extract: the notice says which field
        with st.container(horizontal=True, gap="medium", vertical_alignment="center"):
            st.metric(
                kpi.unit_info.label,
                kpi.format(result.value(), suffix=False),
                border=True,
                width=ui.METRIC_WIDTH_PX,
                help=f"{result.period_words()}. {kpi.definition}",
            )
            with st.container(gap="small"):
                st.badge(result.status_text(), color=kpis.BADGE_COLOURS[status])
                st.markdown(
                    f"**Target:** {kpi.target_words()}  \n"
                    f"**Change:** {result.change_words()}  \n"
                    f"**Period:** {result.period_words()}"
                )
                published = benchmarks.KPI_COMPARATORS.get(kpi.id)
                words = (
                    benchmarks.comparator_words(*compared, published)
                    if (compared and published)
                    else None
                )
                if words:
                    st.caption(f"For context, children's social care as DfE published it: {words}")
        trend_column, district_column = st.columns(2, gap="medium")
        with trend_column:
            ui.chart_with_data(
                kpi_charts.trend_figure(result),
                kpis.trend_table(result),
                download_name=f"kpi_{kpi.id}_trend",
                count_columns=kpis.count_columns(kpi),
            )
        with district_column:
            areas = kpis.visible_areas(result, role)
            if not result.has_districts or not areas:
                st.info(
                    "This measure is for the whole borough only: "
                    + (
                        "its data are not counted by district."
                        if not result.has_districts
                        else "there is no district figure to show."
                    )
                    + " See the Caseloads page for teams and workers."
                )
            else:
                shown = [*areas, kpis.BOROUGH] if kpi.district_targets else areas
                ui.chart_with_data(
                    kpi_charts.district_figure(result, shown),
                    kpis.breakdown_table(result, shown),
                    download_name=f"kpi_{kpi.id}_districts",
                    count_columns=kpis.count_columns(kpi),
                )
        with st.expander("What this measures"):
            st.markdown(
                f"{kpi.definition}\n\n"
                f"**How it is worked out:** {kpi.calculation_words()}\n\n"
                f"**Better is:** {kpi.direction}. **Target:** {kpi.target_words()}.\n\n"
                f"**Source:** {kpi.source_notes}"
            )


VIEWS = {
    AT_A_GLANCE: at_a_glance,
    **{
        tab_label(priority.title): functools.partial(priority_view, priority, members)
        for priority, members in kpi_set.by_priority()
    },
}
common.show_open_view(VIEWS)

ui.page_pack(runner, "scorecard")
