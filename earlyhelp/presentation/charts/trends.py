"""Line charts over time: a monthly count as directly labelled lines (labels nudged apart
at the line ends, instead of a legend), or as small multiples past six series, with the
calendar's events and school holidays marked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from earlyhelp.core.dates import month_name
from earlyhelp.presentation.charts.events import (
    _add_events,
    _append_layout_items,
    _event_phrase,
    _prepare_events,
    _shade_holidays,
    layout_around_marks,
)
from earlyhelp.presentation.charts.text import _as_dates, _join, _lower_first, _month_end
from earlyhelp.presentation.charts.theme import (
    ASSUMED_PLOT_WIDTH_PX,
    BASE_FONT_PX,
    CATEGORICAL,
    DARK_GREY,
    LIGHT_GREY,
    MAIN,
    MAX_LABELLED_SERIES,
    MID_GREY,
    PLOT_HEIGHT_PX,
    TITLE_BLOCK_PX,
    _attach_alt_text,
    _empty_figure,
    _fixed_margins,
    _layout,
    _nice_max,
    text_colour,
    text_px,
)


# --- Direct labels --------------------------------------------------------------------------
def _spread(values_px: list[float], min_gap_px: float, low: float, high: float) -> list[float]:
    """Move label positions apart (keeping their order) so neighbours are min_gap_px apart."""
    order = sorted(range(len(values_px)), key=lambda i: values_px[i])
    placed = [values_px[i] for i in order]
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + min_gap_px)
    overflow = placed[-1] - high if placed else 0
    if overflow > 0:
        placed = [p - overflow for p in placed]
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - min_gap_px)
    placed = [max(p, low) for p in placed]
    result = [0.0] * len(values_px)
    for rank, i in enumerate(order):
        result[i] = placed[rank]
    return result


def label_line_ends(
    fig: go.Figure,
    ends: Sequence[tuple[str, str, object, float]],
    y_max: float,
    *,
    highlight: str | None = None,
    font_px: float = BASE_FONT_PX,
    plot_height_px: float = PLOT_HEIGHT_PX,
) -> int:
    """Label each line at its last point instead of with a legend (the afcharts guidance),
    nudged apart so labels never overlap. `ends` holds (label, line colour, x, y) for each line
    on a y axis from 0 to `y_max`. Labels are in the line's colour, darkened where needed to
    read on white; context lines drawn in light grey get dark grey labels. With `highlight`,
    only that line's label is bold. Returns the right margin (px) the labels need."""
    if not ends:
        return 16
    px_per_unit = plot_height_px / (y_max or 1)
    wanted = [float(value) * px_per_unit for *_, value in ends]
    placed = _spread(wanted, font_px * 1.3, 0, plot_height_px)
    annotations = [
        {
            "x": x_end,
            "y": value,
            "xanchor": "left",
            "yanchor": "middle",
            "xshift": 10,
            "yshift": put - want,
            "text": f"<b>{label}</b>" if highlight in (None, label) else label,
            "showarrow": False,
            "font": {
                "size": font_px,
                "color": DARK_GREY if colour in (MID_GREY, LIGHT_GREY) else text_colour(colour),
            },
        }
        for (label, colour, x_end, value), want, put in zip(ends, wanted, placed, strict=True)
    ]
    _append_layout_items(fig, [], annotations)
    return int(max(text_px(label, font_px) for label, *_ in ends) * 1.1) + 24


