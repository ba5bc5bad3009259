"""The chart theme and the figure builders: the one place that decides how a chart looks.

Every chart derives from the UK Government Analysis Function template that `afcharts` ships for
Plotly, and takes its colours only from the Analysis Function palettes. Following the afcharts
guidance, lines are labelled directly at their ends rather than with a legend, bars carry their
values, and each figure carries a one-sentence alt text (read it with `alt_text(fig)`), so the
description travels with the chart into the page, the table expander and, later, the
committee pack.

Builders take Polars frames and return `plotly.graph_objects.Figure`. No Streamlit here.

Text sizes are for a projector: the template's base size is 14pt (about 18.6px); nothing is
smaller than `MIN_FONT_PX`.
"""

from __future__ import annotations

import calendar as _calendar
import copy
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import afcharts.pio_template  # importing it registers the "afcharts" Plotly template
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
from afcharts.af_colours import get_af_colours
from plotly.subplots import make_subplots
from plotly.utils import PlotlyJSONEncoder

from earlyhelp.query import disclosure

# --- Palette: declared once, every chart derives from it -------------------------------------
CATEGORICAL: list[str] = get_af_colours("categorical")  # up to 6 series
DUO: list[str] = get_af_colours("duo")
FOCUS: list[str] = get_af_colours("focus")  # [highlight, grey]
SEQUENTIAL: list[str] = get_af_colours("sequential", number_of_colours=5, include_grey=True)

MAIN = CATEGORICAL[0]  # dark blue: a single series, bars
DARK_GREY = CATEGORICAL[4]  # #3D3D3D: event markers and their labels
MID_GREY = FOCUS[1]  # #BFBFBF: shaded event spans, context
LIGHT_GREY = SEQUENTIAL[-1]  # #F2F2F2

MAX_LABELLED_SERIES = len(CATEGORICAL)
#: WCAG 2.2 AA contrast for text (1.4.3): chart labels are 18.6px, below "large" text.
MIN_TEXT_CONTRAST = 4.5

# --- Sizes (px) -----------------------------------------------------------------------------
BASE_FONT_PX = round(afcharts.pio_template.base_size, 1)  # 14pt in the afcharts template
TITLE_FONT_PX = 24
SUBTITLE_FONT_PX = 18
EVENT_FONT_PX = 16
MIN_FONT_PX = 14
PLOT_HEIGHT_PX = 280  # the plotting area; margins are added around it. With the title block
#: and the x axis, a chart of 280px fits under the headline tiles in a 1366x768 first screen.
#: Width assumed when spacing labels. Narrower than a 1366px screen's main column on purpose, so
#: that labels placed apart here stay apart on a projector at 1024px or in a half-width column.
ASSUMED_PLOT_WIDTH_PX = 760
_CHAR_WIDTH_EM = 0.56  # average glyph width of a sans-serif font, in ems
TITLE_BLOCK_PX = 74  # title + subtitle + gap
_BADGE_PX = 22  # an event's numbered badge above the plot
_X_TICKS_PX = 56  # below the plot: the x axis's tick labels (the layout's bottom margin)
_KEY_TOP_PX = 40  # the event key's first line, below the plot's bottom edge
_KEY_LINE_PX = 24
_KEY_GAP_PX = 28  # between two items of the key on one line

ALT_TEXT_KEY = "alt_text"
#: English month names whatever the server's locale ("" first, so that MONTH_NAMES[1] is January).
MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _build_template() -> go.layout.Template:
    template = copy.deepcopy(pio.templates["afcharts"])
    template.layout.update(
        font={"family": "Arial, Helvetica, sans-serif"},
        title={
            "font": {"size": TITLE_FONT_PX},
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 8, "l": 8},
            "subtitle": {"font": {"size": SUBTITLE_FONT_PX, "color": DARK_GREY}},
        },
        hoverlabel={"font": {"size": 16}},
        showlegend=False,
        xaxis={"showgrid": False, "ticklabelstandoff": 4},
        yaxis={"tickformat": ",d", "rangemode": "tozero", "ticklabelstandoff": 6},
    )
    return template


TEMPLATE = _build_template()
THEME = "earlyhelp"
pio.templates[THEME] = TEMPLATE
# Every figure starts from this template as Plotly's default: Plotly takes a default template as
# already validated, where setting it on each figure validated and copied the whole template
# again (about 20 ms a chart, a third of the time to build one). See apply_theme.
pio.templates.default = THEME


