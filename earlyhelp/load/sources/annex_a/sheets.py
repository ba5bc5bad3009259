"""The Annex A layout: which list a sheet holds, which column a header names, one sheet's rows.

Real workbooks are messy: header wording varies ("Child Unique ID", `ChildUniqueID`), sheets
are named "List 1", "L1" or "Contacts" and long lists continue on "List 1 (2)". This finds the
header row, maps header variants onto canonical names and reads every value as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

from earlyhelp.core.errors import UnusableInput
from earlyhelp.load.sources import SOURCE_ROW

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
