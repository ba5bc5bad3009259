"""Strategy KPIs: their definitions (data/kpis.yaml), their values, RAG status and trend, and the
small figures of the Scorecard and District profile pages. No Streamlit here.

A KPI is data, not code. `data/kpis.yaml` names, for each KPI, the named query in queries/ that
computes it and the column that holds its value (optionally divided by another column), its
unit, whether higher or lower is better, its target and amber tolerance, the strategy priority
it belongs to, and notes on its source. A council edits that file; `load_kpis` refuses a file
that cannot be used with one line naming the file, the KPI and the problem.

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

RAG status, with the amber tolerance in the KPI's own units:

- higher is better: on target when value >= target; close to target when value >=
  target - tolerance; off target below that;
- lower is better: on target when value <= target; close to target when value <=
  target + tolerance; off target above that;
- no value (suppressed, or no data): 'none', shown as 'Not available'.
Status is always shown as a word and a symbol, never by colour alone.
"""

from __future__ import annotations

import calendar as _calendar
import functools
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import yaml

from earlyhelp.core import config
from earlyhelp.core.errors import QueryError, UnusableInput
from earlyhelp.presentation import charts
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import NamedQuery, load_queries

BOROUGH = "Borough"
DEFAULT_KPIS_FILE = config.DATA_DIR / "kpis.yaml"

#: The trend: the latest value and one every STEP_MONTHS before it, TREND_POINTS in all (two
#: years). The point YEAR_BACK steps back is "a year before", the previous period.
TREND_POINTS = 9
STEP_MONTHS = 3
YEAR_BACK = 4
PERIOD_MONTHS = 12

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
#: Streamlit badge colours for each status (pages), and chart colours from the Analysis
#: Function palette (figures here), always beside the word or symbol.
NO_DISTRICT_TARGET = "No district target"
BOROUGH_ONLY = "Whole borough only"
BADGE_COLOURS = {"green": "green", "amber": "orange", "red": "red", "none": "gray"}
RAG_COLOURS = {
    "green": charts.CATEGORICAL[1],  # turquoise
    "amber": charts.CATEGORICAL[3],  # orange
    "red": charts.CATEGORICAL[2],  # dark pink
    "none": charts.MID_GREY,
}
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

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED = (
    "id",
    "title",
    "definition",
    "priority",
    "query",
    "value",
    "unit",
    "direction",
    "target",
    "tolerance",
    "source_notes",
)
_OPTIONAL = ("denominator", "scale", "decimals", "params")
_PERIOD_PARAMS = ("from", "to", "as_of")


class KpiFileError(UnusableInput):
    """A KPI file that cannot be used: the message names the file, the KPI and the problem."""


# --- Definitions --------------------------------------------------------------------------------
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


def kpis_file() -> Path:
    """The KPI file the app reads: EARLYHELP_KPIS, or data/kpis.yaml."""
    return Path(os.environ.get("EARLYHELP_KPIS") or DEFAULT_KPIS_FILE)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(config.REPO_ROOT))
    except ValueError:
        return str(path)


def _plain(column: str) -> str:
    return column.replace("_", " ")


def load_kpis(path: Path | None = None, queries: dict[str, NamedQuery] | None = None) -> KpiSet:
    """Read and check a KPI file; a file that cannot be used raises KpiFileError."""
    path = Path(path) if path is not None else kpis_file()
    try:
        stat = path.stat()
    except OSError as exc:
        raise KpiFileError(f"{_shown(path)}: the KPI file cannot be read ({exc.strerror})") from exc
    if queries is None:
        return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)
    return _parse(path, queries)


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, _mtime_ns: int, _size: int) -> KpiSet:
    return _parse(Path(path), load_queries())


