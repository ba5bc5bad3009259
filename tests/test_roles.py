"""Roles and login: who sees what is decided on the server, from the identity token or the roles
file, and enforced in the query layer, so a URL, a page link or a cached result cannot widen it.
Hostile filter values are data, never SQL."""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from earlyhelp.core import schema
from earlyhelp.core.errors import QueryError
from earlyhelp.query import disclosure
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner, load_queries
from earlyhelp.ui import role_from_claims
from tests import small_extract
from tests.apptest import APP, RUN_TIMEOUT, run_cli

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret",
    "client_id": "client",
    "client_secret": "secret",
    "server_metadata_url": "https://login.microsoftonline.com/x/v2.0/.well-known/openid-configuration",
}


def signed_in_app(user: dict | None, page: str | None = None, query_params=None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False} if user is None else {"is_logged_in": True, **user}
    at.run()
    if query_params:
        at.query_params.update(query_params)
    if page:
        at.switch_page(page).run()
    return at


# --- Mapping a signed-in user to a role -----------------------------------------------------------
@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        (["EarlyHelp.Board"], "board"),
        (["EarlyHelp.District.North"], "district:North"),
        (["EarlyHelp.Manager"], "manager"),
        (["EarlyHelp.Analyst", "EarlyHelp.Board"], "analyst"),
        (["EarlyHelp.District.North", "EarlyHelp.Board"], "board"),
        ("EarlyHelp.Analyst", "analyst"),
        (["Other.App.Admin"], None),
        (["EarlyHelp.Superuser"], None),
        ([], None),
        # A manager of one district's service: wider than the board, narrower than a manager.
        (["EarlyHelp.Manager.North"], "manager:North"),
        (["EarlyHelp.Manager.North", "EarlyHelp.Board"], "manager:North"),
        (["EarlyHelp.District.South", "EarlyHelp.Manager.North"], "manager:North"),
        (["EarlyHelp.Manager.North", "EarlyHelp.Manager"], "manager"),
        (["EarlyHelp.Manager.North", "EarlyHelp.Analyst"], "analyst"),
        (["EarlyHelp.Manager.South", "EarlyHelp.Manager.North"], "manager:North"),
        # Malformed scopes are ignored, never widened to a whole-service role.
        (["EarlyHelp.Manager."], None),
        (["EarlyHelp.Manager. "], None),
        (["EarlyHelp.Manager.North\x00"], None),
        (["EarlyHelp.Board.North"], None),
        (["EarlyHelp.Analyst.North"], None),
        (["EarlyHelp.Manager." + "x" * 500], None),
    ],
)
def test_roles_come_from_the_token_claims(claims, expected):
    role = role_from_claims({"email": "a@council.gov.uk", "roles": claims})
    assert (None if role is None else str(role)) == expected


def test_the_roles_file_is_used_when_the_token_has_no_role():
    users = {
        "jane@council.gov.uk": "district:South",
        "bad@council.gov.uk": "superuser",
        "sam@council.gov.uk": "manager:North",
        "empty@council.gov.uk": "manager:",
        "board@council.gov.uk": "board:North",
    }
    assert str(role_from_claims({"email": "Jane@Council.gov.uk"}, users)) == "district:South"
    assert str(role_from_claims({"email": "sam@council.gov.uk"}, users)) == "manager:North"
    for email in ("bad", "empty", "board", "nobody"):
        assert role_from_claims({"email": f"{email}@council.gov.uk"}, users) is None, email


def test_a_scoped_role_keeps_its_scope_in_its_name():
    """str(role) is the cache key the app uses: a district's manager and a whole-service
    manager never share a cached result."""
    north = Role.parse("manager:North")
    assert (north.kind, north.district, str(north)) == ("manager", "North", "manager:North")
    assert Role.parse(str(north)) == north
    assert str(Role.parse("manager")) == "manager" != str(north)
    assert Role.parse(" Manager : North ") == north
    assert north.exact_counts and not north.exact_everywhere
    assert north.exact_for("North") and not north.exact_for("South")
    assert not north.exact_for(None), "borough totals are protected"
    assert Role.parse("manager").exact_everywhere and Role.parse("analyst").exact_everywhere
    assert not Role.parse("district:North").exact_for("North")


HOSTILE_SCOPES = [
    "manager:",
    "manager:   ",
    "manager:North\x00",
    "manager:North\nanalyst",
    "manager:\u202enorth",
    "manager:" + "x" * 100_000,
    "district:" + "x" * 100_000,
    "district:\x1b[31mNorth",
    "board:North",
    "analyst:North",
    "manager.North",
]


