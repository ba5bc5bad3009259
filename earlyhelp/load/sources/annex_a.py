"""Ofsted Annex A workbooks, as councils and Data to Insight's SSD-to-Annex A script write them.

Read: List 1 (contacts), List 2 (early help assessments), List 3 (referrals to social care),
and where present List 6 (children in need: closure date and reason, RC9 being a step-down to
early help) and List 4 (social care assessments: an assessment that found no need for social
care support closes the referral it followed). Every other sheet is named with why it is not
read (`not_used`).

Real workbooks are messy: header wording varies ("Child Unique ID", `ChildUniqueID`), sheets
are named "List 1", "L1" or "Contacts" and long lists continue on "List 1 (2)", cells hold
coded labels ("a) Male", "p1) 5D: LA services"), non-breaking spaces, "#N/A", Excel dates or
dd/mm/yyyy text, and an aggregated file carries an `LA` column with several councils' rows.
This reader finds the header row, maps header variants onto canonical names and passes every
value on as text for earlyhelp.load.validate to parse like any other source.

Annex A has no record ids. Each row's id is a keyed hash of its natural key (liiatools'
de-duplication keys): child, date and source for a contact; child and start date for an
assessment; child and referral (CIN start) date for a referral. Overlapping monthly returns
loaded together therefore repeat ids, and validation rejects the second copy as a duplicate
of the first. The hash is keyed so that an id can never be turned back into a child's id by
hashing guesses (the date and source sit beside it in the warehouse).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook

from earlyhelp.core import schema
from earlyhelp.core.errors import UnusableInput
from earlyhelp.load.sources import SOURCE_ROW, RawTable
from earlyhelp.load.validate import clean_text, normalise_code, parse_date

#: What each list of the Annex A return holds (for naming the sheets that are not read).
LIST_TITLES = {
    1: "contacts",
    2: "early help assessments",
    3: "referrals",
    4: "social care assessments",
    5: "section 47 enquiries",
    6: "children in need",
    7: "child protection plans",
    8: "children in care",
    9: "care leavers",
    10: "adoption",
    11: "adopters",
}
READ_LISTS = (1, 2, 3, 4, 6)
#: Lists whose rows are the product's own tables: a sheet of these that cannot be read stops
#: the ingest. Lists 4 and 6 only add to List 3's referrals: a bad one is named and skipped.
CORE_LISTS = (1, 2, 3)
LIST_TABLES = {1: "contacts", 2: "early_help_episodes", 3: "cin_referrals", 6: "cin_referrals"}
LIST_ID_COLUMN = {1: "contact_id", 2: "episode_id", 3: "referral_id", 6: "referral_id"}
#: The column holding each list's date (the second part of its natural key).
LIST_DATE = {
    1: "contact_date",
    2: "start_date",
    3: "referral_date",
    4: "start_date",
    6: "referral_date",
}
CHILD_COLUMNS = ("child_id", "sex", "ethnicity", "birth_month")
LA_COLUMN = "la"

# Sheet names other than "List N" / "LN", normalised to lower-case letters and digits.
SHEET_NAMES = {
    "contacts": 1,
    "contact": 1,
    "earlyhelp": 2,
    "earlyhelpassessments": 2,
    "earlyhelpassessment": 2,
    "ehassessments": 2,
    "referrals": 3,
    "referral": 3,
    "socialcarereferrals": 3,
    "assessments": 4,
    "assessment": 4,
    "socialcareassessments": 4,
    "section47": 5,
    "section47enquiries": 5,
    "s47": 5,
    "childreninneed": 6,
    "cin": 6,
    "childprotection": 7,
    "childprotectionplans": 7,
    "childrenincare": 8,
    "lookedafterchildren": 8,
    "careleavers": 9,
    "adoption": 10,
    "adoptions": 10,
    "adopters": 11,
}
_LIST_SHEET = re.compile(r"^(?:lists?|l)\s*[-_.]?\s*(\d{1,2})(?!\d)", re.IGNORECASE)
# "Contacts (2)", "Contacts continued", "Referrals 2", "List 1 (cont.)", "Contacts cont'd",
# "Contacts continued 2", "Contacts_2": more rows of a list.
_CONTINUATION = re.compile(
    r"(?:[\s_\-]*(?:\([^)]*\)|(?<![a-z])(?:cont(?:'?d)?|continued|part\s*\d+|\d+)\.?))+\s*$",
    re.IGNORECASE,
)

# Header patterns, matched against the header with everything but letters and digits removed
# and lower-cased ("Child Unique ID", `ChildUniqueID` and `child_unique_id` are one name).
# The first pattern a header matches decides what it is; the first header for a column wins.
# liiatools' patterns (e.g. /.*child.*id.*/, /.*date.*contact.*/) are the guide.
_CHILD_PATTERNS = (
    ("child_id", r"^(childunique|child|unique)(id|identifier|ref|reference)(no|number)?$"),
    ("sex", r"^(childs)?(gender|sex)"),
    ("ethnicity", r"ethnic"),
    ("birth_month", r"dateofbirth|birthdate|^dob"),
    (LA_COLUMN, r"^(la|localauthority|council)(name|code)?$"),
)
_TEAM_WORKER = (("team", r"team"), ("worker_id", r"worker"))
LIST_PATTERNS: dict[int, tuple[tuple[str, str], ...]] = {
    1: (
        ("contact_date", r"date.*contact|contact.*date"),
        ("source_code", r"contact.*source|source.*contact|^source$"),
    ),
    2: (
        ("organisation", r"^organi[sz]ation"),
        ("start_date", r"assessment.*start|start.*assessment|^startdate$"),
        ("end_date", r"assessment.*(complet|end(ed|date))|complet.*date|^enddate$"),
    ),
    3: (
        ("referral_date", r"date.*referral|referral.*date"),
        ("source_code", r"referral.*source|source.*referral|^source$"),
        ("nfa", r"nfa|nofurtheraction"),
        *_TEAM_WORKER,
    ),
    4: (
        ("start_date", r"assessment.*start|start.*assessment|^startdate$"),
        ("end_date", r"authori[sz]|assessment.*(completion|completed|enddate)"),
        ("needs_support", r"assessed.*support|requir.*support"),
        *_TEAM_WORKER,
    ),
    6: (
        ("referral_date", r"cin.*start|start.*cin|childreninneed.*start|^startdate$"),
        ("close_date", r"clos.*date|date.*clos|cin.*end(ed)?date"),
        ("close_reason", r"reason.*clos|clos.*reason"),
        ("primary_need_code", r"primaryneed|needcode|categoryofneed"),
        *_TEAM_WORKER,
    ),
}
LIST_REQUIRED = {1: ("contact_date",), 2: ("start_date",), 3: ("referral_date",)}
LIST_REQUIRED.update({4: ("start_date", "end_date", "needs_support"), 6: ("referral_date",)})

# A key for ids made in this process, when the caller gives none: the same row gets the same
# id within one ingest (which is all de-duplication needs), and ids are never guessable.
_PROCESS_KEY = secrets.token_bytes(32)
_ID_HEX = 16


def normalise_header(text: object) -> str:
    """A header as lower-case letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", str(text).replace("\u00a0", " ").lower())


