"""The DfE published figures compared: which council is ours, and the "Compared with others"
page's tables and sentences as data (and the line beside the Overview's and Scorecard's
headlines).

The figures are read and reconciled by load/dfe.py; the page's charts are drawn by
presentation/benchmark_charts.py. Which council is ours is configuration
(`config.local_authority`, by code, number or name); `resolve_local_authority` finds it in the
loaded figures.

No Streamlit, no Plotly here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from earlyhelp.load.dfe import NEIGHBOURS, SYMBOLS


# --- The measures the pages compare ---------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    unit: str
    decimals: int
    period: str  # how a time_period is said: "year to 31 March {year}"
    higher_words: str  # what a higher value means, for the sentence
    definition: str
    short: str = ""  # the chart's title, which must fit one line on a laptop


MEASURES = (
    Measure(
        "referrals_rate",
        "Referrals to children's social care per 10,000 children",
        "per 10,000 children",
        1,
        "year to 31 March {year}",
        "more referrals for its child population",
        "Referrals to children's social care in the year to 31 March, per 10,000 children aged "
        "0 to 17 in the ONS mid-year estimate inside that year (mid-2023 for the year to 31 March "
        "2024). Worked out here from the published referrals and population; DfE worked out its "
        "own rates from the estimates available at the time, so they may differ slightly.",
        "Referrals per 10,000 children",
    ),
    Measure(
        "rereferral_pct",
        "Re-referrals within 12 months",
        "% of referrals",
        1,
        "year to 31 March {year}",
        "more children referred again within a year",
        "Referrals in the year to 31 March for a child referred within the 12 months before, as "
        "a per cent of all referrals, as DfE published it.",
        "Re-referrals within 12 months",
    ),
    Measure(
        "caseload_fte",
        "Social worker caseload per FTE",
        "cases per FTE",
        1,
        "30 September {year}",
        "more cases for each case-holding social worker",
        "Cases held by case-holding children and family social workers at 30 September, per "
        "full-time equivalent (FTE) case holder, as DfE published it (the column caseload_fte).",
        "Caseload per social worker FTE",
    ),
)
MEASURE_BY_ID = {m.id: m for m in MEASURES}

#: Scorecard KPIs (data/kpis.yaml ids) with a published figure to set them beside, for context:
#: the published ones are children's social care's, so the page says so.
KPI_COMPARATORS = {"rereferrals": "rereferral_pct", "caseload_per_fte": "caseload_fte"}


# --- Which council is ours ------------------------------------------------------------------------
@dataclass(frozen=True)
class Council:
    la_number: str
    area_code: str
    name: str
    region_code: str | None
    region_name: str | None


def resolve_local_authority(setting: str | None, areas: pl.DataFrame) -> Council | str:
    """The council the setting names (its ONS code such as E08000004, its three-digit number
    such as 353, or its name, any case) among `areas` (the benchmark_local_authorities query),
    or a sentence saying why it cannot be found."""
    if not setting or not setting.strip():
        return "No local authority is configured (EARLYHELP_LOCAL_AUTHORITY)."
    wanted = " ".join(setting.split()).casefold()
    for row in areas.iter_rows(named=True):
        keys = {
            str(row["la_number"] or "").casefold(),
            str(row["area_code"] or "").casefold(),
            " ".join(str(row["area_name"] or "").split()).casefold(),
        }
        if wanted in keys:
            return Council(
                row["la_number"],
                row["area_code"],
                row["area_name"],
                row["region_code"],
                row["region_name"],
            )
    return (
        f"The configured local authority {setting!r} is not in the published figures loaded "
        "(give its ONS code, its three-digit DfE number or its name as DfE spells it)."
    )


# --- What the page says -------------------------------------------------------------------------
def format_value(value: float | None, symbol: str | None, measure: Measure) -> str:
    if value is None:
        return symbol or "no figure"
    return f"{value:,.{measure.decimals}f}"


def standing_sentence(council: str, row: dict, measure: Measure) -> str:
    """Where the council stands among its neighbours in one year, in words: "In the year to 31
    March 2025, Oldham (654.9) was higher than 8 of its 10 neighbours, above their average..."."""
    period = measure.period.format(year=row["time_period"])
    when = ("In the " if period.startswith("year") else "At ") + period
    value = row["value"]
    with_value = row["neighbours_with_value"] or 0
    if value is None:
        shown = SYMBOLS.get(row["symbol"] or "", "not published")
        return f"{when}, {council}'s figure is {shown}, so it cannot be ranked."
    if not with_value:
        return f"{when}, none of {council}'s neighbours has a published figure to compare."
    below, above = row["neighbours_below"], row["neighbours_above"]
    of = (
        f"{with_value} neighbours"
        if with_value == NEIGHBOURS
        else (f"{with_value} neighbours with a published figure")
    )
    if below and not above:
        place = f"higher than all {of}"
    elif above and not below:
        place = f"lower than all {of}"
    elif below >= above:
        place = f"higher than {below} of its {of}"
    else:
        place = f"lower than {above} of its {of}"
    if with_value - below - above:
        place += f" (the same as {with_value - below - above})"
    words = [f"{when}, {council} ({format_value(value, None, measure)}) was {place}"]
    average = row.get("neighbours_value")
    if average is not None:
        relation = "above" if value > average else "below" if value < average else "level with"
        words.append(f"{relation} their average ({format_value(average, None, measure)})")
    for key, label in (
        ("region_value", row.get("region_name") or "its region"),
        ("england_value", "England"),
    ):
        other = row.get(key)
        if other is not None:
            relation = "above" if value > other else "below" if value < other else "level with"
            words.append(f"{relation} {label} ({format_value(other, None, measure)})")
    text = words[0]
    if len(words) > 1:
        text += ", " + ", ".join(words[1:-1]) + (" and " if len(words) > 2 else "") + words[-1]
    return text + f": a higher figure means {measure.higher_words}."


