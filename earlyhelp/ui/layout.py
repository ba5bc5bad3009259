"""The frame around every page: page-wide CSS, the protective marking and footnote,
presentation mode, the sidebar and its place for the page's own controls."""

from __future__ import annotations

import streamlit as st

from earlyhelp.core.errors import QueryError
from earlyhelp.presentation import charts
from earlyhelp.query import disclosure
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from earlyhelp.ui.session import (
    current_role,
    login_configured,
    marking,
    protection_note,
    role_label,
)
from earlyhelp.ui.warehouse import coverage, needs_rebuild

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
