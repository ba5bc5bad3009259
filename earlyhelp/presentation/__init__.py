"""The presentation stage: Plotly figures with their alt text and sentences (charts, and the
figures of each measure: kpi_charts, benchmark_charts) and the committee pack (pack), drawn
without Streamlit so the command line and the pack use the very figures the pages show.
Imports from every stage below it; the Streamlit side is earlyhelp/ui."""
