"""Reading Annex A workbooks into tables: the lists of each workbook, one council's rows, row ids.

Annex A has no record ids: each row's id is a keyed hash of its natural key, so overlapping
monthly returns loaded together repeat ids and validation rejects the second copy.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook

from earlyhelp.core import schema
from earlyhelp.core.errors import UnusableInput
from earlyhelp.load.sources import SOURCE_ROW, RawTable
from earlyhelp.load.sources.annex_a.followups import _with_assessments, _with_children_in_need
from earlyhelp.load.sources.annex_a.sheets import (
    CHILD_COLUMNS,
    LA_COLUMN,
    LIST_DATE,
    LIST_ID_COLUMN,
    LIST_TABLES,
    LIST_TITLES,
    READ_LISTS,
    _Sheet,
    _sheet,
    sheet_list,
)
from earlyhelp.load.validate import clean_text, normalise_code, parse_date

# A key for ids made in this process, when the caller gives none: the same row gets the same
# id within one ingest (which is all de-duplication needs), and ids are never guessable.
_PROCESS_KEY = secrets.token_bytes(32)
_ID_HEX = 16


def read_workbook(
    path: Path,
    local_authority: str | None = None,
    not_used: list[tuple[str, str]] | None = None,
    id_key: bytes | None = None,
) -> list[RawTable]:
    """One Annex A workbook's tables. See read_workbooks."""
    return read_workbooks([path], local_authority, not_used, id_key)


def read_workbooks(
    paths: list[Path],
    local_authority: str | None = None,
    not_used: list[tuple[str, str]] | None = None,
    id_key: bytes | None = None,
) -> list[RawTable]:
    """The tables of several Annex A workbooks (e.g. overlapping monthly returns).

    `local_authority` chooses one council's rows of a file whose LA column holds several
    (matched by name or code, ignoring case); such a file is refused without it.
    Sheets and rows not read are added to `not_used` as ("<workbook>#<sheet>", why).
    `id_key` keys the row ids (give the pseudonymisation key for ids that are the same in
    every ingest); without it, a key made for this process is used.
    A child mentioned in several lists or workbooks gets one `children` row, from the first.
    """
    notes = not_used if not_used is not None else []
    key = id_key or _PROCESS_KEY
    tables: list[RawTable] = []
    children: list[pl.DataFrame] = []
    child_fields: dict[str, dict[str, str | None]] = {}
    for path in paths:
        book_tables, book_children = _read_one(Path(path), local_authority, notes, key)
        tables.extend(book_tables)
        for source, frame, fields in book_children:
            children.append(frame.with_columns(pl.lit(source).alias("__src")))
            child_fields[source] = fields
    if children:
        # Compared as validation reads them: " 101" and 101 are one child.
        combined = (
            pl.concat(children, how="diagonal_relaxed")
            .with_columns(clean_text("child_id").alias("__child"))
            .filter(pl.col("__child").is_not_null())
        )
        first = combined.unique(subset="__child", keep="first", maintain_order=True)
        for (source,), part in first.group_by("__src", maintain_order=True):
            frame = part.drop("__src", "__child")
            tables.append(RawTable("children", source, frame, source_fields=child_fields[source]))
    return tables