def apply_theme(fig: go.Figure) -> None:
    """Make sure `fig` has the theme. It has when it was made while the theme was Plotly's
    default; but Streamlit sets its own template as the default when its Plotly module is first
    imported, which may be after this one. Then this figure is themed the slow way, and the
    default is taken back for the next ones."""
    if pio.templates.default != THEME:
        pio.templates.default = THEME
        fig.update_layout(template=TEMPLATE)


# --- Text colours ---------------------------------------------------------------------------
def _luminance(colour: str) -> float:
    """WCAG relative luminance of '#RRGGBB'."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str = "#FFFFFF") -> float:
    """WCAG contrast ratio of two '#RRGGBB' colours (1 to 21)."""
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour(colour: str) -> str:
    """The colour for a label drawn in a series' colour: the palette colour itself when it is
    dark enough to read on white, else the same hue darkened just enough (turquoise, orange and
    light purple are about 3:1). Lines, bars and areas keep the palette colour."""
    if contrast_ratio(colour) >= MIN_TEXT_CONTRAST:
        return colour
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    for percent in range(99, -1, -1):
        shade = "#" + "".join(f"{round(c * percent / 100):02X}" for c in rgb)
        if contrast_ratio(shade) >= MIN_TEXT_CONTRAST:
            return shade
    return "#000000"


# --- Alt text -------------------------------------------------------------------------------
def alt_text(fig: go.Figure) -> str:
    """The one-sentence description a builder attached to the figure ('' if none)."""
    meta = fig.layout.meta
    if isinstance(meta, dict):
        return str(meta.get(ALT_TEXT_KEY, ""))
    return ""


def _attach_alt_text(fig: go.Figure, text: str) -> go.Figure:
    text = " ".join(text.split())
    if not text.endswith("."):
        text += "."
    fig.update_layout(meta={ALT_TEXT_KEY: text})
    return fig


# --- A chart with nothing to draw -----------------------------------------------------------
#: What a page says instead of a chart whose every value is withheld (ui.chart_with_data), or
#: whose selection has no values at all. The figure's title goes in front.
ALL_WITHHELD = (
    "all values withheld to protect the children and families behind them (each is shown as "
    "c in the table), so there is no chart to draw."
)
NO_VALUES = "no values to show for this selection, so there is no chart to draw."
WITHHELD_LABEL = disclosure.SUPPRESSED_SYMBOL  # as withheld bars are labelled


def _withheld_label(text: object) -> bool:
    """A bar's label for a withheld value: 'c', or 'c' after a status symbol ('– c')."""
    return isinstance(text, str) and (text == WITHHELD_LABEL or text.endswith(f" {WITHHELD_LABEL}"))


def plotted_values(fig: go.Figure) -> list[float]:
    """Every number a figure's traces draw: the points of its lines, the lengths of its bars
    (x for horizontal ones), the widths of its Sankey links. Nulls and NaN are left out, and so
    are the bars labelled c: a withheld count drawn as a bar of no length, so that its label
    shows, is not a value."""
    found: list[float] = []
    for trace in fig.data:
        labels = ()
        if trace.type == "sankey":
            values = trace.link.value
        elif getattr(trace, "orientation", None) == "h":
            values = trace.x
        else:
            values = getattr(trace, "y", None)
        if trace.type == "bar" and isinstance(trace.text, list | tuple):
            labels = trace.text
        for index, value in enumerate(values if values is not None else ()):
            if index < len(labels) and _withheld_label(labels[index]):
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                try:  # numpy numbers
                    value = float(value)
                except (TypeError, ValueError):
                    continue
            if math.isfinite(value):
                found.append(float(value))
    return found


def title_text(fig: go.Figure) -> str:
    """The figure's title as plain text ('' if it has none)."""
    return re.sub(r"<[^>]+>", "", str(fig.layout.title.text or "")).strip()


