"""A role kept to one district (`district:X`, `manager:X`) never gets another district's rows
(issue 18, point 1), for every named query in queries/ and every page, so that a query or a page
added later is covered without anyone remembering to list it.

Two checks, neither of which trusts the queries' own headers:

- **What the rows say.** No cell of any result names another district, and a `district` column
  holds only the role's own district and 'Borough'.
- **What the rows are made of.** A second warehouse is built in which every other district's
  children are there twice (their episodes, contacts, social care referrals, involvements and
  population copied under new ids), and nothing of district X changes. A row of X (its
  `district` is X, or the query was asked for X, or it names a team, organisation or worker)
  must come out the same from both warehouses for X's manager, who sees X exactly: a team's row
  that counted other districts' children, or a district's row that mixed them in, would change.
  Whole-borough rows (no district, no team, organisation or worker) change, as they should.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from earlyhelp.core.errors import QueryError
from earlyhelp.load.ingest import ingest
from earlyhelp.load.warehouse import current_version_dir
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner, load_queries
from tests.apptest import RUN_TIMEOUT, figures, run_cli
from tests.test_pages import PAGES
from tests.test_pages_small_warehouses import lazy_tabs
from tests.test_roles import signed_in_app

QUERIES = load_queries()
BOROUGH = "Borough"
COPY = "~copy"  # the suffix of a copied id: never the form of a stored id


# --- The warehouse with every other district's children twice ------------------------------------
def _copied(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    return frame.with_columns((pl.col(c) + COPY).alias(c) for c in columns if c in frame.columns)


def _others_twice(tables: Path, district: str, out: Path) -> None:
    """The canonical tables of `tables` with every child not of `district` there twice."""
    read = {p.stem: pl.read_parquet(p) for p in tables.glob("*.parquet")}
    out.mkdir(parents=True)

    def other(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("district").ne_missing(district))

    episodes, contacts = read["early_help_episodes"], read["contacts"]
    referrals = read["cin_referrals"]
    copied_episodes = other(episodes)
    copied_referrals = other(referrals)
    involvements = read["involvements"]
    copied_involvements = involvements.filter(
        pl.col("episode_id").is_in(copied_episodes["episode_id"].implode())
        | pl.col("referral_id").is_in(copied_referrals["referral_id"].implode())
    )
    copied_children = set(copied_episodes["child_id"]) | set(copied_referrals["child_id"])
    copied_children |= set(other(contacts)["child_id"])
    children = read["children"]
    population = read["population"]
    written = {
        "early_help_episodes": pl.concat(
            [episodes, _copied(copied_episodes, ["episode_id", "child_id"])]
        ),
        "contacts": pl.concat([contacts, _copied(other(contacts), ["contact_id", "child_id"])]),
        "cin_referrals": pl.concat(
            [referrals, _copied(copied_referrals, ["referral_id", "child_id"])]
        ),
        "involvements": pl.concat(
            [
                involvements,
                _copied(
                    copied_involvements,
                    ["involvement_id", "child_id", "episode_id", "referral_id"],
                ),
            ]
        ),
        "children": pl.concat(
            [
                children,
                _copied(
                    children.filter(pl.col("child_id").is_in(list(copied_children))), ["child_id"]
                ),
            ]
        ),
        "population": population.with_columns(
            pl.when(pl.col("district") == district)
            .then(pl.col("children"))
            .otherwise(pl.col("children") * 2)
            .alias("children")
        ),
    }
    for name, frame in read.items():
        written.get(name, frame).write_parquet(out / f"{name}.parquet")


@pytest.fixture(scope="session")
def base(demo_warehouse) -> QueryRunner:
    return QueryRunner.open(demo_warehouse)


@pytest.fixture(scope="session")
def districts(base) -> list[str]:
    known = base.run("districts", role=Role.parse("analyst"))["district"].to_list()
    assert len(known) >= 2
    return known


@pytest.fixture(scope="session")
def others_twice(tmp_path_factory, demo_warehouse):
    """For a district, a runner on the warehouse with every other district's children twice
    (built once per district, on first use)."""
    built: dict[str, QueryRunner] = {}
    tables = current_version_dir(demo_warehouse) / "tables"

    def runner_for(district: str) -> QueryRunner:
        if district not in built:
            folder = tmp_path_factory.mktemp("others_twice")
            _others_twice(tables, district, folder / "extract")
            ingest([folder / "extract"], folder / "warehouse")
            built[district] = QueryRunner.open(folder / "warehouse")
        return built[district]

    return runner_for


# --- Every query, every way of asking ----------------------------------------------------------
def _last_date(runner: QueryRunner) -> date:
    coverage = {row["table_name"]: row for row in runner.manifest["coverage"]}
    return date.fromisoformat(str(coverage["early_help_episodes"]["last_date"])[:10])


def _choices(description: str) -> list[str]:
    """The quoted options a text parameter's description lists: 'level' (default), 'district'."""
    return re.findall(r"'([a-z_]+)'", description)


