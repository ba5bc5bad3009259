"""Strategy KPIs: their definitions (data/kpis.yaml), their values, RAG status and trend. Data
only: no Plotly, no Streamlit (the figures are in earlyhelp.presentation.kpi_charts).

A KPI is data, not code. `data/kpis.yaml` names, for each KPI, the named query in queries/ that
computes it and the column that holds its value (optionally divided by another column), its
unit, whether higher or lower is better, its target and amber tolerance, the strategy priority
it belongs to, and notes on its source. A council edits that file; `load_kpis` refuses a file
that cannot be used with one line naming the file, the KPI and the problem.

The parts: `status` (RAG status, status words and symbols, values in their units),
`definitions` (Kpi, Priority, KpiSet), `loading` (reading and checking the file), `periods`
(the trend's points), `values` (each KPI worked out from its query: how, in its docstring) and
`tables` (results as rows). This module re-exports the names callers use, so that
`from earlyhelp.measures import kpis; kpis.load_kpis(...)` works.
"""

from earlyhelp.measures.kpis.definitions import BOROUGH, Kpi, KpiSet, Priority
from earlyhelp.measures.kpis.loading import DEFAULT_KPIS_FILE, KpiFileError, kpis_file, load_kpis
from earlyhelp.measures.kpis.periods import (
    PERIOD_MONTHS,
    STEP_MONTHS,
    TREND_POINTS,
    YEAR_BACK,
    Point,
    add_months,
    coverage,
    last_complete_month_end,
    trend_points,
)
from earlyhelp.measures.kpis.status import (
    BADGE_COLOURS,
    BOROUGH_ONLY,
    DIRECTIONS,
    NO_DISTRICT_TARGET,
    RAGS,
    STATUS_FILLS,
    STATUS_SYMBOLS,
    STATUS_WORDS,
    UNITS,
    Unit,
    format_value,
    rag,
    status_of_text,
    status_text,
)
from earlyhelp.measures.kpis.tables import (
    breakdown_table,
    count_columns,
    district_table,
    result_status_words,
    scorecard_table,
    summary_row,
    trend_table,
)
from earlyhelp.measures.kpis.values import (
    KpiResult,
    Measurement,
    Runner,
    evaluate,
    evaluate_all,
    measure_frame,
    visible_areas,
)

__all__ = [
    "BADGE_COLOURS",
    "BOROUGH",
    "BOROUGH_ONLY",
    "DEFAULT_KPIS_FILE",
    "DIRECTIONS",
    "NO_DISTRICT_TARGET",
    "PERIOD_MONTHS",
    "RAGS",
    "STATUS_FILLS",
    "STATUS_SYMBOLS",
    "STATUS_WORDS",
    "STEP_MONTHS",
    "TREND_POINTS",
    "UNITS",
    "YEAR_BACK",
    "Kpi",
    "KpiFileError",
    "KpiResult",
    "KpiSet",
    "Measurement",
    "Point",
    "Priority",
    "Runner",
    "Unit",
    "add_months",
    "breakdown_table",
    "count_columns",
    "coverage",
    "district_table",
    "evaluate",
    "evaluate_all",
    "format_value",
    "kpis_file",
    "last_complete_month_end",
    "load_kpis",
    "measure_frame",
    "rag",
    "result_status_words",
    "scorecard_table",
    "status_of_text",
    "status_text",
    "summary_row",
    "trend_points",
    "trend_table",
    "visible_areas",
]
