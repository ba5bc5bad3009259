"""Roles and login: who sees what is decided on the server, from the identity token or the roles
file, and enforced in the query layer, so a URL, a page link or a cached result cannot widen it.
Hostile filter values are data, never SQL."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from earlyhelp import disclosure, schema
from earlyhelp.errors import QueryError
from earlyhelp.queries import QueryRunner
from earlyhelp.roles import Role
from earlyhelp.ui import role_from_claims
from tests.apptest import APP, RUN_TIMEOUT

REPO = APP.parent
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
    ],
)
def test_roles_come_from_the_token_claims(claims, expected):
    role = role_from_claims({"email": "a@council.gov.uk", "roles": claims})
    assert (None if role is None else str(role)) == expected


def test_the_roles_file_is_used_when_the_token_has_no_role():
    users = {"jane@council.gov.uk": "district:South", "bad@council.gov.uk": "superuser"}
    assert str(role_from_claims({"email": "Jane@Council.gov.uk"}, users)) == "district:South"
    assert role_from_claims({"email": "bad@council.gov.uk"}, users) is None
    assert role_from_claims({"email": "nobody@council.gov.uk"}, users) is None


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


def test_board_counts_are_protected_and_analyst_counts_exact(demo_warehouse):
    runner = QueryRunner.open(demo_warehouse)
    exact = runner.run("referrals_by_month", role=Role.parse("analyst"))
    board = runner.run("referrals_by_month", role=Role.parse("board"))
    assert exact.select("month", "district").equals(board.select("month", "district"))
    shown = board["referrals"].drop_nulls()
    assert (shown % 5 == 0).all(), "rounded to the nearest 5"
    hidden = board.filter(pl.col("referrals").is_null())
    assert (
        exact.join(hidden.select("month", "district"), on=["month", "district"])["referrals"]
        .is_between(1, 1_000_000)
        .all()
    )


def test_the_cli_applies_the_same_policy(demo_warehouse):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "earlyhelp",
            "query",
            "caseload_by_district",
            "--warehouse",
            str(demo_warehouse),
            "--param",
            "as_of=2026-03-31",
            "--role",
            "district:North",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
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
    # A null is a c (1 to 5) or a complementary suppression of a larger count: either way it
    # does not narrow what the true count could be.
    ranges = [
        range(0, 10**9) if value is None else disclosure.shown_range(value, policy)
        for value in shown
    ]
    possible = {a - b for a in ranges[0][:50] for b in ranges[1][:50] if a >= b}
    assert len(possible) > 1, (outer, inner, month, exact, shown)
