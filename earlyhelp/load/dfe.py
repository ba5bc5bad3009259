"""Reading the DfE published figures: recognise each file's layout, read its cells, reconcile it.

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
is reconciled (rows read = loaded + rejected) like an extract. The tables made here are loaded
by load/warehouse.py; measures/benchmarks.py compares them.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from earlyhelp.core.errors import UnusableInput

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
