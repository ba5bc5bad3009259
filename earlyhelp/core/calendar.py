"""The events calendar and school term dates: council-editable data in `data/calendar/`.

Demand for early help follows the school year (schools are a main referrer) and moved sharply
with the Covid lockdowns. Both are configuration, not code: term dates differ between councils,
and a council adds its own events (a new front door, a restructure) to explain its own charts.
A bad row must stop the load with a message that names the file, row and column, so that the
person who edited the file can fix it.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from pathlib import Path

import holidays
import numpy as np
import polars as pl

DEFAULT_CALENDAR_DIR = Path(__file__).resolve().parents[2] / "data" / "calendar"

EVENT_COLUMNS = ("start_date", "end_date", "label", "kind", "description")
TERM_COLUMNS = ("term", "start_date", "end_date")


def _file_version(path: Path) -> tuple[int, int] | None:
    """What the cached readers are keyed on besides the path (None for a missing file, which
    the reader then reports by name)."""
    if not path.exists():
        return None
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def load_events(path: Path | None = None) -> pl.DataFrame:
    """Events that move demand, sorted by start date.

    Columns: start_date (Date), end_date (Date, null for a single-day event), label (short,
    for a chart annotation), kind (e.g. "covid", "school"), description.

    Read again only when the file changes: the pages read it on every rerun, and a council's
    edit still shows on the next one.
    """
    path = Path(path or DEFAULT_CALENDAR_DIR / "events.csv")
    return _read_events(path, _file_version(path))


@functools.lru_cache(maxsize=8)
def _read_events(path: Path, _version: tuple[int, int] | None) -> pl.DataFrame:
    raw = _read_text_csv(path, EVENT_COLUMNS)
    events = raw.with_columns(
        _parse_dates(path, raw, "start_date", required=True),
        _parse_dates(path, raw, "end_date", required=False),
        pl.col("description").fill_null(""),
    )
    _require_text(path, events, "label")
    _require_text(path, events, "kind")
    _require_ordered(path, events, "start_date", "end_date")
    return events.sort("start_date", "label")


def load_term_dates(path: Path | None = None) -> pl.DataFrame:
    """School terms as teaching blocks (half terms are the gaps between rows), sorted by start.

    Columns: term (e.g. "2020/21 Autumn 1"), start_date (Date), end_date (Date). A date in no
    block but within the covered years is a school holiday. Read again only when the file
    changes, as load_events.
    """
    path = Path(path or DEFAULT_CALENDAR_DIR / "term_dates.csv")
    return _read_term_dates(path, _file_version(path))


@functools.lru_cache(maxsize=8)
def _read_term_dates(path: Path, _version: tuple[int, int] | None) -> pl.DataFrame:
    raw = _read_text_csv(path, TERM_COLUMNS)
    terms = raw.with_columns(
        _parse_dates(path, raw, "start_date", required=True),
        _parse_dates(path, raw, "end_date", required=True),
    )
    _require_text(path, terms, "term")
    _require_ordered(path, terms, "start_date", "end_date")
    terms = terms.sort("start_date")
    overlaps = terms.filter(pl.col("start_date") <= pl.col("end_date").shift(1))
    if overlaps.height:
        raise ValueError(f"{path}: term {overlaps['term'][0]!r} overlaps the term before it")
    return terms


def school_holiday_flags(dates: pl.Series, term_dates: pl.DataFrame | None = None) -> pl.Series:
    """True for each date outside every teaching block (weekends in term time are not holidays).

    Raises ValueError for a date before the first term or after the last one, rather than
    guessing: the fix is to add that academic year to term_dates.csv.
    """
    terms = load_term_dates() if term_dates is None else term_dates
    days = dates.cast(pl.Date).cast(pl.Int32).to_numpy()
    starts = terms["start_date"].cast(pl.Int32).to_numpy()
    ends = terms["end_date"].cast(pl.Int32).to_numpy()
    if len(days) and (days.min() < starts[0] or days.max() > ends[-1]):
        raise ValueError(
            f"dates from {dates.min()} to {dates.max()} go beyond the term dates, which cover "
            f"{terms['start_date'][0]} to {terms['end_date'][-1]}: add the missing academic years"
        )
    block = np.searchsorted(starts, days, side="right") - 1
    return pl.Series(dates.name, days > ends[block], dtype=pl.Boolean)


def school_holidays(
    term_dates: pl.DataFrame | None = None, *, min_days: int = 14
) -> list[tuple[date, date]]:
    """(first, last) day of each school holiday of at least `min_days` days between terms:
    summer, Christmas and Easter, not half terms (9 or 10 days). Drawn lightly on weekly charts
    to explain the dips."""
    terms = load_term_dates() if term_dates is None else term_dates
    starts = terms["start_date"].to_list()
    ends = terms["end_date"].to_list()
    holidays_found = []
    for previous_end, next_start in zip(ends[:-1], starts[1:], strict=True):
        if (next_start - previous_end).days >= min_days:
            holidays_found.append(
                (previous_end + timedelta(days=1), next_start - timedelta(days=1))
            )
    return holidays_found


def bank_holidays(first_year: int, last_year: int) -> list[date]:
    """England and Wales bank holidays, for counting working days (e.g. contact to decision)."""
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return sorted(calendar)


def working_days_between(start: pl.Series, end: pl.Series) -> pl.Series:
    """Working days from start to end (weekends and bank holidays excluded; same day is 0)."""
    valid = start.is_not_null() & end.is_not_null()
    missing = pl.repeat(None, len(start), dtype=pl.Int64, eager=True)
    if not valid.any():
        return missing
    years = pl.concat([start.drop_nulls(), end.drop_nulls()]).dt.year()
    holidays_list = np.array(
        bank_holidays(int(years.min()), int(years.max())), dtype="datetime64[D]"
    )
    s = start.fill_null(date(2000, 1, 3)).to_numpy().astype("datetime64[D]")
    e = end.fill_null(date(2000, 1, 3)).to_numpy().astype("datetime64[D]")
    counts = np.busday_count(s, e, holidays=holidays_list)
    return pl.Series(counts, dtype=pl.Int64).zip_with(valid, missing)


def _read_text_csv(path: Path, columns: tuple[str, ...]) -> pl.DataFrame:
    """Read every column as text, so that each value is parsed (and reported) by us."""
    if not path.exists():
        raise ValueError(f"{path}: calendar file not found")
    frame = pl.read_csv(path, infer_schema=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame.select(pl.col(c).str.strip_chars() for c in columns)


def _parse_dates(path: Path, frame: pl.DataFrame, column: str, *, required: bool) -> pl.Series:
    """Parse an ISO date column; the first bad value raises with its row (1 = first data row)."""
    text = frame[column].replace("", None)
    parsed = text.str.to_date("%Y-%m-%d", strict=False)
    bad = (text.is_not_null() & parsed.is_null()) | (text.is_null() if required else False)
    if bad.any():
        row = int(bad.arg_true()[0])
        value = text[row]
        problem = "is empty" if value is None else f"has {value!r}, not a date (YYYY-MM-DD)"
        raise ValueError(f"{path}: row {row + 1} (line {row + 2}), column {column} {problem}")
    return parsed.alias(column)


def _require_text(path: Path, frame: pl.DataFrame, column: str) -> None:
    empty = frame[column].fill_null("") == ""
    if empty.any():
        row = int(empty.arg_true()[0])
        raise ValueError(f"{path}: row {row + 1} (line {row + 2}), column {column} is empty")


def _require_ordered(path: Path, frame: pl.DataFrame, start: str, end: str) -> None:
    backwards = (frame[end] < frame[start]).fill_null(False)
    if backwards.any():
        row = int(backwards.arg_true()[0])
        raise ValueError(f"{path}: row {row + 1} (line {row + 2}), column {end} is before {start}")
