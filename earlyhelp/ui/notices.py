"""What this extract lacks (measures/quality/), said where a page shows a measure: a
notice instead of a chart or headline tile that has no data, a note for a partial one."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from earlyhelp.measures import quality
from earlyhelp.query.runner import QueryRunner
from earlyhelp.ui.tiles import METRIC_WIDTH_PX
from earlyhelp.ui.warehouse import _runner


@st.cache_data(show_spinner=False, max_entries=8)
def _findings(warehouse: str, version: str) -> dict[str, quality.Finding]:
    return {f.key: f for f in quality.assess(_runner(warehouse, version))}


def data_quality(runner: QueryRunner) -> dict[str, quality.Finding]:
    """Each measure's finding for the runner's warehouse version, by key (cached per version).
    Empty when it cannot be worked out: the figures are then shown as they are."""
    try:
        return _findings(str(runner.version_dir.parent.parent), runner.version)
    except Exception:
        return {}


def _notice_markdown(finding: quality.Finding) -> str:
    """The finding's notice, with Data quality as a link to its page."""
    text = finding.notice or ""
    return text.replace("See Data quality.", "See [Data quality](data_quality).")


def measure_available(runner: QueryRunner, key: str) -> bool:
    """Call before drawing a chart: for a measure missing from this extract, says "Not in this
    extract: <field>. See Data quality." and returns False (leave the chart out: it would show
    zeros or "not recorded"); for a partial one, a short note, and True; else nothing, True."""
    finding = data_quality(runner).get(key)
    if finding is None or finding.status == quality.COMPLETE:
        return True
    if finding.status == quality.MISSING:
        st.info(_notice_markdown(finding), icon=":material/report:")
        return False
    st.caption(_notice_markdown(finding))
    return True


def metric_available(runner: QueryRunner, key: str, label: str) -> bool:
    """For a headline metric in a metric row: True to draw it; for a measure missing from this
    extract, a box the size of a metric with its label and the notice instead, and False.
    (Partial headlines are noted under the row: see partial_notes.)"""
    finding = data_quality(runner).get(key)
    if finding is None or finding.status != quality.MISSING:
        return True
    with st.container(border=True, width=METRIC_WIDTH_PX, height="stretch"):
        st.markdown(label)
        st.caption(_notice_markdown(finding))
    return False


def partial_notes(runner: QueryRunner, keys: Iterable[str]) -> None:
    """One caption under a row of headline metrics for those of its measures that are
    partial in this extract."""
    findings = data_quality(runner)
    notes = [
        f"**{findings[k].measure}**: {findings[k].note}"
        for k in keys
        if k in findings and findings[k].status == quality.PARTIAL
    ]
    if notes:
        st.caption("Partly recorded. " + " ".join(notes) + " See [Data quality](data_quality).")
