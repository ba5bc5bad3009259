"""The data behind every page: one cached runner per warehouse version, cached named
queries, the dates the data covers, and a message saying what to run when there is no
warehouse to show (never a traceback)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import streamlit as st

from earlyhelp.core import config
from earlyhelp.core.errors import REBUILD_COMMAND, QueryError, WarehouseMissing
from earlyhelp.load.warehouse import VERSIONS, current_version_dir
from earlyhelp.measures import caseloads
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from earlyhelp.ui.session import current_role


@st.cache_resource(show_spinner=False, max_entries=4)
def _runner(warehouse: str, version: str) -> QueryRunner:
    """One runner per warehouse version: a newly published version gets a new runner, while
    sessions still holding the previous one keep working."""
    return QueryRunner(Path(warehouse) / VERSIONS / version)


def _use_app_navigation() -> None:
    """Make a link straight to a page work on a server that has not yet run app.py.

    Streamlit 1.67 decides per server whether an app uses the old pages/ folder navigation,
    and only learns otherwise when app.py calls st.navigation. Until someone opens the home
    page, a link such as /demand?district=North runs the page alone: no menu, no sidebar. The
    page then switches Streamlit to app.py's navigation and reruns, keeping the page and its
    URL parameters.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def open_warehouse() -> tuple[QueryRunner | None, str | None]:
    """The runner for the published warehouse, or None and a one-line reason."""
    _use_app_navigation()
    path = config.warehouse_path()
    try:
        version = current_version_dir(path).name
        runner = _runner(str(path.resolve()), version)
    except WarehouseMissing as exc:
        return None, str(exc)
    except Exception as exc:  # a damaged warehouse must still give a message, not a traceback
        return None, f"The warehouse in {path} could not be opened ({type(exc).__name__})."
    if not _has_episodes(runner):
        return None, f"The warehouse in {path} has no early help episodes to show."
    return runner, None


def _has_episodes(runner: QueryRunner) -> bool:
    tables = runner.manifest.get("tables") or {}
    return bool(tables.get("early_help_episodes", 1))


def needs_rebuild(reason: str | None) -> bool:
    """Whether open_warehouse's reason is a warehouse from an earlier release (WarehouseOutdated:
    its message ends with the rebuild command)."""
    return REBUILD_COMMAND in (reason or "")


def show_missing_warehouse(reason: str) -> None:
    """What is wrong in one sentence, then exactly what to run to fix it."""
    if needs_rebuild(reason):
        explanation, arguments = reason.split(REBUILD_COMMAND, 1)
        st.error(f"**The data needs rebuilding after an upgrade.** {explanation.strip()}")
        st.code(f"{REBUILD_COMMAND}{arguments}", language="bash")
        return
    first_sentence = reason.split(". ")[0].rstrip(".")
    st.error(f"**There is no data to show yet.** {first_sentence}.")
    st.info(
        "To build the demo borough's warehouse, run `make run` in the project folder, "
        "or run these two commands there:"
    )
    st.code(build_commands(config.warehouse_path()), language="bash")
    st.caption(
        "To use your council's own extracts instead, run `python -m earlyhelp ingest <folder or "
        "workbook> --warehouse data/warehouse`. The app reads the warehouse named by the "
        "EARLYHELP_WAREHOUSE environment variable (default: data/warehouse)."
    )


def build_commands(warehouse: Path) -> str:
    try:
        shown = warehouse.resolve().relative_to(config.REPO_ROOT)
    except ValueError:
        shown = warehouse
    return (
        "python -m earlyhelp demo --out data/demo\n"
        f"python -m earlyhelp ingest data/demo --warehouse {shown}"
    )


def warehouse_or_stop() -> QueryRunner:
    """The runner, or a clear message about building a warehouse and the end of this page run."""
    runner, reason = open_warehouse()
    if runner is None:
        show_missing_warehouse(reason or "")
        st.stop()
    return runner


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(
    warehouse: str, version: str, name: str, params: tuple[tuple[str, str | None], ...], role: str
) -> pl.DataFrame:
    return _runner(warehouse, version).run(name, dict(params), Role.parse(role))


def query(
    runner: QueryRunner, name: str, params: dict | None = None, role: Role | None = None
) -> pl.DataFrame:
    """Run a named query (cached on warehouse version, query name, parameters and role).

    A query that fails shows a short error and ends the page run; it never shows a traceback.
    """
    role = role or current_role()
    key = tuple(sorted((k, None if v is None else str(v)) for k, v in (params or {}).items()))
    warehouse = str(runner.version_dir.parent.parent)
    try:
        return _cached_query(warehouse, runner.version, name, key, str(role))
    except QueryError as exc:
        st.error(f"This figure could not be produced: {exc}")
    except Exception as exc:
        st.error(
            f"This figure could not be produced ({type(exc).__name__}). "
            "Please report it to the performance team."
        )
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def can_run(runner: QueryRunner, name: str, role: Role | None = None) -> bool:
    """Whether the role may run a named query (its `-- roles:`): a page shows a section only to
    the roles the query layer would answer, and the query layer refuses the others anyway."""
    role = role or current_role()
    kinds = runner.queries[name].roles if name in runner.queries else ()
    return name in runner.queries and (not kinds or role.kind in kinds)


def coverage(runner: QueryRunner, table: str = "early_help_episodes") -> tuple[dt.date, dt.date]:
    """First and last dates of a table in the warehouse (from its manifest)."""
    for row in runner.manifest.get("coverage") or []:
        if row.get("table_name") == table and row.get("first_date") and row.get("last_date"):
            return dt.date.fromisoformat(row["first_date"]), dt.date.fromisoformat(row["last_date"])
    raise QueryError(f"the warehouse manifest has no coverage for {table}")


def extract_warm_up(runner: QueryRunner, role: Role | None = None) -> caseloads.WarmUp:
    """The extract's warm-up (caseloads.warm_up), from the episodes' lengths over the whole
    extract as `role` sees them: the months whose open-episode counts are too low."""
    first, last = coverage_or_stop(runner)
    durations = query(runner, "outcomes_durations", {"from": first, "to": last}, role)
    return caseloads.warm_up(first, durations)


def coverage_or_stop(runner: QueryRunner) -> tuple[dt.date, dt.date]:
    """The dates the early help episodes cover, or a message saying how to fix the warehouse
    and the end of this page run."""
    try:
        return coverage(runner)
    except QueryError:
        st.info(
            "The warehouse does not say which dates its early help episodes cover. Ingest the "
            "extracts again (`python -m earlyhelp ingest ...`) to rebuild it."
        )
        st.stop()
        raise  # st.stop() raises; this keeps type checkers content
