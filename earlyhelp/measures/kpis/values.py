"""Strategy KPIs' values: each KPI worked out from its named query for the borough and every
district at each point of its trend, and what it says (latest value, change on a year before,
status).

How a value is worked out:

- A query with an `as_of` parameter gives a **snapshot**: the value on a date (the latest date
  of the data, or each quarter end before it for the trend).
- A query with `from` and `to` parameters gives a **period** value: the 12 complete months to
  the latest complete month (or to each quarter end before it, for the trend).
- `value` is read from the query's row for the area ('Borough', or a district). With a
  `denominator`, the value is value / denominator x scale, computed here from the counts as
  disclosure control returned them, so a suppressed count (null) gives no value. A query with
  no 'Borough' row gets one by adding up its districts' counts (none if any is suppressed); a
  query with no district column is for the whole borough only.
- The value is rounded to the KPI's decimals before its status is decided, so the status always
  agrees with the number shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl

from earlyhelp.core.errors import QueryError
from earlyhelp.measures.kpis.definitions import BOROUGH, Kpi, KpiSet
from earlyhelp.measures.kpis.periods import YEAR_BACK, Point, trend_points
from earlyhelp.measures.kpis.status import NO_DISTRICT_TARGET, STATUS_SYMBOLS, status_text
from earlyhelp.query.roles import Role


@dataclass(frozen=True)
class Measurement:
    value: float | None
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class KpiResult:
    kpi: Kpi
    points: tuple[Point, ...]
    #: area ('Borough' or a district) -> one Measurement per point (None: not in the output)
    measurements: dict[str, tuple[Measurement | None, ...]]
    has_districts: bool

    @property
    def latest_point(self) -> Point:
        return self.points[-1]

    @property
    def previous_point(self) -> Point | None:
        index = len(self.points) - 1 - YEAR_BACK
        return self.points[index] if index >= 0 else None

    @property
    def districts(self) -> list[str]:
        return sorted(a for a in self.measurements if a != BOROUGH)

    def series(self, area: str = BOROUGH) -> list[float | None]:
        found = self.measurements.get(area) or (None,) * len(self.points)
        return [m.value if m else None for m in found]

    def measurement(self, area: str = BOROUGH, back: int = 0) -> Measurement | None:
        found = self.measurements.get(area)
        index = len(self.points) - 1 - back
        if not found or index < 0:
            return None
        return found[index]

    def value(self, area: str = BOROUGH) -> float | None:
        return self.series(area)[-1]

    def previous(self, area: str = BOROUGH) -> float | None:
        values = self.series(area)
        return values[-1 - YEAR_BACK] if len(values) > YEAR_BACK else None

    def change(self, area: str = BOROUGH) -> float | None:
        now, before = self.value(area), self.previous(area)
        if now is None or before is None:
            return None
        return round(now - before, self.kpi.decimals)

    def status(self, area: str = BOROUGH) -> str:
        """The area's RAG status; 'none' for no value, or for a district when the target is
        for the whole borough only (see Kpi.district_targets)."""
        if not self.kpi.applies_to(area):
            return "none"
        return self.kpi.status(self.value(area))

    def status_text(self, area: str = BOROUGH) -> str:
        """'✔ On target' and so on; '– No district target' where the target is the borough's."""
        if not self.kpi.applies_to(area):
            return f"{STATUS_SYMBOLS['none']} {NO_DISTRICT_TARGET}"
        return status_text(self.status(area))

    def period_words(self) -> str:
        return self.latest_point.words(self.kpi.kind)

    def change_words(self, area: str = BOROUGH, *, short: bool = False) -> str:
        """'Up 0.4 points on a year before: better', 'No change on a year before'; without
        'on a year before' when `short` (for a column that says so)."""
        change = self.change(area)
        since = "" if short else " on a year before"
        if change is None:
            return "No figure a year before" if short else "No figure for a year before"
        if change == 0:
            return f"No change{since}"
        unit = self.kpi.unit_info
        amount = f"{abs(change):,.{self.kpi.decimals}f}"
        if unit.change:
            amount += " " + (unit.change.rstrip("s") if abs(change) == 1 else unit.change)
        better = (change > 0) == (self.kpi.direction == "higher")
        return (
            f"{'Up' if change > 0 else 'Down'} {amount}{since}: {'better' if better else 'worse'}"
        )


