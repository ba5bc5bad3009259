"""Caseloads and workforce: the sums, labels and figures behind pages/caseloads.py. No Streamlit.

The counting itself is SQL (queries/caseload_*.sql, allocation_*, continuity_*, workers_*, over
the marts in queries/marts/mart_caseload_*.sql). This module works on what those queries return,
after disclosure control: a suppressed count arrives as null, and every rate worked out here is
null when a count it needs is null, so nothing is divided by a hidden or a zero number.
"""

from __future__ import annotations

import calendar as _calendar
import functools
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from earlyhelp import charts, config
from earlyhelp.roles import Role
from earlyhelp.warehouse import load_organisation_types, organisation_key

DEFAULT_THRESHOLD = 18  # open cases per case-holding FTE
FTE_NOT_RECORDED = "FTE not recorded"

COUNCIL_TEAM = "Council team"
COMMISSIONED = "Commissioned provider"
# Which organisations are commissioned providers is council-edited data, not code: the
# organisations file (data/organisations.csv, config.organisations_file()), the same file the
# ingest loads into the warehouse for mart_episode_flags. See provider_type.

LEVEL_LABELS = {0: "Not recorded", 1: "Level 1", 2: "Level 2", 3: "Level 3", 4: "Level 4"}


# --- Periods ----------------------------------------------------------------------------------
def twelve_months_to(as_of: date) -> tuple[date, date]:
    """The 12 complete months up to a date (as on the Overview): ending with the month of
    `as_of` when it is that month's last day, otherwise with the month before. Returns the
    first day of the first month and the last day of the last month."""
    last_day = _calendar.monthrange(as_of.year, as_of.month)[1]
    if as_of.day == last_day:
        end = as_of
    else:
        end = _add_months(as_of.replace(day=1), -1)
        end = end.replace(day=_calendar.monthrange(end.year, end.month)[1])
    start = _add_months(end.replace(day=1), -11)
    return start, end


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# --- Who may see what ---------------------------------------------------------------------------
def sees_worker_names(role: Role) -> bool:
    """Managers and analysts see each worker's caseload by name; every other role sees only the
    distribution of caseloads."""
    return role.kind in ("manager", "analyst")


# --- Rates that survive suppression -------------------------------------------------------------
def _ratio(numerator: str, denominator: str, scale: float = 1.0, digits: int = 1) -> pl.Expr:
    """numerator / denominator * scale, null when either is null or the denominator is 0."""
    return (
        pl.when(
            pl.col(numerator).is_not_null()
            & pl.col(denominator).is_not_null()
            & (pl.col(denominator) > 0)
        )
        .then((pl.col(numerator) / pl.col(denominator) * scale).round(digits))
        .otherwise(None)
        .cast(pl.Float64)
    )


def with_cases_per_fte(frame: pl.DataFrame) -> pl.DataFrame:
    """Add cases_per_fte = cases_fte_recorded / fte (null when FTE is 0 or a count is hidden)."""
    return frame.with_columns(_ratio("cases_fte_recorded", "fte").alias("cases_per_fte"))


def with_share(frame: pl.DataFrame, part: str, whole: str, name: str) -> pl.DataFrame:
    """Add `name` = part / whole as a percentage to one decimal place (null when not known)."""
    return frame.with_columns(_ratio(part, whole, 100.0).alias(name))


def with_average_changes(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        _ratio("worker_changes", "episodes_closed", digits=2).alias("average_changes")
    )


# --- Workers ------------------------------------------------------------------------------------
def workers_above(distribution: pl.DataFrame, threshold: float) -> int:
    """Workers whose open cases per FTE are above a threshold, from workers_caseload_distribution
    (band_upper N holds caseloads in (N - 1, N]); exact for a whole-number threshold."""
    if distribution.is_empty():
        return 0
    return int(distribution.filter(pl.col("band_upper") > threshold)["workers"].sum())