def asked(runner: QueryRunner, name: str, district: str) -> list[dict]:
    """Each way to ask a query: its required dates, with and without the district, and each
    option a choosing parameter (`by`) lists. Dates are given, never defaulted from the data,
    so both warehouses are asked for the same period."""
    query = QUERIES[name]
    last = _last_date(runner)
    dates = {"as_of": last, "from": last - timedelta(days=365), "to": last}
    base = {
        p.name: dates[p.name]
        for p in query.parameters.values()
        if p.kind == "date" and p.name in dates and (p.required or p.name in ("from", "to"))
    }
    # A required choice (demand_selection's measure and period) starts at its first option.
    for parameter in query.parameters.values():
        if parameter.kind == "text" and parameter.required:
            base[parameter.name] = _choices(parameter.description)[0]
    variants = [base]
    for parameter in query.parameters.values():
        if parameter.kind == "text" and parameter.name != "district":
            for choice in _choices(parameter.description):
                variants.append({**base, parameter.name: choice})
    if "district" in query.parameters:
        variants += [{**v, "district": district} for v in list(variants)]
    return variants


def _text_cells(frame: pl.DataFrame) -> set[str]:
    cells: set[str] = set()
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            cells |= set(frame[name].drop_nulls().to_list())
    return cells


def _units(runner: QueryRunner) -> set[str]:
    """Every team, organisation and worker name or label in the warehouse: a cell holding one
    makes its row a team's, an organisation's or a worker's, which can hold many districts'."""
    tables = runner.version_dir / "tables"
    found: set[str] = set()
    for table, columns in {
        "involvements": ["team"],
        "early_help_episodes": ["organisation"],
        "workers": ["worker_name", "department"],
        "teams": ["team_name"],
    }.items():
        frame = pl.read_parquet(tables / f"{table}.parquet")
        for column in columns:
            found |= set(frame[column].drop_nulls().to_list())
    marts = runner.version_dir / "marts"
    found |= set(
        pl.read_parquet(marts / "mart_caseload_workers.parquet")["worker_label"].drop_nulls()
    )
    return found - {""}


def _rows_of(frame: pl.DataFrame, district: str, params: dict, units: set[str]) -> pl.DataFrame:
    """The rows of a result that are the district's: its own rows by district, every row when
    the query was asked for the district or names a team, organisation or worker; none when the
    rows are whole-borough figures."""
    if "district" in frame.columns:
        return frame.filter(pl.col("district") == district)
    if params.get("district") == district or _text_cells(frame) & units:
        return frame
    return frame.clear()