def _numeric(kpi: Kpi, column: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QueryError(
            f"KPI {kpi.id!r}: column {column!r} of query {kpi.query!r} is not a number ({value!r})"
        )
    return float(value)


def _measure(kpi: Kpi, numerator: float | None, denominator: float | None) -> Measurement:
    if kpi.denominator is None:
        value = numerator
    elif numerator is None or denominator is None or denominator == 0:
        value = None
    else:
        value = numerator / denominator * kpi.scale
    if value is not None:
        value = round(value, kpi.decimals)
    return Measurement(value, numerator, denominator)


def _sum(values: list[float | None]) -> float | None:
    """A total of protected counts, or None when any is hidden (a total beside a hidden count
    would give it away)."""
    return None if any(v is None for v in values) else float(sum(values))


def measure_frame(
    kpi: Kpi, frame: pl.DataFrame, *, add_up_districts: bool = True
) -> dict[str, Measurement]:
    """The KPI for each area in one query result: 'Borough' and each district. A result with
    districts but no 'Borough' row gets one by adding up the districts' counts, unless
    `add_up_districts` is False (a district user's result holds only their own district)."""
    if frame.is_empty():
        return {}
    parts: dict[str, tuple[float | None, float | None]] = {}
    for row in frame.iter_rows(named=True):
        area = row.get("district", BOROUGH) if "district" in frame.columns else BOROUGH
        numerator = _numeric(kpi, kpi.value, row[kpi.value])
        denominator = (
            _numeric(kpi, kpi.denominator, row[kpi.denominator]) if kpi.denominator else None
        )
        parts[str(area)] = (numerator, denominator)
        if "district" not in frame.columns:
            break
    summable = kpi.value in kpi.counts and (
        kpi.denominator is None or kpi.denominator in kpi.counts
    )
    if BOROUGH not in parts and summable and add_up_districts:
        districts = list(parts.values())
        parts[BOROUGH] = (
            _sum([n for n, _ in districts]),
            _sum([d for _, d in districts]) if kpi.denominator else None,
        )
    return {area: _measure(kpi, n, d) for area, (n, d) in parts.items()}


Runner = Callable[[str, dict], pl.DataFrame]


def evaluate(
    kpi: Kpi, run: Runner, first_date: date, last_date: date, role: Role | None = None
) -> KpiResult:
    """The KPI at each trend point for the borough and every district. `run(name, params)` runs a
    named query with `role` (ui.query in the app, QueryRunner.run elsewhere); a district role's
    results hold only its own district, so districts are then not added up into a borough."""
    add_up = role is None or role.kind != "district"
    points = trend_points(kpi.kind, first_date, last_date)
    by_point: list[dict[str, Measurement]] = []
    has_districts = False
    for point in points:
        if not point.usable:
            by_point.append({})
            continue
        if kpi.kind == "period":
            params = {**kpi.params, "from": point.start.isoformat(), "to": point.end.isoformat()}
        else:
            params = {**kpi.params, "as_of": point.end.isoformat()}
        frame = run(kpi.query, params)
        has_districts = has_districts or "district" in frame.columns
        by_point.append(measure_frame(kpi, frame, add_up_districts=add_up))
    areas = sorted({a for found in by_point for a in found}, key=lambda a: (a == BOROUGH, a))
    measurements = {a: tuple(found.get(a) for found in by_point) for a in areas}
    return KpiResult(kpi, tuple(points), measurements, has_districts)


def evaluate_all(
    kpi_set: KpiSet, run: Runner, first_date: date, last_date: date, role: Role | None = None
) -> list[KpiResult]:
    """Every KPI in the set; a query run with the same parameters for several KPIs (such as
    pathway_summary) is run once."""
    done: dict[tuple, pl.DataFrame] = {}

    def once(name: str, params: dict) -> pl.DataFrame:
        key = (name, tuple(sorted((k, str(v)) for k, v in params.items())))
        if key not in done:
            done[key] = run(name, params)
        return done[key]

    return [evaluate(kpi, once, first_date, last_date, role) for kpi in kpi_set.kpis]


def visible_areas(result: KpiResult, role: Role) -> list[str]:
    """The districts a role may see broken down: a district role sees only its own."""
    if role.kind == "district":
        return [d for d in result.districts if d == role.district]
    return result.districts
