"""Council teams and commissioned providers: which organisations are which (the council-edited
organisations file, names as the fallback), the label on charts, and the two compared on
allocation and continuity of worker, with the sentence that says how they differ."""

from __future__ import annotations

import functools
from pathlib import Path

import polars as pl

from earlyhelp.core import config
from earlyhelp.load.warehouse import load_organisation_types, organisation_key
from earlyhelp.measures.caseloads.workforce import with_share

COUNCIL_TEAM = "Council team"
COMMISSIONED = "Commissioned provider"


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
