"""The Front door and pathways figures that the general builders do not draw: working days to
decision against the standard, labelled bars of a percentage or median, closure outcomes in
panels, the journeys Sankey and the partner-led share by year. Every figure uses the chart
theme (`TEMPLATE`, Plotly's default), takes its colours from the Analysis Function palette,
labels its lines directly and carries an alt text; the shares are worked out in
measures/pathways.py."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from earlyhelp.core import schema
from earlyhelp.measures.pathways import (
    BOROUGH,
    LEVEL_LABELS,
    OUTCOMES,
    SUPPRESSED,
    format_percent,
    level_label,
    percent,
    standard_words,
    with_percent,
)
from earlyhelp.presentation.charts.bars import bar_chart
from earlyhelp.presentation.charts.theme import (
    ALT_TEXT_KEY,
    CATEGORICAL,
    FOCUS,
    MAIN,
    MIN_FONT_PX,
    PLOT_HEIGHT_PX,
    TITLE_BLOCK_PX,
    apply_theme,
)
from earlyhelp.presentation.charts.trends import label_line_ends

# Colours, all from the Analysis Function palettes in earlyhelp/presentation/charts/theme.py.
_SANKEY_COLUMN_COLOURS = (CATEGORICAL[0], CATEGORICAL[1], CATEGORICAL[2])
_LINK_GREY = "rgba(191, 191, 191, 0.55)"  # theme.MID_GREY, see-through so crossings show


# --- Figures ----------------------------------------------------------------------------------
def _finish(fig: go.Figure, title: str, subtitle: str, height: int, alt: str, **margin) -> None:
    apply_theme(fig)
    fig.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}},
        height=height,
        margin={"t": TITLE_BLOCK_PX, "r": 24, "b": 56, "l": 16, "pad": 0, **margin},
        showlegend=False,
    )
    alt = " ".join(alt.split())
    fig.update_layout(meta={ALT_TEXT_KEY: alt if alt.endswith(".") else alt + "."})


def decision_days_figure(frame: pl.DataFrame, standard: int, subject: str) -> go.Figure:
    """Contacts by working days to decision (0 to 11+), bars within the standard in dark blue
    and those beyond it in grey, each bar labelled with its count ('c' when suppressed)."""
    days = frame["decision_days"].to_list()
    values = frame["contacts"].to_list()
    labels = [f"{d}" if d < 11 else "11+" for d in days]
    colours = [FOCUS[0] if d <= standard else FOCUS[1] for d in days]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=[v or 0 for v in values],
            marker={"color": colours},
            text=[SUPPRESSED if v is None else f"{v:,}" for v in values],
            textposition="outside",
            cliponaxis=False,
            textfont={"size": MIN_FONT_PX, "color": "black"},
            hovertemplate="%{x} working days: %{text}<extra></extra>",
        )
    )
    top = max((v for v in values if v is not None), default=0)
    fig.update_yaxes(range=[0, top * 1.18 if top else 1], title=None)
    fig.update_xaxes(type="category", title={"text": "Working days from contact to decision"})
    within = sum(v or 0 for d, v in zip(days, values, strict=True) if d <= standard)
    total = sum(v or 0 for v in values)
    share = percent(within, total)
    alt = (
        f"Bar chart of contacts by working days from contact to decision, {subject}: "
        f"{within:,} of {total:,} ({format_percent(share)}) decided within "
        f"{standard_words(standard)} (dark blue), the rest in grey"
    )
    _finish(
        fig,
        "Working days from contact to decision",
        f"Contacts. Dark blue: within the standard of {standard_words(standard)}",
        PLOT_HEIGHT_PX + TITLE_BLOCK_PX + 72,
        alt,
        b=72,
    )
    return fig


def labelled_bar_chart(
    frame: pl.DataFrame,
    category: str,
    value: str,
    *,
    title: str,
    x_title: str,
    subject: str,
    noun: str,
    highlight: str | None = None,
    formatter=None,
) -> go.Figure:
    """charts.bar_chart (in the given order) for a percentage or a median: bars labelled by
    `formatter` ('12.3%' by default; 'c' for a suppressed value) and the alt text to match.
    `noun` names the bars in the alt text ('districts', 'levels of need')."""
    formatter = formatter or format_percent
    fig = bar_chart(
        frame,
        category,
        value,
        title=title,
        x_title=x_title,
        subject=subject,
        highlight=highlight,
        sort=False,
    )
    if not fig.data:  # no rows: bar_chart's empty figure already says there is no data
        return fig
    values = frame[value].to_list()
    fig.data[0].text = [SUPPRESSED if v is None else formatter(v) for v in values]
    fig.data[0].hovertemplate = "%{y}: %{text}<extra></extra>"
    names = [str(n) for n in frame[category].to_list()]
    shown = [(n, v) for n, v in zip(names, values, strict=True) if v is not None]
    fig.update_xaxes(range=[0, max((v for _, v in shown), default=1) * 1.25], tickformat=None)
    described = ""
    if shown:
        high = max(shown, key=lambda p: p[1])
        low = min(shown, key=lambda p: p[1])
        described = (
            f": highest {high[0]} ({formatter(high[1])}), lowest {low[0]} ({formatter(low[1])})"
        )
    alt = f"Bar chart of {subject}, {len(values)} {noun}{described}."
    fig.update_layout(meta={ALT_TEXT_KEY: alt})
    return fig


def outcome_panels(
    frame: pl.DataFrame, group: str, *, title: str, subject: str, highlight: str | None = None
) -> go.Figure:
    """Closure outcomes as small panels side by side, one per outcome, each with a bar per group
    (level of need or district) showing the outcome's share of that group's closures.

    `frame` has columns group, end_reason, closures, closed (protected counts); shares are
    recomputed from them. Panels instead of a stacked bar, so every bar is labelled and no legend
    is needed.
    """
    data = with_percent(frame, "closures", "closed", "share")
    outcomes = [o for o in OUTCOMES if o in set(data["end_reason"].to_list())]
    groups = list(dict.fromkeys(data[group].to_list()))
    if not outcomes or not groups:
        fig = go.Figure()
        _finish(fig, title, "No closures in this selection", 260, f"{subject}: no closures")
        return fig
    fig = make_subplots(
        rows=1,
        cols=len(outcomes),
        shared_yaxes=True,
        subplot_titles=outcomes,
        horizontal_spacing=0.015,
    )
    top = max((v for v in data["share"].to_list() if v is not None), default=0)
    for index, outcome in enumerate(outcomes, start=1):
        part = data.filter(pl.col("end_reason") == outcome)
        shares = dict(zip(part[group].to_list(), part["share"].to_list(), strict=True))
        values = [shares.get(g) for g in groups]
        colours = [FOCUS[1] if highlight and g not in (highlight,) else MAIN for g in groups]
        fig.add_trace(
            go.Bar(
                x=[v or 0 for v in values],
                y=groups,
                orientation="h",
                marker={"color": colours},
                text=[format_percent(v) for v in values],
                textposition="outside",
                cliponaxis=False,
                textfont={"size": MIN_FONT_PX, "color": "black"},
                hovertemplate=f"%{{y}}, {outcome}: %{{text}}<extra></extra>",
            ),
            row=1,
            col=index,
        )
        fig.update_xaxes(
            range=[0, max(top, 1) * 1.45], showticklabels=False, showgrid=False, row=1, col=index
        )
    for annotation in fig.layout.annotations:
        annotation.font = {"size": MIN_FONT_PX + 2, "color": "black"}
    fig.update_yaxes(autorange="reversed", tickformat=None, rangemode=None, ticks="")
    _finish(
        fig,
        title,
        "Share of each group's closures with each outcome",
        max(len(groups) * 40, 160) + TITLE_BLOCK_PX + 56 + 30,
        "",
        t=126,
    )
    fig.update_layout(bargap=0.25)
    overall = data.filter(pl.col(group).is_in([BOROUGH, "All levels"]))
    summary = ""
    if not overall.is_empty():
        parts = [
            f"{row['end_reason'].lower()} {format_percent(row['share'])}"
            for row in overall.iter_rows(named=True)
        ]
        summary = f"; overall {', '.join(parts)}"
    alt = (
        f"Bar charts of {subject}: one panel for each outcome ({', '.join(outcomes)}), "
        f"one bar for each of {len(groups)} groups ({', '.join(str(g) for g in groups)}){summary}"
    )
    fig.update_layout(meta={ALT_TEXT_KEY: " ".join(alt.split()) + "."})
    return fig


def sankey_figure(frame: pl.DataFrame, *, title: str, subject: str) -> go.Figure:
    """Journeys from referral source group to level of need to outcome at closure.

    `frame` has source_group, level_of_need, end_reason, episodes (protected: small paths
    come back null and are left out of the diagram, and the subtitle says so).
    """
    shown = frame.filter(pl.col("episodes").is_not_null() & (pl.col("episodes") > 0))
    hidden = frame.height - shown.height
    data = shown.with_columns(
        pl.col("level_of_need").map_elements(level_label, return_dtype=pl.String).alias("level"),
        pl.col("end_reason").fill_null("Not recorded"),
    )
    total = int(data["episodes"].sum() or 0)
    if total == 0:
        fig = go.Figure()
        _finish(fig, title, "No closed episodes in this selection", 260, f"{subject}: none")
        return fig

    def ordered(column: str, order: list[str]) -> list[str]:
        present = set(data[column].to_list())
        return [v for v in order if v in present] + sorted(present - set(order))

    sources = ordered("source_group", list(schema.SOURCE_GROUPS))
    levels = ordered("level", [LEVEL_LABELS[k] for k in (1, 2, 3, 4, 0)])
    outcomes = ordered("end_reason", list(OUTCOMES))
    columns = [("source_group", sources), ("level", levels), ("end_reason", outcomes)]
    index, labels, colours, xs, totals = {}, [], [], [], {}
    for position, (column, names) in enumerate(columns):
        sums = dict(data.group_by(column).agg(pl.col("episodes").sum()).iter_rows())
        for name in names:
            index[(column, name)] = len(labels)
            totals[(column, name)] = int(sums[name])
            labels.append(f"{name} ({int(sums[name]):,})")
            colours.append(_SANKEY_COLUMN_COLOURS[position])
            xs.append((0.001, 0.5, 0.999)[position])
    links = []
    for left, right in (("source_group", "level"), ("level", "end_reason")):
        flows = data.group_by(left, right).agg(pl.col("episodes").sum()).sort(left, right)
        for a, b, n in flows.iter_rows():
            links.append((index[(left, a)], index[(right, b)], int(n)))
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": labels,
                "color": colours,
                "pad": 14,
                "thickness": 18,
                "line": {"width": 0},
                "x": xs,
                "hovertemplate": "%{label}<extra></extra>",
            },
            link={
                "source": [s for s, _, _ in links],
                "target": [t for _, t, _ in links],
                "value": [n for _, _, n in links],
                "color": _LINK_GREY,
                "hovertemplate": "%{source.label} to %{target.label}: %{value:,}<extra></extra>",
            },
            textfont={"size": MIN_FONT_PX + 2, "color": "black"},
        )
    )
    # One line of subtitle: the alt text and the table say which paths are withheld.
    note = f", {hidden} small paths withheld" if hidden else ""
    _finish(
        fig,
        title,
        f"Source, level of need, outcome: {total:,} episodes{note}",
        560,
        "",
        l=24,
        r=24,
        b=24,
    )

    def biggest(column: str) -> str:
        names = dict(columns)[column]
        name = max(names, key=lambda n: totals[(column, n)])
        return f"{name} ({percent(totals[(column, name)], total):.0f}%)"

    alt = (
        f"Sankey diagram of {subject}: {total:,} episodes flow from {len(sources)} referral "
        f"sources through {len(levels)} levels of need to {len(outcomes)} outcomes at closure. "
        f"Largest source {biggest('source_group')}, largest level {biggest('level')}, "
        f"most common outcome {biggest('end_reason')}"
        + (f"; {hidden} paths withheld as small numbers are not drawn" if hidden else "")
    )
    fig.update_layout(meta={ALT_TEXT_KEY: " ".join(alt.split()) + "."})
    return fig


def yearly_share_figure(
    frame: pl.DataFrame,
    year: str,
    series: str,
    value: str,
    *,
    title: str,
    y_title: str,
    subject: str,
    highlight: str = BOROUGH,
) -> go.Figure:
    """One line per series (district or 'Borough') of a percentage by financial year, labelled
    at the line ends. The highlighted series is dark blue and thick, the others grey, so that the
    comparison reads at a glance on a projector."""
    years = list(dict.fromkeys(frame[year].to_list()))
    names = sorted(set(frame[series].to_list()), key=lambda n: (n == highlight, str(n)))
    fig = go.Figure()
    ends = []
    for name in names:
        part = frame.filter(pl.col(series) == name)
        focus = name == highlight
        colour = MAIN if focus else FOCUS[1]
        fig.add_trace(
            go.Scatter(
                x=part[year].to_list(),
                y=part[value].to_list(),
                mode="lines+markers",
                line={"color": colour, "width": 4 if focus else 2},
                marker={"size": 8 if focus else 5, "color": colour},
                connectgaps=False,
                name=str(name),
                hovertemplate=f"{name}, %{{x}}: %{{y:.1f}}%<extra></extra>",
            )
        )
        known = part.filter(pl.col(value).is_not_null())
        if not known.is_empty():
            ends.append((str(name), colour, known[year][-1], float(known[value][-1])))
    values = [v for v in frame[value].to_list() if v is not None]
    y_max = max(values, default=1) * 1.15 or 1
    right = label_line_ends(fig, ends, y_max, highlight=highlight, font_px=MIN_FONT_PX + 2)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=years)
    fig.update_yaxes(range=[0, y_max], tickformat=".0f", ticksuffix="%")
    _finish(fig, title, y_title, PLOT_HEIGHT_PX + TITLE_BLOCK_PX + 56, "", r=right)
    focus = frame.filter((pl.col(series) == highlight) & pl.col(value).is_not_null())
    trend = ""
    if focus.height >= 1:
        first, last = focus.row(0, named=True), focus.row(-1, named=True)
        trend = (
            f"; {highlight} {format_percent(first[value])} in {first[year]} and "
            f"{format_percent(last[value])} in {last[year]}"
        )
    span = f"{years[0]} to {years[-1]}" if years else "no years"
    alt = (
        f"Line chart of {subject}, financial years {span}, one line for each of "
        f"{len(names)} areas with {highlight} highlighted{trend}"
    )
    fig.update_layout(meta={ALT_TEXT_KEY: " ".join(alt.split()) + "."})
    return fig
