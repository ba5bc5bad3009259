"""Compared with others: this council against its statistical neighbours, its region and England
on the measures DfE publishes by local authority (earlyhelp/load/dfe.py reads the files;
queries/benchmarks/*.sql compare them), and its own extract against its published figures."""

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.core import config
from earlyhelp.measures import benchmarks
from earlyhelp.presentation import benchmark_charts

runner = ui.warehouse_or_stop()

st.title("Compared with others")
st.markdown(
    "Is our figure high? Early help has no national collection, so these are the front-door and "
    "workforce measures the Department for Education (DfE) publishes for every council: "
    "referrals to children's social care, re-referrals within 12 months and social worker "
    "caseloads. Each is shown for this council against its 10 statistical neighbours (the "
    "councils DfE judges most like it), their average, its region and England."
)

loaded = benchmarks.loaded_entry(runner.manifest)
if loaded is None:
    st.info(
        "**No DfE published figures are loaded yet**, so there is nothing to compare. Download "
        "the four files from DfE's Children's social care outcomes and enablers service (or "
        "explore-education-statistics.service.gov.uk): children in need referrals and "
        "re-referrals, children's social work workforce indicators, statistical neighbour "
        "groupings and the ONS mid-year population estimates (0 to 17). Then load them, as "
        "they are, into this warehouse:",
        icon=":material/info:",
    )
    st.code(
        "python -m earlyhelp benchmarks --warehouse data/warehouse <the four CSV files, or "
        "their folder>",
        language="bash",
    )
    st.caption(
        "Say which council this is with the EARLYHELP_LOCAL_AUTHORITY environment variable (its "
        "ONS code, its three-digit DfE number or its name); the demo borough is compared as "
        f"Oldham ({config.DEMO_LOCAL_AUTHORITY}) when it is not set."
    )
    st.stop()

areas = ui.query(runner, "benchmark_local_authorities")
council = benchmarks.resolve_local_authority(config.local_authority(), areas)
if not isinstance(council, benchmarks.Council):
    st.warning(f"**Which council is this?** {council}", icon=":material/help:")
    st.markdown(
        "Set the EARLYHELP_LOCAL_AUTHORITY environment variable to your council's ONS code "
        "(such as E08000004), its three-digit DfE number (353) or its name (Oldham), and "
        "restart the app."
    )
    st.stop()

comparison = ui.query(runner, "benchmark_comparison", {"la": council.la_number})
standing = ui.query(runner, "benchmark_standing", {"la": council.la_number})
neighbour_names = (
    comparison.filter(pl.col("area_role") == "neighbour")
    .unique("neighbour_rank")
    .sort("neighbour_rank")["area_name"]
    .to_list()
)
who = (
    "set by EARLYHELP_LOCAL_AUTHORITY"
    if config.local_authority_is_set()
    else "the demo borough is modelled on Oldham and is about its size; a council sets "
    "EARLYHELP_LOCAL_AUTHORITY to its own"
)
st.markdown(
    f"**This council:** {council.name} ({council.area_code}, DfE number {council.la_number}; "
    f"{who}), in {council.region_name or 'no region'}.  \n"
    + (
        f"**Its statistical neighbours**, closest first: {', '.join(neighbour_names)}."
        if neighbour_names
        else "**No statistical neighbours** are named for it in the groupings loaded."
    )
)

for measure in benchmarks.MEASURES:
    rows = standing.filter(pl.col("measure") == measure.id).sort("time_period")
    st.header(measure.title)
    if rows.is_empty():
        st.info(
            f"{council.name} has no published figures for this measure in the files loaded.",
            icon=":material/info:",
        )
        continue
    latest = rows.row(-1, named=True)
    st.markdown(f"**{benchmarks.standing_sentence(council.name, latest, measure)}**")
    ui.chart_with_data(
        benchmark_charts.comparison_figure(comparison, measure, council.name),
        benchmarks.comparison_table(comparison, measure),
        download_name=f"compared_{measure.id}",
        note=f"{measure.definition} {benchmarks.RANK_NOTE}",
    )
    ranks = benchmarks.rank_table(rows, measure)
    with st.expander(f"Rank among its neighbours, every year: {measure.short}"):
        ui.show_table(ranks, key=f"table-rank-{measure.id}")
        ui.download_table(ranks, f"compared_{measure.id}_rank", key=f"download-rank-{measure.id}")

st.header("Our extract against our published figures")
st.markdown(
    "Referrals to children's social care counted from this council's own extract (its social "
    "care referrals), beside the figures DfE published for the same years to 31 March, and the "
    "gap (extract minus published). A large gap says the extract is missing referrals, or holds "
    "more than the return to DfE did. Only years the extract covers whole are shown."
)
extract = ui.query(runner, "benchmark_extract_referrals")
side_by_side = benchmarks.extract_against_published(extract, standing)
if side_by_side.is_empty():
    st.info(
        "The extract covers no whole year to 31 March that DfE has published for "
        f"{council.name}, so there is nothing to set side by side.",
        icon=":material/info:",
    )
else:
    st.markdown(benchmarks.gap_sentence(side_by_side, council.name))
    counts = runner.counts_of("benchmark_extract_referrals")
    shown = ui.display_table(
        side_by_side,
        ["extract_referrals", "extract_rereferrals"],
        benchmarks.EXTRACT_STATISTICS,
    ).rename(benchmarks.EXTRACT_HEADERS, strict=False)
    ui.show_table(shown, key="table-extract-against-published")
    ui.download_table(shown, "compared_extract_against_published")
    notes = [benchmarks.LOOKBACK_NOTE]
    if not ui.current_role().exact_everywhere and counts:
        notes.append(
            "Counts from the extract are protected as on the other pages (rounded, small ones "
            "shown as c), so a gap of a few referrals is within the rounding."
        )
    st.caption(" ".join(notes))

st.header("About these figures")
st.markdown(benchmarks.sources_markdown(loaded))