def worker_table(workers: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """The per-worker table for managers and analysts: name (or the pseudonymous label when no
    name is recorded), team, FTE as text ('FTE not recorded' when missing or 0), open cases,
    cases per FTE and whether that is above the threshold."""
    return workers.select(
        pl.coalesce("worker_name", "worker_label").alias("worker"),
        "team",
        "job_title",
        pl.when(pl.col("fte").is_null())
        .then(pl.lit(FTE_NOT_RECORDED))
        .otherwise(pl.col("fte").round(2).cast(pl.String))
        .alias("fte"),
        "open_cases",
        "cases_per_fte",
        pl.when(pl.col("cases_per_fte").is_null())
        .then(pl.lit(FTE_NOT_RECORDED))
        .when(pl.col("cases_per_fte") > threshold)
        .then(pl.lit("Yes"))
        .otherwise(pl.lit("No"))
        .alias(f"above_{threshold:g}_per_fte"),
    )


def fte_note(summary: dict) -> str:
    """A sentence on the workers left out of the per-FTE figures because their FTE is missing."""
    missing = summary.get("workers_fte_not_recorded") or 0
    if not missing:
        return "Every case-holding worker has an FTE recorded."
    cases = summary.get("cases_fte_not_recorded")
    held = "cases too few to show" if cases is None else f"{cases:,} open cases"
    workers = "worker has" if missing == 1 else "workers have"
    return (
        f"{missing:,} case-holding {workers} no FTE recorded (missing or 0), holding {held}: "
        f"they are shown as '{FTE_NOT_RECORDED}' and left out of the per-FTE figures."
    )


# --- Teams and providers ------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _types_in(path: str, _mtime_ns: int, _size: int) -> dict[str, str]:
    frame = load_organisation_types(Path(path))
    return {organisation_key(n): t for n, t in frame.iter_rows()}


def organisation_types(path: Path | None = None) -> dict[str, str]:
    """Each organisation in the organisations file (compared as organisation_key) -> its type.
    Read again when the file changes; empty when there is no file."""
    path = Path(path) if path is not None else config.organisations_file()
    try:
        stat = path.stat()
    except OSError:
        return {}
    return _types_in(str(path), stat.st_mtime_ns, stat.st_size)


def commissioned_providers(path: Path | None = None) -> tuple[str, ...]:
    """The organisations the file types as `commissioned`, as compared (organisation_key)."""
    return tuple(key for key, kind in organisation_types(path).items() if kind == "commissioned")


def provider_type(organisation: str | None, commissioned: tuple[str, ...] | None = None) -> str:
    """'Commissioned provider' or 'Council team' for an organisation holding cases.

    An organisation listed in the organisations file is a commissioned provider when its type is
    `commissioned` and a council team otherwise. One not listed falls back to its name: it is a
    commissioned provider when the name contains a commissioned provider's name (so an area
    prefix such as 'A001 Positive Steps' still matches) or the word "commissioned". Given
    `commissioned` names, only that name rule is used.
    """
    name = organisation_key(organisation)
    if commissioned is None:
        listed = organisation_types().get(name)
        if listed is not None:
            return COMMISSIONED if listed == "commissioned" else COUNCIL_TEAM
        commissioned = commissioned_providers()
    if "commissioned" in name or any(
        organisation_key(p) in name for p in commissioned if p.strip()
    ):
        return COMMISSIONED
    return COUNCIL_TEAM


def with_provider_label(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Add provider_type and mark commissioned providers in the name shown on charts."""
    kinds = [provider_type(name) for name in frame[column].to_list()]
    return frame.with_columns(pl.Series("provider_type", kinds, dtype=pl.String)).with_columns(
        pl.when(pl.col("provider_type") == COMMISSIONED)
        .then(pl.col(column) + " (commissioned)")
        .otherwise(pl.col(column))
        .alias(column)
    )


def level_labels(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("level_of_need")
        .replace_strict(LEVEL_LABELS, default="Not recorded", return_dtype=pl.String)
        .alias("level_of_need")
    )


# --- Figures ------------------------------------------------------------------------------------
def caseload_distribution_figure(
    distribution: pl.DataFrame, threshold: float, when: date
) -> go.Figure:
    """Column chart of how many workers carry each caseload per FTE, with the threshold marked.

    Workers above the threshold are in the highlight colour, the rest in grey (the afcharts
    focus palette); the threshold is a labelled dashed line.
    """
    above = workers_above(distribution, threshold)
    total = int(distribution["workers"].sum()) if not distribution.is_empty() else 0
    title = "Workers by caseload per FTE"
    subtitle = f"Case-holding workers with an FTE recorded, {charts.long_date(when)}"
    fig = go.Figure()
    if total:
        uppers = distribution["band_upper"].to_list()
        counts = distribution["workers"].to_list()
        fig.add_trace(
            go.Bar(
                x=[u - 0.5 for u in uppers],
                y=counts,
                width=0.9,
                marker={
                    "color": [charts.FOCUS[0] if u > threshold else charts.FOCUS[1] for u in uppers]
                },
                customdata=[[u - 1, u] for u in uppers],
                hovertemplate=(
                    "More than %{customdata[0]} and up to %{customdata[1]} cases per FTE: "
                    "%{y} workers<extra></extra>"
                ),
            )
        )
        fig.add_vline(x=threshold, line={"color": charts.DARK_GREY, "width": 2, "dash": "dash"})
        fig.add_annotation(
            x=threshold,
            y=1,
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            xshift=6,
            text=f"<b>Threshold: {threshold:g} per FTE ({above} above)</b>",
            showarrow=False,
            font={"size": charts.BASE_FONT_PX, "color": charts.DARK_GREY},
        )
        right = max(max(uppers), threshold) + 1
    else:
        right = threshold + 5
    charts.apply_theme(fig)
    fig.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}},
        height=charts.PLOT_HEIGHT_PX + charts.TITLE_BLOCK_PX + 40 + 72,
        margin={"t": charts.TITLE_BLOCK_PX + 40, "r": 24, "b": 72, "l": 16, "pad": 0},
        showlegend=False,
        bargap=0.1,
    )
    fig.update_xaxes(
        title={"text": "Open cases per FTE", "font": {"size": charts.BASE_FONT_PX}},
        range=[0, right],
        tickformat=",d",
        dtick=2,
    )
    fig.update_yaxes(tickformat=",d", rangemode="tozero")
    if total:
        alt = (
            f"Column chart of {total} case-holding workers by their open early help cases per "
            f"FTE on {charts.long_date(when)}, with a threshold of {threshold:g} per FTE marked: "
            f"{above} of {total} workers are above it."
        )
    else:
        alt = (
            f"Column chart of workers by open cases per FTE on {charts.long_date(when)}: "
            "no case-holding worker with an FTE recorded on this date."
        )
    fig.update_layout(meta={charts.ALT_TEXT_KEY: alt})
    return fig


def distribution_table(distribution: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """The distribution as a readable table: the band, the workers in it, above the threshold."""
    return distribution.select(
        pl.format(
            "more than {} up to {}", (pl.col("band_upper") - 1).cast(pl.String), "band_upper"
        ).alias("open_cases_per_fte"),
        "workers",
        pl.when(pl.col("band_upper") > threshold)
        .then(pl.lit("Yes"))
        .otherwise(pl.lit("No"))
        .alias(f"above_{threshold:g}_per_fte"),
    )


# --- Totals and provider comparison -------------------------------------------------------------
def total(values: pl.Series) -> int | None:
    """The sum of protected counts, or None (shown as 'c') when any is hidden: a total shown
    beside a hidden count would give the hidden count away."""
    if values.null_count():
        return None
    return int(values.sum())


PROVIDER_COUNTS = (
    "allocated",
    "over_28_days",
    "episodes_closed",
    "worker_changes",
    "two_or_more_changes",
)


def provider_comparison(allocation: pl.DataFrame, continuity: pl.DataFrame) -> pl.DataFrame:
    """allocation_by_organisation beside continuity_by_organisation, one row per organisation,
    each marked council team or commissioned provider, with the share of closed episodes that
    had two or more changes of worker."""
    joined = allocation.with_columns(pl.lit(True).alias("_allocated")).join(
        continuity.with_columns(pl.lit(True).alias("_closed")),
        on="organisation",
        how="full",
        coalesce=True,
    )
    # An organisation missing from one side had none there: 0, not a hidden count.
    joined = joined.with_columns(
        *(
            pl.when(pl.col(flag).is_null()).then(0).otherwise(pl.col(c)).alias(c)
            for flag, columns in (
                ("_allocated", ("allocated", "over_28_days")),
                ("_closed", ("episodes_closed", "worker_changes", "two_or_more_changes")),
            )
            for c in columns
        )
    ).drop("_allocated", "_closed")
    joined = with_share(joined, "two_or_more_changes", "episodes_closed", "two_or_more_pct")
    labelled = with_provider_label(joined.sort("organisation"), "organisation")
    return labelled.select(
        "organisation",
        "provider_type",
        "allocated",
        "median_days",
        "average_days",
        "over_28_days",
        "episodes_closed",
        "worker_changes",
        "two_or_more_changes",
        "two_or_more_pct",
    )


def _sum_known(values: list) -> float | None:
    return None if any(v is None for v in values) else float(sum(values))


def provider_sentence(providers: pl.DataFrame, period_text: str) -> str:
    """Council teams against commissioned providers in plain English, each figure computed from
    the protected counts (a figure that needs a hidden count is left out)."""
    parts = []
    for kind, label in ((COUNCIL_TEAM, "council teams"), (COMMISSIONED, "commissioned providers")):
        rows = providers.filter(pl.col("provider_type") == kind)
        if rows.is_empty():
            continue
        facts = []
        allocated = [v or 0 for v in rows["allocated"].to_list()]
        days = rows["average_days"].to_list()
        weights = rows["allocated"].to_list()
        if all(w is not None for w in weights) and sum(allocated):
            weighted = sum((d or 0) * w for d, w in zip(days, weights, strict=True))
            facts.append(
                f"families waited {weighted / sum(allocated):.1f} days on average for a worker"
            )
        closed = _sum_known(rows["episodes_closed"].to_list())
        changed = _sum_known(rows["two_or_more_changes"].to_list())
        if closed and changed is not None:
            facts.append(
                f"{changed / closed:.0%} of closed episodes had two or more changes of worker"
            )
        if facts:
            parts.append(f"- **{label.capitalize()}**: " + "; ".join(facts) + ".")
    if not parts:
        return ""
    return "\n".join([f"From {period_text}:", *parts])


def whole_number_axis(fig: go.Figure) -> go.Figure:
    """Whole-number ticks on a bar chart's value axis, one apart when the values are small (so
    that ',d' ticks never repeat, as 0, 1, 1, 2 would)."""
    top = max((max((v or 0) for v in trace.x or [0]) for trace in fig.data), default=0)
    if top <= 10:
        fig.update_xaxes(dtick=1, tickformat=",d")
    return fig
