"""Ofsted Annex A workbooks: List 1 (contacts), List 2 (early help assessments), List 3 (referrals).

Real workbooks are messy: header wording varies between councils and years, cells hold coded
labels ("a) Male", "q) 6: Police"), non-breaking spaces, "#N/A", Excel dates or dd/mm/yyyy text.
This reader only finds the header row and maps header variants onto canonical names; every value
is passed on as text for earlyhelp.validate to parse like any other source.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook

from earlyhelp.errors import UnusableInput
from earlyhelp.sources import SOURCE_ROW, RawTable

# Normalised header text -> canonical column, per list. Several wordings are seen in the wild.
_CHILD_HEADERS = {
    "child unique id": "child_id",
    "child id": "child_id",
    "unique id": "child_id",
    "child unique identifier": "child_id",
    "gender": "sex",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "date of birth": "birth_month",
    "dob": "birth_month",
}
LIST_HEADERS: dict[int, dict[str, str]] = {
    1: {
        **_CHILD_HEADERS,
        "date of contact": "contact_date",
        "contact date": "contact_date",
        "contact source": "source_code",
        "source of contact": "source_code",
    },
    2: {
        **_CHILD_HEADERS,
        "assessment start date": "start_date",
        "date assessment started": "start_date",
        "early help assessment start date": "start_date",
        "assessment completion date": "end_date",
        "date assessment completed": "end_date",
        "early help assessment completion date": "end_date",
        "organisation completing assessment": "organisation",
        "organisation": "organisation",
    },
    3: {
        **_CHILD_HEADERS,
        "date of referral": "referral_date",
        "referral date": "referral_date",
        "referral source": "source_code",
        "source of referral": "source_code",
        "referral nfa": "nfa",
        "was the referral nfa": "nfa",
        "allocated team": "team",
        "allocated worker": "worker_id",
    },
}
LIST_TABLES = {1: "contacts", 2: "early_help_episodes", 3: "cin_referrals"}
LIST_ID_COLUMN = {1: "contact_id", 2: "episode_id", 3: "referral_id"}
LIST_REQUIRED = {
    1: ("child_id", "contact_date"),
    2: ("child_id", "start_date"),
    3: ("child_id", "referral_date"),
}
CHILD_COLUMNS = ("child_id", "sex", "ethnicity", "birth_month")
_SHEET = re.compile(r"^\s*list\s*(\d+)\b", re.IGNORECASE)


def normalise_header(text: object) -> str:
    words = re.sub(r"[^a-z0-9 ]", " ", str(text).replace("\u00a0", " ").lower())
    return re.sub(r"\s+", " ", words).strip()


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_workbook(path: Path) -> list[RawTable]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise UnusableInput(f"{path}: cannot be read as an Excel workbook ({exc})") from exc
    lists = {}
    for sheet in workbook.sheet_names:
        match = _SHEET.match(sheet)
        if match and int(match.group(1)) in LIST_HEADERS:
            lists.setdefault(int(match.group(1)), sheet)
    if not lists:
        raise UnusableInput(
            f"{path}: no Annex A sheets found (expected 'List 1', 'List 2', 'List 3')"
        )

    tables: list[RawTable] = []
    children: list[pl.DataFrame] = []
    for number, sheet in sorted(lists.items()):
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        frame = _list_frame(path, sheet, number, rows)
        if frame is None:
            continue
        source = f"{path}#{sheet}"
        table_columns = [c for c in frame.columns if c not in ("sex", "ethnicity", "birth_month")]
        event = frame.select(table_columns).with_columns(
            # Row-based ids, qualified by the workbook so that two workbooks never collide.
            (pl.lit(f"{path.stem}/L{number}-") + pl.col(SOURCE_ROW).cast(pl.String)).alias(
                LIST_ID_COLUMN[number]
            )
        )
        if number == 2:
            event = event.with_columns(pl.lit("Early help assessment").alias("start_reason"))
        tables.append(RawTable(LIST_TABLES[number], source, event))
        children.append(
            frame.select(SOURCE_ROW, *CHILD_COLUMNS).with_columns(pl.lit(source).alias("__src"))
        )
    if children:
        # A child appears once per contact, assessment and referral: one children row each,
        # taking the first list that mentions them. Later mentions are the same child, not
        # duplicates to reject.
        combined = pl.concat(children).filter(pl.col("child_id").is_not_null())
        first = combined.unique(subset="child_id", keep="first", maintain_order=True)
        for source, part in first.group_by("__src", maintain_order=True):
            tables.append(RawTable("children", source[0], part.drop("__src")))
    return tables


def _list_frame(path: Path, sheet: str, number: int, rows: list[list]) -> pl.DataFrame | None:
    headers = LIST_HEADERS[number]
    header_index = None
    for index, row in enumerate(rows[:15]):
        names = {normalise_header(c) for c in row}
        if any(headers.get(name) == "child_id" for name in names):
            header_index = index
            break
    if header_index is None:
        if not any(any(c not in (None, "") for c in row) for row in rows):
            return None  # an empty list is legitimate: nothing happened in the period
        raise UnusableInput(f"{path}: sheet {sheet!r} has no 'Child Unique ID' header row")
    header = [normalise_header(c) for c in rows[header_index]]
    positions: dict[str, int] = {}
    for position, name in enumerate(header):
        name = re.sub(r" (yes no|y n)$", "", name)
        canonical = headers.get(name)
        if canonical and canonical not in positions:
            positions[canonical] = position
    for required in LIST_REQUIRED[number]:
        if required not in positions:
            raise UnusableInput(
                f"{path}: sheet {sheet!r} is missing the column for {required.replace('_', ' ')}"
            )
    data = []
    for offset, row in enumerate(rows[header_index + 1 :]):
        if not any(c not in (None, "") for c in row):
            continue
        excel_row = header_index + 2 + offset
        record = {SOURCE_ROW: excel_row}
        for canonical in set(headers.values()):
            position = positions.get(canonical)
            value = row[position] if position is not None and position < len(row) else None
            record[canonical] = _cell_text(value)
        data.append(record)
    columns = [SOURCE_ROW, *sorted(set(headers.values()))]
    return pl.DataFrame(
        data, schema={c: (pl.Int64 if c == SOURCE_ROW else pl.String) for c in columns}
    )
