"""Data quality: every measure the pages show, the fields it needs, how well this extract fills
them, and whether it is complete, partial or missing (earlyhelp/measures/quality/; the same
report as
`python -m earlyhelp quality`)."""

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.measures import quality

runner = ui.warehouse_or_stop()
findings = list(ui.data_quality(runner).values())
if not findings:
    st.error(
        "The data quality report could not be worked out for this warehouse. Run `python -m "
        "earlyhelp quality --warehouse ...` to see why."
    )
    st.stop()

st.title("Data quality")
st.markdown(
    "What each chart and headline figure is counted from, and how much of it this extract "
    "has. A measure is **missing** when a field it needs is not in the extract, or is never "
    "filled: its page says *Not in this extract* instead of showing zeros. It is **partial** "
    f"when the field is filled for fewer than {quality.PARTIAL_BELOW:g}% of the rows it is "
    "measured on: its page shows the figure with a short note. Otherwise it is **complete**. "
    "*Filled %* is the share of rows with the field filled (for a measure resting on several "
    "fields, the least filled)."
)
counted = {s: sum(f.status == s for f in findings) for s in quality.STATUSES}
st.markdown(
    f"Of {len(findings)} measures, **{counted[quality.COMPLETE]} complete**, "
    f"**{counted[quality.PARTIAL]} partial** and **{counted[quality.MISSING]} missing**."
)
st.markdown(
    f"**Front-door timeliness** in this extract is {quality.timeliness_words(runner.manifest)}."
)

table = pl.DataFrame(
    quality.as_dicts(findings),
    schema={
        "measure": pl.String,
        "page": pl.String,
        "fields": pl.String,
        "filled_pct": pl.Float64,
        "status": pl.String,
        "note": pl.String,
    },
).rename({"filled_pct": "filled_%"})
shown = ui.display_table(table)
ui.show_table(shown, key="table-data-quality")
ui.download_table(shown, "data_quality", key="download-data-quality")
st.caption(
    "The same report on the command line: `python -m earlyhelp quality --warehouse "
    "data/warehouse` (add `--format json` for JSON)."
)
