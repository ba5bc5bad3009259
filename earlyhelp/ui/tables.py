"""Charts with their data: each chart with its alt text and its data as an accessible
table (withheld counts and statistics as 'c') with a CSV download, static status tables,
and the analyst's record-level list."""

from __future__ import annotations

import hashlib
import pickle
import re
from collections.abc import Callable, Iterable

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from earlyhelp.measures import kpis
from earlyhelp.presentation import charts
from earlyhelp.query import disclosure
from earlyhelp.query.runner import QueryRunner
from earlyhelp.ui.downloads import download_table
from earlyhelp.ui.session import current_role
from earlyhelp.ui.warehouse import query

_PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": [
        "zoom2d",
        "pan2d",
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "resetScale2d",
    ],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def display_table(
    frame: pl.DataFrame,
    count_columns: Iterable[str] = (),
    statistics: dict[str, tuple[str, ...]] | None = None,
) -> pl.DataFrame:
    """The frame as the user sees it: readable headers; suppressed counts shown as 'c', and so
    are statistics (medians, averages, percentages; each mapped to the counts it is worked out
    from) withheld because one of those counts is."""
    suppressed = [c for c in count_columns if c in frame.columns and frame[c].null_count()]
    table = mark_withheld(frame, statistics or {})
    if suppressed:
        table = disclosure.as_display_text(table, suppressed)
    return table.rename({c: _header(c) for c in table.columns})


def mark_withheld(frame: pl.DataFrame, statistics: dict[str, tuple[str, ...]]) -> pl.DataFrame:
    """Statistics withheld because a count they are worked out from is withheld, as 'c' (their
    column becomes text); every other value as it is. For a table whose counts are left out
    (or renamed) before it is shown: mark it first, then select."""
    withheld = disclosure.withheld_statistics(frame, statistics)
    if not withheld:
        return frame
    return disclosure.as_display_text(frame, [], {name: statistics[name] for name in withheld})


def statistic_text(
    value: float | None, bases: Iterable[int | None], formatter: Callable[[float], str]
) -> str:
    """A statistic for a metric or a sentence: 'c' when it is withheld because a count it is
    worked out from is (a null base), `formatter(value)` otherwise (which says 'none' when there
    is nothing to work out)."""
    if value is None and any(base is None for base in bases):
        return disclosure.SUPPRESSED_SYMBOL
    return formatter(value)


#: How numbers are written in every table: counts as whole numbers, and rates, percentages,
#: medians and averages to one decimal place, all with thousands separators (583.0 beside 505.1,
#: never 583 beside 505.1).
COUNT_FORMAT, DECIMAL_FORMAT = "%,d", "%,.1f"


def status_table(table: pl.DataFrame, status_columns: Iterable[str], alt: str) -> None:
    """A static table whose status cells are filled with their status's colour (red, amber,
    green, with their symbol and word in the cell), so a status reads across a room."""

    def fill(cell: object) -> str:
        status = kpis.status_of_text(cell)
        if status is None:
            return ""
        background, text = kpis.STATUS_FILLS[status]
        return f"background-color: {background}; color: {text}; font-weight: 600"

    styled = table.to_pandas().style.map(fill, subset=list(status_columns))
    st.table(styled, hide_index=True, alt=alt)


def show_table(table: pl.DataFrame, key: str | None = None) -> None:
    """An accessible table: numbers in the fixed formats above, no index column."""
    number_columns = {
        name: st.column_config.NumberColumn(
            format=COUNT_FORMAT if dtype.is_integer() else DECIMAL_FORMAT
        )
        for name, dtype in table.schema.items()
        if dtype.is_numeric()
    }
    st.dataframe(table, hide_index=True, column_config=number_columns, key=key)


def _header(column: str) -> str:
    """A column's heading in words: per_10000 is 'per 10,000', a _pct column is '(%)'."""
    text = re.sub(r"\b10000\b", "10,000", column.replace("_", " ").strip())
    text = re.sub(r"\bpct\b", "%", re.sub(r"\s*\bpct$", " (%)", text))
    return text[:1].upper() + text[1:]


