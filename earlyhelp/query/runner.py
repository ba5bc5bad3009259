"""The query runner: every named query in queries/<page or measure>/*.sql, run on a read-only,
locked-down DuckDB.

Each query file starts with a header comment that declares its parameters and output columns:

    -- param as_of: date, required. The date to count on.
    -- columns: district (text), open_episodes (count)
    -- counts: open_episodes
    -- statistics: median_days (from open_episodes)
    -- roles: manager, analyst

    -- breakdown: team

`-- breakdown:` (optional) says the rows are teams, organisations or workers rather than
districts or whole-borough categories: a team can hold the cases of children from several
districts, so for a role kept to one district the runner asks such a query for that district's
children only (its `district` parameter), and refuses one that has neither that parameter nor a
`district` column to keep the rows to.

`-- columns:`, `-- counts:`, `-- statistics:` and `-- roles:` may go on over the next comment
lines, each starting with `--` and at least two spaces. `-- statistics:` names each column worked
out from counts (a median, average, percentage or rate) with the counts it is worked out from;
for protected roles it is withheld wherever one of them is. `-- roles:` (optional) names the only
roles that may run the query; without it every role may. A query must return every column it
declares in `-- counts:` and `-- statistics:`: the runner checks this on each run, because a
column it cannot find is a column it cannot protect.

Who sees what (earlyhelp/query/roles.py) is enforced in `QueryRunner.run`: board and district roles
get
every count protected. A role kept to one district (`district:<name>`, `manager:<name>`) gets only
its own district's rows and the whole borough's, never another district's: a figure asked for
another district is refused, and a query broken down by team, organisation or worker is asked for
its district's children. A manager of one district gets that district's rows exact and the
borough's protected, and the rows of a query kept to managers and analysts (named workers) only
for its district.

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

from earlyhelp.core.config import QUERIES_DIR
from earlyhelp.core.errors import REBUILD_COMMAND, QueryError, WarehouseOutdated
from earlyhelp.load.warehouse import DB_FILE, current_version_dir, missing_marts, read_manifest
from earlyhelp.query import disclosure
from earlyhelp.query.roles import EXACT_KINDS, ROLE_KINDS, Role, describe_kinds

DISTRICT_PARAMETER = "district"
DISTRICTS_QUERY = QUERIES_DIR / "common" / "districts.sql"
#: What the rows of a query may be besides districts and borough-wide categories (`-- breakdown:`).
BREAKDOWNS = ("team", "organisation", "worker", "record")
_PARAM = re.compile(
    r"^--\s*param\s+(\w+)\s*:\s*(date|text|int)\s*,\s*(required|optional)\b\.?\s*(.*)$"
)
# A header field that may continue over the following lines ("--" and two or more spaces).
_LIST_FIELD = re.compile(r"^--\s*(columns|counts|statistics|roles|breakdown)\s*:(.*)$")
_CONTINUATION = re.compile(r"^--\s{2,}(\S.*)$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# One item of `-- statistics:`: a column and the counts it is worked out from.
_STATISTIC = re.compile(r"^(\w+)\s*\(\s*from\s+([\w\s,]+)\)$")


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
    columns: tuple[str, ...] = ()  # the names declared in `-- columns:`, in order
    roles: tuple[str, ...] = ()  # role kinds that may run it; empty = every role
    #: `-- statistics:`: each column worked out from counts -> the counts it is worked out from.
    statistics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: `-- breakdown:`: what each row is when it is not a district or a borough-wide category
    #: (team, organisation, worker, record): a unit that can count several districts' children.
    breakdown: str | None = None

    @property
    def exact_only(self) -> bool:
        """Kept to roles with exact figures (managers, analysts): named workers or records,
        which have no protected form."""
        return bool(self.roles) and all(kind in EXACT_KINDS for kind in self.roles)


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses: 'a (text, null = none), b (count)' -> 2 items."""
    items, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _names(path: Path, field_name: str, text: str) -> tuple[str, ...]:
    """The names in a `columns`, `counts` or `roles` field (a column's description in
    parentheses is dropped); a name that is not a plain identifier is refused."""
    names = []
    for item in _split_top_level(text):
        name = item.split("(", 1)[0].strip()
        if not re.fullmatch(r"\w+", name):
            raise QueryError(f"{path.name}: '-- {field_name}:' has {item!r}, not a name")
        names.append(name)
    return tuple(names)


