"""Headline figures: metric tiles (with a strategy KPI's status and target when given),
headline counts with their change, and the row that holds them."""

from __future__ import annotations

import re

import streamlit as st

from earlyhelp.measures import kpis
from earlyhelp.query import disclosure
from earlyhelp.query.runner import QueryRunner
from earlyhelp.ui.downloads import _name_part

METRIC_WIDTH_PX = 200  # four fit across a 1366px screen; two per row at 1024px
#: A tile with a strategy target: its status and target ("▲ Close to target  target ≥ 1,200")
#: on one line under the figure.
TARGET_TILE_WIDTH_PX = 232


def format_count(value: int | None) -> str:
    return disclosure.SUPPRESSED_SYMBOL if value is None else f"{value:,}"


def headline_metric(
    label: str,
    value: int | None,
    previous: int | None = None,
    *,
    help: str | None = None,
    target: tuple[kpis.Kpi, float | None] | None = None,
    width: int | None = None,
) -> None:
    """A big number, with its change against a previous figure when one is given.

    Rises and falls in demand are neither good nor bad, so the change is grey with an arrow.
    Keep the label short (about 22 characters): a metric label does not wrap. Say what the
    change is measured against in the text around the metrics. A suppressed value shows 'c'.
    With `target` (a strategy KPI and the figure to judge), the tile also shows the KPI's
    status and target (see metric_tile).
    """
    delta = None
    if value is not None and previous is not None:
        change = value - previous
        percent = f" ({change / previous:+.0%})" if previous else ""
        delta = f"{change:+,}{percent}"
    metric_tile(label, format_count(value), delta=delta, help=help, target=target, width=width)


def metric_tile(
    label: str,
    shown: str,
    *,
    delta: str | None = None,
    help: str | None = None,
    target: tuple[kpis.Kpi, float | None] | None = None,
    width: int | None = None,
) -> None:
    """One headline tile: the figure as shown, its change (grey: neither good nor bad), and,
    with `target` (a strategy KPI and the figure to judge against it), the KPI's status in
    colour, symbol and word, with the target under it, inside the tile. Pass a target only
    when the tile counts what the KPI counts (the KPI's area and its 12 months): a target for
    the whole borough says nothing about one age band. The status is decided on the figure
    rounded as the KPI shows it, as on the Scorecard."""
    # A comparison ('Borough: 1,110') is not a change, and no change ('+0') neither goes up
    # nor down: no arrow.
    still = delta is not None and re.match(r"[+-]0(\.0+)?(?![\d.,])", delta)
    arrow = "off" if delta is not None and (delta[:1] not in "+-" or still) else "auto"
    if target is None:
        width = width or METRIC_WIDTH_PX
        st.metric(
            label,
            shown,
            delta=delta,
            delta_color="off",
            delta_arrow=arrow,
            help=help,
            border=True,
            height="stretch",
            width=width,
        )
        return
    width = width or TARGET_TILE_WIDTH_PX
    kpi, value = target
    status = kpi.status(None if value is None else round(value, kpi.decimals))
    with st.container(border=True, width=width, height="stretch", gap=None, key=_tile_key(label)):
        st.metric(label, shown, delta=delta, delta_color="off", delta_arrow=arrow, help=help)
        st.markdown(
            f":{kpis.BADGE_COLOURS[status]}-badge[{kpis.status_text(status)}] "
            f":small[target\u00a0{kpi.target_compact()}]"
        )


#: The key of a tile with a status starts with this (PAGE_CSS keeps it as compact as a metric).
TILE_KEY = "tile-"


def _tile_key(label: str) -> str:
    return TILE_KEY + _name_part(label)


def strategy_kpi(runner: QueryRunner, kpi_id: str) -> kpis.Kpi | None:
    """The strategy KPI `kpi_id` from the KPI definitions, or None when there is no such KPI
    or the definitions cannot be used (the Scorecard says why)."""
    try:
        kpi_set = kpis.load_kpis(kpis.kpis_file(), runner.queries)
    except kpis.KpiFileError:
        return None
    return next((k for k in kpi_set.kpis if k.id == kpi_id), None)


def metric_row():
    """A row of headline metrics that wraps onto a second row on a narrow screen or projector,
    instead of cutting the numbers off."""
    return st.container(horizontal=True, gap="small")