@pytest.mark.parametrize("text", HOSTILE_SCOPES, ids=range(len(HOSTILE_SCOPES)))
def test_hostile_scopes_are_refused_in_one_line(text):
    with pytest.raises(QueryError) as refused:
        Role.parse(text)
    message = str(refused.value)
    assert "\n" not in message and len(message) < 200


@pytest.mark.parametrize(
    "text",
    ["manager:Narnia", "manager:North'; DROP TABLE early_help_episodes; --", "district:Nörth"],
)
def test_a_scope_that_is_not_a_district_in_the_data_is_refused(demo_warehouse, text):
    runner = QueryRunner.open(demo_warehouse)
    role = Role.parse(text)  # a well-formed name...
    with pytest.raises(QueryError, match="names a district that is not in the data"):
        runner.run("referrals_by_month", role=role)  # ...that the warehouse does not know
    assert runner.run("referrals_by_month", role=Role.parse("board")).height > 0, "still there"


# --- The query layer enforces the role ----------------------------------------------------------
def test_a_district_user_sees_their_district_and_the_borough_only(demo_warehouse):
    runner = QueryRunner.open(demo_warehouse)
    north = Role.parse("district:North")
    caseload = runner.run("caseload_by_district", {"as_of": "2026-03-31"}, north)
    assert caseload["district"].to_list() == ["North"]
    summary = runner.run("pathway_summary", {}, north)
    assert sorted(summary["district"].to_list()) == ["Borough", "North"]
    with pytest.raises(QueryError, match="sees North and the whole borough, not South"):
        runner.run("referrals_filtered", {"district": "South"}, north)
    borough = runner.run("referrals_filtered", {}, north)
    assert borough.height > 0, "borough totals stay available"


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> QueryRunner:
    """The small extract (tests/small_extract.py), whose counts of 1 to 9 were counted by hand:
    the demo borough has too few small counts for the checks below to see one."""
    runner = QueryRunner.open(small_extract.small_warehouse(tmp_path_factory))
    yield runner
    runner.close()


def test_board_counts_are_protected_and_analyst_counts_exact(small):
    # Episode starts by month, whole borough: E01 (Apr 2025), E13 (Jun), E21 (Sep), E03 (Oct),
    # E14 (Nov), 6 in January 2026, 6 in February, 9 in March (-> 10).
    exact = small.run("referrals_borough_by_month", role=Role.parse("analyst"))
    board = small.run("referrals_borough_by_month", role=Role.parse("board"))
    months = ["2025-04", "2025-06", "2025-09", "2025-10", "2025-11", "2026-01", "2026-02"]
    months.append("2026-03")
    assert exact.rows() == list(zip(months, [1, 1, 1, 1, 1, 6, 6, 9], strict=True))
    assert board.rows() == [*((m, None) for m in months[:-1]), ("2026-03", 10)]


# --- A manager of one district --------------------------------------------------------------------
def _by_district(frame: pl.DataFrame, column: str) -> dict:
    return dict(zip(frame["district"], frame[column], strict=True))


SMALL_Q1 = {"from": "2026-01-01", "to": "2026-03-31"}
SMALL_AS_OF = {"as_of": "2026-03-31"}


# North's figures exactly, and the borough's as the board sees them, counted by hand from
# tests/small_extract.py (tests/test_hand_counted.py says how). None: withheld. A query with no
# Borough row has None for it.
@pytest.mark.parametrize(
    ("name", "params", "columns", "north", "borough"),
    [
        ("caseload_by_district", SMALL_AS_OF, ("open_episodes",), (8,), None),
        (
            "caseload_snapshot_by_district",
            SMALL_AS_OF,
            ("open_episodes", "case_held_episodes", "with_worker", "waiting"),
            (8, 6, 3, 3),
            None,
        ),
        (
            "kpi_waiting_for_worker",
            SMALL_AS_OF,
            ("case_held_episodes", "waiting"),
            (6, 3),
            (10, None),
        ),
        (
            "pathway_summary",
            SMALL_Q1,
            ("referrals", "rereferrals_12m", "step_ups", "closed", "median_days_open",
             "median_days_to_step_up"),
            (10, 2, 2, 3, 53.0, 60.5),
            (20, None, None, None, None, None),
        ),
        (
            "allocation_by_district",
            SMALL_Q1,
            ("allocated", "median_days", "average_days", "over_28_days"),
            (4, 7, 11.0, 0),
            None,
        ),
        (
            "frontdoor_summary",
            SMALL_Q1,
            ("contacts", "decided", "within_standard", "no_decision"),
            (11, 10, 9, 1),
            (25, 20, 20, None),
        ),
    ],
)  # fmt: skip
def test_a_district_manager_sees_their_district_exactly_and_the_borough_protected(
    small, name, params, columns, north, borough
):
    manager = small.run(name, params, Role.parse("manager:North"))
    expected_districts = ["North"] if borough is None else ["North", "Borough"]
    assert manager["district"].to_list() == expected_districts, "no other district's row"
    rows = manager.select(columns).rows()
    assert rows[0] == north, "their own district exactly, small counts and medians included"
    if borough is not None:
        assert rows[1] == borough, "the whole borough protected as for the board"