def _read_one(
    path: Path, local_authority: str | None, notes: list[tuple[str, str]], key: bytes
) -> tuple[list[RawTable], list[tuple[str, pl.DataFrame, dict[str, str | None]]]]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise UnusableInput(f"{path}: cannot be read as an Excel workbook ({exc})") from exc

    sheets: dict[int, list[_Sheet]] = {}
    found_lists = False
    for name in workbook.sheet_names:
        source = f"{path}#{name}"
        number = sheet_list(name)
        if number is None:
            notes.append((source, "not an Annex A list sheet"))
            continue
        if number not in READ_LISTS:
            title = LIST_TITLES.get(number)
            about = f"List {number} ({title})" if title else f"List {number}"
            notes.append((source, f"{about}: not used by this product"))
            continue
        if number in (1, 2, 3, 6):
            found_lists = True
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        primary = sheets[number][0] if sheets.get(number) else None
        sheet = _sheet(path, name, number, rows, primary, notes)
        if sheet is not None:
            sheets.setdefault(number, []).append(sheet)
    if not found_lists:
        raise UnusableInput(
            f"{path}: no Annex A sheets found (expected 'List 1', 'List 2', 'List 3' or "
            "'List 6', or sheets named Contacts, Early help, Referrals, Children in need)"
        )

    _choose_council(path, sheets, local_authority, notes)
    lists = {n: _combined(n, parts, key) for n, parts in sheets.items()}

    tables: list[RawTable] = []
    children: list[tuple[str, pl.DataFrame, dict[str, str | None]]] = []
    referrals = lists.get(3)
    extra_fields: dict[str, str] = {}
    if 6 in lists:
        referrals, standalone, extra_fields = _with_children_in_need(
            path, referrals, lists[6], sheets[6], notes
        )
        if standalone is not None:
            lists[6] = standalone
        else:
            del lists[6]
    if 4 in lists:
        if referrals is not None:
            referrals, assessment_fields = _with_assessments(referrals, lists[4], sheets[4], notes)
            extra_fields.update(assessment_fields)
        else:
            for sheet in sheets[4]:
                notes.append(
                    (sheet.source, "List 4 not read: the workbook has no List 3 referrals")
                )
        del lists[4]
    if referrals is not None:
        lists[3] = referrals

    for number, frame in sorted(lists.items()):
        table = LIST_TABLES[number]
        definition = schema.CANONICAL_TABLES[table]
        for sheet in sheets[number]:
            part = frame.filter(pl.col("__src") == sheet.source)
            fields = {c: None for c in definition.column_names}
            fields.update({c: f"{sheet.name}.{h}" for c, h in sheet.headers.items() if c in fields})
            fields[LIST_ID_COLUMN[number]] = f"{sheet.name} (made from {_key_words(number)})"
            if number == 2:
                fields["start_reason"] = f"{sheet.name} (every row is an early help assessment)"
            if number == 3:
                fields.update({c: s for c, s in extra_fields.items() if fields.get(c) is None})
            columns = [c for c in part.columns if c in definition.column_names or c == SOURCE_ROW]
            if number == 2:
                part = part.with_columns(pl.lit("Early help assessment").alias("start_reason"))
                columns.append("start_reason")
            tables.append(RawTable(table, sheet.source, part.select(columns), source_fields=fields))
            child_columns = [c for c in CHILD_COLUMNS if c in part.columns]
            child_fields = {c: None for c in CHILD_COLUMNS}
            child_fields.update(
                {c: f"{sheet.name}.{h}" for c, h in sheet.headers.items() if c in CHILD_COLUMNS}
            )
            children.append((sheet.source, part.select(SOURCE_ROW, *child_columns), child_fields))
    return tables, children


def _key_words(number: int) -> str:
    return {
        1: "the child, date of contact and contact source",
        2: "the child and assessment start date",
        3: "the child and date of referral",
        6: "the child and CIN start date",
    }[number]


# --- councils ------------------------------------------------------------------------------------


