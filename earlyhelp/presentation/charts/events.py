"""Marking the calendar on a chart over time: events as dotted lines or shaded spans with
numbered badges and a key, school holidays lightly shaded, the extract's warm-up shaded, and the
phrase that names the events in the alt text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl

from earlyhelp.presentation.charts.text import _as_dates, _join, _plain_label
from earlyhelp.presentation.charts.theme import (
    _BADGE_PX,
    _KEY_GAP_PX,
    _KEY_LINE_PX,
    _KEY_TOP_PX,
    _X_TICKS_PX,
    DARK_GREY,
    EVENT_FONT_PX,
    LIGHT_GREY,
    MID_GREY,
    MIN_FONT_PX,
    TITLE_BLOCK_PX,
    _attach_alt_text,
    _layout,
    alt_text,
    text_px,
)


# --- Events ---------------------------------------------------------------------------------
def _prepare_events(events: pl.DataFrame | None, first: date, last: date) -> list[dict]:
    """Events that touch [first, last], sorted by start, with spans clipped to the range."""
    if events is None or events.is_empty():
        return []
    rows = []
    for row in events.to_dicts():
        start = row.get("start_date")
        if start is None:
            continue
        start = _as_dates(pl.Series([start]))[0]
        end = row.get("end_date")
        end = _as_dates(pl.Series([end]))[0] if end is not None else None
        if start > last or (end or start) < first:
            continue
        label = str(row.get("label") or "").strip()
        rows.append(
            {
                "start": max(start, first),
                "end": min(end, last) if end else None,
                "label": label,
                "kind": row.get("kind"),
            }
        )
    return sorted(rows, key=lambda r: r["start"])


@dataclass(frozen=True)
class EventMarks:
    """Room the event markers take: above the plot (numbered badges, in rows so that none
    overlap) and below it (the key that names each number)."""

    top_px: int = 0
    bottom_px: int = 0


def _badge_rows(positions_px: list[float], spacing_px: float) -> list[int]:
    """A row for each badge (0 = just above the plot), left to right: the lowest row whose last
    badge is at least `spacing_px` to the left, so badges never touch."""
    last_in_row: list[float] = []
    rows = []
    for x in positions_px:
        row = next((r for r, end in enumerate(last_in_row) if x - end >= spacing_px), None)
        if row is None:
            row = len(last_in_row)
            last_in_row.append(x)
        last_in_row[row] = x
        rows.append(row)
    return rows


def _key_lines(items: list[str], plot_width_px: float) -> list[list[tuple[float, str]]]:
    """The key's items flowed into lines no wider than the plot: (offset px, text) each."""
    lines: list[list[tuple[float, str]]] = [[]]
    offset = 0.0
    for text in items:
        width = text_px(_plain_label(text), EVENT_FONT_PX) + _KEY_GAP_PX
        if lines[-1] and offset + width > plot_width_px:
            lines.append([])
            offset = 0.0
        lines[-1].append((offset, text))
        offset += width
    return lines


def layout_around_marks(
    fig: go.Figure, title: str, subtitle: str, marks: EventMarks, *, right: int
) -> None:
    """The chart's layout with room above the plot for the event badges and below it for their
    key (what _add_events drew)."""
    _layout(
        fig,
        title,
        subtitle,
        top=TITLE_BLOCK_PX + marks.top_px,
        right=right,
        bottom=_X_TICKS_PX + marks.bottom_px,
    )


def _add_events(
    fig: go.Figure,
    events: list[dict],
    first: date,
    last: date,
    plot_width_px: float,
    row: int | None = None,
    col: int | None = None,
    labels: bool = True,
) -> EventMarks:
    """Dotted lines for dates and shaded spans for periods, each numbered in a small badge
    above the plot, with a key under the plot naming each number ("1 First lockdown").

    Numbers rather than labels above the plot: seven lockdown and school events in eighteen
    months stacked seven rows of labels over the chart and pushed it off a projector's first
    screen. Badges that would touch are put in a second row, with a leader down to the plot.
    """
    if not events:
        return EventMarks()
    total_days = max((last - first).days, 1)
    positions = [(e["start"] - first).days / total_days * plot_width_px for e in events]
    xref, yref = _axis_refs(fig, row, col)
    shapes: list[dict] = []
    annotations: list[dict] = []
    if not labels:  # small multiples: quiet, unnumbered markers
        for event in events:
            if event["end"] is not None and event["end"] > event["start"]:
                shapes.append(_span(event["start"], event["end"], 0.35, xref, yref))
            shapes.append(_marker_line(event["start"], {"color": MID_GREY, "width": 1}, xref, yref))
        _append_layout_items(fig, shapes, annotations)
        return EventMarks()
    badge = _BADGE_PX
    badge_rows = _badge_rows(positions, badge + 4)
    dotted = {"color": DARK_GREY, "width": 1.5, "dash": "dot"}
    for number, (event, badge_row) in enumerate(zip(events, badge_rows, strict=True), start=1):
        start = event["start"]
        if event["end"] is not None and event["end"] > start:
            shapes.append(_span(start, event["end"], 0.35, xref, yref))
        shapes.append(_marker_line(start, dotted, xref, yref))
        rise = 4 + badge_row * (badge + 4)
        if badge_row:
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "x0": start,
                    "x1": start,
                    "yref": "paper",
                    "ysizemode": "pixel",
                    "yanchor": 1,
                    "y0": 0,
                    "y1": rise,
                    "line": dotted,
                }
            )
        annotations.append(
            {
                "x": start,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": rise,
                "xanchor": "center",
                "text": f"<b>{number}</b>",
                "showarrow": False,
                "bgcolor": DARK_GREY,
                "borderpad": 2,
                "width": badge - 4,
                "height": badge - 4,
                "font": {"size": MIN_FONT_PX, "color": "#FFFFFF"},
            }
        )
    items = [f"<b>{n}</b> {e['label']}" for n, e in enumerate(events, start=1)]
    lines = _key_lines(items, plot_width_px)
    for line_number, line in enumerate(lines):
        for offset, text in line:
            annotations.append(
                {
                    "x": offset / plot_width_px,
                    "xref": "paper",
                    "y": 0,
                    "yref": "paper",
                    "yanchor": "top",
                    "yshift": -_KEY_TOP_PX - line_number * _KEY_LINE_PX,
                    "xanchor": "left",
                    "text": text,
                    "showarrow": False,
                    "align": "left",
                    "font": {"size": EVENT_FONT_PX, "color": DARK_GREY},
                }
            )
    return_rows = max(badge_rows) + 1
    _append_layout_items(fig, shapes, annotations)
    return EventMarks(
        top_px=return_rows * (badge + 4) + 8,
        bottom_px=_KEY_TOP_PX - _X_TICKS_PX + len(lines) * _KEY_LINE_PX,
    )