def test_a_district_manager_asking_for_another_district_is_refused(demo_warehouse):
    runner = QueryRunner.open(demo_warehouse)
    north = Role.parse("manager:North")
    for params in ({"district": "South"}, {"district": "South", "age_band": "1-4"}):
        with pytest.raises(QueryError, match="sees North and the whole borough, not South"):
            runner.run("referrals_filtered", params, north)
    # The whole borough is protected as for the board.
    assert runner.run("referrals_filtered", {}, north).equals(
        runner.run("referrals_filtered", {}, Role.parse("board"))
    )
    own = {"district": "North", "level_of_need": 4, "age_band": "16-17"}
    exact = runner.run("referrals_filtered", own, Role.parse("analyst"))
    assert runner.run("referrals_filtered", own, north).equals(exact)
    assert exact["referrals"].is_between(1, 5).any(), (
        "small counts shown exactly to North's manager"
    )


def test_a_district_manager_sees_only_their_own_districts_workers(demo_warehouse):
    runner = QueryRunner.open(demo_warehouse)
    day = {"as_of": "2026-03-31"}
    everyone = runner.run("workers_caseload", day, Role.parse("manager"))
    assert everyone["district"].n_unique() > 1
    for district in ("North", "South"):
        mine = runner.run("workers_caseload", day, Role.parse(f"manager:{district}"))
        assert mine.height and set(mine["district"]) == {district}
        asked = runner.run("workers_caseload", {**day, "district": district}, Role.parse("manager"))
        assert mine.equals(asked), "each worker with their cases of the district's children"
        assert mine["cases_per_fte"].is_null().all(), "per FTE is a whole-service figure"
        # Counted independently: the episodes of the district each worker holds on the day.
        assert mine["open_cases"].sum() < everyone["open_cases"].sum()
    with pytest.raises(QueryError, match="sees North and the whole borough, not South"):
        runner.run("workers_caseload", {**day, "district": "South"}, Role.parse("manager:North"))


NAMED = """-- Named people per district (a synthetic query kept to managers and analysts).
-- param district: text, optional. Only this district.
-- columns: district (text), worker_name (text), open_cases (count)
-- counts: open_cases
-- roles: manager, analyst
SELECT * FROM (VALUES ('North', 'Ann', 3), ('South', 'Bob', 2)) AS t(district, worker_name,
    open_cases)
WHERE $district IS NULL OR district = $district
"""
UNSCOPED = """-- Named people with no district (a synthetic query kept to managers and analysts).
-- columns: worker_name (text), open_cases (count)
-- counts: open_cases
-- roles: manager, analyst
SELECT 'Ann' AS worker_name, 3 AS open_cases
"""


def test_named_rows_of_other_districts_never_reach_a_district_manager(demo_warehouse, tmp_path):
    (tmp_path / "named.sql").write_text(NAMED)
    (tmp_path / "unscoped.sql").write_text(UNSCOPED)
    version = QueryRunner.open(demo_warehouse).version_dir
    runner = QueryRunner(version, queries=load_queries(tmp_path))
    north = Role.parse("manager:North")
    assert runner.run("named", role=north).rows() == [("North", "Ann", 3)]
    assert runner.run("named", {"district": "North"}, north).rows() == [("North", "Ann", 3)]
    with pytest.raises(QueryError, match="sees North and the whole borough, not South"):
        runner.run("named", {"district": "South"}, north)
    with pytest.raises(QueryError, match="no district column"):
        runner.run("unscoped", role=north)
    assert runner.run("unscoped", role=Role.parse("manager")).height == 1
    assert runner.run("named", role=Role.parse("manager")).height == 2