def nothing_to_draw(
    fig: go.Figure,
    frame: pl.DataFrame,
    count_columns: Sequence[str] = (),
    statistics: dict[str, tuple[str, ...]] | None = None,
    *,
    protected: bool = True,
) -> str | None:
    """The sentence to show instead of the chart when it would draw nothing, else None.

    A chart draws nothing when none of its values is a number, or (for protected figures) when
    every count and statistic in its table is withheld: a bar whose count is withheld has no
    length, so a chart of withheld bars alone would look like a chart of zeros. Withheld
    values are never drawn as zeros; the notice says they are withheld rather than missing."""
    measures = [c for c in [*count_columns, *(statistics or {})] if c in frame.columns]
    counts = [c for c in count_columns if c in frame.columns]
    withheld = protected and any(frame[c].null_count() for c in counts)
    every_value_withheld = withheld and all(frame[c].null_count() == frame.height for c in measures)
    if plotted_values(fig) and not every_value_withheld:
        return None
    title = title_text(fig)
    text = ALL_WITHHELD if withheld else NO_VALUES
    return f"**{title}**: {text}" if title else text[:1].upper() + text[1:]


# --- Small text helpers ---------------------------------------------------------------------
def month_name(day: date) -> str:
    """'April 2018'."""
    return f"{MONTH_NAMES[day.month]} {day.year}"


def long_date(day: date) -> str:
    """'31 March 2026' (GOV.UK style: no leading zero, no ordinal)."""
    return f"{day.day} {MONTH_NAMES[day.month]} {day.year}"


def loaded_at(created: str | None) -> str:
    """When a warehouse version was published, in words and UK time ('3 December 2026 at
    11:58'), from its manifest's ISO timestamp; 'at an unknown time' without one."""
    if not created:
        return "at an unknown time"
    moment = datetime.fromisoformat(created)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(ZoneInfo("Europe/London"))
    except ZoneInfoNotFoundError:  # no time zone database: say the time in UTC
        return f"{long_date(moment.date())} at {moment:%H:%M} UTC"
    return f"{long_date(moment.date())} at {moment:%H:%M}"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def text_px(text: str, font_px: float) -> float:
    longest = max((len(part) for part in str(text).split("<br>")), default=0)
    return longest * font_px * _CHAR_WIDTH_EM


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() else text


def _as_dates(series: pl.Series) -> pl.Series:
    """Month text 'YYYY-MM', ISO date text, Date or Datetime -> Date."""
    if series.dtype == pl.Date:
        return series
    if isinstance(series.dtype, pl.Datetime):
        return series.dt.date()
    text = series.cast(pl.String)
    return pl.Series(
        series.name,
        [None if v is None else date.fromisoformat(v if len(v) > 7 else v + "-01") for v in text],
        dtype=pl.Date,
    )


def _month_end(day: date) -> date:
    return day.replace(day=_calendar.monthrange(day.year, day.month)[1])


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


def _nice_max(value: float) -> float:
    """A y-axis top a little above the data, so the top label is not cut off."""
    return value * 1.12 if value > 0 else 1


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
    _layout(
        fig,
        title,
        y_title,
        top=TITLE_BLOCK_PX + marks.top_px,
        right=right_margin,
        bottom=_X_TICKS_PX + marks.bottom_px,
    )
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


#: The widest label a date axis may put at its right end ("Sep 2026"): half of it can run
#: past the plot, so the right margin leaves room for half.
_WIDEST_DATE_TICK = "Sep 2026"


def _fixed_margins(fig: go.Figure, y_max: float, right: int) -> None:
    """Margins worked out here instead of by Plotly's automargin, which draws a chart, measures
    its tick labels and draws it all again: a chart with event labels took about 40% longer
    to draw, and Streamlit draws a chart afresh after every filter change. The y tick labels
    (',d' numbers up to y_max) and the date or month labels at the right end fit these."""
    widest_y_tick = text_px(f"{int(y_max):,}", BASE_FONT_PX)
    half_date_tick = text_px(_WIDEST_DATE_TICK, BASE_FONT_PX) / 2
    fig.update_layout(
        margin={"l": math.ceil(widest_y_tick) + 20, "r": max(right, math.ceil(half_date_tick) + 8)}
    )
    fig.update_xaxes(automargin=False)
    fig.update_yaxes(automargin=False)


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


# --- Words that go with a chart -------------------------------------------------------------
def change_sentence(
    current: int | None,
    previous: int | None,
    period_end: date,
    measure: str = "referrals to early help",
) -> str:
    """'In the 12 months to 31 March 2026 there were 3,456 referrals to early help, 5% more
    than in the 12 months before (3,291).'"""
    if current is None:
        return (
            f"The number of {measure} in the 12 months to {long_date(period_end)} is too "
            "small to show."
        )
    text = f"In the 12 months to {long_date(period_end)} there were {current:,} {measure}"
    if previous:
        change = (current - previous) / previous
        if round(change * 100) == 0:
            text += f", about the same as in the 12 months before ({previous:,})"
        else:
            more = "more" if change > 0 else "fewer"
            text += f", {abs(change):.0%} {more} than in the 12 months before ({previous:,})"
    return text + "."


