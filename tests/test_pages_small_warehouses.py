"""Every page, every tab, on warehouses far smaller than the demo borough (issue 18, point 6).

A council's first extract may be a few weeks of one district, or a few hundred episodes spread
over five districts and two years, so that nearly every count a board member sees is 1 to 5 and
withheld. Each page must still run without an exception and say in words where a figure has
nothing to show, never drawing an empty chart or zeros for withheld values.

The warehouses are cut from the demo borough's published tables (canonical Parquet, which the
ingest reads as it reads a warehouse's tables/ folder), so they keep the demo's shapes (workers,
involvements, districts, the population) at a fraction of its size:

- tiny: 20 episodes, 25 contacts and 6 social care referrals from January to 20 March 2026
  (the last month not complete);
- one district: everything the demo has for North alone;
- withheld: 300 episodes, 400 contacts and 120 social care referrals over five districts and
  24 months (about one episode per district a month);
- episodes only: 150 episodes over 24 months and nothing else (no contacts, no social care
  referrals, no workers or involvements, no population).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from earlyhelp import ui
from earlyhelp.load.ingest import ingest
from earlyhelp.load.warehouse import current_version_dir
from earlyhelp.measures import kpis
from earlyhelp.presentation import charts, kpi_charts
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from tests.apptest import open_app
from tests.test_pages import PAGES

LAST_DAY = dt.date(2026, 3, 31)  # the demo borough's last day of data
TINY_LAST_DAY = dt.date(2026, 3, 20)  # part way through a month: its last month is not complete
SEED = 18


def _demo_tables(warehouse: Path) -> dict[str, pl.DataFrame]:
    folder = current_version_dir(warehouse) / "tables"
    return {p.stem: pl.read_parquet(p) for p in folder.glob("*.parquet")}


def _between(
    frame: pl.DataFrame, column: str, months: int, last: dt.date = LAST_DAY
) -> pl.DataFrame:
    """The rows whose date falls in the `months` calendar months up to `last`."""
    month_index = last.year * 12 + last.month - months
    first = dt.date(month_index // 12, month_index % 12 + 1, 1)
    return frame.filter(pl.col(column).is_between(first, last))


def _sample(frame: pl.DataFrame, n: int) -> pl.DataFrame:
    return frame.sample(n=min(n, frame.height), seed=SEED)


def _write_extract(
    demo: dict[str, pl.DataFrame],
    folder: Path,
    episodes: pl.DataFrame,
    contacts: pl.DataFrame | None = None,
    referrals: pl.DataFrame | None = None,
    *,
    casework: bool = True,
    districts: list[str] | None = None,
) -> Path:
    """Canonical Parquet for the given episodes, contacts and social care referrals, with the
    children, involvements, workers, teams and population that go with them."""
    folder.mkdir(parents=True)
    tables = {"early_help_episodes": episodes}
    if contacts is not None:
        tables["contacts"] = contacts
    if referrals is not None:
        tables["cin_referrals"] = referrals
    if casework:
        referral_ids = [] if referrals is None else referrals["referral_id"].to_list()
        involvements = demo["involvements"].filter(
            pl.col("episode_id").is_in(episodes["episode_id"].implode())
            | pl.col("referral_id").is_in(referral_ids)
        )
        tables["involvements"] = involvements
        tables["workers"] = demo["workers"].filter(
            pl.col("worker_id").is_in(involvements["worker_id"].implode())
        )
        tables["teams"] = demo["teams"]
        population = demo["population"]
        if districts is not None:
            population = population.filter(pl.col("district").is_in(districts))
        tables["population"] = population
    children = pl.concat([t.select("child_id") for t in tables.values() if "child_id" in t.columns])
    tables["children"] = demo["children"].filter(
        pl.col("child_id").is_in(children["child_id"].implode())
    )
    for name, frame in tables.items():
        frame.write_parquet(folder / f"{name}.parquet")
    return folder


def _published(tmp_path_factory, name: str, extract: Path) -> Path:
    warehouse = tmp_path_factory.mktemp(f"{name}_warehouse")
    ingest([extract], warehouse)
    return warehouse


@pytest.fixture(scope="session")
def small_warehouses(tmp_path_factory, demo_warehouse) -> dict[str, Path]:
    demo = _demo_tables(demo_warehouse)
    made = tmp_path_factory.mktemp("small_extracts")
    episodes, contacts, referrals = (
        demo["early_help_episodes"],
        demo["contacts"],
        demo["cin_referrals"],
    )
    extracts = {
        "tiny": _write_extract(
            demo,
            made / "tiny",
            _sample(_between(episodes, "start_date", 3, TINY_LAST_DAY), 20),
            _sample(_between(contacts, "contact_date", 3, TINY_LAST_DAY), 25),
            _sample(_between(referrals, "referral_date", 3, TINY_LAST_DAY), 6),
        ),
        "one district": _write_extract(
            demo,
            made / "one_district",
            episodes.filter(pl.col("district") == "North"),
            contacts.filter(pl.col("district") == "North"),
            referrals.filter(pl.col("district") == "North"),
            districts=["North"],
        ),
        "withheld": _write_extract(
            demo,
            made / "withheld",
            _sample(_between(episodes, "start_date", 24), 300),
            _sample(_between(contacts, "contact_date", 24), 400),
            _sample(_between(referrals, "referral_date", 24), 120),
        ),
        "episodes only": _write_extract(
            demo,
            made / "episodes_only",
            _sample(_between(episodes, "start_date", 24), 150),
            casework=False,
        ),
    }
    return {
        name: _published(tmp_path_factory, name.replace(" ", "_"), extract)
        for name, extract in extracts.items()
    }


# --- Running a page ---------------------------------------------------------------------------
WAREHOUSES = ("tiny", "one district", "withheld", "episodes only")
#: board and a district see protected figures (most withheld here); the analyst sees exact ones.
ROLES = ("board", "district", "analyst")


@pytest.fixture
def use(small_warehouses, monkeypatch):
    """Point the app at one of the small warehouses, as one role ('district' is the district
    role of the warehouse's first district)."""

    def use(warehouse: str, role: str) -> str:
        path = small_warehouses[warehouse]
        monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(path))
        monkeypatch.delenv("EARLYHELP_KPIS", raising=False)
        if role == "district":
            role = f"district:{_districts(path)[0]}"
        monkeypatch.setattr(ui.session, "DEMO_ROLE", role)
        return role

    return use


