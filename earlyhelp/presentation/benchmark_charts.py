"""The "Compared with others" page's figure: one DfE published measure for the council against
its neighbours, their average, its region and England, over the years published."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from earlyhelp.measures.benchmarks import Measure, format_value
from earlyhelp.presentation import charts


def comparison_figure(frame: pl.DataFrame, measure: Measure, council: str) -> go.Figure:
    """One measure over the years published: the council's line in dark blue and thick, its
    neighbours' average, region and England labelled in darker tones, each neighbour a thin
    light grey line (named in the table and on hover), so that the council stands out."""
    part = frame.filter(pl.col("measure") == measure.id)
    years = sorted(set(part["time_period"].to_list()))
    fig = go.Figure()
    ends = []
    styles = {
        "neighbour": (charts.MID_GREY, 1.5, "solid"),
        "neighbours": (charts.CATEGORICAL[1], 2.5, "dash"),
        "region": (charts.CATEGORICAL[2], 2.5, "dot"),
        "england": (charts.DARK_GREY, 2.5, "dashdot"),
        "council": (charts.MAIN, 4.5, "solid"),
    }
    for role in styles:
        rows = part.filter(pl.col("area_role") == role)
        names = rows["area_name"].unique(maintain_order=True).to_list()
        for name in names:
            line = rows.filter(pl.col("area_name") == name).sort("time_period")
            colour, width, dash = styles[role]
            label = "Neighbours' average" if role == "neighbours" else name
            fig.add_trace(
                go.Scatter(
                    x=line["time_period"].to_list(),
                    y=line["value"].to_list(),
                    mode="lines+markers" if role != "neighbour" else "lines",
                    line={"color": colour, "width": width, "dash": dash},
                    marker={"size": 8 if role == "council" else 5, "color": colour},
                    connectgaps=False,
                    name=label,
                    hovertemplate=f"{label}, %{{x}}: %{{y:,.{measure.decimals}f}}<extra></extra>",
                )
            )
            known = line.filter(pl.col("value").is_not_null())
            if role != "neighbour" and not known.is_empty():
                ends.append((label, colour, known["time_period"][-1], known["value"][-1]))
    values = [v for v in part["value"].to_list() if v is not None]
    y_max = (max(values, default=1) * 1.12) or 1
    right = charts.label_line_ends(
        fig, ends, y_max, highlight=council, font_px=charts.MIN_FONT_PX + 2
    )
    charts.apply_theme(fig)
    period = measure.period.format(year="each year")
    fig.update_layout(
        title={
            "text": f"{measure.short or measure.title}: {council} and its neighbours",
            "subtitle": {
                "text": f"{measure.unit[:1].upper()}{measure.unit[1:]}, {period}; grey lines: "
                "each neighbour. "
                "DfE published figures"
            },
        },
        height=charts.PLOT_HEIGHT_PX + charts.TITLE_BLOCK_PX + 56,
        margin={"t": charts.TITLE_BLOCK_PX, "r": right, "b": 56, "l": 16, "pad": 0},
        showlegend=False,
    )
    # Years as numbers on a linear axis, one tick each (a category axis of numeric-looking
    # labels is read as numbers by Plotly and drew every year on the first).
    fig.update_xaxes(
        type="linear",
        tickmode="array",
        tickvals=years,
        ticktext=[str(y) for y in years],
        range=[years[0] - 0.3, years[-1] + 0.3] if years else None,
    )
    fig.update_yaxes(range=[0, y_max], rangemode="tozero")
    council_rows = part.filter(
        (pl.col("area_role") == "council") & pl.col("value").is_not_null()
    ).sort("time_period")
    trend = ""
    if council_rows.height:
        first, last = council_rows.row(0, named=True), council_rows.row(-1, named=True)
        trend = (
            f"; {council} {format_value(first['value'], None, measure)} in {first['time_period']}"
            f" and {format_value(last['value'], None, measure)} in {last['time_period']}"
        )
    span = f"{years[0]} to {years[-1]}" if years else "no years"
    alt = (
        f"Line chart of {measure.title[:1].lower()}{measure.title[1:]}, {span}: {council} "
        "highlighted "
        f"against its neighbours (grey lines), their average, its region and England{trend}."
    )
    fig.update_layout(meta={charts.ALT_TEXT_KEY: " ".join(alt.split())})
    return fig
