"""Committee pack: the figures the app shows, as an accessible PDF paper and a PowerPoint deck
for a committee, Cabinet or the partnership board. Choose the sections, the meeting date and a
title; the pack is built for your role, with its disclosure control and marking
(earlyhelp/presentation/pack/)."""

import datetime as dt

import streamlit as st

from earlyhelp import ui
from earlyhelp.core import schema
from earlyhelp.presentation import charts, pack

ALL_DISTRICTS = "All districts"
ALL_SOURCES, ALL_LEVELS, ALL_AGES = "All sources", "All levels of need", "All age bands"
LEVELS = ("1", "2", "3", "4", "0")
LEVEL_WORDS = {"0": "Level not recorded", **{v: f"Level {v}" for v in LEVELS[:4]}}
WHOLE_BOROUGH = "Whole borough"
BUILT = "committee_pack_built"  # session state: the files last built, with their choices
REQUESTED = "committee_pack_requested"  # session state: Build was clicked

runner = ui.warehouse_or_stop()
role = ui.current_role()
first_day, last_day = ui.coverage_or_stop(runner)

st.title("Committee pack")
st.markdown(
    "A paper or a slide deck with the figures on these pages, for a committee, Cabinet or the "
    "partnership board: headline figures with their change on the period before, the charts, "
    "the key tables, what the figures say, definitions and data sources. The PDF is tagged for "
    "screen readers (PDF/UA) and every chart has its text description in both files. "
    f"The figures are those of your view ({ui.role_label(role)}), marked "
    f"**{ui.marking(role)}** on every page."
)

districts = [d for d in ui.query(runner, "districts")["district"].to_list() if d != "Not known"]
if role.district is not None:
    districts = [d for d in districts if d == role.district]

title = st.text_input("Title", value=pack.DEFAULT_TITLE, max_chars=120)
meeting = st.date_input("Meeting date", value=dt.date.today(), format="DD/MM/YYYY")
chosen = st.multiselect(
    "Sections",
    list(pack.SECTIONS),
    default=list(pack.SECTIONS),
    format_func=pack.SECTIONS.get,
    help="The pack keeps this order whatever order you choose them in.",
)
district_options = ([] if role.district else [ALL_DISTRICTS]) + districts
district_choice = st.selectbox(
    "District profile and Demand for",
    district_options,
    help="One district's profile (and the Demand section for that district), or every "
    "district's profile with Demand for the whole borough.",
)
st.markdown("**The Demand section's selection**, as on the Demand page:")
with st.container(horizontal=True, gap="small"):
    source = st.selectbox("Referral source", [ALL_SOURCES, *schema.SOURCE_GROUPS])
    level = st.selectbox(
        "Level of need", [ALL_LEVELS, *LEVELS], format_func=lambda v: LEVEL_WORDS.get(v, v)
    )
    age = st.selectbox("Age band", [ALL_AGES, *schema.AGE_BANDS])
demand_filters = {
    "source_group": None if source == ALL_SOURCES else source,
    "level_of_need": None if level == ALL_LEVELS else int(level),
    "age_band": None if age == ALL_AGES else age,
}

# The click is kept in session state by its callback (which runs before the script), so it
# survives a rerun at the start of the run (ui._use_app_navigation on a fresh server).
st.button(
    "Build the pack",
    type="primary",
    key="build-pack",
    on_click=lambda: st.session_state.update({REQUESTED: True}),
)
submitted = st.session_state.pop(REQUESTED, False)

district = None if district_choice in (ALL_DISTRICTS, None) else district_choice
choices = (
    title,
    meeting.isoformat(),
    tuple(chosen),
    district,
    tuple(demand_filters.values()),
    str(role),
    runner.version,
)

if submitted:
    if not chosen:
        st.warning("Choose at least one section.")
        st.stop()
    built = ui.build_pack_files(
        runner,
        role,
        sections=chosen,
        district=district,
        title=title,
        meeting=meeting,
        demand_filters=demand_filters,
    )
    if built is None:
        st.stop()
    files, marking, chart_count = built
    st.session_state[BUILT] = (choices, files, marking, chart_count)

built = st.session_state.get(BUILT)
if built and built[0] == choices:
    _, files, marking, chart_count = built
    st.success(
        f"Built for the meeting on {charts.long_date(meeting)}: {len(chosen)} section(s), "
        f"{chart_count} chart(s), marked {marking}."
    )
    stem = "".join(c if c.isalnum() else "_" for c in title).strip("_")[:60] or "committee_pack"
    ui.pack_download_buttons(files, stem=stem, meeting=meeting, key="download-pack")
elif built:
    st.info("The choices have changed since the pack was built: build it again to download it.")