def _statistics(
    path: Path, text: str, counts: tuple[str, ...], columns: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    """The `-- statistics:` field: 'median_days (from allocated), pct (from part, whole)'. Each
    statistic must be a declared column and each of its bases a declared count, so that
    disclosure control knows when to withhold it."""
    found: dict[str, tuple[str, ...]] = {}
    for item in _split_top_level(text):
        match = _STATISTIC.match(item)
        if not match:
            raise QueryError(
                f"{path.name}: '-- statistics:' has {item!r}: write a column and the counts it is "
                "worked out from, e.g. median_days (from allocated)"
            )
        name = match.group(1)
        bases = tuple(b.strip() for b in match.group(2).split(",") if b.strip())
        problem = None
        if name in found:
            problem = f"{name!r} is given twice"
        elif name in counts:
            problem = f"{name!r} is a count, not a statistic"
        elif columns and name not in columns:
            problem = f"{name!r} is not in '-- columns:'"
        elif not bases or not all(re.fullmatch(r"\w+", b) for b in bases):
            problem = f"{item!r} names no count it is worked out from"
        elif not_counts := [b for b in bases if b not in counts]:
            problem = f"{name!r} is worked out from {not_counts[0]!r}, which is not in '-- counts:'"
        if problem:
            raise QueryError(f"{path.name}: '-- statistics:' {problem}")
        found[name] = bases
    return found


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text()
    parameters: dict[str, Parameter] = {}
    fields: dict[str, str] = {}
    purpose_lines = []
    continuing = None  # the list field that continuation lines add to
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        if continuing and (match := _CONTINUATION.match(line)):
            fields[continuing] += " " + match.group(1).strip()
            continue
        continuing = None
        if match := _PARAM.match(line):
            name, kind, need, description = match.groups()
            parameters[name] = Parameter(name, kind, need == "required", description.strip())
        elif match := _LIST_FIELD.match(line):
            continuing = match.group(1)
            if continuing in fields:
                raise QueryError(f"{path.name}: '-- {continuing}:' is given twice")
            fields[continuing] = match.group(2).strip()
        elif not _CONTINUATION.match(line):
            purpose_lines.append(line.lstrip("- ").strip())
    roles = _names(path, "roles", fields.get("roles", ""))
    unknown = [r for r in roles if r not in ROLE_KINDS]
    if unknown:
        raise QueryError(
            f"{path.name}: '-- roles:' has unknown role {unknown[0]!r} "
            f"(roles: {', '.join(ROLE_KINDS)})"
        )
    if "roles" in fields and not roles:
        raise QueryError(f"{path.name}: '-- roles:' names no role")
    counts = _names(path, "counts", fields.get("counts", ""))
    columns = _names(path, "columns", fields.get("columns", ""))
    breakdown = fields.get("breakdown", "").strip().rstrip(".") or None
    if "breakdown" in fields and breakdown not in BREAKDOWNS:
        raise QueryError(
            f"{path.name}: '-- breakdown:' is {breakdown!r}; use one of {', '.join(BREAKDOWNS)}"
        )
    if breakdown and DISTRICT_PARAMETER not in parameters and DISTRICT_PARAMETER not in columns:
        # Such a query could not be kept to one district's children: say so when it is written.
        raise QueryError(
            f"{path.name}: a query broken down by {breakdown} needs a 'district' parameter or "
            "a 'district' column, so that a role kept to one district sees only its children"
        )
    return NamedQuery(
        path.stem,
        text,
        " ".join(purpose_lines).strip(),
        parameters,
        counts=counts,
        columns=columns,
        roles=roles,
        statistics=_statistics(path, fields.get("statistics", ""), counts, columns),
        breakdown=breakdown,
    )


#: Rows a district user may see besides their own district: whole-borough totals.
BOROUGH_ROWS = ("Borough",)
#: Whole-number columns that are categories, not measures (secondary suppression groups by them).
_INTEGER_KEYS = ("level_of_need", "year", "month_of_year", "band_upper", "decision_days")


def _own_district_only(frame: pl.DataFrame, role: Role) -> pl.DataFrame:
    """The rows of a role kept to one district: its own district and borough totals, never
    another district's (nor 'Not known', which may be anyone's)."""
    if DISTRICT_PARAMETER not in frame.columns:
        return frame
    return frame.filter(pl.col(DISTRICT_PARAMETER).is_in([role.district, *BOROUGH_ROWS]))


def _exact_rows(frame: pl.DataFrame, bound: dict, role: Role) -> pl.Series | None:
    """For a manager of one district, the rows that are that district's alone (shown exactly):
    rows whose `district` is theirs, or every row of a query asked for their district that has
    no `district` column. None when no row is (everything protected)."""
    if not role.scoped_manager or frame.is_empty():
        return None
    if DISTRICT_PARAMETER in frame.columns:
        return frame[DISTRICT_PARAMETER].eq(role.district).fill_null(False)
    if bound.get(DISTRICT_PARAMETER) == role.district:
        return pl.repeat(True, frame.height, eager=True)
    return None


def _keys(frame: pl.DataFrame, query: NamedQuery) -> list[str]:
    """The columns that identify a cell (its categories), for secondary suppression."""
    categories = (pl.String, pl.Date, pl.Datetime, pl.Categorical, pl.Enum, pl.Boolean)
    return [
        name
        for name, dtype in frame.schema.items()
        if name not in query.counts
        and (isinstance(dtype, categories) or dtype in categories or name in _INTEGER_KEYS)
    ]


def _check_returned(query: NamedQuery, frame: pl.DataFrame) -> None:
    """Disclosure control protects the columns named in `-- counts:` and `-- statistics:`; one
    the query does not return would go unprotected under another name, so nothing is returned."""
    for field_name, declared in (
        ("counts", query.counts),
        ("statistics", tuple(query.statistics)),
    ):
        missing = [c for c in declared if c not in frame.columns]
        if missing:
            kind = "count" if field_name == "counts" else "statistic"
            raise QueryError(
                f"query {query.name!r} declares {kind} column(s) {', '.join(missing)} in "
                f"'-- {field_name}:' but does not return them (it returns "
                f"{', '.join(frame.columns)})"
            )


def _own_district_rows(query: NamedQuery, frame: pl.DataFrame, role: Role) -> pl.DataFrame:
    """A query with no protected form (named workers, records) for a manager of one district:
    only the rows of their district. One with no `district` column cannot be kept to it."""
    if DISTRICT_PARAMETER not in frame.columns:
        raise QueryError(
            f"{query.name} has no district column, so it cannot be kept to {role.district}: "
            "it is for whole-service managers and analysts"
        )
    return frame.filter(pl.col(DISTRICT_PARAMETER) == role.district)


#: Folders of queries/ whose SQL is run at ingest or publish (the ingest's own steps, the marts and
#: the macros), not named queries a page or the command line may run.
NOT_NAMED = ("ingest", "marts", "macros")


def query_files(folder: Path = QUERIES_DIR) -> list[Path]:
    """Every named query's file: queries/<page or measure>/<name>.sql (or directly in folder)."""
    named = (p for p in folder.rglob("*.sql") if p.relative_to(folder).parts[0] not in NOT_NAMED)
    return sorted(named, key=lambda p: p.stem)


def load_queries(folder: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    """The named queries by name (the file's name): a name is the query's, whichever folder of
    queries/ holds it, so two files of one name are refused."""
    queries: dict[str, NamedQuery] = {}
    for path in query_files(folder):
        if path.stem in queries:
            raise QueryError(f"two named queries are called {path.stem}: {path} and another")
        queries[path.stem] = parse_query_file(path)
    return queries


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


def _check_marts(version_dir: Path, manifest: dict) -> None:
    """A warehouse built before an upgrade added marts would fail query by query with a
    database error; say once what it lacks and the command that rebuilds it."""
    missing = missing_marts(manifest)
    if missing:
        warehouse = version_dir.parent.parent
        raise WarehouseOutdated(
            f"The warehouse in {warehouse} was built by an earlier release of Early Help "
            f"Insight and lacks {len(missing)} of this release's marts and macros "
            f"({', '.join(missing)}). "
            f"Rebuild them from its tables, without re-reading the extracts: "
            f"{REBUILD_COMMAND} --warehouse {warehouse}"
        )


class QueryRunner:
    def __init__(self, version_dir: Path, queries: dict[str, NamedQuery] | None = None):
        self.version_dir = version_dir
        self.version = version_dir.name
        self.manifest = read_manifest(version_dir)
        _check_marts(version_dir, self.manifest)
        self.queries = queries if queries is not None else load_queries()
        self._connection = open_locked_down(version_dir / DB_FILE)
        self._local = threading.local()
        self._districts: tuple[str, ...] | None = None  # known districts, for scoped roles

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
        """Run a named query for a role, with that role's view enforced here, not in the page,
        so a URL parameter, a crafted request or a cached result cannot widen it."""
        role = role or Role.parse("board")
        query, bound = self.bind(name, params)
        if query.roles and role.kind not in query.roles:
            raise QueryError(f"{name} is only for {describe_kinds(query.roles)}")
        if role.district is not None:
            self._check_scope(role)
            role.check_may_see(bound.get(DISTRICT_PARAMETER))
            if query.breakdown and DISTRICT_PARAMETER in bound:
                # Each team or organisation counted over this district's children only: counted
                # over the borough, a team's row would carry other districts' children.
                bound[DISTRICT_PARAMETER] = role.district
        frame = self._cursor().sql(query.sql, params=bound).pl()
        _check_returned(query, frame)
        if role.exact_everywhere:
            return frame
        if query.exact_only:
            # Only a manager of one district gets here (the roles check above): named workers
            # or records of their own district, and nobody else's.
            return _own_district_rows(query, frame, role)
        if role.district is not None:
            frame = _own_district_only(frame, role)
        return disclosure.protect(
            frame,
            list(query.counts),
            key_columns=_keys(frame, query),
            statistics=query.statistics,
            exact_rows=_exact_rows(frame, bound, role),
        )

    def _check_scope(self, role: Role) -> None:
        """A district or scoped manager role must name a district the warehouse knows: a name
        that is not one (a typo, or something hostile) is refused, not shown an empty view."""
        if self._districts is None:
            query = self.queries.get("districts") or parse_query_file(DISTRICTS_QUERY)
            self._districts = tuple(self._cursor().sql(query.sql).pl()["district"].to_list())
        if role.district not in self._districts:
            raise QueryError(
                f"the {role.kind} role names a district that is not in the data "
                f"(districts: {', '.join(self._districts)})"
            )

    def counts_of(self, name: str) -> list[str]:
        return list(self.queries[name].counts)

    def statistics_of(self, name: str) -> dict[str, tuple[str, ...]]:
        """The statistics a query declares, each with the counts it is worked out from."""
        return dict(self.queries[name].statistics)

    def close(self) -> None:
        self._connection.close()
