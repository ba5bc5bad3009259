"""The words that go with a chart: the sentence shown instead of a chart with nothing to
draw (every value withheld, or none), the change on the 12 months before, and how the
calendar's events moved a monthly count, every number computed."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date

import plotly.graph_objects as go
import polars as pl

from earlyhelp.core.dates import MONTH_NAMES, add_months, long_date, month_name
from earlyhelp.presentation.charts.events import _prepare_events
from earlyhelp.presentation.charts.text import _as_dates, _month_end, _plain_label
from earlyhelp.query import disclosure

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
        last_month = (event["end"] or add_months(month, 1)).replace(day=1)
        if event["end"] is None:
            last_month = add_months(month, 1)
        later = [s for s in starts[index + 1 :] if s > month]
        if later:
            last_month = min(last_month, add_months(later[0], -1))
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


def _months(first: date, last: date) -> list[date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
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
