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

The work is split by job: sheets (the lists, sheet names and header variants, and reading one
sheet), workbook (a workbook's lists into tables, one council's rows, row ids) and followups
(Lists 6 and 4 added to List 3's referrals). This module re-exports what callers use.
"""

from earlyhelp.load.sources.annex_a.sheets import (
    CHILD_COLUMNS,
    CORE_LISTS,
    LA_COLUMN,
    LIST_DATE,
    LIST_ID_COLUMN,
    LIST_PATTERNS,
    LIST_REQUIRED,
    LIST_TABLES,
    LIST_TITLES,
    READ_LISTS,
    SHEET_NAMES,
    header_column,
    normalise_header,
    sheet_list,
)
from earlyhelp.load.sources.annex_a.workbook import (
    clean_values,
    council_matches,
    read_workbook,
    read_workbooks,
)

__all__ = [
    "CHILD_COLUMNS",
    "CORE_LISTS",
    "LA_COLUMN",
    "LIST_DATE",
    "LIST_ID_COLUMN",
    "LIST_PATTERNS",
    "LIST_REQUIRED",
    "LIST_TABLES",
    "LIST_TITLES",
    "READ_LISTS",
    "SHEET_NAMES",
    "clean_values",
    "council_matches",
    "header_column",
    "normalise_header",
    "read_workbook",
    "read_workbooks",
    "sheet_list",
]
