"""Strategy KPIs' definitions: a KPI (what data/kpis.yaml says of it, with its target in words
and its calculation in words), the strategy priorities, and the set of both read from the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from earlyhelp.measures.kpis.status import UNITS, Unit, format_value, rag

BOROUGH = "Borough"


@dataclass(frozen=True)
class Priority:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Kpi:
    id: str
    title: str
    definition: str
    priority: str
    query: str
    value: str
    unit: str
    direction: str
    target: float
    tolerance: float
    source_notes: str
    denominator: str | None = None
    scale: float = 1.0
    decimals: int = 0
    params: dict = field(default_factory=dict)
    kind: str = "period"  # 'period' (from, to) or 'snapshot' (as_of), from the query
    counts: tuple[str, ...] = ()  # the query's count columns

    @property
    def unit_info(self) -> Unit:
        return UNITS[self.unit]

    def status(self, value: float | None) -> str:
        return rag(value, self.target, self.tolerance, self.direction)

    @property
    def district_targets(self) -> bool:
        """Whether the target applies to each district too. Not for a count: how many children
        an area has depends on its size, so a count's target is for the whole borough only."""
        return self.unit != "count"

    def applies_to(self, area: str) -> bool:
        return area == BOROUGH or self.district_targets

    def format(self, value: float | None, *, suffix: bool = True) -> str:
        return format_value(value, self.unit, self.decimals, suffix=suffix)

    def target_short(self) -> str:
        """'95.0% or more'."""
        return (
            f"{self.format(self.target)} {'or more' if self.direction == 'higher' else 'or less'}"
        )

    def target_compact(self) -> str:
        """'≥ 95.0%', '≤ 95': for a headline tile, whose label names the unit."""
        sign = "≥" if self.direction == "higher" else "≤"
        return f"{sign}\u00a0{self.format(self.target, suffix=False)}"  # kept on one line

    def target_words(self) -> str:
        """'95.0% or more (close to target from 90.0%)'."""
        edge = (
            self.target - self.tolerance
            if self.direction == "higher"
            else self.target + self.tolerance
        )
        more = "or more" if self.direction == "higher" else "or less"
        closeness = "from" if self.direction == "higher" else "up to"
        if not self.tolerance:
            return f"{self.format(self.target)} {more}"
        return (
            f"{self.format(self.target)} {more} (close to target {closeness} {self.format(edge)})"
        )

    def calculation_words(self) -> str:
        """How the value is worked out, in words, naming the query and columns."""
        what = _plain(self.value)
        if self.denominator:
            scale = {100.0: " x 100", 10_000.0: " x 10,000"}.get(self.scale, f" x {self.scale:g}")
            scale = "" if self.scale == 1 else scale
            what = f"{what} / {_plain(self.denominator)}{scale}"
        when = (
            "over the 12 complete months to the latest month of data"
            if self.kind == "period"
            else "on the latest date of the data"
        )
        params = ", ".join(f"{k} = {v}" for k, v in self.params.items())
        return (
            f"{what[:1].upper()}{what[1:]}, {when}, from the named query `{self.query}`"
            + (f" ({params})" if params else "")
            + "."
        )


@dataclass(frozen=True)
class KpiSet:
    path: Path
    priorities: tuple[Priority, ...]
    kpis: tuple[Kpi, ...]

    def by_priority(self) -> list[tuple[Priority, list[Kpi]]]:
        """Each priority (in file order) with its KPIs; priorities with none are left out."""
        groups = [(p, [k for k in self.kpis if k.priority == p.id]) for p in self.priorities]
        return [(p, ks) for p, ks in groups if ks]

    def priority(self, priority_id: str) -> Priority:
        return next(p for p in self.priorities if p.id == priority_id)


def _plain(column: str) -> str:
    return column.replace("_", " ")
