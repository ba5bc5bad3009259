"""About: user guide, measures, data sources and reconciliation, disclosure, accessibility."""

from pathlib import PurePath

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.core.schema import TABLE_TITLES
from earlyhelp.presentation import charts
from earlyhelp.query import disclosure

runner, missing_reason = ui.open_warehouse()
policy = disclosure.current_policy()
largest_hidden = policy.withheld_up_to

st.title("About Early Help Insight")
st.markdown(
    "Early Help Insight shows the early help partnership how demand for early help is changing, "
    "where it falls across the districts, and how many families are being supported. It "
    "replaces the monthly charts and tables in board and scrutiny reports with figures that "
    "are the same every time they are produced, and lets you download the data behind each "
    "chart."
)

st.header("Using this dashboard")
st.subheader("Pages")
st.markdown(
    """
- **Overview**: the headline figures for the last 12 complete months against the 12 months
  before; referrals to early help each month for the whole borough, with the Covid lockdowns
  and the returns to school marked and a short explanation of how they moved demand;
  referrals each month in each district; and the number of open early help episodes in each
  district at the end of the period.
- **Demand**: referrals to early help, or contacts to the front door, by month or week for
  any district, referral source, level of need and age band, as numbers or as a rate per
  10,000 children, in four tabs: the trend; the same months against the demand expected for
  the time of year, with unusually high and low months found and explained; each financial
  year side by side; and a forecast for the next 12 months with its accuracy on the last 12.
  The choices you make, and the tab you open, are kept in the page's web address, so a copied
  link opens the same view.
- **Caseloads**: open early help episodes on any date by district and team; caseloads per
  full-time worker against a threshold; families waiting for a first worker and how long
  they waited; and how often families changed worker.
- **Front door and pathways**: how quickly contacts were decided; referrals and open cases by
  level of need; step-ups to social care and step-downs from it; re-referrals within 12
  months; how long episodes lasted and how they closed; journeys from referral source to
  closure; and the share of early help led by partners.
- **Data quality**: every measure the pages show, the fields of the extract it is counted
  from, how well they are filled, and whether it is complete, partial or missing. A chart
  whose measure is missing says *Not in this extract* instead of showing zeros.
- **About**: this guide, where the data comes from, how small numbers are protected, and the
  accessibility statement.
"""
)
st.subheader("Charts and tables")
st.markdown(
    """
- Under every chart is a sentence describing what it shows. Select **Show data as a table**
  to see the figures behind the chart, and **Download this table (CSV)** to save exactly
  that table for a spreadsheet.
- Hover over a line or bar to read its value. Lines are labelled at their ends instead of
  with a key, and the dotted lines and grey shading mark events such as lockdowns and the
  return to school. A shaded area is a period (a lockdown); a dotted line is a single date.
- Rises and falls against the previous 12 months are shown in grey: more referrals is not in
  itself good or bad.
"""
)

st.header("What the measures mean")
st.markdown(
    f"""
- **Referral to early help**: a child whose early help episode (or early help assessment)
  starts in the period. A child referred twice in a year counts twice.
- **Open early help episode on a date**: an episode that started on or before that date and
  had not ended on or before it. An episode therefore counts on the day it starts and not on
  the day it ends.
- **Contact**: a contact about a child into the front door (the MASH or single point of
  access), whatever was decided about it.
- **Step-up to social care**: an early help episode that ended because the child was
  referred to children's social care.
- **Rate per 10,000 children**: referrals (or contacts) of children under 18 divided by the
  number of children under 18 living in the selected districts and age bands, times 10,000.
  The population comes from the council's mid-year estimates (`population.csv`): for a month,
  that month's year; for 12 months, the year their seventh month falls in (the middle of the
  period). A year without its own estimate uses the nearest one. There is no rate for ages 18+
  or not known. It is the same rate on every page, in the Scorecard's KPI and in `kpis`.
- **Expected demand**: the usual pattern over the school year and the longer-term trend,
  learnt from the selection's own history with the Covid months (March 2020 to July 2021) set
  aside. An **unusually high (or low) month** is more than 2.5 times the usual month-to-month
  variation above (or below) it.
- **Forecast**: the next 12 months from the same pattern, with the range the figure is
  expected to fall in 80 and 95 times out of 100. **Accuracy** is how far off the forecast
  would have been for the last 12 months had it been made a year earlier (mean absolute
  percentage error).
- **Financial year**: April to March, as councils report.
- **Last 12 months**: the 12 complete calendar months up to the latest month in the data; a
  month still in progress is left out so that it does not look like a fall.
- **Districts**: each child is placed in a district from the postcode of their address on
  the date of the referral (or contact), using the council's postcode sector lookup. When no
  address was recorded for that date the nearest recorded address is used, and a child with
  no address at all is counted under "Not known".
- **c**: a count from 1 to {largest_hidden}, hidden to protect the children and families
  behind it (see below).
"""
)

