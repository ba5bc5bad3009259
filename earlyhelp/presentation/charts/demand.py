"""The Demand figures: observed against the seasonal expectation with peaks and troughs,
the forecast with its prediction intervals, and one line per financial year."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl

from earlyhelp.core.dates import MONTH_NAMES, month_name
from earlyhelp.presentation.charts.events import (
    _add_events,
    _event_phrase,
    _prepare_events,
    layout_around_marks,
)
from earlyhelp.presentation.charts.text import _as_dates, _join, _month_end, _plain_label
from earlyhelp.presentation.charts.theme import (
    ASSUMED_PLOT_WIDTH_PX,
    BASE_FONT_PX,
    CATEGORICAL,
    DARK_GREY,
    MAIN,
    MID_GREY,
    TITLE_BLOCK_PX,
    _attach_alt_text,
    _fixed_margins,
    _layout,
    _nice_max,
    text_px,
)
from earlyhelp.presentation.charts.trends import label_line_ends


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
    layout_around_marks(fig, title, subtitle, marks, right=right)
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
    layout_around_marks(fig, title, subtitle, marks, right=right)
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
