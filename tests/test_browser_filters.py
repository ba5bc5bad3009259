"""Every filter changes what the page shows, in a real browser.

Each control on each page is changed as a person would (a click on a select box and its
option, a click on a choice, keys in a date or number box), the Streamlit run it starts is
waited for, and what the page shows is read again (tests/browser_helpers.py `view`): headings,
metrics, captions, static tables, and each chart's title, alt text and the data it plots.

For each control the test checks that:

- the figures that depend on it changed: a metric's value, or the numbers a chart plots (not
  only a title or caption that repeats the choice, which would change even if the filter were
  never passed to the query);
- the words that name the choice changed with it (a chart title, heading or caption); and
- setting the control back shows exactly the page as it was, so the comparison is of the
  filter's effect and nothing else (it would fail on anything that changes between runs).

Before that, every page's controls are listed from the browser and compared with the ones
tested here, so a control added to a page without a test fails. Deselect with
`pytest -m "not browser"`.
"""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.browser_helpers")  # before it is imported, as a plugin
from tests.browser_helpers import (  # noqa: E402
    RERUN_WHEN_SLOW,
    chart,
    choose_option,
    click_choice,
    controls_on_page,
    metric,
    open_page,
    rerun_after,
    scroll_to,
    type_number,
    view,
)

pytest_plugins = ["tests.browser_helpers"]

# Rerun once only when slow (a timeout), never on a wrong answer: see RERUN_WHEN_SLOW.
pytestmark = [pytest.mark.browser, RERUN_WHEN_SLOW]

#: url path -> the key of every control a person can change on the page, each tested below.
CONTROLS = {
    "": set(),
    "demand": {"measure", "per", "show", "district", "source", "level", "age"},
    "caseloads": {"caseloads_as_of", "caseloads_threshold"},
    "caseloads?view=Teams+and+workers": {"caseloads_as_of", "caseloads_threshold"},
    # Front door and pathways: its filters above the tabs, on every view; the outcomes' choice
    # inside the How episodes end view.
    "pathways": {"pathways_district", "pathways_period", "pathways_standard"},
    **{
        f"pathways?view={tab}": {"pathways_district", "pathways_period", "pathways_standard"}
        for tab in ("Levels+of+need", "Step-ups+and+step-downs", "Re-referrals")
    },
    "pathways?view=How+episodes+end": {
        "pathways_district",
        "pathways_period",
        "pathways_standard",
        "pathways_outcomes_by",
    },
    "pathways?view=Partners+and+districts": {
        "pathways_district",
        "pathways_period",
        "pathways_standard",
    },
    "scorecard": set(),
    "district_profile": {"district"},
    "about": set(),
}


def _open(page, app_url: str, url_path: str) -> dict:
    open_page(page, app_url, url_path)
    assert not page.get_by_test_id("stException").count(), f"/{url_path} raised an exception"
    found = controls_on_page(page)
    assert found == CONTROLS[url_path], (
        f"/{url_path} has controls {sorted(found)}; tested here: {sorted(CONTROLS[url_path])}"
    )
    return view(page)


def _shown(snapshot: dict) -> dict:
    """A view without the address (a control set back may leave its default in the URL)."""
    return {k: v for k, v in snapshot.items() if k != "url"}


def _values(snapshot: dict) -> list[str]:
    return [m["value"] for m in snapshot["metrics"]]


def _unchanged_charts(before: dict, after: dict) -> list[str]:
    """The charts (by key) that plot the same numbers after a change as before it."""
    old = {c["key"]: c["data"] for c in before["charts"]}
    assert [c["key"] for c in after["charts"]] == list(old), "the page has other charts"
    return [c["key"] for c in after["charts"] if c["data"] == old[c["key"]]]


def _set_back(page, undo, before: dict) -> None:
    """Set the control back and check the page shows exactly what it showed before."""
    undo()
    again = view(page)
    assert not page.get_by_test_id("stException").count()
    assert _shown(again) == _shown(before), "setting the control back did not restore the page"


# --- Pages without controls -------------------------------------------------------------------
NO_CONTROLS = [p for p, keys in CONTROLS.items() if not keys]