st.header("Where the data comes from")
st.markdown(
    """
The figures come from extracts of the council's children's case management system in one of
two national layouts:

- the **Standard Safeguarding Dataset (SSD)**, the open data model from Data to Insight: the
  tables of people, addresses, contacts, early help episodes, children in need referrals,
  professionals and involvements, as the SystemC and Mosaic deployments export them. What SSD
  leaves to each council (the level of need and early help referral source, end-reason and
  organisation codes, which involvements hold a case) is declared in the council's mapping
  file beside the extract;
- the **Ofsted Annex A** workbook: List 1 (contacts), List 2 (early help assessments), List 3
  (referrals to social care), and where present List 4 (assessments) and List 6 (children in
  need, with their closure reasons). Overlapping monthly returns loaded together count each
  child's contact or referral once.

SSD holds no front-door decision date: from SSD, the time to a decision is measured from the
contact to the start of the early help that follows it. The **Data quality** page lists every
measure with the fields it needs, how full they are in this extract, and which measures this
extract cannot give.

Rates per 10,000 children also need the number of children living in each district by age
band: a `population.csv` file beside the extract, usually from the ONS mid-year estimates.

Each extract is checked row by row when it is loaded into the dashboard's data warehouse.
Every row is either loaded or listed in a rejects file with its file, row number, column and
reason, so nothing is dropped without a record. Children's identifiers are replaced with
pseudonyms and names and addresses are not kept.
"""
)

if runner is None:
    st.info(f"No data has been loaded yet. {missing_reason}")
else:
    manifest = runner.manifest
    try:
        loaded = charts.loaded_at(manifest.get("created"))
    except (TypeError, ValueError):
        loaded = "not recorded"
    sources = [PurePath(s).name for s in manifest.get("sources") or []]
    st.markdown(
        f"**Loaded:** {loaded} (version {runner.version}, for reference)  \n"
        f"**Extracts loaded:** {', '.join(sources) if sources else 'not recorded'}"
    )
    try:
        first, last = ui.coverage(runner)
        st.markdown(
            f"Early help episodes in this version start from {charts.long_date(first)} "
            f"to {charts.long_date(last)}."
        )
    except Exception:
        pass
    reconciliation = pl.DataFrame(manifest.get("reconciliation") or [])
    if not reconciliation.is_empty():
        st.subheader("How the extracts were loaded (reconciliation)")
        st.markdown(
            "For every table, rows read = rows loaded + rows rejected. *Values cleared* are "
            "single values in optional coded or numeric columns that could not be read (for "
            "example an unknown referral source code): the row is kept and the value left "
            "blank. A missing required value or a date that cannot be read, is in the future or "
            "comes before its start date rejects the whole row."
        )
        columns = [
            c
            for c in ("table", "rows_read", "loaded", "rejected", "values_cleared")
            if c in reconciliation.columns
        ]
        reconciliation = reconciliation.select(columns).with_columns(
            pl.col("table").replace(TABLE_TITLES)
        )
        ui.show_table(ui.display_table(reconciliation))
        rejects = manifest.get("rejects") or 0
        st.caption(
            "No rows were rejected and no values cleared."
            if not rejects
            else f"{rejects:,} rejected rows and cleared values are listed, with their "
            "reasons, in rejects.csv in the warehouse version folder."
        )

st.header("How small numbers are protected")
role = ui.current_role()
view = ui.role_label(role)
if role.exact_counts:
    protection = (
        f"You are seeing the **{view}**, marked OFFICIAL-SENSITIVE: {ui.protection_note(role)}"
        ". Use the board view for papers."
    )
else:
    protection = (
        f"You are seeing the **{view}**: figures protected so that they could be shown in a "
        "public meeting or committee paper."
    )