#: The key of each chart's "Show data as a table" expander starts with this.
DATA_TABLE_KEY = "data-"


def cached_figure(build: Callable[..., go.Figure], *args, **kwargs) -> go.Figure:
    """`build(*args, **kwargs)`, kept for the same builder and arguments (frames included).

    Plotly takes 30 to 50 ms to build a chart with event markers; a user going back to a
    selection, as a board does when comparing districts, gets it at once. The figure is
    shared, so nothing may change it after it is built (chart_with_data does not).
    """
    key = hashlib.sha1(
        pickle.dumps((build.__module__, build.__qualname__, args, sorted(kwargs.items())))
    ).hexdigest()
    return _built_figure(key, build, args, kwargs)


@st.cache_resource(show_spinner=False, max_entries=256)
def _built_figure(key: str, _build: Callable[..., go.Figure], _args: tuple, _kwargs: dict):
    return _build(*_args, **_kwargs)


def chart_with_data(
    fig: go.Figure,
    frame: pl.DataFrame,
    alt_text: str | None = None,
    download_name: str = "data",
    *,
    count_columns: Iterable[str] = (),
    note: str | None = None,
    statistics: dict[str, tuple[str, ...]] | None = None,
) -> None:
    """The chart (its alt text its accessible name), and its data as a table with a CSV download.

    The CSV holds exactly the table shown (same rows, columns, headers and 'c' symbols).
    `statistics` maps each median, average or percentage column of `frame` to the counts it is
    worked out from, so one withheld with them is shown as 'c' too. A chart that would draw
    nothing (every value withheld, or none at all) is replaced by a sentence saying so.
    """
    alt = alt_text or charts.alt_text(fig)
    count_columns = list(count_columns)
    role = current_role()
    empty = charts.nothing_to_draw(
        fig, frame, count_columns, statistics, protected=not role.exact_everywhere
    )
    if empty:
        st.info(empty, icon=":material/visibility_off:")
    else:
        # The alt text is the chart's accessible name for screen readers; it is not printed
        # under the chart as well (the title and subtitle say what it shows to a sighted
        # reader), and the disclosure note is said once, at the foot of the page.
        st.plotly_chart(
            charts.browser_figure(fig),
            theme=None,
            alt=alt,
            config=_PLOTLY_CONFIG,
            key=f"chart-{download_name}",
        )
    if note:
        st.markdown(note)
    table = display_table(frame, count_columns, statistics)
    # Drawn only when opened: a table under every chart made the browser load and draw a data
    # grid per chart before the page was usable, which made every page slower to answer.
    data = st.expander(
        "Show data as a table", key=f"{DATA_TABLE_KEY}{download_name}", on_change="rerun"
    )
    if data.open:
        with data:
            show_table(table, key=f"table-{download_name}")
            download_table(table, download_name)


#: The analyst's record-level drill-down (queries/records/episode_records.sql).
RECORDS_QUERY = "episode_records"


def show_records(runner: QueryRunner, params: dict, download_name: str, key: str) -> None:
    """The early help episodes behind a figure, one row each (for analysts: the query is kept
    to them): how many there are, the list (capped, and saying so), and a CSV download marked
    OFFICIAL-SENSITIVE. Children appear only by their pseudonymised id."""
    records = query(runner, RECORDS_QUERY, params)
    if records.is_empty():
        st.info("No early help episodes match this selection.")
        return
    matching = int(records["matching"][0])
    if matching > records.height:
        st.warning(
            f"Showing the first {records.height:,} of {matching:,} matching episodes (the "
            "earliest started): the list stops there. Narrow the selection to see the others."
        )
    else:
        st.markdown(f"**{matching:,}** early help episode{'s' if matching != 1 else ''}.")
    table = display_table(records.drop("matching"))
    show_table(table, key=f"table-{key}")
    download_table(
        table, download_name, key=f"download-{key}", label="Download these records (CSV)"
    )
