"""Shared Streamlit widgets: the only library module that imports streamlit.

Pages use these so that every chart comes with its alt text, its data as a table and a CSV of
exactly that table; every query goes through one cached runner; and a missing warehouse gives
the user a message telling them what to do, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from earlyhelp.core import config, csv_safe
from earlyhelp.core.errors import REBUILD_COMMAND, QueryError, WarehouseMissing
from earlyhelp.load.warehouse import VERSIONS, current_version_dir
from earlyhelp.measures import caseloads, kpis, quality
from earlyhelp.presentation import charts
from earlyhelp.query import disclosure
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner

#: The role every page uses when no sign-in is configured (demo mode).
DEMO_ROLE = "board"
ROLE_DESCRIPTIONS = {
    "board": "board view",
    "district": "district view",
    "manager": "manager view",
    "analyst": "analyst view",
}

METRIC_WIDTH_PX = 200  # four fit across a 1366px screen; two per row at 1024px
#: A tile with a strategy target: its status and target ("▲ Close to target  target ≥ 1,200")
#: on one line under the figure.
TARGET_TILE_WIDTH_PX = 232

_PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": [
        "zoom2d",
        "pan2d",
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "resetScale2d",
    ],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


# --- Role -----------------------------------------------------------------------------------
#: Precedence when a user holds several roles: the widest view wins (a manager of one district
#: comes after a whole-service manager and before the board; see _breadth).
_ROLE_ORDER = ("analyst", "manager", "board", "district")
#: Prefix of the app roles defined for Early Help Insight in the identity provider.
CLAIM_PREFIX = "earlyhelp."
MARKINGS = {
    True: "OFFICIAL-SENSITIVE",  # exact counts, worker names: not for publication
    False: "OFFICIAL",  # protected figures: small numbers withheld, counts rounded
}


def login_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an [auth] section (the council's OIDC provider)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: demo mode
        return False


def _breadth(role: Role) -> tuple:
    """Sort key, widest view first: analyst, manager, manager:<district>, board, district."""
    return (_ROLE_ORDER.index(role.kind), role.district is not None, role.district or "")


def role_from_claims(user: dict, roles_file: dict[str, str] | None = None) -> Role | None:
    """The role for a signed-in user: from the identity token's `roles` claim (app roles such
    as `EarlyHelp.District.North` or `EarlyHelp.Manager.North`), else from the roles file by
    e-mail (`district:North`, `manager:North`, ...); None if neither says. A claim or entry that
    is not a role (an unknown kind, a district on a role that takes none, an empty or hostile
    district name) is ignored, never widened to another role.

    Never from anything the browser sends (URL, widget state): the token and the server's file
    are the only sources."""
    found: list[Role] = []
    claims = user.get("roles") or []
    for claim in [claims] if isinstance(claims, str) else claims:
        text = str(claim).strip()
        if not text.lower().startswith(CLAIM_PREFIX):
            continue
        kind, scoped, district = text[len(CLAIM_PREFIX) :].partition(".")
        try:
            found.append(Role.parse(f"{kind}:{district}" if scoped else kind))
        except QueryError:
            continue
    email = str(user.get("email") or "").strip().lower()
    if not found and roles_file and email in roles_file:
        try:
            found.append(Role.parse(roles_file[email]))
        except QueryError:
            return None
    if not found:
        return None
    return min(found, key=_breadth)


def _roles_file() -> dict[str, str]:
    path = config.roles_file()
    if not path.exists():
        return {}
    import tomllib

    users = tomllib.loads(path.read_text()).get("users", {})
    return {str(email).strip().lower(): str(role) for email, role in users.items()}


def current_role() -> Role:
    """The signed-in user's role; the board role in demo mode (no login configured)."""
    if not login_configured():
        return Role.parse(DEMO_ROLE)
    if not st.user.is_logged_in:
        raise QueryError("not signed in")
    role = role_from_claims(st.user.to_dict(), _roles_file())
    if role is None:
        raise QueryError("no role")
    return role