def test_the_cli_takes_a_district_managers_role(demo_warehouse):
    def cli(role: str, name: str = "caseload_snapshot_by_district", fmt: str = "csv"):
        return run_cli(
            "query",
            name,
            "--warehouse",
            demo_warehouse,
            "--param",
            "as_of=2021-03-08",
            "--role",
            role,
            "--format",
            fmt,
        )

    runner = QueryRunner.open(demo_warehouse)
    exact = runner.run(
        "caseload_snapshot_by_district", {"as_of": "2021-03-08"}, Role.parse("analyst")
    )
    done = cli("manager:North", fmt="json")
    assert done.returncode == 0, done.stderr
    rows = {row["district"]: row for row in json.loads(done.stdout)}
    assert rows["North"] == exact.filter(pl.col("district") == "North").to_dicts()[0]
    shown = [
        v for d, row in rows.items() if d != "North" for k, v in row.items() if k != "district"
    ]
    assert all(v == "c" or v % 5 == 0 for v in shown), "other districts protected"
    workers = cli("manager:North", "workers_caseload")
    assert workers.returncode == 0, workers.stderr
    lines = workers.stdout.strip().splitlines()
    district = lines[0].split(",").index("district")
    assert len(lines) > 1 and {line.split(",")[district] for line in lines[1:]} == {"North"}
    for hostile in ("manager:", "manager:Narnia", "manager:North'; DROP TABLE x; --"):
        refused = cli(hostile)
        assert refused.returncode == 2 and refused.stdout == "", hostile
        assert refused.stderr.startswith("error: ") and refused.stderr.count("\n") == 1
        assert "Traceback" not in refused.stderr


def test_the_cli_applies_the_same_policy(demo_warehouse):
    result = run_cli(
        "query",
        "caseload_by_district",
        "--warehouse",
        demo_warehouse,
        "--param",
        "as_of=2026-03-31",
        "--role",
        "district:North",
        check=True,
    )
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "district,open_episodes"
    assert len(lines) == 2 and lines[1].startswith("North,")
    assert int(lines[1].split(",")[1]) % 5 == 0


