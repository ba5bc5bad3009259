"""Horizontal bar charts for comparing districts (or any categories): values written on
the bars, one category highlighted if asked, withheld values labelled c."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from earlyhelp.presentation.charts.text import _lower_first
from earlyhelp.presentation.charts.theme import (
    BASE_FONT_PX,
    DARK_GREY,
    FOCUS,
    MAIN,
    TITLE_BLOCK_PX,
    _attach_alt_text,
    _empty_figure,
    _layout,
    _nice_max,
)
from earlyhelp.presentation.charts.words import WITHHELD_LABEL


def bar_chart(
    frame: pl.DataFrame,
    category: str,
    value: str,
    *,
    title: str,
    x_title: str,
    subject: str | None = None,
    highlight: str | None = None,
    sort: bool = True,
) -> go.Figure:
    """Horizontal bars for comparing districts (or any categories), values written on the bars.

    Bars are sorted largest first (top) unless `sort` is False. `highlight` names one category
    to pick out in dark blue with the others in grey (the afcharts focus palette). Suppressed
    values (null) are drawn as no bar and labelled 'c'.
    """
    subject = subject or _lower_first(title)
    data = frame.select(category, value)
    if data.is_empty():
        return _empty_figure(title, x_title, f"Bar chart of {subject}: no data for this selection")
    if sort:
        data = data.sort(value, descending=True, nulls_last=True)
    names = [str(n) for n in data[category].to_list()]
    values = data[value].to_list()
    if highlight is None:
        colours = [MAIN] * len(names)
    else:
        colours = [FOCUS[0] if n == highlight else FOCUS[1] for n in names]
    shown = [v for v in values if v is not None]
    top = max(shown, default=0)
    labels = [WITHHELD_LABEL if v is None else f"{v:,}" for v in values]
    fig = go.Figure(
        go.Bar(
            x=[v or 0 for v in values],
            y=names,
            orientation="h",
            marker={"color": colours},
            text=labels,
            textposition="outside",
            cliponaxis=False,
            textfont={"size": BASE_FONT_PX, "color": "black"},
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    bar_px = 44
    _layout(
        fig,
        title,
        x_title,
        top=TITLE_BLOCK_PX,
        right=24,
        plot_height=max(len(names) * bar_px, 120),
    )
    fig.update_yaxes(
        autorange="reversed",
        tickformat=None,
        rangemode=None,
        showgrid=False,
        ticks="",
        linecolor=DARK_GREY,
    )
    fig.update_xaxes(range=[0, _nice_max(float(top)) * 1.05], showgrid=True, tickformat=",d")
    fig.update_layout(hovermode="closest", bargap=0.3)

    described = ""
    if shown:
        pairs = [(n, v) for n, v in zip(names, values, strict=True) if v is not None]
        high = max(pairs, key=lambda p: p[1])
        low = min(pairs, key=lambda p: p[1])
        described = f": highest {high[0]} ({high[1]:,}), lowest {low[0]} ({low[1]:,})"
    return _attach_alt_text(
        fig, f"Bar chart of {subject}, {len(names)} {category.replace('_', ' ')}s{described}."
    )
