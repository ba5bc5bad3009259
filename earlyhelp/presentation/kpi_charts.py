"""The strategy KPIs' figures: the Scorecard's small trend line (sparkline) and district bars,
and the District profile's district-beside-borough lines, each with its alt text. The values,
status and words come from earlyhelp.measures.kpis; the look from earlyhelp.presentation.charts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl

from earlyhelp.measures.kpis import (
    BOROUGH,
    RAGS,
    STATUS_SYMBOLS,
    STATUS_WORDS,
    Kpi,
    KpiResult,
)
from earlyhelp.presentation import charts

#: Chart colours for each status from the Analysis Function palette, always beside the word or
#: symbol.
RAG_COLOURS = {
    "green": charts.CATEGORICAL[1],  # turquoise
    "amber": charts.CATEGORICAL[3],  # orange
    "red": charts.CATEGORICAL[2],  # dark pink
    "none": charts.MID_GREY,
}
_SMALL_TITLE_PX = 18
_SMALL_SUBTITLE_PX = 15


def _small_layout(fig: go.Figure, title: str, subtitle: str, plot_px: int, **margin) -> None:
    charts.apply_theme(fig)
    fig.update_layout(
        title={
            "text": title,
            "font": {"size": _SMALL_TITLE_PX},
            "subtitle": {"text": subtitle, "font": {"size": _SMALL_SUBTITLE_PX}},
        },
        height=plot_px + 72 + 48,
        margin={"t": 72, "r": 24, "b": 48, "l": 16, "pad": 0, **margin},
        showlegend=False,
        hovermode="closest",
    )


def _as_dates(series: pl.Series) -> pl.Series:
    """Month text 'YYYY-MM' (or dates) -> Date."""
    if series.dtype == pl.Date:
        return series
    return pl.Series(
        series.name,
        [None if v is None else date.fromisoformat(f"{v}-01"[:10]) for v in series.to_list()],
        dtype=pl.Date,
    )


def _short_month(day: date) -> str:
    return f"{charts.MONTH_NAMES[day.month][:3]} {day.year}"


def trend_figure(result: KpiResult, area: str = BOROUGH) -> go.Figure:
    """A small line chart of the KPI over two years (one point every three months) for an area,
    with the target as a labelled dashed line and the latest value labelled at the line's end."""
    kpi = result.kpi
    values = result.series(area)
    points = list(result.points)
    xs = [p.end for p in points]
    title = f"{kpi.title}: trend" if area == BOROUGH else f"{kpi.title}, {area}: trend"
    subtitle = (
        "12 months to each quarter end" if kpi.kind == "period" else "On each quarter end"
    ) + f". Dashed line: target {kpi.format(kpi.target, suffix=False)}"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=values,
            mode="lines+markers",
            line={"color": charts.MAIN, "width": 3},
            marker={"size": 7, "color": charts.MAIN},
            connectgaps=False,
            text=[kpi.format(v) for v in values],
            customdata=[p.words(kpi.kind) for p in points],
            hovertemplate="%{customdata}: %{text}<extra></extra>",
        )
    )
    fig.add_hline(y=kpi.target, line={"color": charts.DARK_GREY, "width": 2, "dash": "dash"})
    known = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
    if known:
        x_end, v_end = known[-1]
        fig.add_annotation(
            x=x_end,
            y=v_end,
            xanchor="left",
            yanchor="middle",
            xshift=8,
            text=f"<b>{kpi.format(v_end, suffix=False)}</b>",
            showarrow=False,
            font={"size": charts.BASE_FONT_PX, "color": charts.MAIN},
        )
    shown = [v for v in values if v is not None] + [kpi.target]
    low, high = min(shown), max(shown)
    # From zero: a range cut to the values (6,900 to 7,100) makes a 1% move look dramatic. A
    # measure that can go below zero keeps room under its lowest value.
    pad = abs(high - min(low, 0)) * 0.15 or 1
    fig.update_yaxes(
        range=[0 if low >= 0 else low - pad, high + pad],
        nticks=4,
        tickformat=f",.{kpi.decimals}f",
        ticksuffix="%" if kpi.unit == "percent" else "",
        showgrid=True,
        rangemode=None,
    )
    ticks = [xs[0], xs[len(xs) // 2], xs[-1]]
    fig.update_xaxes(
        tickvals=ticks,
        ticktext=[_short_month(t) for t in ticks],
        range=[xs[0] - (xs[1] - xs[0]) * 0.3, xs[-1] + (xs[-1] - xs[-2]) * 0.3],
    )
    # With every value withheld or missing there is no end label to leave room for.
    label_px = (
        charts.text_px(kpi.format(known[-1][1], suffix=False), charts.BASE_FONT_PX) if known else 0
    )
    _small_layout(fig, title, subtitle, 180, r=int(label_px) + 24)
    where = "the whole borough" if area == BOROUGH else area
    if known:
        first_x, first_v = known[0]
        described = (
            f"{kpi.format(first_v)} {_period_phrase(kpi, first_x)} and "
            f"{kpi.format(known[-1][1])} {_period_phrase(kpi, known[-1][0])}"
        )
    else:
        described = "no values available"
    alt = (
        f"Line chart of {_lower(kpi.title)} for {where}, one point every three months from "
        f"{charts.month_name(xs[0])} to {charts.month_name(xs[-1])}: {described}, against a "
        f"target of {kpi.target_words()}."
    )
    fig.update_layout(meta={charts.ALT_TEXT_KEY: " ".join(alt.split())})
    return fig


def _period_phrase(kpi: Kpi, end: date) -> str:
    if kpi.kind == "snapshot":
        return f"on {charts.long_date(end)}"
    return f"in the 12 months to {charts.month_name(end)}"


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def district_figure(
    result: KpiResult, areas: Iterable[str], highlight: str | None = None
) -> go.Figure:
    """Horizontal bars of the latest value in each area (districts, then the borough).

    Where the target applies to districts, each bar is labelled with its status symbol and value
    and coloured by status, and the target is a labelled dashed line. For a count (whose target
    is the borough's only) the bars are plain dark blue with their values. `highlight` names an
    area to write in bold.
    """
    kpi = result.kpi
    names = list(areas)
    values = [result.value(a) for a in names]
    with_target = kpi.district_targets
    statuses = [result.status(a) for a in names]
    numbers = [kpi.format(v, suffix=False) if v is not None else "c" for v in values]
    if with_target:
        labels = [f"{STATUS_SYMBOLS[s]} {n}" for s, n in zip(statuses, numbers, strict=True)]
        colours = [RAG_COLOURS[s] for s in statuses]
        words = [STATUS_WORDS[s] for s in statuses]
    else:
        labels, colours, words = (
            numbers,
            [charts.MAIN] * len(names),
            ["no district target"] * len(names),
        )
    ticks = [f"<b>{n}</b>" if n in (highlight, BOROUGH) else n for n in names]
    fig = go.Figure(
        go.Bar(
            x=values,  # a withheld value draws no bar; its label (c) is beside it
            y=ticks,
            orientation="h",
            marker={"color": colours},
            customdata=list(zip(labels, words, strict=True)),
            hovertemplate="%{y}: %{customdata[0]} (%{customdata[1]})<extra></extra>",
        )
    )
    # Values (with their status symbols) in a column of their own right of the bars, so that
    # the target line never runs through them.
    for tick, label in zip(ticks, labels, strict=True):
        fig.add_annotation(
            x=1,
            xref="paper",
            y=tick,
            xanchor="left",
            xshift=10,
            text=label,
            showarrow=False,
            font={"size": charts.BASE_FONT_PX, "color": "black"},
        )
    label_px = max((charts.text_px(label, charts.BASE_FONT_PX) for label in labels), default=40)
    top = max([v for v in values if v is not None] + ([kpi.target] if with_target else []) + [0])
    if with_target:
        fig.add_vline(x=kpi.target, line={"color": charts.DARK_GREY, "width": 2, "dash": "dash"})
        fig.add_annotation(
            x=kpi.target,
            y=1,
            yref="paper",
            xanchor="center",
            yanchor="bottom",
            text=f"Target {kpi.format(kpi.target, suffix=False)}",
            showarrow=False,
            font={"size": charts.MIN_FONT_PX, "color": charts.DARK_GREY},
        )
    fig.update_yaxes(autorange="reversed", tickformat=None, rangemode=None, ticks="")
    fig.update_xaxes(
        range=[0, (top or 1) * 1.05],
        showgrid=False,
        showticklabels=False,
        tickformat=None,
    )
    plot_px = max(len(names) * 34, 100)
    subtitle = result.period_words() + (
        "" if with_target else ". The target is for the whole borough"
    )
    _small_layout(
        fig,
        f"{kpi.title}: by district",
        subtitle,
        plot_px,
        t=charts.TITLE_BLOCK_PX,
        b=24,
        r=int(label_px) + 24,
    )
    fig.update_layout(height=plot_px + charts.TITLE_BLOCK_PX + 24, bargap=0.25)
    shown = [(n, v) for n, v in zip(names, values, strict=True) if v is not None]
    described = ""
    if shown:
        high = max(shown, key=lambda p: p[1])
        low = min(shown, key=lambda p: p[1])
        described = (
            f"highest {high[0]} ({kpi.format(high[1])}), lowest {low[0]} ({kpi.format(low[1])})"
        )
    if with_target:
        counted = {s: statuses.count(s) for s in RAGS}
        parts = [f"{counted[s]} {STATUS_WORDS[s].lower()}" for s in RAGS if counted[s]]
        told = f"against a target of {kpi.target_words()}: {', '.join(parts)}"
        described = f"; {described}" if described else ""
    else:
        told = "(the target is for the whole borough only)"
        described = f": {described}" if described else ""
    alt = (
        f"Bar chart of {_lower(kpi.title)} in {len(names)} areas, {result.period_words()}, "
        f"{told}{described}."
    )
    fig.update_layout(meta={charts.ALT_TEXT_KEY: " ".join(alt.split())})
    return fig


def comparison_figure(
    frame: pl.DataFrame,
    x: str,
    y: str,
    series: str,
    highlight: str,
    *,
    title: str,
    y_title: str,
    subject: str,
    value_format: str = ",.1f",
) -> go.Figure:
    """One line per area (a district and the borough) over months, the district dark blue and
    thick, the borough grey, each labelled at its end: the District profile's comparisons."""
    data = frame.with_columns(_as_dates(frame[x]).alias(x)).sort(x)
    names = sorted(set(data[series].to_list()), key=lambda n: (n == highlight, str(n)))
    fig = go.Figure()
    ends = []
    for name in names:
        part = data.filter(pl.col(series) == name)
        focus = name == highlight
        colour = charts.MAIN if focus else charts.DARK_GREY
        fig.add_trace(
            go.Scatter(
                x=part[x].to_list(),
                y=part[y].to_list(),
                mode="lines",
                line={"color": colour, "width": 4 if focus else 2, "dash": None},
                connectgaps=False,
                name=str(name),
                hovertemplate=f"{name}, %{{x|%B %Y}}: %{{y:{value_format}}}<extra></extra>",
            )
        )
        known = part.filter(pl.col(y).is_not_null())
        if not known.is_empty():
            ends.append((str(name), colour, known[x][-1], float(known[y][-1])))
    values = [v for v in data[y].to_list() if v is not None]
    y_max = max(values, default=1) * 1.15 or 1
    right = charts.label_line_ends(fig, ends, y_max, highlight=highlight)
    charts.apply_theme(fig)
    fig.update_layout(
        title={"text": title, "subtitle": {"text": y_title}},
        height=charts.PLOT_HEIGHT_PX + charts.TITLE_BLOCK_PX + 56,
        margin={"t": charts.TITLE_BLOCK_PX, "r": right, "b": 56, "l": 16, "pad": 0},
        showlegend=False,
    )
    fig.update_yaxes(range=[0, y_max], tickformat=",.0f")
    fig.update_xaxes(hoverformat="%B %Y")
    if not data.is_empty():
        fig.update_xaxes(
            range=[data[x].min() - timedelta(days=10), data[x].max() + timedelta(days=10)]
        )
    if data.is_empty():
        span = "no months"
    else:
        span = f"{charts.month_name(data[x].min())} to {charts.month_name(data[x].max())}"
    latest = "; ".join(
        f"{name} {value:{value_format}} in {charts.month_name(x_end)}"
        for name, _, x_end, value in sorted(ends, key=lambda e: e[0] != highlight)
    )
    alt = (
        f"Line chart of {subject}, {span}, one line for {highlight} (highlighted) and one for "
        f"the whole borough" + (f": latest {latest}" if latest else "") + "."
    )
    fig.update_layout(meta={charts.ALT_TEXT_KEY: " ".join(alt.split())})
    return fig