st.markdown(
    f"""
Figures about a few children could identify them, so the dashboard follows the Department
for Education's convention for children's social care statistics, with one addition for an
interactive dashboard.

- {protection}
- Any count from 1 to {largest_hidden} is shown as **c** (the Government Statistical Service
  symbol for confidential), in charts, tables and downloads alike. Only a true zero is 0.
- Where a hidden count could be worked out by subtracting the others from a total shown
  elsewhere, a second count is hidden too.
- Every other count is rounded to the nearest {policy.round_to}. You can choose the views you
  see, so two views could otherwise be subtracted to reveal a small group of children;
  rounding stops that. Totals may therefore differ slightly from the sum of their parts, and
  rates are worked out from the rounded counts.
- Medians, averages and percentages worked out from a hidden count are hidden too.
- District users see their own district and the whole borough; managers and analysts see
  exact figures, and a district's manager sees that district exactly and the rest as the
  board does. Only analysts can list the records (pseudonymised episodes) behind a figure.
"""
)

st.header("Accessibility statement for Early Help Insight")
st.markdown(
    """
This accessibility statement applies to the Early Help Insight dashboard.

This dashboard is run by the council's early help performance team. We want as many people
as possible to be able to use it. For example, that means you should be able to:

- change colours, contrast levels and fonts using browser or device settings
- zoom in up to 400% without the text spilling off the screen
- navigate most of the dashboard using a keyboard or speech recognition software
- listen to most of the dashboard using a screen reader
- get the figures behind every chart as a table or a CSV file

We've also made the text as simple as possible to understand.
"""
)
st.subheader("How accessible this dashboard is")
st.markdown(
    """
We know some parts of this dashboard are not fully accessible:

- the charts are images to a screen reader: each has a written description and its data as
  a table and a download instead
- you cannot move between the points of a chart using a keyboard
- the tables are drawn by the browser as a grid that some screen readers read poorly; the
  CSV download gives the same figures
- some line labels use colours (teal and orange) with a contrast of about 3 to 1 against
  white, which meets the standard only for large bold text
- there is no link to skip to the main content
- the dashboard does not work without JavaScript
"""
)
st.subheader("Feedback and contact information")
st.markdown(
    """
If you need any part of this dashboard in a different format, such as accessible PDF, large
print or a spreadsheet, contact the council's early help performance team. We'll consider
your request and get back to you within 10 working days.
"""
)
st.subheader("Reporting accessibility problems with this dashboard")
st.markdown(
    """
We're always looking to improve the accessibility of this dashboard. If you find any
problems not listed on this page or think we're not meeting accessibility requirements,
contact the council's early help performance team and tell us the page, what you were
trying to do and what went wrong.
"""
)
st.subheader("Enforcement procedure")
st.markdown(
    """
The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public
Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the
'accessibility regulations'). If you're not happy with how we respond to your complaint,
contact the Equality Advisory and Support Service (EASS).
"""
)
st.subheader("Technical information about this dashboard's accessibility")
st.markdown(
    """
The council is committed to making its websites accessible, in accordance with the Public
Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.

**Compliance status.** This dashboard is partially compliant with the
[Web Content Accessibility Guidelines version 2.2](https://www.w3.org/TR/WCAG22/) AA
standard, due to the non-compliances listed below.
"""
)
st.subheader("Non-accessible content")
st.markdown(
    """
The content listed below is non-accessible for the following reasons.

- Chart points cannot be reached with a keyboard (WCAG 2.1.1 Keyboard). The figures are in
  the table and CSV download under every chart.
- Some direct labels on charts with several lines have a contrast ratio below 4.5 to 1
  (WCAG 1.4.3 Contrast (Minimum)).
- There is no mechanism to bypass the navigation and go to the main content
  (WCAG 2.4.1 Bypass Blocks).

We plan to fix these as the dashboard is developed, and to have it audited against WCAG 2.2
AA before it is used in public meetings.
"""
)
st.subheader("Preparation of this accessibility statement")
st.markdown(
    """
This statement was prepared on 23 November 2026. It was last reviewed on 23 November 2026.

This dashboard was last tested on 23 November 2026 against the WCAG 2.2 AA standard. The test
was carried out by the development team, using automated tests in a real browser and manual
checks of every page at a 1366 by 768 screen size.
"""
)
