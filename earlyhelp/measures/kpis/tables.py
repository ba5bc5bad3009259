"""Strategy KPIs' tables: the KPI results as rows, for the Scorecard and District profile
tables, the trend and district breakdown behind each figure, and the CLI's JSON.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from earlyhelp.measures.kpis.definitions import BOROUGH, Kpi, KpiSet
from earlyhelp.measures.kpis.status import BOROUGH_ONLY, NO_DISTRICT_TARGET, STATUS_WORDS
from earlyhelp.measures.kpis.values import KpiResult, Measurement


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
