"""Strategy KPIs' file: reading data/kpis.yaml (or EARLYHELP_KPIS) and checking it against the
named queries, refusing a file that cannot be used with one line naming the file, the KPI and
the problem (`load_kpis`, `KpiFileError`).
"""

from __future__ import annotations

import functools
import math
import os
import re
from pathlib import Path

import yaml

from earlyhelp.core import config
from earlyhelp.core.errors import QueryError, UnusableInput
from earlyhelp.measures.kpis.definitions import Kpi, KpiSet, Priority
from earlyhelp.measures.kpis.status import DIRECTIONS, UNITS
from earlyhelp.query.runner import NamedQuery, load_queries

DEFAULT_KPIS_FILE = config.DATA_DIR / "kpis.yaml"

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


def kpis_file() -> Path:
    """The KPI file the app reads: EARLYHELP_KPIS, or data/kpis.yaml."""
    return Path(os.environ.get("EARLYHELP_KPIS") or DEFAULT_KPIS_FILE)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(config.REPO_ROOT))
    except ValueError:
        return str(path)


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
