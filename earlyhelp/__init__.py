"""Early Help Insight: the library behind the dashboard (no Streamlit here; see
earlyhelp.ui)."""

__version__ = "0.1.0"
