"""Early Help Insight: the entry point (`streamlit run app.py`). Pages live in pages/."""

from pathlib import Path

import streamlit as st

from earlyhelp import ui

# The tab's icon is the app's own, served by the app: without one, Streamlit shows each page's
# :material/...: icon there by fetching it from fonts.gstatic.com, which a council network may
# block and which tells Google who is looking (issue 18; tests/test_browser_offline.py).
ICON = Path(__file__).resolve().parent / "assets" / "favicon.png"
st.set_page_config(page_title="Early Help Insight", page_icon=str(ICON), layout="wide")
role = ui.require_role()  # a sign-in page when login is configured; board in demo mode
presenting = ui.presenting()  # ?present=1: the sidebar is hidden, so the pages go on top

page = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/monitoring:", default=True),
        st.Page("pages/demand.py", title="Demand", icon=":material/show_chart:"),
        st.Page("pages/caseloads.py", title="Caseloads", icon=":material/groups:"),
        st.Page("pages/pathways.py", title="Front door and pathways", icon=":material/alt_route:"),
        st.Page("pages/scorecard.py", title="Scorecard", icon=":material/scoreboard:"),
        st.Page(
            "pages/district_profile.py", title="District profile", icon=":material/location_city:"
        ),
        st.Page("pages/committee_pack.py", title="Committee pack", icon=":material/slideshow:"),
        st.Page(
            "pages/compared.py", title="Compared with others", icon=":material/compare_arrows:"
        ),
        st.Page("pages/data_quality.py", title="Data quality", icon=":material/fact_check:"),
        st.Page("pages/about.py", title="About", icon=":material/info:"),
    ],
    position="top" if presenting else "sidebar",
)

ui.reserve_page_controls()
runner, reason = ui.open_warehouse()
ui.sidebar(runner, reason)
# The marking, and while presenting the way out, on one line: a projector's first screen has
# room for the page's figures and its main chart and little else.
with st.container(horizontal=True, vertical_alignment="center", gap="large"):
    ui.show_marking(role)
    ui.presentation_controls()
ui.name_downloads(page.url_path or "overview")  # a page with filters adds its selection
page.run()
ui.page_footnote(role)
