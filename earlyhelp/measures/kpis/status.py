"""Strategy KPIs' status and words: the RAG status of a value against its target, what each
status is called (a word and a symbol, never colour alone) and its badge and table-cell colours,
and a value written in its unit. Data only: no Plotly, no Streamlit.

RAG status, with the amber tolerance in the KPI's own units:

- higher is better: on target when value >= target; close to target when value >=
  target - tolerance; off target below that;
- lower is better: on target when value <= target; close to target when value <=
  target + tolerance; off target above that;
- no value (suppressed, or no data): 'none', shown as 'Not available'.
Status is always shown as a word and a symbol, never by colour alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DIRECTIONS = ("higher", "lower")
RAGS = ("green", "amber", "red", "none")
#: What each status is called and its symbol: status is never shown by colour alone.
STATUS_WORDS = {
    "green": "On target",
    "amber": "Close to target",
    "red": "Off target",
    "none": "Not available",
}
STATUS_SYMBOLS = {"green": "✔", "amber": "▲", "red": "✖", "none": "–"}
NO_DISTRICT_TARGET = "No district target"
BOROUGH_ONLY = "Whole borough only"
#: Streamlit badge colours for each status (pages), always beside the word or symbol (the
#: figures' colours are in earlyhelp.presentation.kpi_charts).
BADGE_COLOURS = {"green": "green", "amber": "orange", "red": "red", "none": "gray"}
#: Table cell fills for each status, with the text colour on them: the GOV.UK Design System's
#: tag colours, each pair at least 4.5:1 (WCAG AA), always with the status's symbol and word.
STATUS_FILLS = {
    "green": ("#cce2d8", "#005a30"),
    "amber": ("#fff7bf", "#594d00"),
    "red": ("#f4cdc6", "#942514"),
    "none": ("#eeefef", "#383f43"),
}


def status_of_text(text: object) -> str | None:
    """The status ('green', ...) a table cell's status text names ('✔ On target', 'On
    target'), or None for a cell that is not a status ('Whole borough only')."""
    words = str(text or "").strip()
    for status in RAGS:
        if words in (STATUS_WORDS[status], status_text(status)):
            return status
    return None


@dataclass(frozen=True)
class Unit:
    label: str  # what the number is, for a heading ('Per cent')
    suffix: str  # after the number ('%', ' days')
    decimals: int  # default decimals
    scale: float  # default scale with a denominator
    change: str  # what a change is counted in ('points' for per cent)


UNITS = {
    "count": Unit("Number", "", 0, 1.0, ""),
    "percent": Unit("Per cent", "%", 1, 100.0, "points"),
    "per 10,000 children": Unit("Per 10,000 children", " per 10,000 children", 0, 10_000.0, ""),
    "days": Unit("Days", " days", 0, 1.0, "days"),
    "per FTE": Unit("Open cases per FTE", " per FTE", 1, 1.0, ""),
    "per episode": Unit("Per episode", " per episode", 2, 1.0, ""),
}


def rag(value: float | None, target: float, tolerance: float, direction: str) -> str:
    """'green', 'amber', 'red', or 'none' for no value (see the module docstring)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    # The amber edge is rounded so that binary fractions do not move it: 0.35 + 0.1 is
    # 0.44999999999999996 in floating point, and a value of exactly 0.45 must be amber.
    if direction == "higher":
        if value >= target:
            return "green"
        return "amber" if value >= round(target - tolerance, 9) else "red"
    if direction == "lower":
        if value <= target:
            return "green"
        return "amber" if value <= round(target + tolerance, 9) else "red"
    raise ValueError(f"direction must be 'higher' or 'lower', not {direction!r}")


def status_text(status: str) -> str:
    """'✔ On target', '▲ Close to target', '✖ Off target', '– Not available'."""
    return f"{STATUS_SYMBOLS[status]} {STATUS_WORDS[status]}"


def format_value(value: float | None, unit: str, decimals: int, *, suffix: bool = True) -> str:
    if value is None:
        return "Not available"
    info = UNITS[unit]
    text = f"{value:,.{decimals}f}"
    if unit == "percent":
        return text + "%"
    return text + (info.suffix if suffix else "")
