"""What each longer page draws in its tabs: one module per page (caseloads, demand, pathways and
its two halves), and what they share (common). Part of earlyhelp/ui, the only library package
that imports Streamlit."""
