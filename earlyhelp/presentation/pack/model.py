"""What a committee pack holds, whatever it is written as: a title page, sections of headline
figures, charts, tables and sentences, and the notes at the end. The PDF (`pdf.py`) and the
deck (`deck.py`) are two ways of writing the same `Pack`, so they carry the same numbers.

Every headline figure keeps where it came from (`Source`: the named query, its parameters, the
row and column, and how it was worked out), so a test can run the same query for the same role
and check the figure, and a reader of the code can see there is no other way in for a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import plotly.graph_objects as go
import polars as pl

from earlyhelp.query import disclosure

#: Ways a headline is worked out from its query's rows (see `Source`).
HOW = ("value", "total", "percent", "ratio")


@dataclass(frozen=True)
class Source:
    """Where a figure comes from: `QueryRunner.run(query, params, role)`, then the rows whose
    columns equal `where`, then `how`: the `columns[0]` of the one row (`value`), the sum of
    `columns[0]` over the rows, withheld if any is (`total`), or `columns[0]` as a per cent of
    `columns[1]` to one decimal place, withheld with either (`percent`), or `columns[0]` over
    `columns[1]` times `scale` to `digits` places (`ratio`: cases per FTE, a rate per 10,000)."""

    query: str
    params: dict
    columns: tuple[str, ...]
    where: dict = field(default_factory=dict)
    how: str = "value"
    scale: float = 1.0
    digits: int = 1


@dataclass
class Headline:
    """A headline figure as the pack prints it, with its comparison and status."""

    label: str
    value: float | int | None
    text: str  # as printed ('c' for a withheld count)
    source: Source | None = None
    comparison: str = ""  # 'Up 120 (+4%) on the 12 months before'
    status: str = ""  # a KPI's '✖ Off target'


@dataclass
class Chart:
    """A chart drawn by the app's builders; its alt text is the one the app shows."""

    figure: go.Figure
    alt: str
    title: str
    note: str = ""
    png: bytes | None = None  # filled by images.render
    width_px: int = 1100
    height_px: int = 620


@dataclass
class Table:
    """A table printed as text (never an image): headers and rows of strings."""

    caption: str
    columns: list[str]
    rows: list[list[str]]

    @classmethod
    def from_frame(cls, caption: str, frame: pl.DataFrame, counts: list[str] = ()) -> Table:
        """Counts withheld shown as c; whole numbers with thousands separators."""
        columns = [_header(c) for c in frame.columns]
        rows = [
            [_cell(value, name in counts) for name, value in row.items()]
            for row in frame.iter_rows(named=True)
        ]
        return cls(caption, columns, rows)


@dataclass
class Section:
    key: str
    heading: str
    intro: str = ""
    headlines: list[Headline] = field(default_factory=list)
    narrative: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # a part left out, and why


@dataclass
class Pack:
    title: str
    meeting_date: date
    marking: str  # OFFICIAL or OFFICIAL-SENSITIVE
    marking_note: str
    role_words: str
    data_period: str
    loaded_words: str
    version: str
    sections: list[Section] = field(default_factory=list)
    definitions: list[tuple[str, str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    disclosure: str = ""

    @property
    def headlines(self) -> list[Headline]:
        return [h for s in self.sections for h in s.headlines]

    @property
    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]


def format_count(value: int | float | None) -> str:
    return disclosure.SUPPRESSED_SYMBOL if value is None else f"{value:,.0f}"


def change_words(value: int | None, previous: int | None, period: str) -> str:
    """'Up 120 (+4%) on the 12 months before', as the app's headline delta, in words."""
    if value is None or previous is None:
        return f"No comparison with {period}" if value is not None else ""
    change = value - previous
    if change == 0:
        return f"No change on {period}"
    percent = f" ({change / previous:+.0%})" if previous else ""
    return f"{'Up' if change > 0 else 'Down'} {abs(change):,}{percent} on {period}"


def _header(column: str) -> str:
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _cell(value: object, is_count: bool) -> str:
    if value is None:
        return disclosure.SUPPRESSED_SYMBOL if is_count else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, date):
        return f"{value.day} {value.strftime('%B %Y')}"
    return str(value)
