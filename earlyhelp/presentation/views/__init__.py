"""What each page draws in its tabs: one module per page; with presentation/ui, the only library
code that imports Streamlit."""