# Plotly's add_vline, add_vrect and add_annotation validate every shape already on the figure
# each time they are called, so a chart with events took over a second to build. Shapes and
# annotations are built as plain dicts and set on the layout once instead.
def _axis_refs(fig: go.Figure, row: int | None, col: int | None) -> tuple[str, str]:
    """The x axis and the y axis's domain that a shape spanning the plot's height refers to."""
    if row is None:
        return "x", "y domain"
    subplot = fig.get_subplot(row, col)
    x_name = subplot.xaxis.plotly_name.replace("axis", "")
    y_name = subplot.yaxis.plotly_name.replace("axis", "")
    return x_name, f"{y_name} domain"


def _span(start: date, end: date, opacity: float, xref: str, yref: str) -> dict:
    return {
        "type": "rect",
        "xref": xref,
        "yref": yref,
        "x0": start,
        "x1": end,
        "y0": 0,
        "y1": 1,
        "fillcolor": MID_GREY,
        "opacity": opacity,
        "line": {"width": 0},
        "layer": "below",
    }


def _marker_line(day: date, line: dict, xref: str, yref: str) -> dict:
    return {
        "type": "line",
        "xref": xref,
        "yref": yref,
        "x0": day,
        "x1": day,
        "y0": 0,
        "y1": 1,
        "line": line,
        "layer": "below",
    }


def _append_layout_items(fig: go.Figure, shapes: list[dict], annotations: list[dict]) -> None:
    if shapes:
        fig.layout.shapes = (*fig.layout.shapes, *shapes)
    if annotations:
        fig.layout.annotations = (*fig.layout.annotations, *annotations)


def _shade_holidays(
    fig: go.Figure, holidays: Sequence[tuple[date, date]], first: date, last: date
) -> None:
    spans = [
        _span(max(start, first), min(end, last), 0.18, "x", "y domain")
        for start, end in holidays
        if not (end < first or start > last)
    ]
    _append_layout_items(fig, spans, [])


def shade_warm_up(
    fig: go.Figure,
    first: date,
    warm_up_end: date,
    note: str,
    *,
    hover: str | None = None,
    alt: str | None = None,
) -> go.Figure:
    """Shade the months from `first` up to `warm_up_end` (x positions) in light grey on every
    panel of a chart over time, below the lines and the grid, labelled `note` once, at the top
    left of the first panel (`hover` says more on pointing at it); `alt` is added to the alt
    text. For the months at the start of an extract whose counts are too low (see
    caseloads.warm_up). The shade starts at the x axis's left end when its range is set, and
    stops at the last point when the series ends sooner. Nothing is added when no point is
    before `warm_up_end`."""
    shown = [
        day
        for trace in fig.data
        if trace.x is not None and len(trace.x)
        for day in _as_dates(pl.Series(list(trace.x)))
        if day is not None
    ]
    if not shown or min(shown) >= warm_up_end:
        return fig
    axes = list(dict.fromkeys((t.xaxis or "x", t.yaxis or "y") for t in fig.data))
    start = first
    bounds = fig.layout.xaxis.range
    if bounds:
        start = min(start, _as_dates(pl.Series([str(bounds[0])[:10]]))[0])
    end = min(warm_up_end, max(shown) + timedelta(days=15))
    shapes = [
        {
            "type": "rect",
            "xref": x,
            "yref": f"{y} domain",
            "x0": start,
            "x1": end,
            "y0": 0,
            "y1": 1,
            "fillcolor": LIGHT_GREY,
            "line": {"width": 0},
            "layer": "below",
        }
        for x, y in axes
    ]
    x, y = axes[0]
    label = {
        "x": start,
        "xref": x,
        "xanchor": "left",
        "xshift": 4,
        "y": 1,
        "yref": f"{y} domain",
        "yanchor": "top",
        "yshift": -2,
        "text": note,
        "showarrow": False,
        "font": {"size": MIN_FONT_PX, "color": DARK_GREY},
    }
    if hover:
        label["hovertext"] = hover
    _append_layout_items(fig, shapes, [label])
    if alt:
        _attach_alt_text(fig, f"{alt_text(fig)} {alt}".strip())
    return fig


def _event_phrase(events: list[dict]) -> str:
    if not events:
        return ""
    labels = [_plain_label(e["label"]) for e in events if e["label"]]
    if len(labels) > 8:
        return f", with {len(labels)} events marked, from {labels[0]} to {labels[-1]}"
    return f", with {_join(labels)} marked"