def require_role() -> Role:
    """The role, or a sign-in page (or a 'no access' message) and the end of this run."""
    if not login_configured():
        return Role.parse(DEMO_ROLE)
    if not st.user.is_logged_in:
        st.title("Early Help Insight")
        st.markdown(
            "Sign in with your council account to see the early help partnership's figures."
        )
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    role = role_from_claims(st.user.to_dict(), _roles_file())
    if role is None:
        st.title("Early Help Insight")
        st.error(
            "Your account has no role in Early Help Insight yet. Ask the performance team to "
            "give you one (board, district, manager, a district's manager or analyst)."
        )
        st.button("Sign out", on_click=st.logout)
        st.stop()
    return role


def role_label(role: Role | None = None) -> str:
    role = role or current_role()
    text = ROLE_DESCRIPTIONS[role.kind]
    return f"{text} ({role.district})" if role.district else text


def marking(role: Role | None = None) -> str:
    """OFFICIAL-SENSITIVE for any view with exact figures (a manager of one district too)."""
    role = role or current_role()
    return MARKINGS[role.exact_counts]


def protection_note(role: Role | None = None) -> str:
    """What the role's figures are, in words, for the marking and the About page."""
    role = role or current_role()
    if role.exact_everywhere:
        return "exact figures: do not publish or share outside the partnership"
    if role.exact_counts:
        return (
            f"exact figures for {role.district} (its workers by name); the whole borough with "
            "small numbers withheld and counts rounded. Do not publish or share outside the "
            "partnership"
        )
    return "small numbers withheld and counts rounded, so these figures can be shared"


#: Page-wide CSS for the few places where Streamlit's own widgets fall short of WCAG 2.2 AA.
#: Only style tags, so st.html puts it in the event container: it takes no room on the page.
PAGE_CSS = """<style>
/* 2.5.8 Target size: the day and month parts of a date input are about 18px by 20px. */
[data-testid="stDateInputField"] [role="spinbutton"] {
    min-width: 24px; min-height: 24px; text-align: center;
}
/* Tabs switch a page's views: Streamlit draws their labels smaller than body text, too small
   to read on a committee-room projector. */
[data-testid="stTab"] p { font-size: 1.125rem; }
/* A projector's first screen (1366x768) holds a page's headline figures and its main chart:
   less empty space above the marking, and a page title that takes one line, not two. */
[data-testid="stMainBlockContainer"] { padding-top: 1rem; padding-left: 3rem; padding-right: 3rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.25rem; padding: 0.25rem 0 0 0; }
[data-testid="stMainBlockContainer"] h2 { font-size: 1.6rem; }
/* Headline tiles: the number at full size, less padding around it. */
[data-testid="stMainBlockContainer"] [data-testid="stMetric"] > div { padding: 0.5rem 0.875rem; }
/* A tile with its status (ui.metric_tile): the box is the tile's, the metric in it unpadded. */
[data-testid="stMainBlockContainer"] [class*="st-key-tile-"] { padding: 0.5rem 0.875rem 0.375rem; }
[data-testid="stMainBlockContainer"] [class*="st-key-tile-"] [data-testid="stMetric"] > div {
    padding: 0;
}
</style>"""