@pytest.mark.parametrize("url_path", NO_CONTROLS, ids=[p or "overview" for p in NO_CONTROLS])
def test_a_page_without_filters_has_no_controls(page, app_url, url_path):
    """Overview, Scorecard and About show fixed views: no control a test could miss."""
    _open(page, app_url, url_path)


# --- Demand ---------------------------------------------------------------------------------
#: key, how to change it, how to set it back, the words the first chart's title then has,
#: whether the 12-month total (the first metric) must change too, and whether every chart must
#: change (per week changes the trend only: the expected demand, year on year and forecast are
#: monthly whatever is chosen).
DEMAND = [
    (
        "measure",
        lambda page: click_choice(page, "measure", "Contacts to the front door"),
        lambda page: click_choice(page, "measure", "Referrals to early help"),
        "Contacts per month, whole borough",
        True,
        True,
    ),
    (
        "per",
        lambda page: click_choice(page, "per", "Week"),
        lambda page: click_choice(page, "per", "Month"),
        "Referrals per week, whole borough",
        False,  # the 12-month total is the same counted by week
        False,
    ),
    (
        "show",
        lambda page: click_choice(page, "show", "Rate per 10,000 children"),
        lambda page: click_choice(page, "show", "Number"),
        "Referrals per 10,000 children per month, whole borough",
        False,  # the total stays a number; the charts show the rate
        True,
    ),
    (
        "district",
        lambda page: choose_option(page, "District", "South"),
        lambda page: choose_option(page, "District", "All districts"),
        "Referrals per month, South",
        True,
        True,
    ),
    (
        "source",
        lambda page: choose_option(page, "Referral source", "Schools"),
        lambda page: choose_option(page, "Referral source", "All sources"),
        "Referrals per month, from schools",
        True,
        True,
    ),
    (
        "level",
        lambda page: choose_option(page, "Level of need", "Level 3"),
        lambda page: choose_option(page, "Level of need", "All levels of need"),
        "Referrals per month, level 3",
        True,
        True,
    ),
    (
        "age",
        lambda page: choose_option(page, "Age band", "10-15"),
        lambda page: choose_option(page, "Age band", "All age bands"),
        "Referrals per month, aged 10-15",
        True,
        True,
    ),
]


def test_every_demand_filter_changes_the_figures(page, app_url):
    before = _open(page, app_url, "demand")
    assert {key for key, *_ in DEMAND} == CONTROLS["demand"]
    trend = before["charts"][0]
    assert trend["title"] == "Referrals per month, whole borough"
    for key, change, undo, title, total_changes, all_charts in DEMAND:
        change(page)
        after = view(page)
        assert not page.get_by_test_id("stException").count(), key
        changed = after["charts"][0]
        assert changed["title"] == title, (key, changed["title"])
        assert changed["data"] != trend["data"], f"{key}: the trend plots the same numbers"
        assert changed["alt"] != trend["alt"], f"{key}: the trend's alt text did not change"
        if total_changes:
            assert after["metrics"][0]["value"] != before["metrics"][0]["value"], (
                f"{key}: the 12-month total did not change"
            )
        if all_charts:  # every chart on the page follows the filter, not only the first
            same = [
                c["title"]
                for c, old in zip(after["charts"], before["charts"], strict=True)
                if c["data"] == old["data"]
            ]
            assert not same, f"{key}: these charts did not change: {same}"
        _set_back(page, lambda undo=undo: undo(page), before)


#: The Demand page's other views (tabs, named in the address), each drawing one chart.
OTHER_DEMAND_VIEWS = {
    "Against+expected": "Against expected",
    "Year+on+year": "Year on year",
    "Forecast": "Forecast",
}


