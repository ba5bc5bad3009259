"""The measures: what the pages make of the protected query results, as data, with no Plotly
and no Streamlit: demand (seasonal baseline, peaks, forecast), caseloads, front door and
pathways, strategy KPIs, data quality and DfE comparisons. Imports from core, load and query."""
