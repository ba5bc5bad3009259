"""Demand for early help: monthly referrals for a chosen selection against their seasonal
expectation, with the months that were unusually high or low and what may explain them."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from earlyhelp import charts, demand, schema, ui
from earlyhelp.calendar import load_events

ALL_DISTRICTS = "All districts"
ALL_SOURCES = "All referral sources"
ALL_LEVELS = "All levels of need"
ALL_AGES = "All age bands"
LEVELS = ("1", "2", "3", "4")

runner = ui.warehouse_or_stop()

st.title("Demand for early help")
st.markdown(
    "Referrals to early help each month for the children you choose, against the demand we "
    "would expect for the time of year."
)

districts = ui.query(runner, "districts")["district"].to_list()
with st.container(horizontal=True, gap="small"):
    district = st.selectbox("District", [ALL_DISTRICTS, *districts], key="demand_district")
    source_group = st.selectbox(
        "Referral source", [ALL_SOURCES, *schema.SOURCE_GROUPS], key="demand_source_group"
    )
    level_of_need = st.selectbox(
        "Level of need",
        [ALL_LEVELS, *LEVELS],
        format_func=lambda v: v if v == ALL_LEVELS else f"Level {v}",
        key="demand_level_of_need",
    )
    age_band = st.selectbox("Age band", [ALL_AGES, *schema.AGE_BANDS], key="demand_age_band")

params = {
    "district": None if district == ALL_DISTRICTS else district,
    "source_group": None if source_group == ALL_SOURCES else source_group,
    "level_of_need": None if level_of_need == ALL_LEVELS else int(level_of_need),
    "age_band": None if age_band == ALL_AGES else age_band,
}
chosen = [
    text
    for text, value in (
        (district, params["district"]),
        (f"referred by {source_group.lower()}", params["source_group"]),
        (f"level of need {level_of_need}", params["level_of_need"]),
        (f"aged {age_band}", params["age_band"]),
    )
    if value is not None
]
selection = ", ".join(chosen) if chosen else "whole borough"

monthly = ui.query(runner, "referrals_filtered", params)
events = load_events()

start, end = (charts.month_name(day) for day in demand.COVID_MONTHS)
explanation = (
    "Expected demand is the seasonal pattern learnt from the history of this selection: the "
    "usual rise and fall over the school year on top of the longer-term trend. The shaded band "
    "is the normal month-to-month variation around it. The Covid months, "
    f"{start} to {end}, are left out when the pattern is learnt, so they do not distort it, "
    "but they are still compared with it. A peak is a month more than its normal variation "
    f"({demand.DEFAULT_BAND:g} times the usual month-to-month spread) above expected, not the "
    "usual September rise when schools return; a trough is the same below expected. Each is "
    "labelled with the nearest event in the council's calendar that could explain it."
)

known = monthly["referrals"].drop_nulls()
if monthly.is_empty() or (known.sum() == 0 and monthly["referrals"].null_count() == 0):
    st.info(
        f"There are no referrals to early help for this selection ({selection}). "
        "Choose a wider selection, for example all districts or all age bands."
    )
    st.stop()

try:
    baseline = demand.expected_monthly(monthly)
    findings = demand.find_peaks(monthly, events=events)
except ValueError:
    st.info(
        f"There are too few months with referrals for this selection ({selection}) to learn "
        f"its seasonal pattern: at least {demand.MIN_MONTHS} months (two full years) are "
        "needed, and months with very small numbers are hidden to protect children's privacy. "
        "Choose a wider selection, for example all districts or all age bands."
    )
    st.stop()


def demand_figure(baseline: pl.DataFrame, findings: list[dict], selection: str) -> go.Figure:
    """Observed referrals, the expected line and its normal band, peaks and troughs marked."""
    data = baseline.with_columns(pl.concat_str(pl.col("month"), pl.lit("-01")).str.to_date())
    months = data["month"].to_list()
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=months, y=data["upper"].to_list(), mode="lines", line={"width": 0}, hoverinfo="skip"
        )
    )
    fig.add_trace(
        go.Scatter(
            x=months,
            y=data["lower"].to_list(),
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=charts.MID_GREY,
            opacity=0.6,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=months,
            y=data["expected"].to_list(),
            mode="lines",
            name="Expected",
            line={"color": charts.DARK_GREY, "width": 2, "dash": "dash"},
            hovertemplate="Expected: %{y:,.0f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=months,
            y=data["observed"].to_list(),
            mode="lines",
            name="Referrals",
            line={"color": charts.MAIN, "width": 3},
            connectgaps=False,
            hovertemplate="Referrals: %{y:,.0f}<extra></extra>",
        )
    )
    for kind, symbol, colour in (
        ("peak", "triangle-up", charts.CATEGORICAL[1]),
        ("trough", "triangle-down", charts.CATEGORICAL[2]),
    ):
        marked = [f for f in findings if f["kind"] == kind]
        if not marked:
            continue
        fig.add_trace(
            go.Scatter(
                x=[f"{f['period']}-01" for f in marked],
                y=[f["observed"] for f in marked],
                mode="markers",
                name=kind.capitalize(),
                marker={"symbol": symbol, "size": 14, "color": colour},
                text=[demand.describe(f) for f in marked],
                hovertemplate=f"{kind.capitalize()}: %{{y:,}} (%{{text}})<extra></extra>",
            )
        )
    last = data.filter(pl.col("expected").is_not_null()).row(-1, named=True)
    for label, value, colour in (
        ("Expected", last["expected"], charts.DARK_GREY),
        ("Referrals", last["observed"], charts.MAIN),
    ):
        if value is None:
            continue
        fig.add_annotation(
            x=last["month"],
            y=value,
            xanchor="left",
            yanchor="middle",
            xshift=10,
            yshift=-10 if label == "Expected" else 10,
            text=f"<b>{label}</b>",
            showarrow=False,
            font={"size": charts.BASE_FONT_PX, "color": colour},
        )
    title = f"Referrals against expected, {selection}"
    fig.update_layout(
        template=charts.TEMPLATE,
        title={
            "text": title,
            "subtitle": {"text": "Per month. Band: normal variation. \u25b2 peak, \u25bc trough"},
        },
        height=charts.PLOT_HEIGHT_PX + 96 + 56,
        margin={"t": 96, "r": 120, "b": 56, "l": 16, "pad": 0},
        showlegend=False,
    )
    fig.update_xaxes(hoverformat="%B %Y")
    peaks = sum(f["kind"] == "peak" for f in findings)
    troughs = len(findings) - peaks
    alt = (
        f"Line chart of monthly referrals to early help, {selection}, "
        f"{charts.month_name(months[0])} to {charts.month_name(months[-1])}, with the expected "
        f"seasonal level and its normal band; {peaks} peak(s) and {troughs} trough(s) marked."
    )
    fig.update_layout(meta={charts.ALT_TEXT_KEY: alt})
    return fig


st.header("Referrals against expected demand")
series = baseline.select(
    "month",
    pl.col("observed").round(0).cast(pl.Int64).alias("referrals"),
    pl.col("expected").round(1),
    pl.col("lower").round(1).alias("normal_low"),
    pl.col("upper").round(1).alias("normal_high"),
)
ui.chart_with_data(
    demand_figure(baseline, findings, selection),
    series,
    download_name="referrals_against_expected",
    count_columns=["referrals"],
    note=explanation,
)

st.header("Unusual months")
if not findings:
    st.info(
        f"No month was unusually high or low for this selection ({selection}): every month was "
        "within its normal variation."
    )
else:
    table = pl.DataFrame(
        {
            "period": [f["period"] for f in findings],
            "kind": [f["kind"] for f in findings],
            "observed": [f["observed"] for f in findings],
            "expected": [f["expected"] for f in findings],
            "change_%": [f["change_pct"] for f in findings],
            "event": [f["event"] or "" for f in findings],
            "summary": [demand.describe(f) for f in findings],
        },
        schema={
            "period": pl.String,
            "kind": pl.String,
            "observed": pl.Int64,
            "expected": pl.Float64,
            "change_%": pl.Float64,
            "event": pl.String,
            "summary": pl.String,
        },
    )
    shown = ui.display_table(table)
    ui.show_table(shown, key="table-demand-findings")
    st.download_button(
        "Download this table (CSV)",
        data=shown.write_csv(),
        file_name="demand_unusual_months.csv",
        mime="text/csv",
        on_click="ignore",
        key="download-demand-findings",
    )
