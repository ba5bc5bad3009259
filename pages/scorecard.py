"""Strategy KPI scorecard: is the strategy working? Each KPI's latest value against its target
with its status, its trend over two years, its change on a year before and how the districts
compare, grouped by the strategy's priorities. The KPIs, their queries and targets are data
(data/kpis.yaml, read by earlyhelp/kpis.py); the counting is in queries/."""

import streamlit as st

from earlyhelp import benchmarks, charts, kpis, ui

runner = ui.warehouse_or_stop()
role = ui.current_role()

st.title("Strategy scorecard")
st.markdown(
    "Is the early help strategy working? Each measure the strategy commits to, against its "
    "target, for the whole borough, with its trend and how the districts compare. Status is "
    "shown as a word and a symbol: **✔ On target**, **▲ Close to target**, **✖ Off target**, "
    "or **– Not available** when the figure is too small to show or there is no data."
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
# DfE's published social care figures beside the KPIs that have one (when they are loaded).
compared = benchmarks.council_standing(runner.manifest, lambda n, p: ui.query(runner, n, p))
by_id = {r.kpi.id: r for r in results}

# --- At a glance --------------------------------------------------------------------------------
st.header("At a glance")
counted = {s: sum(r.status() == s for r in results) for s in kpis.RAGS}
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

# --- Each priority and its KPIs -----------------------------------------------------------------
for priority, members in kpi_set.by_priority():
    st.header(priority.title)
    if priority.description:
        st.markdown(priority.description)
    for kpi in members:
        result = by_id[kpi.id]
        status = result.status()
        with st.container(border=True, key=f"kpi-{kpi.id}"):
            st.subheader(kpi.title, anchor=f"kpi-{kpi.id}")
            if not ui.measure_available(runner, f"kpi.{kpi.id}"):
                continue  # not in this extract: the notice says which field
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
                        st.caption(
                            f"For context, children's social care as DfE published it: {words}"
                        )
            with st.expander("What this measures"):
                st.markdown(
                    f"{kpi.definition}\n\n"
                    f"**How it is worked out:** {kpi.calculation_words()}\n\n"
                    f"**Better is:** {kpi.direction}. **Target:** {kpi.target_words()}.\n\n"
                    f"**Source:** {kpi.source_notes}"
                )
            trend_column, district_column = st.columns(2, gap="medium")
            with trend_column:
                ui.chart_with_data(
                    kpis.trend_figure(result),
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
                        kpis.district_figure(result, shown),
                        kpis.breakdown_table(result, shown),
                        download_name=f"kpi_{kpi.id}_districts",
                        count_columns=kpis.count_columns(kpi),
                    )

ui.page_pack(runner, "scorecard")