def _plain_label(label: str) -> str:
    """'Schools return (Sep 2020)' -> 'Schools return' (the date is given separately)."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", label).strip() or label


def _date_range(start: date, end: date) -> str:
    if start.year == end.year:
        return f"{start.day} {MONTH_NAMES[start.month]} to {long_date(end)}"
    return f"{long_date(start)} to {long_date(end)}"


def event_effects(
    frame: pl.DataFrame, x: str, y: str, events: pl.DataFrame | None, threshold: float = 0.10
) -> tuple[list[dict], tuple[date, date] | None]:
    """For each event, the month near it that differs most from the usual level for that month.

    The usual level of a calendar month is its average in the data before the first event's
    month (a seasonal baseline; every calendar month must appear there at least once). A dated
    event looks at its own month and the next; a period looks at every month it covers; no
    window reaches into the next event's month, and no month is claimed by two events. Only
    differences of at least `threshold` are returned. Returns the effects and the first and
    last months of the baseline (None when the data start too late to have one).
    """
    data = frame.with_columns(_as_dates(frame[x]).alias(x)).filter(pl.col(y).is_not_null()).sort(x)
    if data.is_empty():
        return [], None
    first, last = data[x].min(), data[x].max()
    chosen = _prepare_events(events, first, _month_end(last))
    if not chosen:
        return [], None
    cutoff = chosen[0]["start"].replace(day=1)
    values = dict(zip(data[x].to_list(), data[y].to_list(), strict=True))
    before = [m for m in values if m < cutoff]
    usual = {}
    for calendar_month in range(1, 13):
        same = [values[m] for m in before if m.month == calendar_month]
        if same:
            usual[calendar_month] = sum(same) / len(same)
    if not before or len(usual) < 12:
        return [], None
    baseline = (min(before), max(before))
    starts = [e["start"].replace(day=1) for e in chosen]
    effects, used = [], set()
    for index, event in enumerate(chosen):
        month = starts[index]
        last_month = (event["end"] or _add_months(month, 1)).replace(day=1)
        if event["end"] is None:
            last_month = _add_months(month, 1)
        later = [s for s in starts[index + 1 :] if s > month]
        if later:
            last_month = min(last_month, _add_months(later[0], -1))
        window = [m for m in _months(month, last_month) if m in values and m not in used]
        if not window:
            continue
        best = max(
            window, key=lambda m: abs(values[m] / usual[m.month] - 1) if usual[m.month] else 0
        )
        if not usual[best.month]:
            continue
        change = values[best] / usual[best.month] - 1
        if abs(change) < threshold:
            continue
        used.add(best)
        effects.append(
            {
                "event": event,
                "month": best,
                "value": values[best],
                "usual": usual[best.month],
                "change": change,
            }
        )
    return effects, baseline


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months(first: date, last: date) -> list[date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = _add_months(month, 1)
    return out


def trend_summary(
    frame: pl.DataFrame, x: str, y: str, events: pl.DataFrame | None, measure: str = "referrals"
) -> str:
    """Plain-English markdown on how the events moved a monthly count, every number computed.

    e.g. 'How the events marked moved referrals, against the usual level for the same month
    (its average from April 2018 to February 2020):' then
    one bullet per event that moved it, '**First lockdown** (23 March to 31 May 2020): 152
    referrals in April 2020, 43% fewer than usual (268).'
    """
    effects, baseline = event_effects(frame, x, y, events)
    if baseline is None:
        return ""
    base = f"its average from {month_name(baseline[0])} to {month_name(baseline[1])}"
    if not effects:
        return (
            f"Around the events marked, {measure} stayed within 10% of the usual level for "
            f"the month ({base})."
        )
    lines = [
        f"How the events marked moved {measure}, against the usual level for the same "
        f"month ({base}):"
    ]
    for effect in effects:
        event = effect["event"]
        when = (
            _date_range(event["start"], event["end"]) if event["end"] else long_date(event["start"])
        )
        direction = "more" if effect["change"] > 0 else "fewer"
        lines.append(
            f"- **{_plain_label(event['label'])}** ({when}): {effect['value']:,} {measure} in "
            f"{month_name(effect['month'])}, {abs(effect['change']):.0%} {direction} than usual "
            f"({round(effect['usual']):,})."
        )
    return "\n".join(lines)


# --- Layout ---------------------------------------------------------------------------------
def _layout(
    fig: go.Figure,
    title: str,
    subtitle: str,
    *,
    top: int,
    right: int,
    plot_height: int = PLOT_HEIGHT_PX,
    bottom: int = _X_TICKS_PX,
) -> None:
    apply_theme(fig)
    fig.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}},
        height=plot_height + top + bottom,
        margin={"t": top, "r": right, "b": bottom, "l": 16, "pad": 0},
    )


def _empty_figure(title: str, subtitle: str, description: str) -> go.Figure:
    fig = go.Figure()
    _layout(fig, title, subtitle, top=TITLE_BLOCK_PX, right=16, plot_height=160)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(
        text="No data for this selection",
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": BASE_FONT_PX},
    )
    return _attach_alt_text(fig, description)


def font_sizes(fig: go.Figure | dict) -> list[float]:
    """Every font size set in a figure (or its JSON as a dict) and its template, in px, to
    check that none is below MIN_FONT_PX."""
    sizes: list[float] = []

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            if key.endswith("font") and isinstance(node.get("size"), int | float):
                sizes.append(float(node["size"]))
            for child_key, child in node.items():
                walk(child, child_key)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item, key)

    walk(fig if isinstance(fig, dict) else fig.to_dict())
    return sizes


# --- Demand: expected, forecast, year on year -------------------------------------------------
def expected_demand(
    baseline: pl.DataFrame,
    findings: Sequence[dict],
    events: pl.DataFrame | None,
    *,
    title: str,
    subtitle: str,
    subject: str,
    value_format: str = ",.0f",
    plot_width_px: float = ASSUMED_PLOT_WIDTH_PX,
) -> go.Figure:
    """Observed values against their seasonal expectation and normal band (`baseline` from
    `demand.expected_monthly`), peaks (▲) and troughs (▼) from `demand.find_peaks`, and the
    calendar's events marked and labelled above the plot."""
    data = baseline.with_columns(_as_dates(baseline["month"]).alias("month"))
    months = data["month"].to_list()
    first, last = months[0], months[-1]
    fig = go.Figure()
    for bound, fill in (("upper", None), ("lower", "tonexty")):
        fig.add_trace(
            go.Scatter(
                x=months,
                y=data[bound].to_list(),
                mode="lines",
                line={"width": 0},
                fill=fill,
                fillcolor=MID_GREY if fill else None,
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
            line={"color": DARK_GREY, "width": 2, "dash": "dash"},
            hovertemplate=f"Expected: %{{y:{value_format}}}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=months,
            y=data["observed"].to_list(),
            mode="lines",
            name="Observed",
            line={"color": MAIN, "width": 3},
            connectgaps=False,
            hovertemplate=f"Observed: %{{y:{value_format}}}<extra></extra>",
        )
    )
    for kind, symbol, colour in (
        ("peak", "triangle-up", CATEGORICAL[1]),
        ("trough", "triangle-down", CATEGORICAL[2]),
    ):
        marked = [f for f in findings if f["kind"] == kind]
        if not marked:
            continue
        fig.add_trace(
            go.Scatter(
                x=[date.fromisoformat(f"{f['period']}-01") for f in marked],
                y=[f["observed"] for f in marked],
                mode="markers",
                name=kind.capitalize(),
                marker={"symbol": symbol, "size": 14, "color": colour},
                text=[_finding_text(f) for f in marked],
                hovertemplate=(
                    f"{kind.capitalize()}: %{{y:{value_format}}} (%{{text}})<extra></extra>"
                ),
            )
        )
    ends = data.filter(pl.col("expected").is_not_null())
    if not ends.is_empty():
        last_row = ends.row(-1, named=True)
        for label, value, colour, shift in (
            ("Expected", last_row["expected"], DARK_GREY, -10),
            ("Observed", last_row["observed"], MAIN, 10),
        ):
            if value is None:
                continue
            fig.add_annotation(
                x=last_row["month"],
                y=value,
                xanchor="left",
                yanchor="middle",
                xshift=10,
                yshift=shift,
                text=f"<b>{label}</b>",
                showarrow=False,
                font={"size": BASE_FONT_PX, "color": colour},
            )
    chosen = _prepare_events(events, first, _month_end(last))
    marks = _add_events(fig, chosen, first, last, plot_width_px)
    right = int(text_px("Observed", BASE_FONT_PX)) + 32
    _layout(
        fig,
        title,
        subtitle,
        top=TITLE_BLOCK_PX + marks.top_px,
        right=right,
        bottom=_X_TICKS_PX + marks.bottom_px,
    )
    fig.update_layout(showlegend=False)
    top_value = max(float(data["upper"].max() or 0), float(data["observed"].max() or 0))
    fig.update_yaxes(range=[0, _nice_max(top_value)])
    fig.update_xaxes(
        hoverformat="%B %Y", range=[first - timedelta(days=10), last + timedelta(days=10)]
    )
    _fixed_margins(fig, _nice_max(top_value), right)
    peaks = sum(f["kind"] == "peak" for f in findings)
    troughs = len(findings) - peaks
    return _attach_alt_text(
        fig,
        f"Line chart of {subject}, {month_name(first)} to {month_name(last)}, against the "
        f"expected seasonal level and its normal band, with {peaks} unusually high "
        f"month{'s' if peaks != 1 else ''} and {troughs} unusually low "
        f"month{'s' if troughs != 1 else ''} marked{_event_phrase(chosen)}.",
    )


