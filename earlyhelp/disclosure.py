"""Disclosure control: the one place that decides what a protected count looks like.

Default policy (DfE children in need convention): counts from 1 to 5 are suppressed. A suppressed
count is returned as null and shown as the GSS symbol 'c'. Secondary suppression and protection
against differencing arrive with the disclosure issue; this module is where they will live.
"""

from __future__ import annotations

import polars as pl

SUPPRESSED_SYMBOL = "c"
SMALLEST_SHOWN = 6


def protect_counts(frame: pl.DataFrame, count_columns: list[str]) -> pl.DataFrame:
    present = [c for c in count_columns if c in frame.columns]
    return frame.with_columns(
        pl.when(pl.col(c).is_between(1, SMALLEST_SHOWN - 1))
        .then(None)
        .otherwise(pl.col(c))
        .alias(c)
        for c in present
    )


def as_display_text(frame: pl.DataFrame, count_columns: list[str]) -> pl.DataFrame:
    """Counts as text with suppressed cells shown as 'c' (for CSV, JSON and tables)."""
    present = [c for c in count_columns if c in frame.columns]
    return frame.with_columns(
        pl.col(c).cast(pl.String).fill_null(SUPPRESSED_SYMBOL).alias(c) for c in present
    )
