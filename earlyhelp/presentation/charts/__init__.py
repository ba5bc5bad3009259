"""The chart theme and the figure builders: the one place that decides how a chart looks.

Every chart derives from the UK Government Analysis Function template that `afcharts` ships for
Plotly, and takes its colours only from the Analysis Function palettes. Following the afcharts
guidance, lines are labelled directly at their ends rather than with a legend, bars carry their
values, and each figure carries a one-sentence alt text (read it with `alt_text(fig)`), so the
description travels with the chart into the page, the table expander and, later, the
committee pack.

Builders take Polars frames and return `plotly.graph_objects.Figure`. No Streamlit here.

This module only gathers the names the pages, the pack and the tests use, so that
`charts.monthly_trend(...)` reads as before. The code is in: `theme` (palette, sizes, template,
text colours, alt text, layout), `text` (small text and date helpers), `events` (events, school
holidays and the warm-up marked on a chart), `trends` (directly labelled lines, small
multiples), `bars`, `words` (a chart with nothing to draw, sentences on a trend), `demand`
(expected demand, forecast, year on year), `browser` (the figure as sent to the browser), and
the pages' own figures in `caseloads` and `pathways`.
"""

from __future__ import annotations

from earlyhelp.core.dates import MONTH_NAMES, long_date, month_name
from earlyhelp.presentation.charts.bars import bar_chart
from earlyhelp.presentation.charts.browser import browser_figure
from earlyhelp.presentation.charts.caseloads import (
    caseload_distribution_figure,
    shade_extract_warm_up,
    whole_number_axis,
)
from earlyhelp.presentation.charts.demand import (
    expected_demand,
    forecast_chart,
    year_on_year_chart,
)
from earlyhelp.presentation.charts.events import EventMarks, shade_warm_up
from earlyhelp.presentation.charts.pathways import (
    decision_days_figure,
    labelled_bar_chart,
    outcome_panels,
    sankey_figure,
    yearly_share_figure,
)
from earlyhelp.presentation.charts.text import loaded_at
from earlyhelp.presentation.charts.theme import (
    ALT_TEXT_KEY,
    ASSUMED_PLOT_WIDTH_PX,
    BASE_FONT_PX,
    CATEGORICAL,
    DARK_GREY,
    DUO,
    EVENT_FONT_PX,
    FOCUS,
    LIGHT_GREY,
    MAIN,
    MAX_LABELLED_SERIES,
    MID_GREY,
    MIN_FONT_PX,
    MIN_TEXT_CONTRAST,
    PLOT_HEIGHT_PX,
    SEQUENTIAL,
    SUBTITLE_FONT_PX,
    TEMPLATE,
    THEME,
    TITLE_BLOCK_PX,
    TITLE_FONT_PX,
    alt_text,
    apply_theme,
    contrast_ratio,
    font_sizes,
    text_colour,
    text_px,
)
from earlyhelp.presentation.charts.trends import label_line_ends, monthly_trend, small_multiples
from earlyhelp.presentation.charts.words import (
    ALL_WITHHELD,
    NO_VALUES,
    WITHHELD_LABEL,
    change_sentence,
    event_effects,
    nothing_to_draw,
    plotted_values,
    title_text,
    trend_summary,
)

__all__ = [
    "ALL_WITHHELD",
    "ALT_TEXT_KEY",
    "ASSUMED_PLOT_WIDTH_PX",
    "BASE_FONT_PX",
    "CATEGORICAL",
    "DARK_GREY",
    "DUO",
    "EVENT_FONT_PX",
    "FOCUS",
    "LIGHT_GREY",
    "MAIN",
    "MAX_LABELLED_SERIES",
    "MID_GREY",
    "MIN_FONT_PX",
    "MIN_TEXT_CONTRAST",
    "MONTH_NAMES",
    "NO_VALUES",
    "PLOT_HEIGHT_PX",
    "SEQUENTIAL",
    "SUBTITLE_FONT_PX",
    "TEMPLATE",
    "THEME",
    "TITLE_BLOCK_PX",
    "TITLE_FONT_PX",
    "WITHHELD_LABEL",
    "EventMarks",
    "alt_text",
    "apply_theme",
    "bar_chart",
    "browser_figure",
    "caseload_distribution_figure",
    "change_sentence",
    "contrast_ratio",
    "decision_days_figure",
    "event_effects",
    "expected_demand",
    "font_sizes",
    "forecast_chart",
    "label_line_ends",
    "labelled_bar_chart",
    "loaded_at",
    "long_date",
    "month_name",
    "monthly_trend",
    "nothing_to_draw",
    "outcome_panels",
    "plotted_values",
    "sankey_figure",
    "shade_extract_warm_up",
    "shade_warm_up",
    "small_multiples",
    "text_colour",
    "text_px",
    "title_text",
    "trend_summary",
    "whole_number_axis",
    "year_on_year_chart",
    "yearly_share_figure",
]