def _council_key(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().casefold()


def council_matches(value: str, choice: str) -> bool:
    """An LA cell names the chosen council: by its whole text ("Barnsley", "370") or one part
    of a combined one ("370 - Barnsley", "Barnsley (370)")."""
    wanted = _council_key(choice)
    parts = [value, *re.split(r"\s+-\s+|[:|()]", value)]
    return any(_council_key(p) == wanted for p in parts if p.strip())


def _choose_council(
    path: Path,
    sheets: dict[int, list[_Sheet]],
    choice: str | None,
    notes: list[tuple[str, str]],
) -> None:
    """Refuse a file holding several councils' rows unless one is chosen; keep only its rows."""
    found: dict[str, str] = {}
    for parts in sheets.values():
        for sheet in parts:
            if LA_COLUMN in sheet.frame.columns:
                for value in clean_values(sheet.frame[LA_COLUMN]):
                    found.setdefault(_council_key(value), value)
    councils = sorted(found.values(), key=str.casefold)
    if not councils or (choice is None and len(councils) == 1):
        return
    shown = ", ".join(councils[:12]) + (
        f" and {len(councils) - 12} more" if len(councils) > 12 else ""
    )
    if choice is None:
        raise UnusableInput(
            f"{path}: its LA column holds rows of {len(councils)} councils ({shown}); "
            "choose one with --la NAME"
        )
    if not any(council_matches(c, choice) for c in councils):
        raise UnusableInput(f"{path}: no rows for council {choice!r} in its LA column ({shown})")
    for parts in sheets.values():
        for sheet in parts:
            if LA_COLUMN not in sheet.frame.columns:
                continue
            la = clean_text(LA_COLUMN)
            keep = la.map_elements(
                lambda v: council_matches(v, choice), return_dtype=pl.Boolean
            ).fill_null(False)
            kept = sheet.frame.filter(keep)
            dropped = sheet.frame.height - kept.height
            if dropped:
                notes.append(
                    (
                        sheet.source,
                        f"{dropped} of {sheet.frame.height} rows: another council's, or no "
                        f"council's, in the LA column (--la {choice})",
                    )
                )
            sheet.frame = kept


def clean_values(series: pl.Series) -> list[str]:
    """A text column's distinct values as validation would read them (no nulls)."""
    cleaned = pl.DataFrame({"v": series}).select(clean_text("v").alias("v"))["v"]
    return [v for v in cleaned.unique(maintain_order=True).to_list() if v is not None]


# --- natural keys and ids --------------------------------------------------------------------


def _combined(number: int, parts: list[_Sheet], key: bytes) -> pl.DataFrame:
    """A list's rows from all its sheets, with `__key` (its natural key as text, or null when
    the child or date is missing or not a date), the row id, and `__src` (its sheet)."""
    frame = pl.concat(
        [p.frame.with_columns(pl.lit(p.source).alias("__src")) for p in parts],
        how="diagonal_relaxed",
    )
    date_column = LIST_DATE[number]
    child = clean_text("child_id")
    parsed = parse_date(clean_text(date_column))
    day = parsed.cast(pl.String)
    pieces = [child, day]
    if number == 1:
        source = (
            clean_text("source_code") if "source_code" in frame.columns else pl.lit(None, pl.String)
        )
        code = normalise_code("source_code", source)
        pieces.append(pl.coalesce(code, source.str.to_uppercase(), pl.lit("")))
    if number == 6 and "primary_need_code" in frame.columns:
        need = clean_text("primary_need_code")
        code = need.str.extract(r"(?i)^(?:[a-z]{1,2}\d{0,2}\)\s*)?(N\d)\b", 1).str.to_uppercase()
        frame = frame.with_columns(pl.coalesce(code, need).alias("primary_need_code"))
    kind = {1: "contact", 2: "early help assessment", 3: "referral", 4: "assessment", 6: "referral"}
    natural = pl.when(child.is_not_null() & day.is_not_null()).then(
        pl.concat_str([pl.lit(kind[number]), *pieces], separator="|")
    )
    frame = frame.with_columns(natural.alias("__key"), parsed.alias("__date"))
    if number in LIST_ID_COLUMN:
        prefix = "L3" if number == 6 else f"L{number}"  # a List 6 episode is its referral
        ids = [
            _row_id(key, prefix, natural_key, f"{src}|{row}")
            for natural_key, src, row in zip(
                frame["__key"], frame["__src"], frame[SOURCE_ROW], strict=True
            )
        ]
        frame = frame.with_columns(pl.Series(LIST_ID_COLUMN[number], ids, dtype=pl.String))
    return frame


def _row_id(key: bytes, prefix: str, natural_key: str | None, where: str) -> str:
    """`L1-` and 16 hex digits of a keyed hash of the natural key; a row whose key is
    incomplete (it will be rejected for the missing value) is keyed by its place instead."""
    if natural_key is None:
        digest = hmac.new(key, f"annex-a-row|{where}".encode(), hashlib.sha256).hexdigest()
        return f"{prefix}-row-{digest[:_ID_HEX]}"
    digest = hmac.new(key, f"annex-a|{natural_key}".encode(), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:_ID_HEX]}"
