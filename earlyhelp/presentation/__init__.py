"""The presentation stage: Plotly figures with their alt text and sentences (charts, and the
figures of each measure), the Streamlit widgets every page uses (ui) and the tabs of the longer
pages (views), the only modules here that import Streamlit, and the committee pack (pack).
Imports from every stage below it."""