def _parse(path: Path, queries: dict[str, NamedQuery]) -> KpiSet:
    where = _shown(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KpiFileError(f"{where}: the KPI file cannot be read ({exc})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KpiFileError(_yaml_problem(where, text, exc)) from exc
    if not isinstance(data, dict):
        raise KpiFileError(f"{where}: the file must have a 'priorities' list and a 'kpis' list")
    unknown = sorted(str(k) for k in data if k not in ("priorities", "kpis"))
    if unknown:
        raise KpiFileError(
            f"{where}: unknown top-level field {unknown[0]!r} (fields: priorities, kpis)"
        )
    priorities = _priorities(where, data.get("priorities"))
    items = data.get("kpis")
    if not isinstance(items, list) or not items:
        raise KpiFileError(f"{where}: 'kpis' must be a list of at least one KPI")
    kpis: list[Kpi] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        kpi = _kpi(where, number, item, priorities, queries)
        if kpi.id in seen:
            raise KpiFileError(
                f"{where}: KPI {kpi.id!r} (number {number}): the id is already used by KPI "
                f"number {seen[kpi.id]}; each KPI needs its own id"
            )
        seen[kpi.id] = number
        kpis.append(kpi)
    return KpiSet(path, priorities, tuple(kpis))


def _yaml_problem(where: str, text: str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is None:
        return f"{where}: not valid YAML: {problem}"
    near = ""
    for line in reversed(text.splitlines()[: mark.line + 1]):
        found = re.match(r"^\s*-?\s*id\s*:\s*['\"]?([^'\"\s#]+)", line)
        if found:
            near = f" in or after KPI {found.group(1)!r}"
            break
    return (
        f"{where}: not valid YAML at line {mark.line + 1}, column {mark.column + 1}{near}: "
        f"{problem}"
    )


def _priorities(where: str, items: object) -> tuple[Priority, ...]:
    if not isinstance(items, list) or not items:
        raise KpiFileError(f"{where}: 'priorities' must be a list of at least one priority")
    found: list[Priority] = []
    for number, item in enumerate(items, start=1):
        label = f"{where}: priority number {number}"
        if not isinstance(item, dict):
            raise KpiFileError(f"{label}: must be a mapping with id, title and description")
        unknown = sorted(str(k) for k in item if k not in ("id", "title", "description"))
        if unknown:
            raise KpiFileError(f"{label}: unknown field {unknown[0]!r}")
        pid, title = item.get("id"), item.get("title")
        if not isinstance(pid, str) or not _ID.match(pid):
            raise KpiFileError(f"{label}: id must be lower-case letters, digits and underscores")
        if not isinstance(title, str) or not title.strip():
            raise KpiFileError(f"{label} ({pid!r}): title is missing")
        if any(p.id == pid for p in found):
            raise KpiFileError(f"{label}: id {pid!r} is used twice")
        description = item.get("description") or ""
        if not isinstance(description, str):
            raise KpiFileError(f"{label} ({pid!r}): description must be text")
        found.append(Priority(pid, title.strip(), " ".join(description.split())))
    return tuple(found)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _kpi(
    where: str,
    number: int,
    item: object,
    priorities: tuple[Priority, ...],
    queries: dict[str, NamedQuery],
) -> Kpi:
    if not isinstance(item, dict):
        raise KpiFileError(f"{where}: KPI number {number}: must be a mapping of fields")
    raw_id = item.get("id")
    label = (
        f"{where}: KPI {raw_id!r} (number {number})"
        if isinstance(raw_id, str) and raw_id
        else f"{where}: KPI number {number} (no id)"
    )

    def fail(problem: str) -> KpiFileError:
        return KpiFileError(f"{label}: {problem}")

    unknown = sorted(str(k) for k in item if k not in _REQUIRED + _OPTIONAL)
    if unknown:
        raise fail(f"unknown field {unknown[0]!r} (fields: {', '.join(_REQUIRED + _OPTIONAL)})")
    missing = [name for name in _REQUIRED if item.get(name) in (None, "")]
    if missing:
        raise fail(f"missing field {missing[0]!r}")
    for name in ("id", "title", "definition", "priority", "query", "value", "source_notes"):
        if not isinstance(item[name], str):
            raise fail(f"{name} must be text, not {item[name]!r}")
    if not _ID.match(item["id"]):
        raise fail("id must be lower-case letters, digits and underscores, starting with a letter")
    if item["unit"] not in UNITS:
        raise fail(f"unit {item['unit']!r} is not one of: {', '.join(UNITS)}")
    if item["direction"] not in DIRECTIONS:
        raise fail(
            f"direction must be 'higher' or 'lower' (which is better), not {item['direction']!r}"
        )
    target = _number(item["target"])
    if target is None:
        raise fail(f"target must be a number, not {item['target']!r}")
    tolerance = _number(item["tolerance"])
    if tolerance is None or tolerance < 0:
        raise fail(f"tolerance must be a number of 0 or more, not {item['tolerance']!r}")
    if item["priority"] not in {p.id for p in priorities}:
        raise fail(
            f"priority {item['priority']!r} is not one of the priorities listed at the top "
            f"({', '.join(p.id for p in priorities)})"
        )
    unit = UNITS[item["unit"]]
    decimals = item.get("decimals", unit.decimals)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 3:
        raise fail(f"decimals must be a whole number from 0 to 3, not {decimals!r}")
    scale = item.get("scale", unit.scale if item.get("denominator") else 1.0)
    if _number(scale) is None or scale <= 0:
        raise fail(f"scale must be a number above 0, not {scale!r}")

    query = queries.get(item["query"])
    if query is None:
        raise fail(f"unknown query {item['query']!r}: there is no queries/{item['query']}.sql")
    columns = query.columns
    for name in ("value", "denominator"):
        column = item.get(name)
        if column is None:
            continue
        if not isinstance(column, str):
            raise fail(f"{name} must be a column name, not {column!r}")
        if column not in columns:
            raise fail(
                f"{name} column {column!r} is not among the columns of query "
                f"{item['query']!r} ({', '.join(columns)})"
            )
    if "as_of" in query.parameters:
        kind = "snapshot"
    elif "from" in query.parameters and "to" in query.parameters:
        kind = "period"
    else:
        raise fail(
            f"query {item['query']!r} takes neither 'as_of' nor 'from' and 'to', so it cannot "
            "give a value on a date or over a period"
        )
    params = item.get("params") or {}
    if not isinstance(params, dict):
        raise fail("params must be a mapping of parameter name to value")
    checked = {}
    for name, value in params.items():
        if name in _PERIOD_PARAMS:
            raise fail(f"params must not set {name!r}: the scorecard chooses the period")
        parameter = query.parameters.get(name)
        if parameter is None:
            raise fail(
                f"query {item['query']!r} has no parameter {name!r} "
                f"(parameters: {', '.join(query.parameters) or 'none'})"
            )
        if isinstance(value, dict | list):
            raise fail(f"parameter {name!r} must be a single value")
        try:
            parameter.convert(value)
        except QueryError as exc:
            raise fail(str(exc)) from exc
        checked[name] = value
    return Kpi(
        id=item["id"],
        title=" ".join(item["title"].split()),
        definition=" ".join(item["definition"].split()),
        priority=item["priority"],
        query=item["query"],
        value=item["value"],
        unit=item["unit"],
        direction=item["direction"],
        target=target,
        tolerance=tolerance,
        source_notes=" ".join(item["source_notes"].split()),
        denominator=item.get("denominator"),
        scale=float(scale),
        decimals=decimals,
        params=checked,
        kind=kind,
        counts=tuple(query.counts),
    )


# --- Status and words ---------------------------------------------------------------------------
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


# --- Periods ------------------------------------------------------------------------------------
def _month_end(day: date) -> date:
    return day.replace(day=_calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def last_complete_month_end(last_date: date) -> date:
    """The last day of the last complete month of data."""
    if last_date == _month_end(last_date):
        return last_date
    return last_date.replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class Point:
    """One value of a KPI's trend: the 12 months from `start` to `end`, or the day `end`."""

    start: date
    end: date
    usable: bool  # False when the period starts before the data do

    def words(self, kind: str) -> str:
        if kind == "snapshot":
            return charts.long_date(self.end)
        return f"{charts.month_name(self.start)} to {charts.month_name(self.end)}"


def trend_points(kind: str, first_date: date, last_date: date) -> list[Point]:
    """The trend's points, oldest first; the last is the latest value.

    Periods: the 12 complete months to the latest complete month, and to every third month
    before it. Snapshots: the latest date of the data, and the month end every three months
    before it. A point before the data start is marked unusable (its value would be too low).
    """
    first_full_month = (
        first_date if first_date.day == 1 else add_months(first_date.replace(day=1), 1)
    )
    points = []
    if kind == "period":
        end_month = last_complete_month_end(last_date).replace(day=1)
        for step in range(TREND_POINTS):
            month = add_months(end_month, -STEP_MONTHS * step)
            start = add_months(month, -(PERIOD_MONTHS - 1))
            points.append(Point(start, _month_end(month), start >= first_full_month))
    else:
        for step in range(TREND_POINTS):
            day = (
                last_date
                if step == 0
                else _month_end(add_months(last_date.replace(day=1), -STEP_MONTHS * step))
            )
            points.append(Point(day, day, day >= first_date))
    return points[::-1]


def coverage(manifest: dict, table: str = "early_help_episodes") -> tuple[date, date]:
    """First and last dates of a table (from the warehouse manifest)."""
    for row in manifest.get("coverage") or []:
        if row.get("table_name") == table and row.get("first_date") and row.get("last_date"):
            return date.fromisoformat(row["first_date"]), date.fromisoformat(row["last_date"])
    raise QueryError(f"the warehouse manifest has no coverage for {table}")


# --- Values -------------------------------------------------------------------------------------
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


# --- Tables -------------------------------------------------------------------------------------
def summary_row(result: KpiResult, area: str = BOROUGH) -> dict:
    """One KPI for one area as plain values (the CLI's JSON and the pages' CSV)."""
    kpi, point = result.kpi, result.latest_point
    status = result.status(area)
    return {
        "id": kpi.id,
        "title": kpi.title,
        "priority": kpi.priority,
        "area": area,
        "value": _plain_number(result.value(area)),
        "unit": kpi.unit,
        "target": _plain_number(kpi.target),
        "tolerance": _plain_number(kpi.tolerance),
        "direction": kpi.direction,
        "rag": status,
        "status": STATUS_WORDS[status] if kpi.applies_to(area) else NO_DISTRICT_TARGET,
        "period": point.end.isoformat()
        if kpi.kind == "snapshot"
        else f"{point.start.isoformat()} to {point.end.isoformat()}",
        "period_start": point.start.isoformat(),
        "period_end": point.end.isoformat(),
        "previous": _plain_number(result.previous(area)),
        "change": _plain_number(result.change(area)),
    }


def _plain_number(value: float | None) -> float | int | None:
    """7050 rather than 7050.0 for a whole number (JSON reads better)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def scorecard_table(results: Iterable[KpiResult], kpi_set: KpiSet) -> pl.DataFrame:
    """Every KPI for the whole borough: what the Scorecard's summary table shows."""
    rows = []
    for result in results:
        kpi = result.kpi
        rows.append(
            {
                "priority": kpi_set.priority(kpi.priority).title,
                "measure": kpi.title,
                "latest": kpi.format(result.value()),
                "target": kpi.target_short(),
                "status": result.status_text(),
                "change_on_a_year_before": result.change_words(short=True),
            }
        )
    return pl.DataFrame(rows, schema=dict.fromkeys(rows[0] if rows else ["measure"], pl.String))


def district_table(results: Iterable[KpiResult], district: str) -> pl.DataFrame:
    """Each KPI for a district beside the borough: values, the target, both statuses and the
    district's change on a year before. A KPI counted for the whole borough only says so."""
    rows = []
    for result in results:
        kpi = result.kpi
        borough_only = not result.has_districts
        rows.append(
            {
                "measure": kpi.title,
                district: BOROUGH_ONLY if borough_only else kpi.format(result.value(district)),
                "district_status": BOROUGH_ONLY if borough_only else result.status_text(district),
                "borough": kpi.format(result.value()),
                "borough_status": result.status_text(),
                "target": kpi.target_short(),
                "change_on_a_year_before": BOROUGH_ONLY
                if borough_only
                else result.change_words(district, short=True),
            }
        )
    return pl.DataFrame(rows, schema=dict.fromkeys(rows[0] if rows else ["measure"], pl.String))


def trend_table(result: KpiResult, areas: Iterable[str] = (BOROUGH,)) -> pl.DataFrame:
    """The trend's values (and the counts they come from) for the areas, oldest first."""
    kpi = result.kpi
    rows = []
    for area in areas:
        found = result.measurements.get(area) or (None,) * len(result.points)
        for point, measurement in zip(result.points, found, strict=True):
            value = measurement.value if measurement else None
            row = {
                "area": area,
                "period": point.words(kpi.kind),
                **_value_columns(kpi, measurement),
            }
            row["status"] = result_status_words(kpi, area, value)
            rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def breakdown_table(result: KpiResult, areas: Iterable[str]) -> pl.DataFrame:
    """The latest value (and the counts it comes from) for each area."""
    kpi = result.kpi
    rows = []
    for area in areas:
        measurement = result.measurement(area)
        row = {"area": area, **_value_columns(kpi, measurement)}
        row["status"] = result.status_text(area)
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def _value_columns(kpi: Kpi, measurement: Measurement | None) -> dict:
    """A table's value columns: a count under its own name (so a hidden one shows as 'c'), or
    the value with the counts it was worked out from."""
    if kpi.denominator is None and kpi.value in kpi.counts:
        return {kpi.value: _as_int(measurement.value if measurement else None)}
    row = {"value": measurement.value if measurement else None}
    if kpi.denominator:
        row[kpi.value] = _as_int(measurement.numerator if measurement else None)
        row[kpi.denominator] = _as_int(measurement.denominator if measurement else None)
    return row


def result_status_words(kpi: Kpi, area: str, value: float | None) -> str:
    return STATUS_WORDS[kpi.status(value)] if kpi.applies_to(area) else NO_DISTRICT_TARGET


def count_columns(kpi: Kpi) -> list[str]:
    """The columns of trend_table and breakdown_table that hold protected counts."""
    return [c for c in (kpi.value, kpi.denominator) if c and c in kpi.counts]


def _as_int(value: float | None) -> int | None:
    return None if value is None else round(value)


# --- Figures ------------------------------------------------------------------------------------
_SMALL_TITLE_PX = 18
_SMALL_SUBTITLE_PX = 15


def _small_layout(fig: go.Figure, title: str, subtitle: str, plot_px: int, **margin) -> None:
    charts.apply_theme(fig)
    fig.update_layout(
        title={
            "text": title,
            "font": {"size": _SMALL_TITLE_PX},
            "subtitle": {"text": subtitle, "font": {"size": _SMALL_SUBTITLE_PX}},
        },
        height=plot_px + 72 + 48,
        margin={"t": 72, "r": 24, "b": 48, "l": 16, "pad": 0, **margin},
        showlegend=False,
        hovermode="closest",
    )


def _as_dates(series: pl.Series) -> pl.Series:
    """Month text 'YYYY-MM' (or dates) -> Date."""
    if series.dtype == pl.Date:
        return series
    return pl.Series(
        series.name,
        [None if v is None else date.fromisoformat(f"{v}-01"[:10]) for v in series.to_list()],
        dtype=pl.Date,
    )


def _short_month(day: date) -> str:
    return f"{charts.MONTH_NAMES[day.month][:3]} {day.year}"


def trend_figure(result: KpiResult, area: str = BOROUGH) -> go.Figure:
    """A small line chart of the KPI over two years (one point every three months) for an area,
    with the target as a labelled dashed line and the latest value labelled at the line's end."""
    kpi = result.kpi
    values = result.series(area)
    points = list(result.points)
    xs = [p.end for p in points]
    title = f"{kpi.title}: trend" if area == BOROUGH else f"{kpi.title}, {area}: trend"
    subtitle = (
        "12 months to each quarter end" if kpi.kind == "period" else "On each quarter end"
    ) + f". Dashed line: target {kpi.format(kpi.target, suffix=False)}"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=values,
            mode="lines+markers",
            line={"color": charts.MAIN, "width": 3},
            marker={"size": 7, "color": charts.MAIN},
            connectgaps=False,
            text=[kpi.format(v) for v in values],
            customdata=[p.words(kpi.kind) for p in points],
            hovertemplate="%{customdata}: %{text}<extra></extra>",
        )
    )
    fig.add_hline(y=kpi.target, line={"color": charts.DARK_GREY, "width": 2, "dash": "dash"})
    known = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
    if known:
        x_end, v_end = known[-1]
        fig.add_annotation(
            x=x_end,
            y=v_end,
            xanchor="left",
            yanchor="middle",
            xshift=8,
            text=f"<b>{kpi.format(v_end, suffix=False)}</b>",
            showarrow=False,
            font={"size": charts.BASE_FONT_PX, "color": charts.MAIN},
        )
    shown = [v for v in values if v is not None] + [kpi.target]
    low, high = min(shown), max(shown)
    # From zero: a range cut to the values (6,900 to 7,100) makes a 1% move look dramatic. A
    # measure that can go below zero keeps room under its lowest value.
    pad = abs(high - min(low, 0)) * 0.15 or 1
    fig.update_yaxes(
        range=[0 if low >= 0 else low - pad, high + pad],
        nticks=4,
        tickformat=f",.{kpi.decimals}f",
        ticksuffix="%" if kpi.unit == "percent" else "",
        showgrid=True,
        rangemode=None,
    )
    ticks = [xs[0], xs[len(xs) // 2], xs[-1]]
    fig.update_xaxes(
        tickvals=ticks,
        ticktext=[_short_month(t) for t in ticks],
        range=[xs[0] - (xs[1] - xs[0]) * 0.3, xs[-1] + (xs[-1] - xs[-2]) * 0.3],
    )
    # With every value withheld or missing there is no end label to leave room for.
    label_px = (
        charts.text_px(kpi.format(known[-1][1], suffix=False), charts.BASE_FONT_PX) if known else 0
    )
    _small_layout(fig, title, subtitle, 180, r=int(label_px) + 24)
    where = "the whole borough" if area == BOROUGH else area
    if known:
        first_x, first_v = known[0]
        described = (
            f"{kpi.format(first_v)} {_period_phrase(kpi, first_x)} and "
            f"{kpi.format(known[-1][1])} {_period_phrase(kpi, known[-1][0])}"
        )
    else:
        described = "no values available"
    alt = (
        f"Line chart of {_lower(kpi.title)} for {where}, one point every three months from "
        f"{charts.month_name(xs[0])} to {charts.month_name(xs[-1])}: {described}, against a "
        f"target of {kpi.target_words()}."
    )
    fig.update_layout(meta={charts.ALT_TEXT_KEY: " ".join(alt.split())})
    return fig


def _period_phrase(kpi: Kpi, end: date) -> str:
    if kpi.kind == "snapshot":
        return f"on {charts.long_date(end)}"
    return f"in the 12 months to {charts.month_name(end)}"


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def district_figure(
    result: KpiResult, areas: Iterable[str], highlight: str | None = None
) -> go.Figure:
    """Horizontal bars of the latest value in each area (districts, then the borough).

    Where the target applies to districts, each bar is labelled with its status symbol and value
    and coloured by status, and the target is a labelled dashed line. For a count (whose target
    is the borough's only) the bars are plain dark blue with their values. `highlight` names an
    area to write in bold.
    """
    kpi = result.kpi
    names = list(areas)
    values = [result.value(a) for a in names]
    with_target = kpi.district_targets
    statuses = [result.status(a) for a in names]
    numbers = [kpi.format(v, suffix=False) if v is not None else "c" for v in values]
    if with_target:
        labels = [f"{STATUS_SYMBOLS[s]} {n}" for s, n in zip(statuses, numbers, strict=True)]
        colours = [RAG_COLOURS[s] for s in statuses]
        words = [STATUS_WORDS[s] for s in statuses]
    else:
        labels, colours, words = (
            numbers,
            [charts.MAIN] * len(names),
            ["no district target"] * len(names),
        )
    ticks = [f"<b>{n}</b>" if n in (highlight, BOROUGH) else n for n in names]
    fig = go.Figure(
        go.Bar(
            x=values,  # a withheld value draws no bar; its label (c) is beside it
            y=ticks,
            orientation="h",
            marker={"color": colours},
            customdata=list(zip(labels, words, strict=True)),
            hovertemplate="%{y}: %{customdata[0]} (%{customdata[1]})<extra></extra>",
        )
    )
    # Values (with their status symbols) in a column of their own right of the bars, so that
    # the target line never runs through them.
    for tick, label in zip(ticks, labels, strict=True):
        fig.add_annotation(
            x=1,
            xref="paper",
            y=tick,
            xanchor="left",
            xshift=10,
            text=label,
            showarrow=False,
            font={"size": charts.BASE_FONT_PX, "color": "black"},
        )
    label_px = max((charts.text_px(label, charts.BASE_FONT_PX) for label in labels), default=40)
    top = max([v for v in values if v is not None] + ([kpi.target] if with_target else []) + [0])
    if with_target:
        fig.add_vline(x=kpi.target, line={"color": charts.DARK_GREY, "width": 2, "dash": "dash"})
        fig.add_annotation(
            x=kpi.target,
            y=1,
            yref="paper",
            xanchor="center",
            yanchor="bottom",
            text=f"Target {kpi.format(kpi.target, suffix=False)}",
            showarrow=False,
            font={"size": charts.MIN_FONT_PX, "color": charts.DARK_GREY},
        )
    fig.update_yaxes(autorange="reversed", tickformat=None, rangemode=None, ticks="")
    fig.update_xaxes(
        range=[0, (top or 1) * 1.05],
        showgrid=False,
        showticklabels=False,
        tickformat=None,
    )
    plot_px = max(len(names) * 34, 100)
    subtitle = result.period_words() + (
        "" if with_target else ". The target is for the whole borough"
    )
    _small_layout(
        fig,
        f"{kpi.title}: by district",
        subtitle,
        plot_px,
        t=charts.TITLE_BLOCK_PX,
        b=24,
        r=int(label_px) + 24,
    )
    fig.update_layout(height=plot_px + charts.TITLE_BLOCK_PX + 24, bargap=0.25)
    shown = [(n, v) for n, v in zip(names, values, strict=True) if v is not None]
    described = ""
    if shown:
        high = max(shown, key=lambda p: p[1])
        low = min(shown, key=lambda p: p[1])
        described = (
            f"highest {high[0]} ({kpi.format(high[1])}), lowest {low[0]} ({kpi.format(low[1])})"
        )
    if with_target:
        counted = {s: statuses.count(s) for s in RAGS}
        parts = [f"{counted[s]} {STATUS_WORDS[s].lower()}" for s in RAGS if counted[s]]
        told = f"against a target of {kpi.target_words()}: {', '.join(parts)}"
        described = f"; {described}" if described else ""
    else:
        told = "(the target is for the whole borough only)"
        described = f": {described}" if described else ""
    alt = (
        f"Bar chart of {_lower(kpi.title)} in {len(names)} areas, {result.period_words()}, "
        f"{told}{described}."
    )
    fig.update_layout(meta={charts.ALT_TEXT_KEY: " ".join(alt.split())})
    return fig


def comparison_figure(
    frame: pl.DataFrame,
    x: str,
    y: str,
    series: str,
    highlight: str,
    *,
    title: str,
    y_title: str,
    subject: str,
    value_format: str = ",.1f",
) -> go.Figure:
    """One line per area (a district and the borough) over months, the district dark blue and
    thick, the borough grey, each labelled at its end: the District profile's comparisons."""
    data = frame.with_columns(_as_dates(frame[x]).alias(x)).sort(x)
    names = sorted(set(data[series].to_list()), key=lambda n: (n == highlight, str(n)))
    fig = go.Figure()
    ends = []
    for name in names:
        part = data.filter(pl.col(series) == name)
        focus = name == highlight
        colour = charts.MAIN if focus else charts.DARK_GREY
        fig.add_trace(
            go.Scatter(
                x=part[x].to_list(),
                y=part[y].to_list(),
                mode="lines",
                line={"color": colour, "width": 4 if focus else 2, "dash": None},
                connectgaps=False,
                name=str(name),
                hovertemplate=f"{name}, %{{x|%B %Y}}: %{{y:{value_format}}}<extra></extra>",
            )
        )
        known = part.filter(pl.col(y).is_not_null())
        if not known.is_empty():
            ends.append((str(name), colour, known[x][-1], float(known[y][-1])))
    values = [v for v in data[y].to_list() if v is not None]
    y_max = max(values, default=1) * 1.15 or 1
    right = charts.label_line_ends(fig, ends, y_max, highlight=highlight)
    charts.apply_theme(fig)
    fig.update_layout(
        title={"text": title, "subtitle": {"text": y_title}},
        height=charts.PLOT_HEIGHT_PX + charts.TITLE_BLOCK_PX + 56,
        margin={"t": charts.TITLE_BLOCK_PX, "r": right, "b": 56, "l": 16, "pad": 0},
        showlegend=False,
    )
    fig.update_yaxes(range=[0, y_max], tickformat=",.0f")
    fig.update_xaxes(hoverformat="%B %Y")
    if not data.is_empty():
        fig.update_xaxes(
            range=[data[x].min() - timedelta(days=10), data[x].max() + timedelta(days=10)]
        )
    if data.is_empty():
        span = "no months"
    else:
        span = f"{charts.month_name(data[x].min())} to {charts.month_name(data[x].max())}"
    latest = "; ".join(
        f"{name} {value:{value_format}} in {charts.month_name(x_end)}"
        for name, _, x_end, value in sorted(ends, key=lambda e: e[0] != highlight)
    )
    alt = (
        f"Line chart of {subject}, {span}, one line for {highlight} (highlighted) and one for "
        f"the whole borough" + (f": latest {latest}" if latest else "") + "."
    )
    fig.update_layout(meta={charts.ALT_TEXT_KEY: " ".join(alt.split())})
    return fig
