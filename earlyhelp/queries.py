"""The query runner: every named query in queries/*.sql, run on a read-only, locked-down DuckDB.

Each query file starts with a header comment that declares its parameters and output columns:

    -- param as_of: date, required. The date to count on.
    -- columns: district (text), open_episodes (count)
    -- counts: open_episodes

Values reach DuckDB only as named parameters ($as_of); the runner passes exactly the parameters a
query declares, typed, with null for optional ones not given. One connection per warehouse
version; each thread gets its own cursor, because a DuckDB connection is not thread-safe and
Streamlit runs sessions on threads.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from earlyhelp import disclosure
from earlyhelp.config import QUERIES_DIR
from earlyhelp.errors import QueryError
from earlyhelp.roles import Role
from earlyhelp.warehouse import DB_FILE, current_version_dir, read_manifest

_PARAM = re.compile(
    r"^--\s*param\s+(\w+)\s*:\s*(date|text|int)\s*,\s*(required|optional)\b\.?\s*(.*)$"
)
_COUNTS = re.compile(r"^--\s*counts\s*:\s*(.+)$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str
    required: bool
    description: str

    def convert(self, value: object) -> object:
        if value is None or value == "":
            return None
        try:
            if self.kind == "date":
                return value if isinstance(value, date) else date.fromisoformat(str(value))
            if self.kind == "int":
                return int(value)
        except ValueError as exc:
            raise QueryError(
                f"parameter {self.name!r} must be a {self.kind}, not {value!r}"
            ) from exc
        return str(value)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    sql: str
    purpose: str
    parameters: dict[str, Parameter] = field(default_factory=dict)
    counts: tuple[str, ...] = ()


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text()
    parameters: dict[str, Parameter] = {}
    counts: tuple[str, ...] = ()
    purpose_lines = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        if match := _PARAM.match(line):
            name, kind, need, description = match.groups()
            parameters[name] = Parameter(name, kind, need == "required", description.strip())
        elif match := _COUNTS.match(line):
            counts = tuple(c.strip() for c in match.group(1).split(",") if c.strip())
        elif not re.match(r"^--\s*(columns|  )", line):
            purpose_lines.append(line.lstrip("- ").strip())
    return NamedQuery(path.stem, text, " ".join(purpose_lines).strip(), parameters, counts)


def load_queries(folder: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    return {p.stem: parse_query_file(p) for p in sorted(folder.glob("*.sql"))}


def open_locked_down(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Read-only, no file or network access, no extension loading, configuration locked."""
    return duckdb.connect(
        str(db_path),
        read_only=True,
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "enable_external_access": False,
            "lock_configuration": True,
        },
    )


class QueryRunner:
    def __init__(self, version_dir: Path, queries: dict[str, NamedQuery] | None = None):
        self.version_dir = version_dir
        self.version = version_dir.name
        self.manifest = read_manifest(version_dir)
        self.queries = queries if queries is not None else load_queries()
        self._connection = open_locked_down(version_dir / DB_FILE)
        self._local = threading.local()

    @classmethod
    def open(cls, warehouse_dir: Path) -> QueryRunner:
        return cls(current_version_dir(Path(warehouse_dir)))

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._connection.cursor()
            self._local.cursor = cursor
        return cursor

    def bind(self, name: str, params: dict | None) -> tuple[NamedQuery, dict]:
        if not _NAME.match(name or "") or name not in self.queries:
            known = ", ".join(sorted(self.queries))
            raise QueryError(f"no query named {name!r}; known queries: {known}")
        query = self.queries[name]
        params = dict(params or {})
        unknown = sorted(set(params) - set(query.parameters))
        if unknown:
            allowed = ", ".join(query.parameters) or "none"
            raise QueryError(
                f"query {name!r} has no parameter {unknown[0]!r} (parameters: {allowed})"
            )
        bound = {}
        for parameter in query.parameters.values():
            value = parameter.convert(params.get(parameter.name))
            if value is None and parameter.required:
                raise QueryError(f"query {name!r} needs parameter {parameter.name!r}")
            bound[parameter.name] = value
        return query, bound

    def run(self, name: str, params: dict | None = None, role: Role | None = None) -> pl.DataFrame:
        role = role or Role.parse("board")
        query, bound = self.bind(name, params)
        frame = self._cursor().sql(query.sql, params=bound).pl()
        if not role.exact_counts:
            frame = disclosure.protect_counts(frame, list(query.counts))
        return frame

    def counts_of(self, name: str) -> list[str]:
        return list(self.queries[name].counts)

    def close(self) -> None:
        self._connection.close()
