"""The app asks nothing of any host but its own, in a real browser (issue 18, point 8).

A council network blocks most outside hosts, and every request to one tells a third party who
is looking at the dashboard. Streamlit draws a page's `:material/...:` icon as the browser
tab's icon by asking fonts.gstatic.com for it, unless the app gives an icon of its own
(`st.set_page_config(page_icon=...)` in app.py, served by the app from `assets/`). This test
records every request chromium makes (pages, scripts, fonts, images, the tab's icon, the
websocket) while every page in the app's menu is opened, and on the Demand page every view,
a filter change and every chart's data table, and fails on any that goes to another host.
Deselect with `pytest -m "not browser"`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytest.register_assert_rewrite("tests.browser_helpers")  # before it is imported, as a plugin
from tests.browser_helpers import (  # noqa: E402
    PAGE_TIMEOUT_MS,
    RERUN_WHEN_SLOW,
    open_every_expander,
    open_page,
    rerun_after,
    scroll_to,
)

pytest_plugins = ["tests.browser_helpers"]

# Rerun once only when slow (a timeout), never on a wrong answer: see RERUN_WHEN_SLOW.
pytestmark = [pytest.mark.browser, RERUN_WHEN_SLOW]

#: Addresses that are no request to any host: inline images, the page's own blobs.
LOCAL_SCHEMES = {"data", "blob", "about"}
OWN_HOSTS = {"127.0.0.1", "localhost"}
MENU_LINKS = """() => [...document.querySelectorAll(
    '[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"]')].map(a => a.href)"""
DEMAND_VIEWS = ("Against expected", "Year on year", "Forecast", "Over time")
CHART_TITLE_IS = (
    "(title) => document.querySelector('.js-plotly-plot .gtitle')?.textContent === title"
)


def outside(url: str, app_url: str) -> bool:
    """Whether `url` goes anywhere but the app's own server (its host and port)."""
    own, parts = urlsplit(app_url), urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    return not (
        parts.scheme in ("http", "https", "ws", "wss")
        and parts.hostname in OWN_HOSTS
        and parts.port == own.port
    )


def test_outside_means_any_other_host_or_port():
    app = "http://127.0.0.1:8765"
    assert not outside("http://127.0.0.1:8765/static/js/index.js", app)
    assert not outside("ws://127.0.0.1:8765/_stcore/stream", app)
    assert not outside("http://localhost:8765/media/favicon.png", app)
    assert not outside("data:image/svg+xml,<svg/>", app)
    assert not outside("blob:http://127.0.0.1:8765/0b6c", app)
    assert outside("https://fonts.gstatic.com/s/i/materialsymbolsrounded/info/24px.svg", app)
    assert outside("https://cdn.plot.ly/un/world_110m.json", app)
    assert outside("http://127.0.0.1:8501/", app)  # another server on this machine
    assert outside("http://127.0.0.2:8765/", app)


def test_the_app_asks_no_other_host(page, app_url):
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    page.on("websocket", lambda socket: requests.append(socket.url))
    page.set_default_timeout(PAGE_TIMEOUT_MS)

    # Every page in the app's own menu, each opened from its address.
    open_page(page, app_url, "")
    links = page.evaluate(MENU_LINKS)
    assert len(links) >= 8, links
    for link in links:
        open_page(page, app_url, link.removeprefix(app_url).lstrip("/"))
        assert not page.get_by_test_id("stException").count(), link

    # The Demand page: a filter change, every view, and every chart's data table.
    # Each change is seen done by the chart's new title (a quick run may never show as running).
    open_page(page, app_url, "demand")
    district = page.get_by_role("combobox", name="District", exact=True)
    scroll_to(district)
    district.click()
    south = page.get_by_role("listbox").get_by_role("option", name="South", exact=True)
    rerun_after(page, south.click, CHART_TITLE_IS, "Referrals per month, South")
    week = page.locator(".st-key-per").get_by_text("Week", exact=True)
    scroll_to(week)
    rerun_after(page, week.click, CHART_TITLE_IS, "Referrals per week, South")
    for name in DEMAND_VIEWS:
        tab = page.get_by_role("tab", name=name, exact=True)
        rerun_after(
            page,
            tab.click,
            "(name) => document.querySelector('[role=tab][aria-selected=true]')"
            "?.innerText.trim() === name",
            name,
        )
    open_every_expander(page)
    assert not page.get_by_test_id("stException").count()
    # The browser asks for a tab's icon a moment after the page names it.
    page.wait_for_timeout(1000)

    asked_outside = sorted({url for url in requests if outside(url, app_url)})
    assert len(requests) > 100, "the recording saw the app's own requests"
    assert not asked_outside, f"requests to other hosts: {asked_outside}"

    # The tab's icon is the app's own, served by it.
    icon = page.evaluate("() => document.querySelector(\"link[rel='shortcut icon']\").href")
    assert not outside(icon, app_url), icon
    response = page.request.get(icon)
    assert response.ok and response.headers["content-type"] == "image/png", icon
