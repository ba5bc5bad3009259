"""Early Help Insight: the entry point (`streamlit run app.py`). Pages live in pages/."""

import streamlit as st

from earlyhelp import ui

st.set_page_config(page_title="Early Help Insight", layout="wide")

page = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/monitoring:", default=True),
        st.Page("pages/demand.py", title="Demand", icon=":material/show_chart:"),
        st.Page("pages/caseloads.py", title="Caseloads", icon=":material/groups:"),
        st.Page("pages/pathways.py", title="Front door and pathways", icon=":material/alt_route:"),
        st.Page("pages/about.py", title="About", icon=":material/info:"),
    ]
)

runner, _ = ui.open_warehouse()
ui.sidebar(runner)
page.run()