def _finding_text(finding: dict) -> str:
    change = finding.get("change_pct")
    text = "" if change is None else f"{change:+.0f}% on expected"
    if finding.get("event"):
        text += f"; {finding['event']}"
    return text.strip("; ")


def forecast_chart(
    history: pl.DataFrame,
    forecast: pl.DataFrame,
    returns: Sequence[dict],
    *,
    value_col: str,
    title: str,
    subtitle: str,
    subject: str,
    value_format: str = ",.0f",
    history_months: int = 36,
    plot_width_px: float = ASSUMED_PLOT_WIDTH_PX,
) -> go.Figure:
    """The last `history_months` observed, then the forecast with its 80% (darker) and 95%
    (lighter) prediction intervals, and the coming returns to school marked."""
    past = history.with_columns(_as_dates(history["month"]).alias("month")).tail(history_months)
    future = forecast.with_columns(_as_dates(forecast["month"]).alias("month"))
    last_seen = past.filter(pl.col(value_col).is_not_null()).tail(1)
    fig = go.Figure()
    for level, shade in ((95, 0.25), (80, 0.5)):
        xs = future["month"].to_list()
        fig.add_trace(
            go.Scatter(
                x=xs + xs[::-1],
                y=future[f"upper_{level}"].to_list() + future[f"lower_{level}"].to_list()[::-1],
                fill="toself",
                fillcolor=CATEGORICAL[0],
                opacity=shade * 0.6,
                line={"width": 0},
                hoverinfo="skip",
                name=f"{level}% interval",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=past["month"].to_list(),
            y=past[value_col].to_list(),
            mode="lines",
            name="Observed",
            line={"color": MAIN, "width": 3},
            hovertemplate=f"Observed: %{{y:{value_format}}}<extra></extra>",
        )
    )
    join_x = last_seen["month"].to_list() + future["month"].to_list()
    join_y = last_seen[value_col].to_list() + future["forecast"].to_list()
    fig.add_trace(
        go.Scatter(
            x=join_x,
            y=join_y,
            mode="lines",
            name="Forecast",
            line={"color": MAIN, "width": 3, "dash": "dash"},
            customdata=[[None, None]] * len(last_seen)
            + future.select("lower_80", "upper_80").rows(),
            hovertemplate=(
                f"Forecast: %{{y:{value_format}}} "
                f"(80% interval %{{customdata[0]:{value_format}}} to "
                f"%{{customdata[1]:{value_format}}})<extra></extra>"
            ),
        )
    )
    first, last = past["month"][0], future["month"][-1]
    fig.add_annotation(
        x=future["month"][-1],
        y=future["forecast"][-1],
        xanchor="left",
        yanchor="middle",
        xshift=10,
        text="<b>Forecast</b>",
        showarrow=False,
        font={"size": BASE_FONT_PX, "color": MAIN},
    )
    markers = [
        {"start": r["date"], "end": None, "label": r["label"], "kind": "school"} for r in returns
    ]
    marks = _add_events(fig, markers, first, last, plot_width_px)
    right = int(text_px("Forecast", BASE_FONT_PX)) + 32
    _layout(
        fig,
        title,
        subtitle,
        top=TITLE_BLOCK_PX + marks.top_px,
        right=right,
        bottom=_X_TICKS_PX + marks.bottom_px,
    )
    fig.update_layout(showlegend=False)
    top_value = max(float(future["upper_95"].max() or 0), float(past[value_col].max() or 0))
    fig.update_yaxes(range=[0, _nice_max(top_value)])
    fig.update_xaxes(
        hoverformat="%B %Y", range=[first - timedelta(days=10), last + timedelta(days=10)]
    )
    _fixed_margins(fig, _nice_max(top_value), right)
    returns_text = (
        f", with {_join([_plain_label(r['label']) for r in returns])} marked" if returns else ""
    )
    return _attach_alt_text(
        fig,
        f"Line chart of {subject} from {month_name(first)}, then a dashed forecast to "
        f"{month_name(last)} with shaded 80% and 95% prediction intervals{returns_text}.",
    )