@pytest.mark.parametrize("tab", OTHER_DEMAND_VIEWS, ids=list(OTHER_DEMAND_VIEWS.values()))
def test_every_demand_filter_changes_every_view(page, app_url, tab):
    """Each view follows every filter: its chart plots other numbers (the monthly views keep
    theirs when only 'per week' is chosen), and setting the filter back restores the view."""
    open_page(page, app_url, f"demand?view={tab}")
    assert controls_on_page(page) == CONTROLS["demand"]
    selected = page.get_by_role("tab", selected=True).inner_text().strip()
    assert selected == OTHER_DEMAND_VIEWS[tab]
    before = view(page)
    (shown,) = before["charts"]
    for key, change, undo, _, _, all_charts in DEMAND:
        change(page)
        after = view(page)
        assert not page.get_by_test_id("stException").count(), key
        (changed,) = after["charts"]
        if all_charts:
            assert changed["data"] != shown["data"], f"{key}: the chart plots the same numbers"
            assert changed["title"] != shown["title"], f"{key}: the title names the old choice"
        else:
            assert changed["data"] == shown["data"], f"{key}: a monthly chart changed"
        _set_back(page, lambda undo=undo: undo(page), before)


# --- Caseloads ------------------------------------------------------------------------------
def _year_back(page) -> None:
    """A year earlier in the snapshot date, by keyboard: the year, the down arrow, then Tab out
    of the date (the date is taken when focus leaves it)."""
    year = page.get_by_role("spinbutton", name="year, Snapshot date", exact=True)
    scroll_to(year)

    def change():
        year.click()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")  # to the calendar button
        page.keyboard.press("Tab")  # out of the date

    rerun_after(page, change)


def _year_on(page) -> None:
    year = page.get_by_role("spinbutton", name="year, Snapshot date", exact=True)
    scroll_to(year)

    def change():
        year.click()
        page.keyboard.press("ArrowUp")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")

    rerun_after(page, change)


THRESHOLD = "Caseload threshold (open cases per FTE)"


def test_every_caseloads_filter_changes_the_figures(page, app_url):
    before = _open(page, app_url, "caseloads")
    heading = before["headings"][1]
    assert heading.startswith("Open cases on ") and heading.endswith("2026"), heading

    # The snapshot date: every figure is for the new date.
    _year_back(page)
    after = view(page)
    assert after["headings"][1] == heading[:-4] + "2025", after["headings"][1]
    assert metric(after, "Open episodes")["value"] != metric(before, "Open episodes")["value"]
    by_district = chart(before, "chart-caseloads_open_by_district")
    assert chart(after, "chart-caseloads_open_by_district")["data"] != by_district["data"]
    _set_back(page, lambda: _year_on(page), before)

    # The threshold: the count above it and the chart that marks it (on the Teams and workers
    # view, a tab of its own), and nothing else.
    before = _open(page, app_url, "caseloads?view=Teams+and+workers")
    assert page.get_by_role("tab", selected=True).inner_text().strip() == "Teams and workers"
    above = metric(before, "Above ")
    assert above["label"].startswith("Above ") and above["label"] != "Above 10 per FTE"
    type_number(page, THRESHOLD, 10)
    after = view(page)
    assert metric(after, "Above ")["label"] == "Above 10 per FTE"
    assert metric(after, "Above ")["value"] != above["value"], "as many workers above 10"
    workers = chart(before, "chart-caseloads_workers_distribution")
    moved = chart(after, "chart-caseloads_workers_distribution")
    assert moved["data"] != workers["data"] and moved["alt"] != workers["alt"]
    assert "threshold of 10 per FTE" in moved["alt"], moved["alt"]
    assert metric(after, "Open episodes") == metric(before, "Open episodes")
    default = int(above["label"].split()[1])
    _set_back(page, lambda: type_number(page, THRESHOLD, default), before)


# --- Front door and pathways ----------------------------------------------------------------------
def _district_and_period_change_every_chart(page, before: dict, yearly: list[str]) -> None:
    """District and period on the view open: the headline figures and every chart follow them
    (each chart is for the district, or highlights it among the districts), but for `yearly`,
    the charts that show every financial year whatever the period."""
    showing = before["captions"][0]
    assert showing.startswith("Showing the whole borough, "), showing
    assert before["charts"], "the view draws charts"

    # District: the headline figures and the charts are for the district.
    choose_option(page, "District", "South")
    after = view(page)
    assert after["captions"][0].startswith("Showing South, "), after["captions"][0]
    assert metric(after, "Referrals")["value"] != metric(before, "Referrals")["value"]
    assert not _unchanged_charts(before, after), "charts that ignore the district"
    _set_back(page, lambda: choose_option(page, "District", "All districts"), before)

    # Period: a financial year before the last 12 months (on the demo borough, whose data end
    # on 31 March, the first financial year in the list is the same 12 months).
    period = choose_option(page, "Period", 2)
    after = view(page)
    assert period.startswith("Financial year "), period
    assert after["captions"][0] != showing
    assert _values(after) != _values(before), "the headline figures are the same"
    assert _unchanged_charts(before, after) == yearly
    _set_back(page, lambda: choose_option(page, "Period", 0), before)