def _check_says_nothing_of_others(frame, name, params, role, others) -> None:
    if "district" in frame.columns:
        shown = set(frame["district"].to_list())
        assert shown <= {role.district, BOROUGH}, (name, params, str(role), shown)
    named = _text_cells(frame) & others
    assert not named, (name, params, str(role), named)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_no_query_gives_a_district_role_another_districts_rows(name, base, districts, others_twice):
    units = _units(base)
    for district in districts:
        others = set(districts) - {district}
        doubled = others_twice(district)
        for kind in ("district", "manager"):
            role = Role.parse(f"{kind}:{district}")
            for params in asked(base, name, district):
                try:
                    frame = base.run(name, params, role)
                except QueryError as refused:
                    # Kept to other roles (named workers for managers, records for analysts).
                    assert QUERIES[name].roles and kind not in QUERIES[name].roles, refused
                    continue
                _check_says_nothing_of_others(frame, name, params, role, others)
                if kind != "manager" or district not in (districts[0], districts[-1]):
                    # The copies need an ingest per district: two districts (the first and
                    # the last) keep the suite's time down; every district is checked above.
                    continue
                # X's manager sees X's rows exactly: with every other district's children twice
                # they must not move.
                mine = _rows_of(frame, district, params, units)
                again = _rows_of(doubled.run(name, params, role), district, params, units)
                assert mine.equals(again), (name, params, district, mine, again)


def test_the_check_catches_a_team_counted_over_every_district(base, districts, others_twice):
    """The check is not vacuous: the team query asked for the borough, as it was before this
    issue, gives a row per team that other districts' children move."""
    district = districts[0]
    params = {"as_of": _last_date(base)}
    analyst = Role.parse("analyst")
    before = base.run("caseload_by_team", params, analyst)
    after = others_twice(district).run("caseload_by_team", params, analyst)
    units = _units(base)
    assert _text_cells(before) & units, "team rows are recognised as teams"
    assert not before.equals(after), "the other districts' copies move a borough-wide team row"
    mine = base.run("caseload_by_team", params, Role.parse(f"manager:{district}"))
    again = others_twice(district).run(
        "caseload_by_team", params, Role.parse(f"manager:{district}")
    )
    assert mine.equals(again) and mine["open_cases"].sum() < before["open_cases"].sum()


@pytest.mark.parametrize("kind", ["district", "manager"])
def test_asking_for_another_district_is_refused(base, districts, kind):
    own, other = districts[0], districts[1]
    role = Role.parse(f"{kind}:{own}")
    for name, query in QUERIES.items():
        if "district" not in query.parameters or (query.roles and kind not in query.roles):
            continue
        params = {**asked(base, name, own)[0], "district": other}
        with pytest.raises(QueryError, match=f"sees {own} and the whole borough, not {other}"):
            base.run(name, params, role)


@pytest.mark.parametrize("kind", ["district", "manager"])
def test_the_cli_refuses_another_districts_figures(demo_warehouse, districts, kind):
    own, other = districts[0], districts[1]
    role = f"{kind}:{own}"
    for args in (
        ["query", "outcomes_closures", "--param", f"district={other}"],
        ["kpis", "--district", other],
    ):
        done = run_cli(*args, "--warehouse", demo_warehouse, "--role", role)
        assert done.returncode == 2 and done.stdout == "", (args, done.stdout, done.stderr)
        assert (
            done.stderr == f"error: the {role} role sees {own} and the whole borough, not {other}\n"
        )
    by_district = run_cli(
        "query",
        "outcomes_closures",
        "--param",
        "by=district",
        "--warehouse",
        demo_warehouse,
        "--role",
        role,
    )
    assert by_district.returncode == 0, by_district.stderr
    assert other not in by_district.stdout and own in by_district.stdout
    kpis = run_cli("kpis", "--district", own, "--warehouse", demo_warehouse, "--role", role)
    assert kpis.returncode == 0 and f"Strategy KPIs for {own}" in kpis.stdout, kpis.stderr