def year_on_year_chart(
    frame: pl.DataFrame,
    value_col: str,
    *,
    title: str,
    subtitle: str,
    subject: str,
    years_shown: int = 4,
    value_format: str = ",.0f",
) -> go.Figure:
    """One line per financial year across April to March (`frame` from `demand.year_on_year`):
    the latest year in the main colour, the year before in the second, earlier years grey; each
    line labelled at its end."""
    years = frame["year"].unique(maintain_order=True).to_list()[-years_shown:]
    month_names = [MONTH_NAMES[(k + 3) % 12 + 1][:3] for k in range(12)]
    fig = go.Figure()
    colours = {years[-1]: MAIN}
    if len(years) > 1:
        colours[years[-2]] = CATEGORICAL[1]
    ends = []
    for year in years:
        part = frame.filter(pl.col("year") == year).sort("month_of_year")
        colour = colours.get(year, MID_GREY)
        x = [month_names[m - 1] for m in part["month_of_year"].to_list()]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=part[value_col].to_list(),
                mode="lines+markers",
                name=year,
                line={"color": colour, "width": 3 if year in colours else 2},
                marker={"size": 6},
                hovertemplate=f"{year}, %{{x}}: %{{y:{value_format}}}<extra></extra>",
            )
        )
        known = part.filter(pl.col(value_col).is_not_null())
        if not known.is_empty():
            ends.append(
                (year, colour, month_names[known["month_of_year"][-1] - 1], known[value_col][-1])
            )
    y_max = _nice_max(float(frame.filter(pl.col("year").is_in(years))[value_col].max() or 0))
    label_line_ends(fig, ends, y_max)
    right = int(text_px("2025-26", BASE_FONT_PX)) + 40
    _layout(fig, title, subtitle, top=TITLE_BLOCK_PX, right=right)
    fig.update_layout(showlegend=False)
    fig.update_xaxes(categoryorder="array", categoryarray=month_names, type="category")
    fig.update_yaxes(range=[0, y_max])
    _fixed_margins(fig, y_max, right)
    return _attach_alt_text(
        fig,
        f"Line chart of {subject} by month of the financial year (April to March), one line "
        f"for each of {_join(years)}, the latest highlighted.",
    )


