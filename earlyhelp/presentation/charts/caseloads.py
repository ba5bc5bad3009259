"""The Caseloads figures: workers by caseload per FTE against the threshold, whole-number
ticks on a bar chart of small values, and the extract's warm-up shaded on a chart of open
cases over time (the sums behind them are in measures/caseloads/)."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from earlyhelp.core.dates import long_date
from earlyhelp.measures.caseloads import WARM_UP_HOVER, WARM_UP_LABEL, WarmUp, workers_above
from earlyhelp.presentation.charts.events import shade_warm_up
from earlyhelp.presentation.charts.theme import (
    ALT_TEXT_KEY,
    BASE_FONT_PX,
    DARK_GREY,
    FOCUS,
    PLOT_HEIGHT_PX,
    TITLE_BLOCK_PX,
    apply_theme,
)


# --- Figures ------------------------------------------------------------------------------------
def caseload_distribution_figure(
    distribution: pl.DataFrame, threshold: float, when: date
) -> go.Figure:
    """Column chart of how many workers carry each caseload per FTE, with the threshold marked.

    Workers above the threshold are in the highlight colour, the rest in grey (the afcharts
    focus palette); the threshold is a labelled dashed line.
    """
    above = workers_above(distribution, threshold)
    total = int(distribution["workers"].sum()) if not distribution.is_empty() else 0
    title = "Workers by caseload per FTE"
    subtitle = f"Case-holding workers with an FTE recorded, {long_date(when)}"
    fig = go.Figure()
    if total:
        uppers = distribution["band_upper"].to_list()
        counts = distribution["workers"].to_list()
        fig.add_trace(
            go.Bar(
                x=[u - 0.5 for u in uppers],
                y=counts,
                width=0.9,
                marker={"color": [FOCUS[0] if u > threshold else FOCUS[1] for u in uppers]},
                customdata=[[u - 1, u] for u in uppers],
                hovertemplate=(
                    "More than %{customdata[0]} and up to %{customdata[1]} cases per FTE: "
                    "%{y} workers<extra></extra>"
                ),
            )
        )
        fig.add_vline(x=threshold, line={"color": DARK_GREY, "width": 2, "dash": "dash"})
        fig.add_annotation(
            x=threshold,
            y=1,
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            xshift=6,
            text=f"<b>Threshold: {threshold:g} per FTE ({above} above)</b>",
            showarrow=False,
            font={"size": BASE_FONT_PX, "color": DARK_GREY},
        )
        right = max(max(uppers), threshold) + 1
    else:
        right = threshold + 5
    apply_theme(fig)
    fig.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}},
        height=PLOT_HEIGHT_PX + TITLE_BLOCK_PX + 40 + 72,
        margin={"t": TITLE_BLOCK_PX + 40, "r": 24, "b": 72, "l": 16, "pad": 0},
        showlegend=False,
        bargap=0.1,
    )
    fig.update_xaxes(
        title={"text": "Open cases per FTE", "font": {"size": BASE_FONT_PX}},
        range=[0, right],
        tickformat=",d",
        dtick=2,
    )
    fig.update_yaxes(tickformat=",d", rangemode="tozero")
    if total:
        alt = (
            f"Column chart of {total} case-holding workers by their open early help cases per "
            f"FTE on {long_date(when)}, with a threshold of {threshold:g} per FTE marked: "
            f"{above} of {total} workers are above it."
        )
    else:
        alt = (
            f"Column chart of workers by open cases per FTE on {long_date(when)}: "
            "no case-holding worker with an FTE recorded on this date."
        )
    fig.update_layout(meta={ALT_TEXT_KEY: alt})
    return fig


def whole_number_axis(fig: go.Figure) -> go.Figure:
    """Whole-number ticks on a bar chart's value axis, one apart when the values are small (so
    that ',d' ticks never repeat, as 0, 1, 1, 2 would)."""
    top = max((max((v or 0) for v in trace.x or [0]) for trace in fig.data), default=0)
    if top <= 10:
        fig.update_xaxes(dtick=1, tickformat=",d")
    return fig


def shade_extract_warm_up(warm_up: WarmUp, fig: go.Figure) -> go.Figure:
    """Shade the warm-up on a chart of months (x 'YYYY-MM', drawn on each month's first
    day), labelled, and say so in its alt text."""
    return shade_warm_up(
        fig,
        warm_up.first_day.replace(day=1),
        warm_up.end.replace(day=1),
        WARM_UP_LABEL,
        hover=WARM_UP_HOVER,
        alt=f"The months from {warm_up.months_text()} are shaded as the warm-up: open "
        f"episodes that began before the data start on {long_date(warm_up.first_day)} "
        "are missing from them, so those counts are too low.",
    )