# --- Builders -------------------------------------------------------------------------------
def monthly_trend(
    frame: pl.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    events: pl.DataFrame | None = None,
    *,
    title: str,
    y_title: str,
    subject: str | None = None,
    plot_width_px: float = ASSUMED_PLOT_WIDTH_PX,
    holidays: Sequence[tuple[date, date]] = (),
) -> go.Figure:
    """Line chart of a monthly count, one line per value of `color` (or one line).

    `x` holds months ('YYYY-MM' text or dates); `events` is the events calendar (start_date,
    end_date nullable, label, kind): dated events become dotted lines, periods shaded spans,
    each with a short label above the plot placed so that no two labels overlap. Up to six
    series are labelled at their line ends; more than six are drawn as small multiples.
    `subject` words the alt text ('monthly referrals to early help'); it defaults to the title.
    `holidays` are (first, last) days of school holidays, lightly shaded without labels (say so
    in `y_title`); `x` may also hold weeks (dates).
    """
    data = frame.with_columns(_as_dates(frame[x]).alias(x)).sort(x)
    series_names = [None] if color is None else data[color].unique(maintain_order=True).to_list()
    if color is not None:
        series_names = sorted(series_names, key=lambda s: str(s))
    if color is not None and len(series_names) > MAX_LABELLED_SERIES:
        return small_multiples(
            frame, x, y, color, events, title=title, y_title=y_title, subject=subject
        )
    subject = subject or _lower_first(title)
    if data.is_empty():
        return _empty_figure(title, y_title, f"Line chart of {subject}: no data for this selection")

    first, last = data[x].min(), data[x].max()
    last_day = _month_end(last)
    chosen = _prepare_events(events, first, last_day)

    fig = go.Figure()
    colours = [MAIN] if color is None else CATEGORICAL[: max(len(series_names), 1)]
    ends = []
    for name, colour in zip(series_names, colours, strict=False):
        part = data if name is None else data.filter(pl.col(color) == name)
        label = y_title if name is None else str(name)
        fig.add_trace(
            go.Scatter(
                x=part[x].to_list(),
                y=part[y].to_list(),
                mode="lines",
                name=label,
                line={"color": colour, "width": 3},
                connectgaps=False,
                hovertemplate=f"{label}: %{{y:,}}<extra></extra>"
                if name is not None
                else "%{y:,}<extra></extra>",
            )
        )
        shown = part.filter(pl.col(y).is_not_null())
        if not shown.is_empty():
            ends.append((label, colour, shown[x][-1], shown[y][-1]))

    y_max = _nice_max(float(data[y].max() or 0))
    right_margin = 16
    if color is not None and ends:
        # A dot at each line's end, then its label beside it.
        fig.add_trace(
            go.Scatter(
                x=[e[2] for e in ends],
                y=[e[3] for e in ends],
                mode="markers",
                hoverinfo="skip",
                marker={"color": [e[1] for e in ends], "size": 9},
                showlegend=False,
            )
        )
        right_margin = label_line_ends(fig, ends, y_max)

    _shade_holidays(fig, holidays, first, last)
    marks = _add_events(fig, chosen, first, last, plot_width_px)
    layout_around_marks(fig, title, y_title, marks, right=right_margin)
    fig.update_yaxes(range=[0, y_max])
    fig.update_xaxes(
        hoverformat="%B %Y", range=[first - timedelta(days=10), last + timedelta(days=10)]
    )
    _fixed_margins(fig, y_max, right_margin)

    period = f"{month_name(first)} to {month_name(last)}"
    lines = "" if color is None else f", one line for each {color.replace('_', ' ')}"
    return _attach_alt_text(
        fig, f"Line chart of {subject}, {period}{lines}{_event_phrase(chosen)}."
    )


def small_multiples(
    frame: pl.DataFrame,
    x: str,
    y: str,
    facet: str,
    events: pl.DataFrame | None = None,
    *,
    title: str,
    y_title: str,
    subject: str | None = None,
    columns: int = 3,
) -> go.Figure:
    """One small line chart per value of `facet`, on a shared y axis, each titled directly."""
    data = frame.with_columns(_as_dates(frame[x]).alias(x)).sort(x)
    subject = subject or _lower_first(title)
    names = sorted(data[facet].unique().to_list(), key=lambda s: str(s))
    if not names:
        return _empty_figure(
            title, y_title, f"Line charts of {subject}: no data for this selection"
        )
    columns = max(1, min(columns, len(names)))
    rows = -(-len(names) // columns)
    panel_px, gap_px = 220, 90
    plot_height = rows * panel_px + (rows - 1) * gap_px
    fig = make_subplots(
        rows=rows,
        cols=columns,
        shared_yaxes=True,
        shared_xaxes=True,
        subplot_titles=[str(n) for n in names],
        horizontal_spacing=0.04,
        vertical_spacing=gap_px / plot_height if rows > 1 else 0,
    )
    first, last = data[x].min(), data[x].max()
    chosen = _prepare_events(events, first, _month_end(last))
    for i, name in enumerate(names):
        r, c = i // columns + 1, i % columns + 1
        part = data.filter(pl.col(facet) == name)
        fig.add_trace(
            go.Scatter(
                x=part[x].to_list(),
                y=part[y].to_list(),
                mode="lines",
                name=str(name),
                line={"color": MAIN, "width": 2.5},
                hovertemplate=f"{name}: %{{y:,}}<extra></extra>",
            ),
            row=r,
            col=c,
        )
        _add_events(fig, chosen, first, last, 0, row=r, col=c, labels=False)
    for annotation in fig.layout.annotations:
        annotation.font = {"size": BASE_FONT_PX, "color": "black"}
    _layout(fig, title, y_title, top=TITLE_BLOCK_PX + 30, right=16, plot_height=plot_height)
    fig.update_yaxes(range=[0, _nice_max(float(data[y].max() or 0))])
    fig.update_xaxes(hoverformat="%B %Y", dtick="M24", tickformat="%Y", showticklabels=True)
    period = f"{month_name(first)} to {month_name(last)}"
    return _attach_alt_text(
        fig,
        f"Line charts of {subject}, {period}, one small chart for each "
        f"{facet.replace('_', ' ')} ({_join([str(n) for n in names])}){_event_phrase(chosen)}.",
    )