def test_every_pathways_filter_changes_the_figures(page, app_url):
    before = _open(page, app_url, "pathways")  # its first view: the front door
    assert page.get_by_role("tab", selected=True).inner_text().strip() == "Front door"
    in_time = chart(before, "chart-contacts_decided_in_time_by_month")
    assert in_time["title"] == "Contacts decided within 2 working days"
    _district_and_period_change_every_chart(page, before, [])  # the time to decide among them

    # The front-door standard: decided in time, and the charts of it.
    type_number(page, "Front-door standard (working days)", 5)
    after = view(page)
    decided = metric(after, "Decided in time")["value"]
    assert decided != metric(before, "Decided in time")["value"], decided
    five = chart(after, "chart-contacts_decided_in_time_by_month")
    assert five["title"] == "Contacts decided within 5 working days"
    assert five["data"] != in_time["data"]
    assert metric(after, "Referrals") == metric(before, "Referrals")
    _set_back(page, lambda: type_number(page, "Front-door standard (working days)", 2), before)


#: The other views of Front door and pathways (tabs, named in the address), with the charts on
#: each that show every financial year whatever the period (the share led by partners).
OTHER_PATHWAYS_VIEWS = {
    "Levels+of+need": [],
    "Step-ups+and+step-downs": [],
    "Re-referrals": [],
    "How+episodes+end": [],
    "Partners+and+districts": ["chart-partner_led_episodes_by_year"],
}


@pytest.mark.parametrize(
    "tab", OTHER_PATHWAYS_VIEWS, ids=[t.replace("+", " ") for t in OTHER_PATHWAYS_VIEWS]
)
def test_every_pathways_filter_changes_every_view(page, app_url, tab):
    before = _open(page, app_url, f"pathways?view={tab}")
    selected = page.get_by_role("tab", selected=True).inner_text().strip()
    assert selected == tab.replace("+", " ")
    _district_and_period_change_every_chart(page, before, OTHER_PATHWAYS_VIEWS[tab])
    if tab != "How+episodes+end":
        return
    outcomes = chart(before, "chart-closure_outcomes_by_level")
    assert outcomes["title"] == "Outcomes at closure, by level of need"

    # Compare outcomes by: the outcomes chart, and only it.
    click_choice(page, "pathways_outcomes_by", "District")
    after = view(page)
    by_district = chart(after, "chart-closure_outcomes_by_district")
    assert by_district["title"] == "Outcomes at closure, by district"
    assert by_district["data"] != outcomes["data"]
    assert _values(after) == _values(before)
    _set_back(page, lambda: click_choice(page, "pathways_outcomes_by", "Level of need"), before)


# --- District profile -------------------------------------------------------------------------
def test_the_district_profile_follows_its_district(page, app_url):
    before = _open(page, app_url, "district_profile")
    assert "Strategy measures: Central against the borough" in before["headings"]
    choose_option(page, "District", "South")
    after = view(page)
    assert "district=South" in after["url"], "the district is kept in the address"
    assert "Strategy measures: South against the borough" in after["headings"]
    assert _values(after) != _values(before), "the headline figures are the same"
    assert all(new != old for new, old in zip(after["tables"], before["tables"], strict=True)), (
        "a table of measures did not change"
    )
    assert after["charts"] and all(
        new["data"] != old["data"]
        for new, old in zip(after["charts"], before["charts"], strict=True)
    ), "a chart plots the same numbers"
    _set_back(page, lambda: choose_option(page, "District", "Central"), before)
