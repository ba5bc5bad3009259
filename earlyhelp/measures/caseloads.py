"""Caseloads and workforce: the sums, labels and figures behind pages/caseloads.py. No Streamlit.

The counting itself is SQL (queries/caseload_*.sql, allocation_*, continuity_*, workers_*, over
the marts in queries/marts/mart_caseload_*.sql). This module works on what those queries return,
after disclosure control: a suppressed count arrives as null, and every rate worked out here is
null when a count it needs is null, so nothing is divided by a hidden or a zero number.
"""

from __future__ import annotations

import calendar as _calendar
import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from earlyhelp.core import config
from earlyhelp.load.warehouse import load_organisation_types, organisation_key
from earlyhelp.presentation import charts
from earlyhelp.query import disclosure
from earlyhelp.query.roles import Role

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


# --- The extract's warm-up ----------------------------------------------------------------------
#: The share of episodes that close within the warm-up: see warm_up_months.
WARM_UP_SHARE = 0.9
#: The warm-up when episode lengths cannot be read (no closures, or too many withheld).
WARM_UP_FALLBACK_MONTHS = 12
#: The warm-up when more than one episode in ten lasts a year or more (the last band is open).
WARM_UP_LONGEST_MONTHS = 24
WARM_UP_LABEL = "Warm-up"
WARM_UP_HOVER = "Episodes begun before the data start are missing from these months"


def _band_months(band: str) -> int | None:
    """The whole months an outcomes_durations band runs up to: 'Under 1 month' -> 1, '6 to 9
    months' -> 9, '12 months or more' -> None (no end)."""
    if "or more" in band:
        return None
    numbers = re.findall(r"\d+", band)
    return int(numbers[-1]) if numbers else None


def warm_up_months(durations: pl.DataFrame, withheld_up_to: int | None = None) -> int:
    """How many months an extract's open-episode counts take to warm up: the months within
    which 9 in 10 early help episodes close, read from outcomes_durations over the whole
    extract (closures in bands of months; the upper end of the band that holds the 90th
    percentile, so the warm-up errs towards too long).

    Why: the extract holds the episodes that started on or after its first day, so a count of
    episodes open on day D leaves out those that started before the first day and were still
    open on D: episodes longer than D minus the first day. Once that gap passes the length
    9 in 10 episodes close within, fewer than one episode in ten lasts that long; and as an
    open count holds each episode for as long as it lasts, what is missing is a smaller share
    still (on the demo data: a third of the count three months in, 3% at nine months, 1% at
    twelve). The counts before then climb because of the extract, not because of demand.

    A band withheld for disclosure (null) is read both as 0 and as `withheld_up_to`, the later
    band taken. No closures at all gives WARM_UP_FALLBACK_MONTHS; a 90th percentile of a year
    or more, WARM_UP_LONGEST_MONTHS. (Closed episodes only: the few still open at the end, and
    the long ones cut off by the start, make this a little short; the band's upper end and the
    rounding up to a month end in warm_up_end make up for it.)
    """
    return _warm_up(durations, withheld_up_to)[0]


def _warm_up(durations: pl.DataFrame, withheld_up_to: int | None = None) -> tuple[int, str]:
    """warm_up_months, with the reason in words for the note under a chart."""
    unknown = (
        WARM_UP_FALLBACK_MONTHS,
        f"{WARM_UP_FALLBACK_MONTHS} months, as episode lengths cannot be read",
    )
    if durations.is_empty():
        return unknown
    rows = durations.sort("sort_order")
    bands = [_band_months(b) for b in rows["duration"].to_list()]
    counts = rows["closures"].to_list()
    largest = (
        withheld_up_to if withheld_up_to is not None else disclosure.current_policy().withheld_up_to
    )

    def band_of(fill: int) -> int | None | str:
        values = [fill if c is None else c for c in counts]
        total = sum(values)
        if not total:
            return "none"
        so_far = 0
        for months, value in zip(bands, values, strict=True):
            so_far += value
            if so_far >= WARM_UP_SHARE * total:
                return months
        return None

    found = [band_of(0), band_of(largest)]
    if "none" in found:
        return unknown
    if None in found:
        return WARM_UP_LONGEST_MONTHS, "more than 1 in 10 episodes last a year or more"
    months = max(found)
    return months, f"9 in 10 episodes close within {months} months"


def a_year_before(day: date) -> date:
    """The same day a year before (28 February for 29 February)."""
    return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)


def warm_up_end(first_day: date, months: int) -> date:
    """The first month end at least `months` after the data's first day: open-episode counts
    on it and after are out of the warm-up."""
    start = _add_months(first_day, months)
    return start.replace(day=_calendar.monthrange(start.year, start.month)[1])


@dataclass(frozen=True)
class WarmUp:
    """The months at the start of an extract whose open-episode counts are too low (episodes
    that began before the data are missing), shaded on every chart of open cases over time."""

    first_day: date
    months: int
    end: date  # the first month end out of the warm-up
    why: str = ""  # why this many months, in words ("9 in 10 episodes close within 9 months")

    @property
    def last_month(self) -> date:
        """The first day of the last month whose month-end count is in the warm-up."""
        return _add_months(self.end, -1)

    def counts_fully(self, day: date) -> bool:
        """Whether open episodes counted on `day` are out of the warm-up (none missing but a
        few long ones), so a change from that day means something."""
        return day >= self.end

    def covers(self, months: pl.Series) -> bool:
        """Whether any of these months ('YYYY-MM' text or dates) is in the warm-up."""
        shown = [m for m in months.to_list() if m is not None]
        return any(str(m)[:7] < self.end.isoformat()[:7] for m in shown)

    def _months_text(self) -> str:
        first, last = self.first_day.replace(day=1), self.last_month
        if first >= last:
            return charts.month_name(first)
        start = charts.month_name(first)
        if first.year == last.year:
            start = start.split()[0]
        return f"{start} to {charts.month_name(last)}"

    def shade(self, fig: go.Figure) -> go.Figure:
        """Shade the warm-up on a chart of months (x 'YYYY-MM', drawn on each month's first
        day), labelled, and say so in its alt text."""
        return charts.shade_warm_up(
            fig,
            self.first_day.replace(day=1),
            self.end.replace(day=1),
            WARM_UP_LABEL,
            hover=WARM_UP_HOVER,
            alt=f"The months from {self._months_text()} are shaded as the warm-up: open "
            f"episodes that began before the data start on {charts.long_date(self.first_day)} "
            "are missing from them, so those counts are too low.",
        )

    def note(self, months: pl.Series) -> str | None:
        """The sentence under a chart of these months, or None when none is in the warm-up."""
        if not self.covers(months):
            return None
        return (
            f"Shaded, {self._months_text()}: the warm-up, when episodes that began before the "
            f"data start ({charts.long_date(self.first_day)}) are missing, so open cases are "
            f"undercounted ({self.why or f'{self.months} months'})."
        )


def warm_up(first_day: date, durations: pl.DataFrame) -> WarmUp:
    """The warm-up of an extract that starts on `first_day`, from outcomes_durations over the
    whole extract (from its first day to its last): see warm_up_months."""
    months, why = _warm_up(durations)
    return WarmUp(first_day, months, warm_up_end(first_day, months), why)


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
