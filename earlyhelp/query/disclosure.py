"""Disclosure control: the one place that decides what a protected count looks like.

Every count that leaves the server for a role without exact counts (board, district) passes
through `protect`, applied by the query runner to the columns a query declares in
`-- counts:`. The pages, the CSV downloads and the command line therefore all show the same
protected figures, and a page cannot forget to protect one.

Three things are done, in this order:

1. **Primary suppression.** A count from 1 to `suppress_up_to` (5 under the DfE children in
   need convention) is withheld: returned as null and shown as the GSS symbol `c`. So is any
   count that rounding (step 2) would show as `suppress_up_to` or less: under the default
   policy 6 and 7 would be shown as 5, which anyone checking a published paper reads as an
   unsuppressed small count, so every count from 1 to 7 is withheld (`Policy.withheld_up_to`)
   and no figure from 1 to 5 is ever shown. A true zero is shown as 0.
2. **Rounding** of every other count to the nearest `round_to` (5). An interactive dashboard
   lets anyone build two views whose difference is one small group of children ("all
   districts" minus "all but one", this month minus last, all ages minus the other bands).
   Published tables avoid this by fixing their views in advance; a dashboard cannot. Rounding
   each count the same way every time it is shown (a deterministic function of the true
   count, so asking again, or asking for the same children through another filter, gives the
   same answer) means the difference of two shown counts never pins down a small count:
   each shown count stands for a range of true counts, and two ranges always leave more than
   one possible difference. `tests/test_disclosure.py` searches filter pairs for a
   counter-example with `hypothesis`.
3. **Secondary suppression** within each result: where a group of cells that add up to a
   total shown elsewhere (one district's months, one month's districts) has exactly one
   suppressed cell, the next smallest cell is suppressed too, so the suppressed cell cannot
   be worked out by subtraction even before rounding is taken into account.

Rates and percentages are never taken from exact counts for these roles: pages compute them
from the protected counts, so a suppressed count gives no rate. A statistic a query works out
itself (a median or average of days, a percentage) is declared in its header with the counts it
is worked out from (`-- statistics: median_days (from allocated)`); `protect` withholds it
wherever one of those counts is withheld, so a median of two children's waits is never shown.

A manager of one district (`manager:<name>`) sees that district's rows exactly and everything
else protected: `protect(..., exact_rows=...)` leaves the marked rows alone and protects the rest
among themselves (so a complementary suppression is never spent on a row shown exactly).

Policies are chosen in configuration (`EARLYHELP_DISCLOSURE_POLICY`): `dfe` (default) or
`nhs` (NHS England / OpenSAFELY: counts up to 7 suppressed, the rest rounded to the nearest 5).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import polars as pl

#: GSS symbols (Government Statistical Service guidance on symbols in tables).
SUPPRESSED_SYMBOL = "c"  # confidential: withheld to protect the people behind it
NOT_APPLICABLE_SYMBOL = "z"
UNAVAILABLE_SYMBOL = "x"
LOW_SYMBOL = "low"  # rounds to zero but is not zero (not produced by these policies)


@dataclass(frozen=True)
class Policy:
    name: str
    suppress_up_to: int
    round_to: int
    title: str

    @property
    def withheld_up_to(self) -> int:
        """The largest count withheld: `suppress_up_to`, or more where rounding would show a
        larger count as `suppress_up_to` or less (6 and 7 round to 5 under the DfE policy)."""
        largest = self.suppress_up_to
        while _rounded(largest + 1, self.round_to) <= self.suppress_up_to:
            largest += 1
        return largest

    @property
    def smallest_shown(self) -> int:
        return self.withheld_up_to + 1

    def footnote(self) -> str:
        """The sentence every protected table and chart carries."""
        rounding = (
            f" Other counts are rounded to the nearest {self.round_to}, so totals may not add up."
            if self.round_to > 1
            else ""
        )
        return (
            f"{SUPPRESSED_SYMBOL}: a count from 1 to {self.withheld_up_to}, withheld to protect "
            f"the children and families behind it.{rounding}"
        )


def _rounded(value: int, base: int) -> int:
    """A positive count rounded half up to the nearest multiple of base (as published)."""
    return int((value + base // 2) // base * base) if base > 1 else int(value)


POLICIES = {
    "dfe": Policy(
        "dfe",
        suppress_up_to=5,
        round_to=5,
        title="DfE children in need convention, with rounding against differencing",
    ),
    "nhs": Policy(
        "nhs",
        suppress_up_to=7,
        round_to=5,
        title="NHS England and OpenSAFELY: counts up to 7 withheld, others rounded to 5",
    ),
}
DEFAULT_POLICY = "dfe"
POLICY_ENV = "EARLYHELP_DISCLOSURE_POLICY"


def current_policy() -> Policy:
    """The policy named in configuration; an unknown name is an error, never a silent default."""
    name = os.environ.get(POLICY_ENV, DEFAULT_POLICY).strip().lower() or DEFAULT_POLICY
    if name not in POLICIES:
        raise ValueError(
            f"{POLICY_ENV}={name!r} is not a disclosure policy: use {' or '.join(POLICIES)}"
        )
    return POLICIES[name]


# Kept for callers that describe the default policy in words.
SMALLEST_SHOWN = POLICIES[DEFAULT_POLICY].smallest_shown


def protect_value(value: int | None, policy: Policy) -> int | None:
    """One count as published: None (shown as c) for 1..withheld_up_to, 0 for 0, otherwise
    rounded half up to the nearest multiple of round_to."""
    if value is None:
        return None
    if 1 <= value <= policy.withheld_up_to:
        return None
    if value <= 0:
        return int(value)
    return _rounded(value, policy.round_to)


def shown_range(shown: int | None, policy: Policy) -> range:
    """Every true count that is published as `shown` (None = c): what a reader can infer."""
    if shown is None:
        return range(1, policy.withheld_up_to + 1)
    if shown == 0:
        return range(0, 1)
    base = policy.round_to
    low = max(shown - base // 2, policy.smallest_shown)
    high = shown + (base - 1) // 2
    return range(low, high + 1)


#: Said under a protected table or chart that shows a statistic (median, average, percentage).
STATISTICS_NOTE = (
    f"A median, average or percentage worked out from a withheld count is withheld too "
    f"({SUPPRESSED_SYMBOL})."
)


def protect(
    frame: pl.DataFrame,
    count_columns: list[str],
    policy: Policy | None = None,
    key_columns: list[str] | None = None,
    statistics: dict[str, tuple[str, ...]] | None = None,
    exact_rows: pl.Series | None = None,
) -> pl.DataFrame:
    """Primary suppression, secondary suppression along each key column, then rounding, for
    the count columns of a query result; then each statistic (name -> the counts it is worked
    out from) is withheld where one of its counts is.

    `exact_rows` (a boolean per row) marks rows shown exactly (a scoped manager's own district):
    they are left as they are, and the other rows are protected among themselves."""
    if exact_rows is not None and exact_rows.fill_null(False).any():
        return _protect_all_but(
            frame, exact_rows.fill_null(False), count_columns, policy, key_columns, statistics
        )
    policy = policy or current_policy()
    counts = [c for c in count_columns if c in frame.columns]
    if not counts or frame.is_empty():
        return frame
    keys = [c for c in (key_columns or []) if c in frame.columns and c not in counts]
    out = frame.with_columns(
        pl.when(pl.col(c).is_between(1, policy.withheld_up_to))
        .then(None)
        .otherwise(pl.col(c))
        .alias(c)
        for c in counts
    )
    if keys:
        out = _secondary(out, frame, counts, keys)
    base = policy.round_to
    if base > 1:
        out = out.with_columns(
            pl.when(pl.col(c) > 0)
            .then(((pl.col(c) + base // 2) // base) * base)
            .otherwise(pl.col(c))
            .cast(frame.schema[c])
            .alias(c)
            for c in counts
        )
    return suppress_statistics(out, statistics or {})


def _protect_all_but(
    frame: pl.DataFrame,
    exact: pl.Series,
    count_columns: list[str],
    policy: Policy | None,
    key_columns: list[str] | None,
    statistics: dict[str, tuple[str, ...]] | None,
) -> pl.DataFrame:
    """The rows marked in `exact` as they are; the others protected among themselves."""
    order = "__order"
    work = frame.with_row_index(order)
    protected = protect(
        work.filter(~exact), count_columns, policy, key_columns, statistics=statistics
    )
    return (
        pl.concat([work.filter(exact), protected], how="vertical_relaxed").sort(order).drop(order)
    )


def suppress_statistics(
    frame: pl.DataFrame, statistics: dict[str, tuple[str, ...]]
) -> pl.DataFrame:
    """Each statistic (median, average, percentage) made null wherever a count it is worked out
    from is null, that is withheld (1 to the policy's threshold, or a complementary cell)."""
    present = {
        name: [b for b in bases if b in frame.columns]
        for name, bases in statistics.items()
        if name in frame.columns
    }
    present = {name: bases for name, bases in present.items() if bases}
    if not present:
        return frame
    return frame.with_columns(
        pl.when(pl.any_horizontal(pl.col(b).is_null() for b in bases))
        .then(None)
        .otherwise(pl.col(name))
        .alias(name)
        for name, bases in present.items()
    )


def withheld_statistics(
    frame: pl.DataFrame, statistics: dict[str, tuple[str, ...]]
) -> dict[str, pl.Series]:
    """For each statistic in `frame`, which of its nulls are withheld (shown as c), as opposed
    to having nothing to work out (no episodes: shown empty): a count it is worked out from is
    null too."""
    found = {}
    for name, bases in statistics.items():
        present = [b for b in bases if b in frame.columns]
        if name not in frame.columns or not present:
            continue
        mask = frame.select(
            pl.col(name).is_null() & pl.any_horizontal(pl.col(b).is_null() for b in present)
        ).to_series()
        if mask.any():
            found[name] = mask
    return found


def _secondary(
    protected: pl.DataFrame, original: pl.DataFrame, counts: list[str], keys: list[str]
) -> pl.DataFrame:
    """Where a group of cells along one key (the other keys fixed) has exactly one suppressed
    cell, suppress one more in it. The extra cell is chosen so as not to leave another group
    with a single suppressed cell where possible, then the smallest: the usual way to keep
    complementary suppressions few. One cell at a time, until no group has a lonely one."""
    row, true, hidden = "__row", "__true", "__hidden"
    work = protected.with_row_index(row)
    for column in counts:
        state = work.select(row, *keys, pl.Series(true, original[column])).with_columns(
            (work[column].is_null() & pl.col(true).is_not_null()).alias(hidden)
        )
        for _ in range(state.height):
            lonely_in = []
            for key in keys:
                group = [k for k in keys if k != key] or [pl.lit(0)]
                state = state.with_columns(
                    pl.col(hidden).sum().over(group).alias(f"__n_{key}"),
                    pl.len().over(group).alias(f"__size_{key}"),
                )
                lonely_in.append((pl.col(f"__n_{key}") == 1) & (pl.col(f"__size_{key}") > 1))
            # Candidates: visible, non-zero cells in a group with a lonely suppressed cell.
            in_lonely_group = pl.any_horizontal(lonely_in)
            candidates = state.filter(in_lonely_group & ~pl.col(hidden) & (pl.col(true) > 0))
            if candidates.is_empty():
                break
            new_lonely = pl.sum_horizontal(
                (pl.col(f"__n_{key}") == 0).cast(pl.Int32) for key in keys
            )
            chosen = candidates.sort(new_lonely, true, row)[row][0]
            state = state.with_columns((pl.col(hidden) | (pl.col(row) == chosen)).alias(hidden))
        work = work.with_columns(
            pl.when(state[hidden]).then(None).otherwise(pl.col(column)).alias(column)
        )
    return work.drop(row)


def as_display_text(
    frame: pl.DataFrame,
    count_columns: list[str],
    statistics: dict[str, tuple[str, ...]] | None = None,
) -> pl.DataFrame:
    """Counts as text with suppressed cells shown as 'c' (for CSV, JSON and tables); statistics
    withheld because a count they are worked out from is withheld are 'c' too (a statistic with
    nothing to work out stays empty)."""
    withheld = withheld_statistics(frame, statistics or {})
    frame = frame.with_columns(
        pl.when(mask)
        .then(pl.lit(SUPPRESSED_SYMBOL))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name, mask in withheld.items()
    )
    present = [c for c in count_columns if c in frame.columns]
    return frame.with_columns(
        pl.col(c).cast(pl.String).fill_null(SUPPRESSED_SYMBOL).alias(c) for c in present
    )


def protect_counts(frame: pl.DataFrame, count_columns: list[str]) -> pl.DataFrame:
    """Primary suppression and rounding with the configured policy (no secondary: no keys)."""
    return protect(frame, count_columns)