def loaded_entry(manifest: dict) -> dict | None:
    """The manifest's record of the benchmark files loaded, or None when none are."""
    entry = manifest.get("benchmarks") or {}
    return entry if entry.get("files") else None


ROLE_LABELS = {
    "neighbours": "Neighbours' average",
    "region": None,  # the region's own name
    "england": "England",
}


def comparison_table(frame: pl.DataFrame, measure: Measure) -> pl.DataFrame:
    """One measure of the benchmark_comparison query as a table: a row per area (the council,
    its neighbours' average, its region, England, then each neighbour by closeness), a column per
    year, each cell the published value or its symbol (text, so that 'c' reads as 'c')."""
    part = frame.filter(pl.col("measure") == measure.id)
    if part.is_empty():
        return pl.DataFrame({"area": []}, schema={"area": pl.String})
    order = {"council": 0, "neighbours": 1, "region": 2, "england": 3, "neighbour": 4}
    cells = part.with_columns(
        pl.struct("value", "symbol")
        .map_elements(
            lambda r: format_value(r["value"], r["symbol"], measure).replace(",", ""),
            return_dtype=pl.String,
        )
        .alias("shown"),
        pl.col("time_period").cast(pl.String).alias("year"),
        pl.col("area_role").replace_strict(order, default=9).alias("order"),
        pl.when(pl.col("area_role") == "neighbour")
        .then(pl.format("{}. {}", pl.col("neighbour_rank"), pl.col("area_name")))
        .when(pl.col("area_role") == "neighbours")
        .then(pl.lit("Neighbours' average"))
        .otherwise(pl.col("area_name"))
        .alias("area"),
    )
    table = cells.pivot(on="year", index=["order", "neighbour_rank", "area"], values="shown")
    return table.sort("order", "neighbour_rank", nulls_last=False).drop("order", "neighbour_rank")