def _districts(warehouse: Path) -> list[str]:
    runner = QueryRunner.open(warehouse)
    return runner.run("districts", role=Role.parse("analyst"))["district"].to_list()


def open_page(page: str) -> AppTest:
    return open_app(None if page == PAGES[0] else page)


def lazy_tabs(at: AppTest) -> list[tuple[str, list[str]]]:
    """Each set of tabs on the page that draws only its open tab (st.tabs with a key, like the
    Demand page's views), as (key, labels). Other tabs draw every tab on every run, so
    running the page once draws them all."""
    found = []

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            proto = getattr(child, "proto", None)
            if type(child).__name__ == "Block" and proto.WhichOneof("type") == "tab_container":
                key = proto.tab_container.query_param_key or proto.id.rsplit("-", 1)[-1]
                if key in at.session_state:
                    found.append((key, [tab.label for tab in child.children.values()]))
            walk(child)

    walk(at._tree)
    return found


def check(at: AppTest, where: str) -> None:
    """No exception and no error; every chart drawn has something to draw (a figure with no
    value, or only withheld ones, is a sentence instead: charts.nothing_to_draw)."""
    assert not at.exception, (where, [e.value for e in at.exception])
    assert not at.error, (where, [e.value for e in at.error])
    for chart in at.get("plotly_chart"):
        figure = go.Figure(json.loads(chart.proto.spec))
        assert charts.plotted_values(figure), (where, charts.title_text(figure), "empty chart")
        assert chart.proto.alt, (where, charts.title_text(figure), "no alt text")
    for notice in at.info:
        if charts.ALL_WITHHELD in notice.value or charts.NO_VALUES in notice.value:
            assert notice.value.startswith("**"), (where, "names the figure", notice.value)


def every_view(at: AppTest, where: str) -> int:
    """Check the page, then open each tab that is drawn only when open and check it. Returns
    the number of runs."""
    check(at, where)
    runs = 1
    for key, labels in lazy_tabs(at):
        first = at.session_state[key]
        for label in labels:
            if label == first:
                continue
            at.session_state[key] = label
            at.run()
            check(at, f"{where}, tab {label}")
            runs += 1
        at.session_state[key] = first
    return runs


# --- Every page, every tab, every role --------------------------------------------------------
#: The roles each warehouse is opened as. On the one-district warehouse the district role sees
#: what the board sees (its district is the whole borough), and on the episodes-only one there
#: are no contacts, social care or casework whose district view could differ from the board's:
#: leaving those two out keeps the matrix to 80 tests and 110 page runs (a run for each of the
#: Demand page's four views), about a second each, beside the filter runs below.
MATRIX = [
    (warehouse, role)
    for warehouse in WAREHOUSES
    for role in ROLES
    if not (role == "district" and warehouse in ("one district", "episodes only"))
]


