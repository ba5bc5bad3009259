"""The chart theme: the Analysis Function palette, the sizes (px) every chart is laid out
with, the Plotly template made from afcharts' and set as Plotly's default, text colours that
read on white, the alt text a figure carries, and the layout (title block, margins) every
builder finishes with.

Text sizes are for a projector: the template's base size is 14pt (about 18.6px); nothing is
smaller than `MIN_FONT_PX`.
"""

from __future__ import annotations

import copy
import math

import afcharts.pio_template  # importing it registers the "afcharts" Plotly template
import plotly.graph_objects as go
import plotly.io as pio
from afcharts.af_colours import get_af_colours

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


# --- Text widths, axis tops and margins -----------------------------------------------------
def text_px(text: str, font_px: float) -> float:
    longest = max((len(part) for part in str(text).split("<br>")), default=0)
    return longest * font_px * _CHAR_WIDTH_EM


def _nice_max(value: float) -> float:
    """A y-axis top a little above the data, so the top label is not cut off."""
    return value * 1.12 if value > 0 else 1


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