def extract_against_published(extract: pl.DataFrame, standing: pl.DataFrame) -> pl.DataFrame:
    """The council's referrals and re-referral % counted from its own extract (the
    benchmark_extract_referrals query, already protected) beside the published figures for the
    same years to 31 March (the benchmark_standing query: referrals are the numerator of the
    published rate), and the gaps, extract minus published. A withheld count gives no gap; years
    published but not covered by the extract (or the other way round) are left out."""

    def published(measure_id: str, column: str, name: str) -> pl.DataFrame:
        return standing.filter(pl.col("measure") == measure_id).select(
            pl.col("time_period").alias("year_ending"), pl.col(column).alias(name)
        )

    joined = (
        extract.select(
            "year_ending", "referrals", "rereferrals", "rereferral_pct", "lookback_complete"
        )
        .join(published("referrals_rate", "numerator", "published_referrals"), on="year_ending")
        .join(
            published("rereferral_pct", "numerator", "published_rereferrals"),
            on="year_ending",
            how="left",
        )
        .join(
            published("rereferral_pct", "value", "published_rereferral_pct"),
            on="year_ending",
            how="left",
        )
    )
    return joined.select(
        pl.format(
            "{}-{}",
            pl.col("year_ending") - 1,
            (pl.col("year_ending") % 100).cast(pl.String).str.zfill(2),
        ).alias("year"),
        pl.col("referrals").alias("extract_referrals"),
        pl.col("published_referrals").cast(pl.Int64),
        (pl.col("referrals") - pl.col("published_referrals")).cast(pl.Int64).alias("referrals_gap"),
        pl.col("rereferrals").alias("extract_rereferrals"),
        pl.col("rereferral_pct").alias("extract_rereferral_pct"),
        "published_rereferral_pct",
        (pl.col("rereferral_pct") - pl.col("published_rereferral_pct"))
        .round(1)
        .alias("rereferral_pct_gap"),
        pl.when(pl.col("lookback_complete"))
        .then(pl.lit("yes"))
        .otherwise(pl.lit("no"))
        .alias("lookback_complete"),
    )


#: The side-by-side table's headers as shown (after ui.display_table).
EXTRACT_HEADERS = {
    "Year": "Year (April to March)",
    "Extract referrals": "Referrals: extract",
    "Published referrals": "Referrals: DfE",
    "Referrals gap": "Referrals: gap",
    "Extract rereferrals": "Re-referrals: extract",
    "Extract rereferral pct": "Re-referral %: extract",
    "Published rereferral pct": "Re-referral %: DfE",
    "Rereferral pct gap": "Re-referral %: gap (points)",
    "Lookback complete": "12 months before in extract",
}


#: What the page's figures are worked out from, for a side-by-side table's statistics.
EXTRACT_STATISTICS = {
    "referrals_gap": ("extract_referrals",),
    "extract_rereferral_pct": ("extract_rereferrals", "extract_referrals"),
    "rereferral_pct_gap": ("extract_rereferrals", "extract_referrals"),
}
RANK_NOTE = (
    "Neighbours' average: the mean of the neighbours' published figures that year (those with a "
    "number). A figure published as a symbol is shown as the symbol, never as 0."
)
LOOKBACK_NOTE = (
    "Re-referrals from the extract look back 365 days into the extract, so in a year whose "
    "previous 12 months the extract does not hold (12 months before in extract: no) they are "
    "undercounted."
)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_table(standing: pl.DataFrame, measure: Measure) -> pl.DataFrame:
    """The council's place among itself and its neighbours each year (1 = the highest figure),
    with the comparators: the benchmark_standing rows of one measure, as text cells."""
    rows = []
    for row in standing.sort("time_period").iter_rows(named=True):
        ranked = row["value"] is not None and row["neighbours_with_value"]
        rows.append(
            {
                "year": measure.period.format(year=row["time_period"]),
                "council": format_value(row["value"], row["symbol"], measure),
                "rank_highest_first": (
                    f"{ordinal(row['neighbours_above'] + 1)} of {row['neighbours_with_value'] + 1}"
                    if ranked
                    else "not ranked"
                ),
                "neighbours_below": row["neighbours_below"],
                "neighbours_above": row["neighbours_above"],
                "neighbours_average": format_value(row["neighbours_value"], None, measure),
                "region": format_value(row["region_value"], None, measure),
                "england": format_value(row["england_value"], None, measure),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "year": pl.String,
            "council": pl.String,
            "rank_highest_first": pl.String,
            "neighbours_below": pl.Int64,
            "neighbours_above": pl.Int64,
            "neighbours_average": pl.String,
            "region": pl.String,
            "england": pl.String,
        },
    )