@pytest.mark.parametrize(("warehouse", "role"), MATRIX)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_and_tab_runs_on_a_small_warehouse(use, warehouse, role, page):
    role = use(warehouse, role)
    runs = every_view(open_page(page), f"{page} on {warehouse} as {role}")
    if page == "pages/demand.py":
        assert runs == 4, "each of the Demand page's views, drawn only when open, was run"
    if page == "pages/scorecard.py":
        assert runs == 1 + len(kpis.load_kpis().by_priority()), "At a glance and each priority"


# --- The main filters, as the board -----------------------------------------------------------
# The board: the widest view whose figures are protected, so the one with most withheld. About
# 90 page runs in all; every district only on the warehouse where most of each is withheld.
def choose(at: AppTest, key: str, value, where: str, *, views: bool = False) -> None:
    """Choose `value` in the widget `key` and check the page (and each of its views). The
    widget goes back to what was chosen before at the next run (the next choice's)."""
    before = at.session_state[key]
    at.session_state[key] = value
    at.run()
    where = f"{where}, {key}={value}"
    if views:
        every_view(at, where)
    else:
        check(at, where)
    at.session_state[key] = before


def options(at: AppTest, key: str) -> list:
    (widget,) = [w for w in at.selectbox if w.key == key] or [
        w for w in at.get("segmented_control") if getattr(w, "key", None) == key
    ]
    return list(widget.options)


@pytest.mark.parametrize("warehouse", WAREHOUSES)
def test_the_demand_filters_on_a_small_warehouse(use, warehouse):
    """Contacts and weeks in every view (the forecast and the seasonal fit on a few months, or
    on an extract with no contacts); rates; and, where the board sees most withheld, each
    district and a few sources and age bands."""
    use(warehouse, "board")
    at = open_page("pages/demand.py")
    where = f"Demand on {warehouse}"
    check(at, where)
    choose(at, "measure", "Contacts to the front door", where, views=True)
    choose(at, "per", "Week", where, views=True)
    choose(at, "show", "Rate per 10,000 children", where)
    if warehouse == "withheld":
        for district in options(at, "district")[1:]:
            choose(at, "district", district, where)
        for key in ("source", "age"):  # the first and the last (18+: hardly any children)
            for value in dict.fromkeys(options(at, key)[1:2] + options(at, key)[-1:]):
                choose(at, key, value, where)


@pytest.mark.parametrize("warehouse", WAREHOUSES)
def test_the_pathways_and_caseloads_filters_on_a_small_warehouse(use, small_warehouses, warehouse):
    use(warehouse, "board")
    at = open_page("pages/pathways.py")
    where = f"Front door and pathways on {warehouse}"
    assert every_view(at, where) == 6, "each of the page's six views was run"
    periods = options(at, "pathways_period")
    for period in dict.fromkeys(periods[1:2] + periods[-1:]):  # the latest and earliest years
        choose(at, "pathways_period", period, where, views=True)
    if warehouse == "withheld":
        for district in options(at, "pathways_district")[1:]:
            choose(at, "pathways_district", district, where, views=True)
    # Outcomes compared by district: on the How episodes end view, where the choice is.
    at.session_state["view"] = "How episodes end"
    at.run()
    choose(at, "pathways_outcomes_by", "District", where)

    at = open_page("pages/caseloads.py")
    where = f"Caseloads on {warehouse}"
    assert every_view(at, where) == 5, "each of the Caseloads page's five views was run"
    first_day, _ = ui.coverage(QueryRunner.open(small_warehouses[warehouse]))
    # Each on every view (tab) of the page.
    choose(at, "caseloads_as_of", first_day, where, views=True)  # the first day: almost nothing
    choose(at, "caseloads_as_of", first_day - dt.timedelta(days=1), where)  # before the data


@pytest.mark.parametrize("warehouse", ["one district", "withheld"])
def test_every_district_profile_on_a_small_warehouse(use, warehouse):
    use(warehouse, "board")
    at = open_page("pages/district_profile.py")
    where = f"District profile on {warehouse}"
    check(at, where)
    for district in options(at, "district")[1:]:
        choose(at, "district", district, where)


# --- Figures whose every value is withheld ----------------------------------------------------
def _result(values: list[float | None], numerators: list[float | None]) -> kpis.KpiResult:
    kpi = next(k for k in kpis.load_kpis().kpis if k.denominator)  # a percentage
    points = tuple(kpis.trend_points(kpi.kind, dt.date(2023, 4, 1), LAST_DAY))
    measured = tuple(
        kpis.Measurement(value, numerator, 100.0)
        for value, numerator in zip(values, numerators, strict=True)
    )
    return kpis.KpiResult(kpi, points, {kpis.BOROUGH: measured}, has_districts=False)


