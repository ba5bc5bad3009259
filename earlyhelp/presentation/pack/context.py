"""What every section of a committee pack is built from: the runner, the role, the dates the
data cover, and `run`, the one way a section gets numbers (`QueryRunner.run` for the pack's
role, each query and parameters run once per pack), plus small helpers to pick a figure from a
result and remember where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from earlyhelp.core.calendar import load_events
from earlyhelp.core.errors import QueryError
from earlyhelp.measures import quality
from earlyhelp.presentation.pack.model import Headline, Source, change_words, format_count
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner


def coverage(runner: QueryRunner, table: str = "early_help_episodes") -> tuple[date, date]:
    """First and last dates of a table (from the manifest), as the pages read them."""
    for row in runner.manifest.get("coverage") or []:
        if row.get("table_name") == table and row.get("first_date") and row.get("last_date"):
            return date.fromisoformat(row["first_date"]), date.fromisoformat(row["last_date"])
    raise QueryError(f"the warehouse manifest has no coverage for {table}")


@dataclass
class Context:
    runner: QueryRunner
    role: Role
    first_date: date
    last_date: date
    #: The query results the pack used, by (name, parameters): each query run once.
    results: dict[tuple, pl.DataFrame] = field(default_factory=dict)
    _findings: dict | None = None

    @classmethod
    def open(cls, runner: QueryRunner, role: Role) -> Context:
        first, last = coverage(runner)
        return cls(runner, role, first, last)

    def run(self, name: str, params: dict | None = None) -> pl.DataFrame:
        params = dict(params or {})
        key = (name, tuple(sorted((k, str(v)) for k, v in params.items())))
        if key not in self.results:
            self.results[key] = self.runner.run(name, params, self.role)
        return self.results[key]

    @property
    def events(self) -> pl.DataFrame:
        return load_events().filter(pl.col("kind").is_in(["covid", "school"]))

    def available(self, key: str) -> bool:
        """False for a measure this extract lacks (earlyhelp/measures/quality/), as the pages
        decide."""
        if self._findings is None:
            try:
                self._findings = {f.key: f for f in quality.assess(self.runner)}
            except Exception:  # as ui.data_quality: show the figures as they are
                self._findings = {}
        finding = self._findings.get(key)
        return finding is None or finding.status != quality.MISSING

    def notice(self, key: str) -> str:
        finding = (self._findings or {}).get(key)
        return (finding.notice or "").replace(" See Data quality.", "") if finding else ""


def pick(frame: pl.DataFrame, source: Source) -> float | int | None:
    """A figure from a query result as `source` says (see Source): the pack and its test both
    read figures this way, the test from a result it runs itself."""
    rows = frame
    for column, wanted in source.where.items():
        if isinstance(wanted, list | tuple):
            rows = rows.filter(pl.col(column).is_in(list(wanted)))
        else:
            rows = rows.filter(pl.col(column) == wanted)
    if source.how == "total":
        values = rows[source.columns[0]]
        return None if values.null_count() or values.is_empty() else int(values.sum())
    if rows.height != 1:
        return None
    row = rows.row(0, named=True)
    if source.how == "value":
        return row[source.columns[0]]
    part, whole = (row[c] for c in source.columns)
    if part is None or whole is None or whole == 0:
        return None
    if source.how == "percent":
        return round(100 * part / whole, 1)
    value = round(part / whole * source.scale, source.digits)  # ratio
    return int(value) if source.digits == 0 else value


def headline(
    ctx: Context,
    label: str,
    source: Source,
    *,
    previous: Source | None = None,
    period: str = "the 12 months before",
    text=format_count,
) -> Headline:
    """A headline figure read from its query, with its change on `previous` when given."""
    value = pick(ctx.run(source.query, source.params), source)
    comparison = ""
    if previous is not None:
        before = pick(ctx.run(previous.query, previous.params), previous)
        comparison = change_words(value, before, period)
    return Headline(label, value, text(value), source, comparison)