HOSTILE = [
    "North'; DROP TABLE early_help_episodes; --",
    "' OR '1'='1",
    "North /* comment */",
    "$district",
    "x" * 100_000,
    "Nörth ☃ 北",
    "\x00",
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_filter_values_are_treated_as_data(demo_warehouse, value):
    runner = QueryRunner.open(demo_warehouse)
    analyst = Role.parse("analyst")
    frame = runner.run("referrals_filtered", {"district": value, "age_band": value}, analyst)
    assert frame["referrals"].sum() == 0, "no district has that name"
    assert runner.run("referrals_filtered", {}, analyst)["referrals"].sum() > 0, "still there"


# --- The app: sign in, roles, markings ------------------------------------------------------------
def test_without_signing_in_there_is_a_sign_in_page_and_no_data(with_demo):
    at = signed_in_app(None)
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.get("plotly_chart") and not at.metric


def test_a_user_without_a_role_is_told_and_sees_no_data(with_demo):
    at = signed_in_app({"email": "someone@council.gov.uk", "roles": []})
    assert any("no role" in e.value for e in at.error)
    assert not at.get("plotly_chart") and not at.metric


def test_a_district_user_cannot_widen_their_view_through_the_url(with_demo):
    user = {"email": "d@council.gov.uk", "name": "D User", "roles": ["EarlyHelp.District.North"]}
    at = signed_in_app(user, "pages/demand.py", {"district": "South"})
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    box = at.selectbox(key="district")
    assert box.options == ["All districts", "North"]
    assert box.value == "All districts", "a district not allowed is ignored"
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    assert "district view (North)" in sidebar


def test_markings_follow_the_role(with_demo):
    analyst = signed_in_app({"email": "a@council.gov.uk", "roles": ["EarlyHelp.Analyst"]})
    text = "\n".join(m.value for m in analyst.markdown)
    assert "**OFFICIAL-SENSITIVE**" in text
    board = signed_in_app({"email": "b@council.gov.uk", "roles": ["EarlyHelp.Board"]})
    text = "\n".join(m.value for m in board.markdown)
    assert "**OFFICIAL**:" in text and "OFFICIAL-SENSITIVE" not in text
    captions = "\n".join(c.value for c in board.caption)
    assert "withheld to protect" in captions, "protected tables carry the footnote"


# --- Differencing through the real query layer ----------------------------------------------------

DEMO_DISTRICTS = ("North", "East", "South", "West", "Central")
optional = lambda values: st.one_of(st.none(), st.sampled_from(values))  # noqa: E731
selections = st.fixed_dictionaries(
    {
        "district": optional(DEMO_DISTRICTS),
        "source_group": optional(schema.SOURCE_GROUPS),
        "age_band": optional(schema.AGE_BANDS),
        "level_of_need": optional((0, 1, 2, 3, 4)),
    }
)


CHOICES = {
    "district": DEMO_DISTRICTS,
    "source_group": schema.SOURCE_GROUPS,
    "age_band": schema.AGE_BANDS,
    "level_of_need": (0, 1, 2, 3, 4),
}


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(outer=selections, data=st.data(), month=st.integers(min_value=0, max_value=95))
def test_no_two_board_views_of_the_demand_page_difference_to_a_small_count(
    demo_warehouse, outer, data, month
):
    """Any two selections a board member can make on the Demand page, one inside the other
    (the same filters plus one more): if the children in one and not the other number 1 to 5
    in a month, the two published counts must leave more than one possible difference."""
    free = [key for key, value in outer.items() if value is None]
    if not free:
        return
    key = data.draw(st.sampled_from(free))
    inner = {**outer, key: data.draw(st.sampled_from(CHOICES[key]))}
    runner = QueryRunner.open(demo_warehouse)
    exact = [
        runner.run("referrals_filtered", s, Role.parse("analyst"))["referrals"][month]
        for s in (outer, inner)
    ]
    small = 1 <= exact[0] - exact[1] <= 5
    event("difference of 1 to 5" if small else "other difference")
    if not small:
        return
    shown = [
        runner.run("referrals_filtered", s, Role.parse("board"))["referrals"][month]
        for s in (outer, inner)
    ]
    policy = disclosure.current_policy()
    # A null is a c (1 to 7) or a complementary suppression of a larger count: either way it
    # does not narrow what the true count could be.
    ranges = [
        range(0, 10**9) if value is None else disclosure.shown_range(value, policy)
        for value in shown
    ]
    possible = {a - b for a in ranges[0][:50] for b in ranges[1][:50] if a >= b}
    assert len(possible) > 1, (outer, inner, month, exact, shown)


def test_a_district_manager_in_the_app_sees_the_scope_and_only_their_workers(with_demo):
    """Signed in as a whole-service manager and then as North's manager in the same server: the
    cached results are keyed by role and scope, so North's manager never gets the whole
    service's list of workers."""
    runner = QueryRunner.open(with_demo)
    workers = runner.run("workers_caseload", {"as_of": "2026-03-31"}, Role.parse("manager"))
    names = {
        district: set(workers.filter(pl.col("district") == district)["worker_name"].drop_nulls())
        for district in workers["district"].unique()
    }

    def worker_names(at: AppTest) -> set[str]:
        tables = [f.value for f in at.dataframe if "Worker" in f.value.columns]
        assert len(tables) == 1
        return set(tables[0]["Worker"])

    # The workers' table is on the Caseloads page's "Teams and workers" view (a tab).
    teams = {"view": "Teams and workers"}
    manager = signed_in_app(
        {"email": "m@council.gov.uk", "roles": ["EarlyHelp.Manager"]}, "pages/caseloads.py", teams
    )
    assert not manager.exception and not manager.error
    assert worker_names(manager) == set().union(*names.values())
    north = signed_in_app(
        {"email": "n@council.gov.uk", "roles": ["EarlyHelp.Manager.North"]},
        "pages/caseloads.py",
        teams,
    )
    assert not north.exception and not north.error, [e.value for e in north.error]
    north_workers = runner.run(
        "workers_caseload", {"as_of": "2026-03-31", "district": "North"}, Role.parse("manager")
    )
    assert worker_names(north) == set(north_workers["worker_name"].drop_nulls())
    text = "\n".join(m.value for m in north.markdown)
    assert "**OFFICIAL-SENSITIVE**: exact figures for North" in text
    assert "manager view (North)" in "\n".join(m.value for m in north.sidebar.markdown)
    captions = "\n".join(c.value for c in north.caption)
    assert "withheld to protect" in captions, "other districts' figures carry the footnote"
    assert "Figures for North alone are exact." in captions
    assert "Each worker holding a case of North's children" in captions