def test_a_kpi_trend_whose_every_value_is_withheld_says_so_instead_of_drawing():
    """The Scorecard's trend figure once raised IndexError here (issue 18: 300 episodes)."""
    result = _result([None] * kpis.TREND_POINTS, [None] * kpis.TREND_POINTS)
    fig = kpi_charts.trend_figure(result)
    assert not charts.plotted_values(fig)
    table = kpis.trend_table(result)
    notice = charts.nothing_to_draw(fig, table, kpis.count_columns(result.kpi))
    assert notice == f"**{result.kpi.title}: trend**: {charts.ALL_WITHHELD}"
    assert "no values available" in charts.alt_text(fig)
    # The analyst's view of the same gaps (nothing withheld: the periods have no figure).
    exact = charts.nothing_to_draw(fig, table, kpis.count_columns(result.kpi), protected=False)
    assert exact == f"**{result.kpi.title}: trend**: {charts.NO_VALUES}"
    # One value is enough to draw the chart.
    some = _result([None] * (kpis.TREND_POINTS - 1) + [12.5], [None] * 8 + [12.0])
    assert (
        charts.nothing_to_draw(kpi_charts.trend_figure(some), kpis.trend_table(some), ["x"]) is None
    )


def test_bars_whose_every_count_is_withheld_are_a_sentence_not_bars_of_no_length():
    frame = pl.DataFrame(
        {"district": ["North", "South"], "referrals": [None, None]},
        schema={"district": pl.String, "referrals": pl.Int64},
    )
    fig = charts.bar_chart(frame, "district", "referrals", title="Referrals", x_title="Number")
    assert [bar.text for bar in fig.data] == [("c", "c")]
    assert charts.plotted_values(fig) == [], "a withheld bar is not a zero"
    assert charts.nothing_to_draw(fig, frame, ["referrals"]).startswith("**Referrals**: all")
    # A zero and a withheld count: a chart (the zero is a value; the other bar says c).
    mixed = frame.with_columns(pl.Series("referrals", [0, None]))
    fig = charts.bar_chart(mixed, "district", "referrals", title="Referrals", x_title="Number")
    assert charts.nothing_to_draw(fig, mixed, ["referrals"]) is None


def test_a_kpis_district_bars_draw_no_bar_for_a_withheld_value():
    kpi = next(k for k in kpis.load_kpis().kpis if k.denominator)
    points = tuple(kpis.trend_points(kpi.kind, dt.date(2023, 4, 1), LAST_DAY))
    latest = (None,) * (len(points) - 1)
    result = kpis.KpiResult(
        kpi,
        points,
        {
            kpis.BOROUGH: (*latest, kpis.Measurement(40.0, 40.0, 100.0)),
            "North": (*latest, kpis.Measurement(None, None, 20.0)),
            "South": (*latest, kpis.Measurement(35.0, 7.0, 20.0)),
        },
        has_districts=True,
    )
    fig = kpi_charts.district_figure(result, ["North", "South", kpis.BOROUGH])
    assert list(fig.data[0].x) == [None, 35.0, 40.0], "withheld: no bar, never a zero"
    labels = [a.text for a in fig.layout.annotations if a.xref == "paper" and a.x == 1]
    assert labels[0].endswith(" c")


def test_the_board_is_told_which_scorecard_figures_are_withheld(use):
    """On the mostly withheld warehouse the board's scorecard says in words which figures are
    withheld, and each still has its table (of c) and download."""
    use("withheld", "board")
    at = open_page("pages/scorecard.py")
    ((_, labels),) = [found for found in lazy_tabs(at) if found[0] == "view"]
    said = []
    for label in labels[1:]:  # each priority's tab (the first is the summary table)
        at.session_state["view"] = label
        at.run()
        withheld = [i.value for i in at.info if charts.ALL_WITHHELD in i.value]
        tables = [e for e in at.expander if e.label == "Show data as a table"]
        assert len(tables) == len(at.get("plotly_chart")) + len(withheld), label
        said.extend(withheld)
    assert said


def test_a_flow_the_extract_cannot_count_is_not_a_line_of_zeros(use):
    """Without social care closures (episodes only) step-downs are missing from the extract:
    the monthly chart draws step-ups alone instead of a step-downs line of zeros."""
    use("episodes only", "analyst")
    at = open_app("pages/pathways.py", {"view": "Step-ups and step-downs"})
    check(at, "Front door and pathways on episodes only")
    shown = {
        charts.title_text(figure): figure
        for figure in (go.Figure(json.loads(c.proto.spec)) for c in at.get("plotly_chart"))
    }
    assert "Step-ups each month" in shown, list(shown)
    assert [trace.name for trace in shown["Step-ups each month"].data if trace.mode == "lines"] == [
        "Step-ups"
    ]
    assert "Step-ups and step-downs each month" not in shown