#: ?present=1 (or the sidebar's toggle): for a committee screen. The same figures, without the
#: sidebar and the controls that chose them, across the full width in larger type.
PRESENT_PARAM = "present"
PRESENT_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"] { display: none; }
[data-testid="stMainBlockContainer"] {
    max-width: 100%; padding: 4rem 2.5rem 2rem 2.5rem;
}
[data-testid="stMainBlockContainer"] :is(p, li) { font-size: 1.25rem; }
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"],
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] :is(p, div) {
    font-size: 3rem;
}
[data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"] p { font-size: 1rem; }
[data-testid="stMainBlockContainer"] :is(
    [data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stDateInput"],
    [data-testid="stNumberInput"], [data-testid="stSlider"], [data-testid="stRadio"],
    [data-testid="stButtonGroup"], [data-testid="stCheckbox"], [data-testid="stDownloadButton"],
    [data-testid="stExpander"]
) { display: none; }
</style>"""


def page_footnote(role: Role | None = None) -> None:
    """Once at the foot of every page, for a role whose figures are protected: what `c` means,
    that rounded counts may not add up, and that a statistic of a withheld count is withheld
    too (it used to follow every chart and table, up to 24 times a page)."""
    role = role or current_role()
    if role.exact_everywhere:
        return
    note = f"{disclosure.current_policy().footnote()} {disclosure.STATISTICS_NOTE}"
    if role.exact_counts:  # a manager of one district: their rows are exact
        note += f" Figures for {role.district} alone are exact."
    st.caption(note)


def show_marking(role: Role | None = None) -> None:
    """The protective marking at the top of every page, in words (not colour alone).

    app.py calls this on every page, so it also adds the page-wide accessibility CSS."""
    st.html(PAGE_CSS)
    role = role or current_role()
    st.markdown(f"**{marking(role)}**: {protection_note(role)}.")


def presenting() -> bool:
    """Whether the session is in presentation mode: asked for by `?present=1` in the address
    (a link to a committee screen) or the sidebar's toggle, and kept from page to page."""
    if st.query_params.get(PRESENT_PARAM) == "1":
        st.session_state[PRESENT_PARAM] = True
    return bool(st.session_state.get(PRESENT_PARAM, False))


def _set_presenting(on: bool) -> None:
    st.session_state[PRESENT_PARAM] = on
    if on:
        st.query_params[PRESENT_PARAM] = "1"
    else:
        st.query_params.pop(PRESENT_PARAM, None)


def presentation_controls() -> None:
    """The toggle into presentation mode (in the sidebar) and, while presenting, the page-wide
    CSS, the address kept as `?present=1`, and a button back out (the sidebar is hidden)."""
    if not presenting():
        st.sidebar.toggle(
            "Presentation mode",
            value=False,
            key="present_toggle",
            on_change=lambda: _set_presenting(bool(st.session_state.get("present_toggle"))),
            help="For a committee screen: hides the sidebar and the controls and uses larger "
            "type. The figures stay the same.",
        )
        return
    st.html(PRESENT_CSS)
    st.query_params[PRESENT_PARAM] = "1"
    st.button(
        "Leave presentation mode",
        key="leave_presenting",
        on_click=_set_presenting,
        args=(False,),
        type="tertiary",
        icon=":material/close_fullscreen:",
    )


# --- Warehouse and queries --------------------------------------------------------------------
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


#: The analyst's record-level drill-down (queries/episode_records.sql).
RECORDS_QUERY = "episode_records"


def show_records(runner: QueryRunner, params: dict, download_name: str, key: str) -> None:
    """The early help episodes behind a figure, one row each (for analysts: the query is kept
    to them): how many there are, the list (capped, and saying so), and a CSV download marked
    OFFICIAL-SENSITIVE. Children appear only by their pseudonymised id."""
    records = query(runner, RECORDS_QUERY, params)
    if records.is_empty():
        st.info("No early help episodes match this selection.")
        return
    matching = int(records["matching"][0])
    if matching > records.height:
        st.warning(
            f"Showing the first {records.height:,} of {matching:,} matching episodes (the "
            "earliest started): the list stops there. Narrow the selection to see the others."
        )
    else:
        st.markdown(f"**{matching:,}** early help episode{'s' if matching != 1 else ''}.")
    table = display_table(records.drop("matching"))
    show_table(table, key=f"table-{key}")
    download_table(
        table, download_name, key=f"download-{key}", label="Download these records (CSV)"
    )


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


# --- Data quality: what this extract lacks (measures/quality.py) ---------------------------------
@st.cache_data(show_spinner=False, max_entries=8)
def _findings(warehouse: str, version: str) -> dict[str, quality.Finding]:
    return {f.key: f for f in quality.assess(_runner(warehouse, version))}


def data_quality(runner: QueryRunner) -> dict[str, quality.Finding]:
    """Each measure's finding for the runner's warehouse version, by key (cached per version).
    Empty when it cannot be worked out: the figures are then shown as they are."""
    try:
        return _findings(str(runner.version_dir.parent.parent), runner.version)
    except Exception:
        return {}


def _notice_markdown(finding: quality.Finding) -> str:
    """The finding's notice, with Data quality as a link to its page."""
    text = finding.notice or ""
    return text.replace("See Data quality.", "See [Data quality](data_quality).")


def measure_available(runner: QueryRunner, key: str) -> bool:
    """Call before drawing a chart: for a measure missing from this extract, says "Not in this
    extract: <field>. See Data quality." and returns False (leave the chart out: it would show
    zeros or "not recorded"); for a partial one, a short note, and True; else nothing, True."""
    finding = data_quality(runner).get(key)
    if finding is None or finding.status == quality.COMPLETE:
        return True
    if finding.status == quality.MISSING:
        st.info(_notice_markdown(finding), icon=":material/report:")
        return False
    st.caption(_notice_markdown(finding))
    return True


def metric_available(runner: QueryRunner, key: str, label: str) -> bool:
    """For a headline metric in a metric row: True to draw it; for a measure missing from this
    extract, a box the size of a metric with its label and the notice instead, and False.
    (Partial headlines are noted under the row: see partial_notes.)"""
    finding = data_quality(runner).get(key)
    if finding is None or finding.status != quality.MISSING:
        return True
    with st.container(border=True, width=METRIC_WIDTH_PX, height="stretch"):
        st.markdown(label)
        st.caption(_notice_markdown(finding))
    return False


def partial_notes(runner: QueryRunner, keys: Iterable[str]) -> None:
    """One caption under a row of headline metrics for those of its measures that are
    partial in this extract."""
    findings = data_quality(runner)
    notes = [
        f"**{findings[k].measure}**: {findings[k].note}"
        for k in keys
        if k in findings and findings[k].status == quality.PARTIAL
    ]
    if notes:
        st.caption("Partly recorded. " + " ".join(notes) + " See [Data quality](data_quality).")


# --- Sidebar ----------------------------------------------------------------------------------
#: The sidebar's place for the open page's filters, reserved by app.py on every run, under the
#: navigation and above the notes on the data. Kept in the session's state: a module global
#: would be shared by every session.
PAGE_CONTROLS_KEY = "page-controls"
_PAGE_CONTROLS_SLOT = "_page_controls"


def reserve_page_controls() -> None:
    """Keep a place in the sidebar, straight under the page list, for the page's filters."""
    st.session_state[_PAGE_CONTROLS_SLOT] = st.sidebar.container(key=PAGE_CONTROLS_KEY)


def page_controls():
    """Where a page puts the filters that choose its figures: in the sidebar, so that the
    first screen of the main column holds the headline figures and the main chart (a
    1366x768 projector has room for little else). Without app.py (a page run alone), the
    sidebar itself."""
    return st.session_state.get(_PAGE_CONTROLS_SLOT) or st.sidebar


def sidebar(runner: QueryRunner | None, reason: str | None = None) -> None:
    """Who is signed in and what the data covers; without a runner, why there is no data
    (`reason` from open_warehouse)."""
    with st.sidebar:
        if login_configured():
            user = st.user.to_dict()
            name = user.get("name") or user.get("email") or "signed in"
            st.markdown(f"**Signed in:** {name}, {role_label()}")
            st.button("Sign out", on_click=st.logout)
        else:
            st.markdown(f"**Demo mode:** {role_label()}")
        if runner is None:
            st.caption(
                "The data needs rebuilding." if needs_rebuild(reason) else "No warehouse loaded."
            )
            return
        try:
            first, last = coverage(runner)
            st.markdown(f"**Data covers** {charts.long_date(first)} to {charts.long_date(last)}")
        except QueryError:
            pass
        st.caption(f"Data loaded {charts.loaded_at(runner.manifest.get('created'))}")


# --- Figures, metrics, tables -----------------------------------------------------------------
def format_count(value: int | None) -> str:
    return disclosure.SUPPRESSED_SYMBOL if value is None else f"{value:,}"


def headline_metric(
    label: str,
    value: int | None,
    previous: int | None = None,
    *,
    help: str | None = None,
    target: tuple[kpis.Kpi, float | None] | None = None,
    width: int | None = None,
) -> None:
    """A big number, with its change against a previous figure when one is given.

    Rises and falls in demand are neither good nor bad, so the change is grey with an arrow.
    Keep the label short (about 22 characters): a metric label does not wrap. Say what the
    change is measured against in the text around the metrics. A suppressed value shows 'c'.
    With `target` (a strategy KPI and the figure to judge), the tile also shows the KPI's
    status and target (see metric_tile).
    """
    delta = None
    if value is not None and previous is not None:
        change = value - previous
        percent = f" ({change / previous:+.0%})" if previous else ""
        delta = f"{change:+,}{percent}"
    metric_tile(label, format_count(value), delta=delta, help=help, target=target, width=width)


def metric_tile(
    label: str,
    shown: str,
    *,
    delta: str | None = None,
    help: str | None = None,
    target: tuple[kpis.Kpi, float | None] | None = None,
    width: int | None = None,
) -> None:
    """One headline tile: the figure as shown, its change (grey: neither good nor bad), and,
    with `target` (a strategy KPI and the figure to judge against it), the KPI's status in
    colour, symbol and word, with the target under it, inside the tile. Pass a target only
    when the tile counts what the KPI counts (the KPI's area and its 12 months): a target for
    the whole borough says nothing about one age band. The status is decided on the figure
    rounded as the KPI shows it, as on the Scorecard."""
    # A comparison ('Borough: 1,110') is not a change, and no change ('+0') neither goes up
    # nor down: no arrow.
    still = delta is not None and re.match(r"[+-]0(\.0+)?(?![\d.,])", delta)
    arrow = "off" if delta is not None and (delta[:1] not in "+-" or still) else "auto"
    if target is None:
        width = width or METRIC_WIDTH_PX
        st.metric(
            label,
            shown,
            delta=delta,
            delta_color="off",
            delta_arrow=arrow,
            help=help,
            border=True,
            height="stretch",
            width=width,
        )
        return
    width = width or TARGET_TILE_WIDTH_PX
    kpi, value = target
    status = kpi.status(None if value is None else round(value, kpi.decimals))
    with st.container(border=True, width=width, height="stretch", gap=None, key=_tile_key(label)):
        st.metric(label, shown, delta=delta, delta_color="off", delta_arrow=arrow, help=help)
        st.markdown(
            f":{kpis.BADGE_COLOURS[status]}-badge[{kpis.status_text(status)}] "
            f":small[target\u00a0{kpi.target_compact()}]"
        )


#: The key of a tile with a status starts with this (PAGE_CSS keeps it as compact as a metric).
TILE_KEY = "tile-"


def _tile_key(label: str) -> str:
    return TILE_KEY + _name_part(label)


def strategy_kpi(runner: QueryRunner, kpi_id: str) -> kpis.Kpi | None:
    """The strategy KPI `kpi_id` from the KPI definitions, or None when there is no such KPI
    or the definitions cannot be used (the Scorecard says why)."""
    try:
        kpi_set = kpis.load_kpis(kpis.kpis_file(), runner.queries)
    except kpis.KpiFileError:
        return None
    return next((k for k in kpi_set.kpis if k.id == kpi_id), None)


def metric_row():
    """A row of headline metrics that wraps onto a second row on a narrow screen or projector,
    instead of cutting the numbers off."""
    return st.container(horizontal=True, gap="small")


def display_table(
    frame: pl.DataFrame,
    count_columns: Iterable[str] = (),
    statistics: dict[str, tuple[str, ...]] | None = None,
) -> pl.DataFrame:
    """The frame as the user sees it: readable headers; suppressed counts shown as 'c', and so
    are statistics (medians, averages, percentages; each mapped to the counts it is worked out
    from) withheld because one of those counts is."""
    suppressed = [c for c in count_columns if c in frame.columns and frame[c].null_count()]
    table = mark_withheld(frame, statistics or {})
    if suppressed:
        table = disclosure.as_display_text(table, suppressed)
    return table.rename({c: _header(c) for c in table.columns})


def mark_withheld(frame: pl.DataFrame, statistics: dict[str, tuple[str, ...]]) -> pl.DataFrame:
    """Statistics withheld because a count they are worked out from is withheld, as 'c' (their
    column becomes text); every other value as it is. For a table whose counts are left out
    (or renamed) before it is shown: mark it first, then select."""
    withheld = disclosure.withheld_statistics(frame, statistics)
    if not withheld:
        return frame
    return disclosure.as_display_text(frame, [], {name: statistics[name] for name in withheld})


def statistic_text(
    value: float | None, bases: Iterable[int | None], formatter: Callable[[float], str]
) -> str:
    """A statistic for a metric or a sentence: 'c' when it is withheld because a count it is
    worked out from is (a null base), `formatter(value)` otherwise (which says 'none' when there
    is nothing to work out)."""
    if value is None and any(base is None for base in bases):
        return disclosure.SUPPRESSED_SYMBOL
    return formatter(value)


#: How numbers are written in every table: counts as whole numbers, and rates, percentages,
#: medians and averages to one decimal place, all with thousands separators (583.0 beside 505.1,
#: never 583 beside 505.1).
COUNT_FORMAT, DECIMAL_FORMAT = "%,d", "%,.1f"


def status_table(table: pl.DataFrame, status_columns: Iterable[str], alt: str) -> None:
    """A static table whose status cells are filled with their status's colour (red, amber,
    green, with their symbol and word in the cell), so a status reads across a room."""

    def fill(cell: object) -> str:
        status = kpis.status_of_text(cell)
        if status is None:
            return ""
        background, text = kpis.STATUS_FILLS[status]
        return f"background-color: {background}; color: {text}; font-weight: 600"

    styled = table.to_pandas().style.map(fill, subset=list(status_columns))
    st.table(styled, hide_index=True, alt=alt)


def show_table(table: pl.DataFrame, key: str | None = None) -> None:
    """An accessible table: numbers in the fixed formats above, no index column."""
    number_columns = {
        name: st.column_config.NumberColumn(
            format=COUNT_FORMAT if dtype.is_integer() else DECIMAL_FORMAT
        )
        for name, dtype in table.schema.items()
        if dtype.is_numeric()
    }
    st.dataframe(table, hide_index=True, column_config=number_columns, key=key)


def _header(column: str) -> str:
    """A column's heading in words: per_10000 is 'per 10,000', a _pct column is '(%)'."""
    text = re.sub(r"\b10000\b", "10,000", column.replace("_", " ").strip())
    text = re.sub(r"\bpct\b", "%", re.sub(r"\s*\bpct$", " (%)", text))
    return text[:1].upper() + text[1:]


#: The key of each chart's "Show data as a table" expander starts with this.
DATA_TABLE_KEY = "data-"


def cached_figure(build: Callable[..., go.Figure], *args, **kwargs) -> go.Figure:
    """`build(*args, **kwargs)`, kept for the same builder and arguments (frames included).

    Plotly takes 30 to 50 ms to build a chart with event markers; a user going back to a
    selection, as a board does when comparing districts, gets it at once. The figure is
    shared, so nothing may change it after it is built (chart_with_data does not).
    """
    key = hashlib.sha1(
        pickle.dumps((build.__module__, build.__qualname__, args, sorted(kwargs.items())))
    ).hexdigest()
    return _built_figure(key, build, args, kwargs)


@st.cache_resource(show_spinner=False, max_entries=256)
def _built_figure(key: str, _build: Callable[..., go.Figure], _args: tuple, _kwargs: dict):
    return _build(*_args, **_kwargs)


def chart_with_data(
    fig: go.Figure,
    frame: pl.DataFrame,
    alt_text: str | None = None,
    download_name: str = "data",
    *,
    count_columns: Iterable[str] = (),
    note: str | None = None,
    statistics: dict[str, tuple[str, ...]] | None = None,
) -> None:
    """The chart (its alt text its accessible name), and its data as a table with a CSV download.

    The CSV holds exactly the table shown (same rows, columns, headers and 'c' symbols).
    `statistics` maps each median, average or percentage column of `frame` to the counts it is
    worked out from, so one withheld with them is shown as 'c' too. A chart that would draw
    nothing (every value withheld, or none at all) is replaced by a sentence saying so.
    """
    alt = alt_text or charts.alt_text(fig)
    count_columns = list(count_columns)
    role = current_role()
    empty = charts.nothing_to_draw(
        fig, frame, count_columns, statistics, protected=not role.exact_everywhere
    )
    if empty:
        st.info(empty, icon=":material/visibility_off:")
    else:
        # The alt text is the chart's accessible name for screen readers; it is not printed
        # under the chart as well (the title and subtitle say what it shows to a sighted
        # reader), and the disclosure note is said once, at the foot of the page.
        st.plotly_chart(
            charts.browser_figure(fig),
            theme=None,
            alt=alt,
            config=_PLOTLY_CONFIG,
            key=f"chart-{download_name}",
        )
    if note:
        st.markdown(note)
    table = display_table(frame, count_columns, statistics)
    # Drawn only when opened: a table under every chart made the browser load and draw a data
    # grid per chart before the page was usable, which made every page slower to answer.
    data = st.expander(
        "Show data as a table", key=f"{DATA_TABLE_KEY}{download_name}", on_change="rerun"
    )
    if data.open:
        with data:
            show_table(table, key=f"table-{download_name}")
            download_table(table, download_name)


#: What this run's CSVs are named after: [page, *selection], as name parts (see name_downloads).
_DOWNLOAD_NAMING = "_download_naming"


def _name_part(text: str) -> str:
    """'North, aged 5-9' -> 'north-aged-5-9': a part of a file name any system accepts."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def name_downloads(page: str, *selection: str | None) -> None:
    """Name every CSV the page offers after the page and the selection that chose its figures
    (the filters a person set, in words: 'North', 'aged 5-9'; None for a filter left at its
    default), so that a saved file says what it holds: 'demand_referrals_per_month_north.csv'.
    app.py names the page on every run; a page with filters calls this again with them."""
    parts = [page, *(_name_part(s) for s in selection if s)]  # a page's url path is safe
    st.session_state[_DOWNLOAD_NAMING] = [p for p in parts if p]


def download_file_name(name: str) -> str:
    """The file name (without extension) of a table's CSV: the page, the table's own name
    and the selection (name_downloads); the page is not repeated when `name` starts with it."""
    page, *selection = st.session_state.get(_DOWNLOAD_NAMING) or [""]
    stem = name if not page or name == page or name.startswith(f"{page}_") else f"{page}_{name}"
    return "_".join([stem, *selection])


def download_table(
    table: pl.DataFrame,
    name: str,
    key: str | None = None,
    label: str = "Download this table (CSV)",
) -> None:
    """A CSV of exactly the table shown, except that a text cell a spreadsheet would run as a
    formula (a team named `=1+2`) starts with a quote (earlyhelp.core.csv_safe); named as
    `_download`
    names every file."""
    _download(
        label,
        csv_safe.to_csv(table),
        f"{download_file_name(name)}.csv",
        "text/csv",
        key or f"download-{name}",
    )


def _download(label: str, data: str | bytes, file_name: str, mime: str, key: str) -> None:
    """The one download button: exact figures carry their marking at the front of the file name,
    so a saved file says what it is wherever it ends up."""
    role = current_role()
    prefix = f"{marking(role)}_" if role.exact_counts else ""
    st.download_button(
        label, data=data, file_name=f"{prefix}{file_name}", mime=mime, on_click="ignore", key=key
    )


# --- Committee pack -----------------------------------------------------------------------------
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PACK_FORMATS = {"PDF": ("pdf", "application/pdf"), "PowerPoint": ("pptx", PPTX_MIME)}


def build_pack_files(
    runner: QueryRunner,
    role: Role,
    *,
    sections: list[str],
    district: str | None,
    title: str,
    meeting: dt.date,
    demand_filters: dict | None = None,
) -> tuple[dict[str, bytes], str, int] | None:
    """The pack as a PDF and a PowerPoint file (label -> bytes), its marking and its number of
    charts, built with its progress shown; None, with the reason shown, when it cannot be.

    Built on this session's own thread (Streamlit runs each session on one), with its own DuckDB
    cursor (QueryRunner), so other people's pages are not held up while it builds."""
    from earlyhelp.presentation import (
        pack,  # weasyprint and python-pptx: loaded only when a pack is built
    )

    files = {}
    with st.status("Building the committee pack...", expanded=True) as status:
        try:
            content = pack.build_content(
                runner,
                role,
                sections_wanted=sections,
                district=district,
                title=title,
                meeting_date=meeting,
                progress=st.write,
                demand_filters=demand_filters,
            )
            with tempfile.TemporaryDirectory() as folder:
                for label, (suffix, _) in PACK_FORMATS.items():
                    out = Path(folder) / f"pack.{suffix}"
                    pack.write(content, out, progress=st.write)
                    files[label] = out.read_bytes()
        except QueryError as exc:
            status.update(label="The pack could not be built", state="error")
            st.error(str(exc))
            return None
        status.update(label="The committee pack is ready", state="complete", expanded=False)
    return files, content.marking, len(content.charts)


def pack_download_buttons(
    files: dict[str, bytes], *, stem: str, meeting: dt.date, key: str
) -> None:
    """A download button for each of the pack's files; exact figures carry their marking in the
    file name, as the CSVs do."""
    with st.container(horizontal=True, gap="small"):
        for label, (suffix, mime) in PACK_FORMATS.items():
            _download(
                f"Download the {label} ({len(files[label]) / 1_000_000:.1f} MB)",
                files[label],
                f"{stem}_{meeting.isoformat()}.{suffix}",
                mime,
                f"{key}-{suffix}",
            )


def page_pack(
    runner: QueryRunner,
    section: str,
    *,
    district: str | None = None,
    demand_filters: dict | None = None,
) -> None:
    """A button that makes a committee pack of this page alone (its section of the Committee
    pack page's pack, for the same selection), then offers the PDF and the PowerPoint file.
    Not shown in presentation mode."""
    if presenting():
        return
    from earlyhelp.presentation import pack

    role = current_role()
    state = f"page_pack_{section}"
    requested = f"{state}_requested"
    today = dt.date.today()
    choices = (district, tuple((demand_filters or {}).items()), str(role), runner.version)
    # The click is kept by its callback, which runs before the script (as on the pack page).
    st.button(
        "Committee pack of this page",
        key=f"build-{state}",
        icon=":material/slideshow:",
        on_click=lambda: st.session_state.update({requested: True}),
        help="This page's figures as a PDF paper and a PowerPoint deck for a committee, with "
        "the same disclosure control and marking. The Committee pack page builds several "
        "pages at once.",
    )
    if st.session_state.pop(requested, False):
        built = build_pack_files(
            runner,
            role,
            sections=[section],
            district=district,
            title=f"{pack.DEFAULT_TITLE}: {pack.SECTIONS[section]}",
            meeting=today,
            demand_filters=demand_filters,
        )
        if built is not None:
            st.session_state[state] = (choices, built[0], built[1])
    kept = st.session_state.get(state)
    if kept and kept[0] == choices:
        pack_download_buttons(kept[1], stem=f"{section}_pack", meeting=today, key=state)