def header_column(number: int, header: object) -> str | None:
    """The canonical column a header of list `number` holds, if any."""
    name = normalise_header(header)
    if not name:
        return None
    for column, pattern in (*_CHILD_PATTERNS, *LIST_PATTERNS.get(number, ())):
        if re.search(pattern, name):
            return column
    return None


def sheet_list(name: str) -> int | None:
    """The Annex A list a sheet holds, from its name ("List 1", "L1", "Contacts", "List 1 (2)")."""
    text = name.replace("\u00a0", " ").strip()
    match = _LIST_SHEET.match(text)
    if match:
        return int(match.group(1))
    base = _CONTINUATION.sub("", text)
    return SHEET_NAMES.get(normalise_header(base)) or SHEET_NAMES.get(normalise_header(text))


@dataclass
class _Sheet:
    name: str
    number: int
    source: str  # "<workbook>#<sheet>", the file name rejects show
    frame: pl.DataFrame  # SOURCE_ROW and the canonical columns found, all text
    headers: dict[str, str] = field(default_factory=dict)  # canonical column -> header text
    positions: dict[str, int] = field(default_factory=dict)


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


# --- one sheet -----------------------------------------------------------------------------------


def _sheet(
    path: Path,
    name: str,
    number: int,
    rows: list[list],
    primary: _Sheet | None,
    notes: list[tuple[str, str]],
) -> _Sheet | None:
    source = f"{path}#{name}"
    if not any(_filled(row) for row in rows):
        notes.append((source, "empty: no rows"))
        return None  # an empty list is legitimate: nothing happened in the period
    header_index = None
    for index, row in enumerate(rows[:15]):
        if any(header_column(number, cell) == "child_id" for cell in row):
            header_index = index
            break
    if header_index is None and primary is not None:
        # A continuation sheet without a header row: the list's columns, from its first sheet.
        positions, headers, first_data = dict(primary.positions), dict(primary.headers), 0
    elif header_index is None:
        return _unreadable(source, number, "has no 'Child Unique ID' header row", notes)
    else:
        positions, headers = {}, {}
        for position, cell in enumerate(rows[header_index]):
            column = header_column(number, cell)
            if column and column not in positions:
                positions[column] = position
                headers[column] = str(cell).replace("\u00a0", " ").strip()
        first_data = header_index + 1
        for required in LIST_REQUIRED[number]:
            if required not in positions:
                words = {"needs_support": "the assessment's outcome"}.get(
                    required, required.replace("_", " ")
                )
                return _unreadable(source, number, f"is missing the column for {words}", notes)
    data = []
    for offset, row in enumerate(rows[first_data:]):
        if not _filled(row):
            continue
        record: dict[str, object] = {SOURCE_ROW: first_data + 1 + offset}
        for column, position in positions.items():
            record[column] = _cell_text(row[position]) if position < len(row) else None
        data.append(record)
    columns = [SOURCE_ROW, *positions]
    frame = pl.DataFrame(
        data, schema={c: (pl.Int64 if c == SOURCE_ROW else pl.String) for c in columns}
    )
    return _Sheet(name, number, source, frame, headers, positions)