# --- As sent to the browser -----------------------------------------------------------------
#: Trace types drawn on x and y axes: a template's `xaxis` and `yaxis` apply to their axes.
_CARTESIAN_TRACES = frozenset(
    {"bar", "box", "contour", "heatmap", "histogram", "scatter", "scattergl", "violin"}
)
_AXIS_NAME = re.compile(r"^[xy]axis\d*$")
#: Traces with an orientation: Plotly draws no grid by default on the axis that places them.
_ORIENTED = frozenset({"bar", "box", "funnel", "histogram", "violin", "waterfall"})
#: Axis lines Plotly draws when the figure itself sets one of their colours or widths, but not
#: when only a template does: a template's colour written into the figure would draw them.
#: (The grid and zero line are drawn by default, except on an axis placing bars; the line is not.)
_SHOWN_WHEN_STYLED = {
    "showline": ("linecolor", "linewidth"),
    "showgrid": ("gridcolor", "gridwidth", "griddash"),
    "zeroline": ("zerolinecolor", "zerolinewidth"),
}


def browser_figure(fig: go.Figure) -> go.Figure:
    """The figure as the page sends it: the same chart, with its template written into it, no
    alt text (the page carries that) and a `datarevision` naming its data.

    Streamlit draws a chart, then draws it again from a deep copy a moment later. Plotly
    compares the copy with what it drew and redraws everything when it finds the template,
    `meta` or a data array to be new objects, unless `datarevision` says the data are the
    same: a second full draw of the chart after every filter change (about 90 ms for the
    Demand chart). Without them the second draw finds nothing to do.
    """
    spec = fig.to_dict()
    layout = spec["layout"]
    template = layout.pop("template", None) or {}
    layout.pop("meta", None)
    data = _with_trace_defaults(spec["data"], template.get("data", {}))
    layout = _with_layout_defaults(layout, template.get("layout", {}), data)
    layout["datarevision"] = hashlib.sha1(
        json.dumps(data, cls=PlotlyJSONEncoder, sort_keys=True).encode()
    ).hexdigest()[:16]
    # Built from a validated figure and template, so not validated again (that took 20 ms);
    # template None, or the new figure would take the default template.
    sent = go.Figure({"data": data, "layout": layout}, _validate=False)
    sent.layout.template = None
    return sent


