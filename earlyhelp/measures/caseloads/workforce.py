"""Open cases and the workforce: the 12-month period, cases per FTE and shares, workers above the
threshold, the per-worker table and the split of open episodes the headline tiles add up to.

The counting itself is SQL (queries/caseloads/: caseload_*, allocation_*, continuity_*, workers_*,
over the marts in queries/marts/mart_caseload_*.sql). This module works on what those queries
return, after disclosure control: a suppressed count arrives as null, and every rate worked out
here is null when a count it needs is null, so nothing is divided by a hidden or a zero number.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date

import polars as pl

from earlyhelp.core.dates import add_months
from earlyhelp.query import disclosure
from earlyhelp.query.roles import Role

DEFAULT_THRESHOLD = 18  # open cases per case-holding FTE
FTE_NOT_RECORDED = "FTE not recorded"

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
        end = add_months(as_of.replace(day=1), -1)
        end = end.replace(day=_calendar.monthrange(end.year, end.month)[1])
    start = add_months(end.replace(day=1), -11)
    return start, end


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


def level_labels(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("level_of_need")
        .replace_strict(LEVEL_LABELS, default="Not recorded", return_dtype=pl.String)
        .alias("level_of_need")
    )


# --- The caseload distribution as a table -------------------------------------------------------
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


@dataclass(frozen=True)
class OpenSplit:
    """The borough's open episodes on a day and what is happening to them, added up from
    caseload_snapshot_by_district's protected district rows (None: shown as c). Open episodes
    = with a worker + waiting for a first worker + between workers (held by a council team or
    commissioned provider, had a worker, none on the day) + led by partners (open but not
    held: a school, a health visitor)."""

    open_episodes: int | None
    with_worker: int | None
    waiting: int | None
    between_workers: int | None
    partner_led: int | None

    @property
    def withheld(self) -> list[str]:
        """The parts withheld (c), in words."""
        names = {
            "with_worker": "with a worker",
            "waiting": "waiting",
            "partner_led": "led by partners",
        }
        return [words for name, words in names.items() if getattr(self, name) is None]

    def sentence(self) -> str:
        """One line under the tiles: how the parts make the open episodes, and which part is
        withheld (never worked out from the others by subtraction)."""
        parts = ["with a worker", "waiting", "led by partners"]
        if self.between_workers:
            parts.insert(2, f"{self.between_workers:,} between workers")
        line = " + ".join(parts).capitalize() + " = open episodes"
        if self.withheld:
            hidden = _join_words(self.withheld)
            verb = "is" if len(self.withheld) == 1 else "are"
            return (
                f"{line}; {hidden} {verb} withheld (c: too few in a district), not worked out "
                "by subtraction."
            )
        return f"{line}."


def _join_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def open_split(
    districts: pl.DataFrame, exact: bool = True, borough_waiting: pl.DataFrame | None = None
) -> OpenSplit:
    """The borough's open episodes split, from caseload_snapshot_by_district as the role sees
    it. Each part is a total of the district counts (None when any is withheld: see total).
    Led by partners is open minus held by a council team or provider, and between workers is
    held minus with a worker minus waiting, district by district and only from counts that are
    shown, so neither ever uncovers a withheld count: a district with one withheld leaves that
    part of the borough withheld too.

    With counts rounded for disclosure (`exact` False) a district's difference can be a little
    off: below 0, or a few where there are none (counts each rounded by up to 2 make at most 5
    of them). Below 0 is read as 0. From 1 up to the largest count the policy withholds, led by
    partners is withheld (it may be a true small count, which is never shown) and between
    workers is read as 0 (the sentence under the tiles names between workers only when there
    are more than rounding can make). The tiles then add up to within the rounding, as the
    page's footnote says.

    `borough_waiting` is kpi_waiting_for_worker as the role sees it: its Borough row is counted
    for the whole borough and protected as one count, so the waiting tile shows the Scorecard's
    figure (one number for one measure) even when a district's count is withheld."""
    slack = 0 if exact else disclosure.current_policy().withheld_up_to
    held = pl.col("case_held_episodes")
    partner = pl.col("open_episodes") - held
    between = held - pl.col("with_worker") - pl.col("waiting")
    frame = districts.with_columns(
        pl.when(partner <= 0)
        .then(0)
        .when(partner <= slack)
        .then(None)
        .otherwise(partner)
        .alias("partner_led"),
        pl.when(between <= slack).then(0).otherwise(between).alias("between"),
    )
    waiting = total(frame["waiting"])
    if borough_waiting is not None:
        row = borough_waiting.filter(pl.col("district") == "Borough")
        waiting = row["waiting"][0] if row.height else waiting
    return OpenSplit(
        open_episodes=total(frame["open_episodes"]),
        with_worker=total(frame["with_worker"]),
        waiting=waiting,
        between_workers=total(frame["between"]),
        partner_led=total(frame["partner_led"]),
    )