def _unreadable(
    source: str, number: int, problem: str, notes: list[tuple[str, str]]
) -> _Sheet | None:
    if number in CORE_LISTS:
        raise UnusableInput(
            f"{source.rsplit('#', 1)[0]}: sheet {source.rsplit('#', 1)[1]!r} {problem}"
        )
    notes.append((source, f"not read: the sheet {problem}"))
    return None


def _filled(row: list) -> bool:
    return any(c not in (None, "") for c in row)


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


# --- Lists 6 and 4: what follows a referral --------------------------------------------------


_CLOSURE_COLUMNS = ("close_reason", "close_date", "primary_need_code")


def _with_children_in_need(
    path: Path,
    referrals: pl.DataFrame | None,
    cin: pl.DataFrame,
    cin_sheets: list[_Sheet],
    notes: list[tuple[str, str]],
) -> tuple[pl.DataFrame | None, pl.DataFrame | None, dict[str, str]]:
    """A List 6 episode that began with a List 3 referral (same child, CIN start date = date of
    referral) gives that referral its closure date and reason and primary need. One that began
    before List 3's period and has closed is a referral of its own (date of referral = CIN
    start date), so that its closure (an RC9 step-down, say) is counted. Open episodes not in
    List 3 add nothing the product shows and are not read."""
    headers = {c: h for s in cin_sheets for c, h in s.headers.items()}
    name = cin_sheets[0].name
    fields = {c: f"{name}.{headers[c]}" for c in _CLOSURE_COLUMNS if c in headers}
    for column in ("close_reason", "close_date", "primary_need_code", "team", "worker_id"):
        if column not in cin.columns:
            cin = cin.with_columns(pl.lit(None, pl.String).alias(column))
    closed = clean_text("close_date").is_not_null() | clean_text("close_reason").is_not_null()
    matched = pl.lit(False)
    if referrals is not None:
        first = cin.filter(pl.col("__key").is_not_null()).unique("__key", keep="first")
        extra = first.select(
            "__key",
            *[pl.col(c).alias(f"__cin_{c}") for c in (*_CLOSURE_COLUMNS, "team", "worker_id")],
        )
        referrals = referrals.join(extra, on="__key", how="left", maintain_order="left")
        updates = [pl.col(f"__cin_{c}").alias(c) for c in _CLOSURE_COLUMNS]
        for column in ("team", "worker_id"):
            own = pl.col(column) if column in referrals.columns else pl.lit(None, pl.String)
            updates.append(pl.coalesce(own, pl.col(f"__cin_{column}")).alias(column))
        referrals = referrals.with_columns(updates).drop(
            [c for c in referrals.columns if c.startswith("__cin_")]
        )
        cin_keys = first["__key"].to_list()
        referral_keys = referrals["__key"].drop_nulls().to_list()
        referrals = referrals.with_columns(
            pl.col("__key").is_in(cin_keys).fill_null(False).alias("__in_cin")
        )
        matched = pl.col("__key").is_in(referral_keys).fill_null(False)
    marked = cin.with_columns(matched.alias("__matched"), closed.alias("__closed"))
    standalone = marked.filter(~pl.col("__matched") & pl.col("__closed"))
    for sheet in cin_sheets:
        mine = marked.filter(pl.col("__src") == sheet.source)
        open_unread = mine.filter(~pl.col("__matched") & ~pl.col("__closed")).height
        if open_unread:
            notes.append(
                (
                    sheet.source,
                    f"{open_unread} of {mine.height} rows: open episodes not among List 3's "
                    "referrals add nothing the product shows",
                )
            )
    standalone = standalone.drop("__matched", "__closed")
    return referrals, (standalone if standalone.height else None), fields


