"""Typed validation: raw text columns in, typed canonical rows plus rejects-with-reasons out.

Rules are declared by column kind (earlyhelp.core.schema), so every format is checked the same way.
A row is either loaded or rejected: a rejected row is listed in the rejects with its source
file, row number, column and reason. A bad value in an optional coded or numeric column does
not lose the row: the value is cleared and listed with action "value cleared".

The work is split by job: parse (cleaning and parsing text by column kind), outcomes (contact
outcome flags into decisions), rules (the checks and the rejects they produce) and tables
(validating a table's rows, then its duplicates). This module re-exports what callers use.
"""

from earlyhelp.load.sources import SOURCE_ROW
from earlyhelp.load.validate.outcomes import (
    ADVICE,
    CHILD_PROTECTION,
    EARLY_HELP,
    EXISTING_CASE,
    NO_FURTHER_ACTION,
    OTHER_OUTCOME,
    OUTCOME_FLAGS,
    OUTCOME_WORDS,
    SOCIAL_CARE_DECISIONS,
    SOCIAL_CARE_REFERRAL,
    outcome_decision,
)
from earlyhelp.load.validate.parse import (
    CONTROL_CHARACTERS,
    NULL_TOKENS,
    POSTCODE_SECTOR,
    clean_text,
    count_control_characters,
    normalise_code,
    parse_date,
    postcode_sector,
    postcode_sector_only,
)
from earlyhelp.load.validate.rules import (
    ADDRESSES,
    ANY_NUMBER_RANGE,
    CLEARED,
    DATE_ORDER,
    DISTRICT_LOOKUP,
    EARLIEST_PLAUSIBLE_DATE,
    LATEST_PLACEHOLDER_YEAR,
    NUMBER_RANGES,
    REJECT_COLUMNS,
    REJECTED,
    SOURCE_FILE,
    Validated,
    empty_rejects,
    usable_date,
)
from earlyhelp.load.validate.tables import (
    INPUT_COLUMNS,
    duplicate_key,
    duplicate_rejects,
    reject_duplicates,
    validate_rows,
    validate_table,
)

__all__ = [
    "ADDRESSES",
    "ADVICE",
    "ANY_NUMBER_RANGE",
    "CHILD_PROTECTION",
    "CLEARED",
    "CONTROL_CHARACTERS",
    "DATE_ORDER",
    "DISTRICT_LOOKUP",
    "EARLIEST_PLAUSIBLE_DATE",
    "EARLY_HELP",
    "EXISTING_CASE",
    "INPUT_COLUMNS",
    "LATEST_PLACEHOLDER_YEAR",
    "NO_FURTHER_ACTION",
    "NULL_TOKENS",
    "NUMBER_RANGES",
    "OTHER_OUTCOME",
    "OUTCOME_FLAGS",
    "OUTCOME_WORDS",
    "POSTCODE_SECTOR",
    "REJECTED",
    "REJECT_COLUMNS",
    "SOCIAL_CARE_DECISIONS",
    "SOCIAL_CARE_REFERRAL",
    "SOURCE_FILE",
    "SOURCE_ROW",
    "Validated",
    "clean_text",
    "count_control_characters",
    "duplicate_key",
    "duplicate_rejects",
    "empty_rejects",
    "normalise_code",
    "outcome_decision",
    "parse_date",
    "postcode_sector",
    "postcode_sector_only",
    "reject_duplicates",
    "usable_date",
    "validate_rows",
    "validate_table",
]