def gap_sentence(side_by_side: pl.DataFrame, council: str) -> str:
    """The latest year both the extract and DfE cover, in words."""
    row = side_by_side.sort("year").row(-1, named=True)
    year = int(row["year"][:4]) + 1
    ours, published = row["extract_referrals"], row["published_referrals"]
    if ours is None or published is None:
        return (
            f"For the year to 31 March {year} the extract's count is withheld or DfE published "
            "none, so there is no gap to show."
        )
    gap = ours - published
    share = f" ({gap / published:+.0%})" if published else ""
    direction = "more" if gap > 0 else "fewer"
    words = (
        f"the same number of referrals as DfE published for {council} ({published:,})"
        if gap == 0
        else f"{abs(gap):,} {direction} referrals{share} than DfE published for {council} "
        f"({ours:,} against {published:,})"
    )
    return f"For the year to 31 March {year} the extract holds {words}."


def sources_markdown(entry: dict) -> str:
    lines = ["**Files loaded** (`python -m earlyhelp benchmarks`, " + entry["loaded"][:10] + "):"]
    for f in entry["files"]:
        years = f" ({f['years'][0]} to {f['years'][1]})" if f.get("years") else ""
        lines.append(
            f"- {f['title']}{years}: {f['loaded']:,} rows loaded of {f['rows_read']:,} read, "
            f"{f['rejected']:,} rejected"
        )
    lines.append("")
    lines.append(
        "**Symbols**, as DfE publishes them: "
        + "; ".join(f"`{k}` {v}" for k, v in SYMBOLS.items() if k not in ("k", ":"))
        + ". Referral years run to 31 March; the workforce census is at 30 September."
    )
    return "\n".join(lines)


# --- Beside the headline figures (Overview and Scorecard) -----------------------------------
def council_standing(
    manifest: dict, run: Callable[[str, dict], pl.DataFrame], setting: str | None = None
) -> tuple[Council, pl.DataFrame] | None:
    """The configured council and its benchmark_standing rows, or None when no published figures
    are loaded or the council is not among them (the Compared with others page says why). `run`
    runs a named query with parameters (the page's cached ui.query)."""
    from earlyhelp.core import config

    if loaded_entry(manifest) is None:
        return None
    council = resolve_local_authority(
        setting or config.local_authority(), run("benchmark_local_authorities", {})
    )
    if not isinstance(council, Council):
        return None
    standing = run("benchmark_standing", {"la": council.la_number})
    return (council, standing) if not standing.is_empty() else None


def comparator_words(council: Council, standing: pl.DataFrame, measure_id: str) -> str | None:
    """The latest published figure of a measure for the council, its neighbours' average and
    England, in a line: "Referrals to children's social care per 10,000 children in the year to
    31 March 2025: Oldham 654.9, its neighbours' average 544.5, England 519.4."""
    rows = standing.filter(pl.col("measure") == measure_id).sort("time_period")
    if rows.is_empty():
        return None
    measure = MEASURE_BY_ID[measure_id]
    row = rows.row(-1, named=True)
    parts = [
        f"{council.name} {format_value(row['value'], row['symbol'], measure)}",
        f"its neighbours' average {format_value(row['neighbours_value'], None, measure)}",
        f"England {format_value(row['england_value'], None, measure)}",
    ]
    period = measure.period.format(year=row["time_period"])
    when = ("in the " if period.startswith("year") else "at ") + period
    unit = "" if measure.unit in measure.title else f" ({measure.unit})"
    return f"{measure.title}{unit} {when}: {', '.join(parts)}."