# --- Every page ----------------------------------------------------------------------------------
def _strings(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def _page_shows(at) -> set[str]:
    """Every text a page puts in its tables, charts and choices, on each of its views (the tabs
    drawn only when open: Demand's, Caseloads', Front door and pathways'), with each choice of
    a radio that compares districts taken (Pathways: "Compare outcomes by District")."""
    shown = _shown_with_every_radio(at)
    for key, labels in lazy_tabs(at):
        first = at.session_state[key]
        for label in labels:
            if label == first:
                continue
            at.session_state[key] = label
            at.run()
            shown |= _shown_with_every_radio(at)
        at.session_state[key] = first
    return shown


def _shown_with_every_radio(at) -> set[str]:
    shown = _shown_once(at)
    for radio in at.radio:
        if "District" in radio.options and radio.value != "District":
            shown |= _shown_once(radio.set_value("District").run())
    return shown


def _shown_once(at) -> set[str]:
    assert not at.exception, [e.value for e in at.exception]
    shown: set[str] = set()
    for table in at.dataframe:
        shown |= _text_cells(pl.from_pandas(table.value.reset_index(drop=True)).cast(pl.String))
    for figure in figures(at):
        shown |= _strings(figure.get("data", []))
    for widget in (*at.selectbox, *at.radio, *at.multiselect):
        shown |= {str(option) for option in widget.options}
    return shown


@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_a_district_role_another_district(with_demo, districts, page):
    roles = [("District", d) for d in districts] + [("Manager", districts[0])]
    for kind, district in roles:
        at = signed_in_app(
            {"email": "x@council.gov.uk", "roles": [f"EarlyHelp.{kind}.{district}"]}, page
        )
        assert not at.exception, [e.value for e in at.exception]
        at.default_timeout = RUN_TIMEOUT
        named = _page_shows(at) & (set(districts) - {district})
        assert not named, (page, kind, district, named)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/pathways.py", "pages/caseloads.py"])
def test_the_page_check_sees_districts_where_a_page_shows_them(with_demo, districts, page):
    """Not vacuous: for the whole service's manager the same pages do name every district."""
    at = signed_in_app({"email": "m@council.gov.uk", "roles": ["EarlyHelp.Manager"]}, page)
    if page != "pages/overview.py":
        assert lazy_tabs(at), f"{page}: the check opens each of its tabs"
    assert set(districts) <= _page_shows(at), page


# --- Children whose district is not known -------------------------------------------------------
@pytest.fixture(scope="module")
def with_unknown_district(tmp_path_factory) -> QueryRunner:
    """A tiny borough in which child 41 has no address, so their episode, contact and referral
    are counted under 'Not known': rows that may be any district's children."""
    from tests.test_pathways import build, contact, episode, referral

    return build(
        tmp_path_factory.mktemp("unknown_district"),
        episodes=[
            episode("N1", 1, "2024-01-10", "2024-03-01", "Outcomes met"),
            episode("S1", 21, "2024-01-12"),
            episode("U1", 41, "2024-01-15", "2024-02-20", "Step-up"),
        ],
        contacts=[
            contact("C1", 1, "2024-01-08", "2024-01-09"),
            contact("C2", 41, "2024-01-11", None),
        ],
        cin=[referral("R1", 41, "2024-02-22", "5D")],
    )


@pytest.mark.parametrize("kind", ["district", "manager"])
def test_a_district_role_never_gets_the_not_known_rows(with_unknown_district, kind):
    runner = with_unknown_district
    analyst_rows = set()
    role = Role.parse(f"{kind}:North")
    for name in sorted(QUERIES):
        for params in asked(runner, name, "North"):
            try:
                frame = runner.run(name, params, role)
            except QueryError:
                assert QUERIES[name].roles and kind not in QUERIES[name].roles
                continue
            if "district" in frame.columns:
                assert set(frame["district"].to_list()) <= {"North", BOROUGH}, (name, params)
                everything = runner.run(name, params, Role.parse("analyst"))
                analyst_rows |= set(everything["district"].to_list())
    assert "Not known" in analyst_rows, "the check sees a 'Not known' row where one is shown"
