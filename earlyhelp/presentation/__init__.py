"""The presentation stage: Plotly figures with their alt text and sentences (charts, and the
figures of each page), the Streamlit widgets every page uses (ui, the only module here that
imports Streamlit) and the committee pack (pack). Imports from every stage below it."""