def _merged(defaults: dict, own: dict) -> dict:
    """`own` over `defaults`, nested dicts merged key by key (as Plotly applies a template)."""
    out = dict(defaults)
    for key, value in own.items():
        base = out.get(key)
        out[key] = (
            _merged(base, value) if isinstance(base, dict) and isinstance(value, dict) else value
        )
    return out


def _with_trace_defaults(traces: list[dict], defaults: dict) -> list[dict]:
    """Each trace over its type's template, the n-th trace of a type taking the n-th of the
    template's (cycling), as Plotly does."""
    seen: dict[str, int] = {}
    out = []
    for trace in traces:
        kind = trace.get("type", "scatter")
        choices = defaults.get(kind) or []
        count = seen.get(kind, 0)
        seen[kind] = count + 1
        out.append(_merged(choices[count % len(choices)], trace) if choices else trace)
    return out


def _with_layout_defaults(layout: dict, defaults: dict, traces: list[dict]) -> dict:
    """The layout over the template's: its `xaxis`/`yaxis` applied to every axis of that kind
    the figure has, and each `<item>defaults` (such as `annotationdefaults`) to every item."""
    axes = {name for name in layout if _AXIS_NAME.match(name)}
    for trace in traces:
        if trace.get("type", "scatter") in _CARTESIAN_TRACES:
            axes.add("xaxis" + trace.get("xaxis", "x")[1:])
            axes.add("yaxis" + trace.get("yaxis", "y")[1:])
    out = {
        key: value
        for key, value in defaults.items()
        if key not in ("xaxis", "yaxis") and not key.endswith("defaults")
    }
    out = _merged(out, {key: value for key, value in layout.items() if key not in axes})
    # Plotly draws no grid across the bars by default: on the axis that places them.
    placing_bars = {_position_axis(trace) for trace in traces if trace.get("type") in _ORIENTED}
    for name in sorted(axes):
        out[name] = _template_axis(
            defaults.get(name[:5], {}), layout.get(name, {}), name not in placing_bars
        )
    for key, item_defaults in defaults.items():
        items = key.removesuffix("defaults") + "s"
        if key.endswith("defaults") and layout.get(items):
            out[items] = [_merged(item_defaults, item) for item in layout[items]]
    return out


def _position_axis(trace: dict) -> str:
    """The axis that places an oriented trace's bars ('xaxis', 'yaxis2', ...)."""
    if trace.get("orientation") == "h":
        return "yaxis" + trace.get("yaxis", "y")[1:]
    return "xaxis" + trace.get("xaxis", "x")[1:]


def _template_axis(defaults: dict, own: dict, grid_by_default: bool) -> dict:
    axis = _merged(defaults, own)
    for shown, styles in _SHOWN_WHEN_STYLED.items():
        by_default = grid_by_default and shown != "showline"
        if shown not in axis and not by_default and not any(style in own for style in styles):
            for style in styles:
                axis.pop(style, None)
    return axis
