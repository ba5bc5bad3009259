"""DfE published figures by local authority: read as published, kept with their GSS symbols.

Four layouts are read (the files the DfE's Children's social care outcomes and enablers
service publishes, as downloaded from explore-education-statistics):

- `c1_referrals`: children in need referrals and re-referrals within 12 months, by reporting
  year (the year to 31 March), England, regions and local authorities;
- `csww`: children's social work workforce indicators (the census at 30 September), among them
  case-holding FTE, cases and caseload per FTE;
- `population`: ONS mid-year estimates of children aged 0 to 17 (the mid-year is the
  `time_period`);
- `neighbours`: the DfE statistical neighbour groupings (each council's 10 closest councils).

A file is recognised by its header; any other layout is refused with one line naming the file.
A published cell is a number or a GSS symbol (`c` confidential, `low`/`k` rounds to 0 but is
not 0, `x`/`:` not available, `z` not applicable, `u` low reliability, `w` no data): a symbol is
kept as itself in `symbol` with the value null, never as 0. A cell that is neither is cleared
and listed among the rejects; a row without a usable year, level or area is rejected. Each file
is reconciled (rows read = loaded + rejected) like an extract.

Which council is ours is configuration (`config.local_authority`, by code, number or name);
`resolve_local_authority` finds it in the loaded figures.

No Streamlit here.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from earlyhelp.core.errors import UnusableInput
from earlyhelp.presentation import charts

# --- What the published cells mean ---------------------------------------------------------------
#: GSS and DfE symbols, and what each means (shown on the pages and in the docs).
SYMBOLS = {
    "c": "confidential (suppressed to protect individuals)",
    "low": "rounds to 0, but is not 0",
    "k": "rounds to 0, but is not 0",
    "x": "not available",
    ":": "not available",
    "z": "not applicable",
    "u": "low reliability",
    "w": "no data",
}
_BRACKETED = re.compile(r"^\[(\w+|:)\]$")
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")

# --- Layouts ------------------------------------------------------------------------------------
GEOGRAPHY_COLUMNS = (
    "time_period",
    "geographic_level",
    "country_code",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)
#: Columns of a published data file that describe it rather than hold a figure.
DESCRIPTIVE_COLUMNS = frozenset(
    {*GEOGRAPHY_COLUMNS, "time_identifier", "country_name", "category", "age_group"}
)
LEVELS = {"National": "England", "Regional": "Region", "Local authority": "Local authority"}


@dataclass(frozen=True)
class Layout:
    name: str
    title: str
    needs: tuple[str, ...]  # the columns that identify it (besides GEOGRAPHY_COLUMNS)


LAYOUTS = (
    Layout(
        "c1_referrals",
        "children in need referrals and re-referrals (DfE)",
        ("referral_count", "rereferral_count", "rereferral_percent"),
    ),
    Layout(
        "csww",
        "children's social work workforce indicators (DfE)",
        ("case_holders_fte", "cases", "caseload_fte"),
    ),
    Layout("population", "mid-year population estimates, 0 to 17 (ONS)", ("population_estimate",)),
)
NEIGHBOURS_LAYOUT = "neighbours"
NEIGHBOURS_TITLE = "statistical neighbour groupings (DfE)"
NEIGHBOURS = 10

FIGURES_TABLE = "benchmark_figures"
NEIGHBOURS_TABLE = "benchmark_neighbours"
FIGURES_SCHEMA = {
    "dataset": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
    "time_period": pl.Int64,
    "geographic_level": pl.String,
    "area_code": pl.String,  # new_la_code, region_code or country_code
    "la_number": pl.String,  # old_la_code: the three-digit number the neighbour groupings use
    "area_name": pl.String,
    "region_code": pl.String,
    "region_name": pl.String,
    "published_for": pl.String,  # "A / B" when one figure was published for two councils
    "field": pl.String,
    "value": pl.Float64,
    "symbol": pl.String,
}
NEIGHBOURS_SCHEMA = {
    "source_file": pl.String,
    "la_number": pl.String,
    "la_name": pl.String,
    "neighbour_rank": pl.Int64,
    "neighbour_number": pl.String,
    "neighbour_name": pl.String,
    "closeness": pl.String,
}
TABLE_SCHEMAS = {FIGURES_TABLE: FIGURES_SCHEMA, NEIGHBOURS_TABLE: NEIGHBOURS_SCHEMA}
REJECTS_SCHEMA = {
    "file": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "reason": pl.String,
}


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


# --- Reading --------------------------------------------------------------------------------------
@dataclass
class FileResult:
    """One file read: what it was, its rows and its reconciliation."""

    path: str
    layout: str
    title: str
    rows: pl.DataFrame
    rows_read: int = 0
    rows_rejected: int = 0
    values_cleared: int = 0
    symbols: dict[str, int] = field(default_factory=dict)
    years: tuple[int, int] | None = None
    sha256: str = ""
    rejects: list[tuple] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return self.rows_read - self.rows_rejected

    def manifest_entry(self) -> dict:
        return {
            "file": self.path,
            "layout": self.layout,
            "title": self.title,
            "rows_read": self.rows_read,
            "loaded": self.rows_loaded,
            "rejected": self.rows_rejected,
            "values_cleared": self.values_cleared,
            "symbols": dict(sorted(self.symbols.items())),
            "years": list(self.years) if self.years else None,
            "sha256": self.sha256,
        }


def cell(text: str | None) -> tuple[float | None, str | None, bool]:
    """A published cell as (value, symbol, usable): a number, a GSS symbol (value None), blank
    (both None), or neither (usable False: cleared and listed among the rejects)."""
    text = (text or "").strip().replace("\u00a0", "")
    if not text:
        return None, None, True
    bracketed = _BRACKETED.match(text)
    symbol = (bracketed.group(1) if bracketed else text).lower()
    if symbol in SYMBOLS:
        return None, symbol, True
    number = text.replace(",", "")
    if _NUMBER.match(number):
        return float(number), None, True
    return None, None, False


def _read_rows(path: Path) -> list[list[str]]:
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
            return list(csv.reader(handle))
    except OSError as exc:
        raise UnusableInput(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except csv.Error as exc:
        raise UnusableInput(f"{path}: not a CSV file this command can read ({exc})") from exc


def _layout_of(path: Path, header: list[str]) -> str:
    names = {h.strip() for h in header}
    for layout in LAYOUTS:
        if set(GEOGRAPHY_COLUMNS) <= names and set(layout.needs) <= names:
            return layout.name
    if {"LA Name", "SN1", "SN10"} <= names and ({"LA num", "LA number"} & names):
        return NEIGHBOURS_LAYOUT
    expected = "; ".join(f"{layout.title}" for layout in LAYOUTS) + f"; {NEIGHBOURS_TITLE}"
    raise UnusableInput(
        f"{path}: not a DfE published file this command reads (its header has none of the "
        f"layouts: {expected})"
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_file(path: Path) -> FileResult:
    """One published file, recognised by its header (UnusableInput, one line, when it is none
    of the layouts)."""
    path = Path(path)
    rows = _read_rows(path)
    if not rows:
        raise UnusableInput(f"{path}: the file is empty")
    header = [h.strip() for h in rows[0]]
    layout = _layout_of(path, header)
    if layout == NEIGHBOURS_LAYOUT:
        result = _read_neighbours(path, header, rows[1:])
    else:
        result = _read_figures(path, layout, header, rows[1:])
    result.sha256 = _sha256(path)
    return result


def _read_figures(path: Path, layout: str, header: list[str], rows: list[list[str]]) -> FileResult:
    title = next(x.title for x in LAYOUTS if x.name == layout)
    index = {h: i for i, h in enumerate(header)}
    fields = [h for h in header if h and h not in DESCRIPTIVE_COLUMNS]
    out: dict[str, list] = {c: [] for c in FIGURES_SCHEMA}
    result = FileResult(str(path), layout, title, pl.DataFrame(schema=FIGURES_SCHEMA))
    years: list[int] = []
    for number, cells in enumerate(rows, start=2):  # the header is row 1
        if not any(c.strip() for c in cells):
            continue  # a blank line is not a row
        result.rows_read += 1

        def get(column: str, cells: list[str] = cells) -> str:
            i = index[column]
            return cells[i].strip() if i < len(cells) else ""

        level, period = get("geographic_level"), get("time_period")
        reason = None
        if level not in LEVELS:
            reason = ("geographic_level", level, "not National, Regional or Local authority")
        elif not (period.isdigit() and len(period) in (4, 6)):
            reason = ("time_period", period, "not a year")
        codes = {
            "National": get("country_code"),
            "Regional": get("region_code"),
            "Local authority": get("new_la_code"),
        }
        if reason is None and not codes[level]:
            reason = ("area code", "", f"no code for the {level.lower()} row")
        if reason is None and level == "Local authority" and not get("old_la_code"):
            reason = ("old_la_code", "", "no local authority number")
        if reason:
            result.rows_rejected += 1
            result.rejects.append((str(path), number, *reason))
            continue
        year = int(period[:4])
        years.append(year)
        if level == "Local authority":
            # One figure published for two councils ("940 / 941"): each council gets it, marked.
            numbers = [p.strip() for p in get("old_la_code").split("/")]
            area_codes = [p.strip() for p in codes[level].split("/")]
            names = [p.strip() for p in get("la_name").split(" / ")]
            shared = get("la_name") if len(numbers) > 1 else None
            if not (len(numbers) == len(area_codes) == len(names)):
                names = [get("la_name")] * len(numbers)
                area_codes = (area_codes * len(numbers))[: len(numbers)]
            areas = list(zip(numbers, area_codes, names, strict=True))
        elif level == "Regional":
            areas = [(None, codes[level], get("region_name"))]
            shared = None
        else:
            areas = [(None, codes[level], get("country_name") or "England")]
            shared = None
        parsed = []
        for name in fields:
            raw = get(name)
            value, symbol, usable = cell(raw)
            if not usable:
                result.values_cleared += 1
                result.rejects.append(
                    (str(path), number, name, raw, "not a number or a GSS symbol: cleared")
                )
            if symbol:
                result.symbols[symbol] = result.symbols.get(symbol, 0) + 1
            parsed.append((name, value, symbol))
        for la_number, area_code, area_name in areas:
            for name, value, symbol in parsed:
                for column, item in (
                    ("dataset", layout),
                    ("source_file", path.name),
                    ("source_row", number),
                    ("time_period", year),
                    ("geographic_level", level),
                    ("area_code", area_code),
                    ("la_number", la_number),
                    ("area_name", area_name),
                    ("region_code", get("region_code") or None),
                    ("region_name", get("region_name") or None),
                    ("published_for", shared),
                    ("field", name),
                    ("value", value),
                    ("symbol", symbol),
                ):
                    out[column].append(item)
    result.rows = pl.DataFrame(out, schema=FIGURES_SCHEMA)
    result.years = (min(years), max(years)) if years else None
    return result


def _read_neighbours(path: Path, header: list[str], rows: list[list[str]]) -> FileResult:
    number_column = header.index("LA number") if "LA number" in header else header.index("LA num")
    name_column = header.index("LA Name")
    ranks = [header.index(f"SN{k}") for k in range(1, NEIGHBOURS + 1)]
    result = FileResult(
        str(path), NEIGHBOURS_LAYOUT, NEIGHBOURS_TITLE, pl.DataFrame(schema=NEIGHBOURS_SCHEMA)
    )
    parsed: list[tuple[int, str, str, list[tuple[str, str]]]] = []
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        result.rows_read += 1
        cells = cells + [""] * (len(header) - len(cells))
        la, name = cells[number_column].strip(), cells[name_column].strip()
        neighbours = [(cells[i].strip(), cells[i + 1].strip()) for i in ranks]
        if not la.isdigit():
            result.rows_rejected += 1
            result.rejects.append((str(path), number, "LA number", la, "not a council number"))
            continue
        bad = next((n for n, _ in neighbours if not n.isdigit()), None)
        if bad is not None:
            result.rows_rejected += 1
            result.rejects.append(
                (str(path), number, "SN1..SN10", bad, "a neighbour that is not a council number")
            )
            continue
        parsed.append((number, la, name, neighbours))
    names = {la: name for _, la, name, _ in parsed}
    out: dict[str, list] = {c: [] for c in NEIGHBOURS_SCHEMA}
    for _, la, name, neighbours in parsed:
        for rank, (neighbour, closeness) in enumerate(neighbours, start=1):
            for column, item in (
                ("source_file", path.name),
                ("la_number", la),
                ("la_name", name),
                ("neighbour_rank", rank),
                ("neighbour_number", neighbour),
                ("neighbour_name", names.get(neighbour, neighbour)),
                ("closeness", closeness or None),
            ):
                out[column].append(item)
    result.rows = pl.DataFrame(out, schema=NEIGHBOURS_SCHEMA)
    return result


def read_paths(paths: list[Path]) -> list[FileResult]:
    """Every file named (a folder: its *.csv files), one of each layout at most."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(path.glob("*.csv"))
            if not found:
                raise UnusableInput(f"{path}: no CSV files in the folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise UnusableInput(f"{path}: no such file or folder")
    results = [read_file(p) for p in files]
    seen: dict[str, str] = {}
    for result in results:
        if result.layout in seen:
            raise UnusableInput(
                f"{result.path}: a second file of {result.title} (the first: "
                f"{seen[result.layout]}); give one file of each"
            )
        seen[result.layout] = result.path
    return results


def tables_from(results: list[FileResult], current: dict) -> dict:
    """The benchmark tables after this load: each dataset given replaces the same dataset in the
    current tables; the others are kept (load this year's referrals without the rest again)."""
    figures = current.get(FIGURES_TABLE, pl.DataFrame(schema=FIGURES_SCHEMA))
    neighbours = current.get(NEIGHBOURS_TABLE, pl.DataFrame(schema=NEIGHBOURS_SCHEMA))
    for result in results:
        if result.layout == NEIGHBOURS_LAYOUT:
            neighbours = result.rows
        else:
            figures = pl.concat([figures.filter(pl.col("dataset") != result.layout), result.rows])
    return {FIGURES_TABLE: figures, NEIGHBOURS_TABLE: neighbours}


def rejects_frame(results: list[FileResult]) -> pl.DataFrame:
    rows = [r for result in results for r in result.rejects]
    return pl.DataFrame(rows, schema=REJECTS_SCHEMA, orient="row")


def merge_rejects(
    results: list[FileResult], kept: pl.DataFrame | None, previous: dict | None
) -> pl.DataFrame:
    """This load's rejects, and those kept of the files whose layout it did not replace."""
    new = rejects_frame(results)
    if kept is None or not kept.height:
        return new
    replaced = {r.layout for r in results}
    still = {f["file"] for f in (previous or {}).get("files", []) if f["layout"] not in replaced}
    kept = kept.filter(pl.col("file").is_in(sorted(still)))
    return pl.concat([kept.cast(REJECTS_SCHEMA), new])


def manifest_entry(results: list[FileResult], previous: dict | None, loaded: str) -> dict:
    """What the manifest records of the benchmark files: each file's reconciliation, kept for
    the layouts this load did not replace."""
    files = {f["layout"]: f for f in (previous or {}).get("files", [])}
    for result in results:
        files[result.layout] = result.manifest_entry()
    return {"loaded": loaded, "files": [files[k] for k in sorted(files)]}


def reconciliation_text(entry: dict, version: str, local_authority: str | None) -> str:
    lines = [f"Published warehouse version {version} with DfE published figures", ""]
    lines.append(
        f"{'file':<46}{'rows read':>10}{'loaded':>9}{'rejected':>10}{'cleared':>9}  symbols"
    )
    for f in entry["files"]:
        symbols = ", ".join(f"{k} {v:,}" for k, v in f["symbols"].items()) or "none"
        years = f" ({f['years'][0]}-{f['years'][1]})" if f.get("years") else ""
        lines.append(
            f"{f['title'][:45]:<46}{f['rows_read']:>10,}{f['loaded']:>9,}{f['rejected']:>10,}"
            f"{f['values_cleared']:>9,}  {symbols}"
        )
        lines.append(f"  {f['file']}{years}")
    lines.append("")
    lines.append("Symbols are kept as published (never read as 0): " + _symbol_words())
    if local_authority:
        lines.append(local_authority)
    return "\n".join(lines)


def _symbol_words() -> str:
    return "; ".join(f"{k} {v}" for k, v in SYMBOLS.items() if k not in ("k", ":"))


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


def comparison_figure(frame: pl.DataFrame, measure: Measure, council: str) -> go.Figure:
    """One measure over the years published: the council's line in dark blue and thick, its
    neighbours' average, region and England labelled in darker tones, each neighbour a thin
    light grey line (named in the table and on hover), so that the council stands out."""
    part = frame.filter(pl.col("measure") == measure.id)
    years = sorted(set(part["time_period"].to_list()))
    fig = go.Figure()
    ends = []
    styles = {
        "neighbour": (charts.MID_GREY, 1.5, "solid"),
        "neighbours": (charts.CATEGORICAL[1], 2.5, "dash"),
        "region": (charts.CATEGORICAL[2], 2.5, "dot"),
        "england": (charts.DARK_GREY, 2.5, "dashdot"),
        "council": (charts.MAIN, 4.5, "solid"),
    }
    for role in styles:
        rows = part.filter(pl.col("area_role") == role)
        names = rows["area_name"].unique(maintain_order=True).to_list()
        for name in names:
            line = rows.filter(pl.col("area_name") == name).sort("time_period")
            colour, width, dash = styles[role]
            label = "Neighbours' average" if role == "neighbours" else name
            fig.add_trace(
                go.Scatter(
                    x=line["time_period"].to_list(),
                    y=line["value"].to_list(),
                    mode="lines+markers" if role != "neighbour" else "lines",
                    line={"color": colour, "width": width, "dash": dash},
                    marker={"size": 8 if role == "council" else 5, "color": colour},
                    connectgaps=False,
                    name=label,
                    hovertemplate=f"{label}, %{{x}}: %{{y:,.{measure.decimals}f}}<extra></extra>",
                )
            )
            known = line.filter(pl.col("value").is_not_null())
            if role != "neighbour" and not known.is_empty():
                ends.append((label, colour, known["time_period"][-1], known["value"][-1]))
    values = [v for v in part["value"].to_list() if v is not None]
    y_max = (max(values, default=1) * 1.12) or 1
    right = charts.label_line_ends(
        fig, ends, y_max, highlight=council, font_px=charts.MIN_FONT_PX + 2
    )
    charts.apply_theme(fig)
    period = measure.period.format(year="each year")
    fig.update_layout(
        title={
            "text": f"{measure.short or measure.title}: {council} and its neighbours",
            "subtitle": {
                "text": f"{measure.unit[:1].upper()}{measure.unit[1:]}, {period}; grey lines: "
                "each neighbour. "
                "DfE published figures"
            },
        },
        height=charts.PLOT_HEIGHT_PX + charts.TITLE_BLOCK_PX + 56,
        margin={"t": charts.TITLE_BLOCK_PX, "r": right, "b": 56, "l": 16, "pad": 0},
        showlegend=False,
    )
    # Years as numbers on a linear axis, one tick each (a category axis of numeric-looking
    # labels is read as numbers by Plotly and drew every year on the first).
    fig.update_xaxes(
        type="linear",
        tickmode="array",
        tickvals=years,
        ticktext=[str(y) for y in years],
        range=[years[0] - 0.3, years[-1] + 0.3] if years else None,
    )
    fig.update_yaxes(range=[0, y_max], rangemode="tozero")
    council_rows = part.filter(
        (pl.col("area_role") == "council") & pl.col("value").is_not_null()
    ).sort("time_period")
    trend = ""
    if council_rows.height:
        first, last = council_rows.row(0, named=True), council_rows.row(-1, named=True)
        trend = (
            f"; {council} {format_value(first['value'], None, measure)} in {first['time_period']}"
            f" and {format_value(last['value'], None, measure)} in {last['time_period']}"
        )
    span = f"{years[0]} to {years[-1]}" if years else "no years"
    alt = (
        f"Line chart of {measure.title[:1].lower()}{measure.title[1:]}, {span}: {council} "
        "highlighted "
        f"against its neighbours (grey lines), their average, its region and England{trend}."
    )
    fig.update_layout(meta={charts.ALT_TEXT_KEY: " ".join(alt.split())})
    return fig


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