def _with_assessments(
    referrals: pl.DataFrame,
    assessments: pl.DataFrame,
    assessment_sheets: list[_Sheet],
    notes: list[tuple[str, str]],
) -> tuple[pl.DataFrame, dict[str, str]]:
    """A List 4 assessment that found the child needed no social care support closes the
    referral it followed (the child's latest List 3 referral on or before the assessment's
    start) on its date of authorisation, as the CIN census closes a case after assessment
    (RC8 or RC9: which one, List 4 does not say, so no reason is given). List 6, where it has
    the referral, says more and wins. Other assessments add nothing the product shows."""
    sheet = assessment_sheets[0]
    fields = {
        "close_date": f"{sheet.name}.{sheet.headers['end_date']} (assessed as not needing support)"
    }
    answer = clean_text("needs_support").str.replace(r"^[a-zA-Z]{1,2}\d{0,2}\)\s*", "")
    no_support = answer.str.to_uppercase().is_in(["N", "NO", "FALSE", "0"]).fill_null(False)
    ended = parse_date(clean_text("end_date"))
    closing = (
        assessments.with_columns(
            clean_text("child_id").alias("__child"),
            ended.alias("__ended"),
            no_support.alias("__no"),
        )
        .filter(pl.col("__no") & pl.col("__date").is_not_null() & pl.col("__ended").is_not_null())
        .sort("__date")
    )
    if "close_date" not in referrals.columns:
        referrals = referrals.with_columns(pl.lit(None, pl.String).alias("close_date"))
    in_cin = pl.col("__in_cin") if "__in_cin" in referrals.columns else pl.lit(False)
    candidates = (
        referrals.with_row_index("__row")
        .with_columns(clean_text("child_id").alias("__child"))
        .filter(pl.col("__date").is_not_null() & pl.col("__child").is_not_null())
        .filter(~in_cin & clean_text("close_date").is_null())
        .select("__row", "__child", pl.col("__date").alias("__referred"))
        .sort("__referred")
    )
    used = pl.Series("__src", [], dtype=pl.String)
    if closing.height and candidates.height:
        linked = closing.join_asof(
            candidates,
            left_on="__date",
            right_on="__referred",
            by="__child",
            strategy="backward",
            check_sortedness=False,
        ).filter(pl.col("__row").is_not_null())
        # The first assessment after a referral closes it.
        closes = linked.sort("__date").unique("__row", keep="first", maintain_order=True)
        used = closes["__src"]
        referrals = (
            referrals.with_row_index("__row")
            .join(
                closes.select("__row", pl.col("__ended").cast(pl.String).alias("__close")),
                on="__row",
                how="left",
                maintain_order="left",
            )
            .with_columns(pl.coalesce(pl.col("close_date"), pl.col("__close")).alias("close_date"))
            .drop("__row", "__close")
        )
    for part in assessment_sheets:
        rows = assessments.filter(pl.col("__src") == part.source).height
        unused = rows - int((used == part.source).sum())
        if unused:
            notes.append(
                (
                    part.source,
                    f"{unused} of {rows} rows: only an assessment that found no need for social "
                    "care support, with a date of authorisation, after a List 3 referral of the "
                    "same child that List 6 does not close, is read (it closes that referral)",
                )
            )
    return referrals, fields
