"""What the pages' views share: the tab of the open view, what a view is given, and a bar chart
with its data."""

import dataclasses
from collections.abc import Callable, Mapping

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.presentation import charts


def show_open_view(views: Mapping[str, Callable[..., None]], *args) -> None:
    """The page's views, one tab each, bound to the URL as `view` (so a copied link opens the
    same tab): only the open one is worked out and drawn, by `show(*args)`."""
    tabs = st.tabs(list(views), key="view", bind="query-params")
    for tab, show in zip(tabs, views.values(), strict=True):
        if tab.open:
            with tab:
                show(*args)


def given(kind: type, names: Mapping[str, object]):
    """A view's inputs (the dataclass `kind`) taken from the page's variables of the same names
    (`globals()` of the page script), so a page does not write each name twice; a field the page
    lacks is a KeyError naming it."""
    return kind(**{field.name: names[field.name] for field in dataclasses.fields(kind)})


def bars_with_data(
    frame: pl.DataFrame,
    category: str,
    value: str,
    *,
    title: str,
    x_title: str,
    subject: str,
    sort: bool = True,
    table: pl.DataFrame | None = None,
    **shown,
) -> None:
    """charts.bar_chart of `frame`, with its data (`table`, or the frame itself) under it;
    `shown` is ui.chart_with_data's (download_name, count_columns, note, statistics)."""
    ui.chart_with_data(
        charts.bar_chart(
            frame, category, value, title=title, x_title=x_title, subject=subject, sort=sort
        ),
        frame if table is None else table,
        **shown,
    )
