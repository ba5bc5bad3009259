"""Contact outcomes: SSD's outcome flags (or outcome text) read into a contact's decision."""

from __future__ import annotations

import polars as pl

# SSD's contact outcome flags (SystemC's cont_contact_outcome_json), in the order that decides a
# contact's outcome when several are set. An early help episode that follows the contact ranks
# after the social care outcomes (earlyhelp.load.ingest links it, since it needs the episodes).
CHILD_PROTECTION = "Child protection enquiry"
SOCIAL_CARE_REFERRAL = "Social care referral"
EXISTING_CASE = "Existing social care case"
EARLY_HELP = "Early help"
ADVICE = "Information and advice"
NO_FURTHER_ACTION = "No further action"
OTHER_OUTCOME = "Other outcome"
#: Decisions an early help episode starting after the contact does not replace.
SOCIAL_CARE_DECISIONS = (CHILD_PROTECTION, SOCIAL_CARE_REFERRAL, EXISTING_CASE)
OUTCOME_FLAGS = (
    ("CP_ENQUIRY_FLAG", CHILD_PROTECTION),
    ("NEW_REFERRAL_FLAG", SOCIAL_CARE_REFERRAL),
    ("EXISTING_REFERRAL_FLAG", EXISTING_CASE),
    ("ADVICE_FLAG", ADVICE),
    ("NFA_FLAG", NO_FURTHER_ACTION),
    ("OLA_CP_FLAG", OTHER_OUTCOME),
    ("MISSING_FLAG", OTHER_OUTCOME),
    ("PRIVATE_FOSTERING_FLAG", OTHER_OUTCOME),
    ("NON_AGENCY_ADOPTION_FLAG", OTHER_OUTCOME),
    ("OTHER_OUTCOMES_EXIST_FLAG", OTHER_OUTCOME),
)
# Outcomes written as text (Mosaic's data-warehouse variant aggregates next-step names).
OUTCOME_WORDS = (
    (r"STRATEGY|S47|SECTION 47|CHILD PROTECTION", CHILD_PROTECTION),
    (r"EARLY HELP|FAMILY HELP|TARGETED", EARLY_HELP),
    (r"REFERRAL|ASSESSMENT|SOCIAL CARE", SOCIAL_CARE_REFERRAL),
    (r"ADVICE|INFORMATION|SIGNPOST", ADVICE),
    (r"\bNFA\b|NO FURTHER", NO_FURTHER_ACTION),
)


def outcome_decision(outcome: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A contact's decision from its outcome flags, and whether the outcome was unreadable.

    The JSON is built by string concatenation in SystemC's SSD, so a quote inside COMMENTS
    makes it invalid: each flag is therefore found by pattern, which reads every flag before
    the comments of an otherwise broken object. Text that is not JSON is read by keyword.
    """
    is_json = outcome.str.starts_with("{")
    flag_values = {
        name: outcome.str.extract(rf'"{name}"\s*:\s*"?\s*([A-Za-z0-9]*)', 1).str.to_uppercase()
        for name, _decision in OUTCOME_FLAGS
    }
    by_flags = pl.lit(None, pl.String)
    for name, decision in reversed(OUTCOME_FLAGS):
        by_flags = (
            pl.when(flag_values[name].is_in(["Y", "YES", "1", "TRUE"]))
            .then(pl.lit(decision))
            .otherwise(by_flags)
        )
    any_flag = pl.any_horizontal([v.is_not_null() for v in flag_values.values()])
    upper = outcome.str.to_uppercase()
    by_words = pl.lit(OTHER_OUTCOME)
    for pattern, decision in reversed(OUTCOME_WORDS):
        by_words = pl.when(upper.str.contains(pattern)).then(pl.lit(decision)).otherwise(by_words)
    # A council may add its own "decision" key (the front-door decision as text).
    local = outcome.str.json_path_match("$.decision")
    decision = pl.when(is_json).then(pl.coalesce(local, by_flags)).otherwise(by_words)
    unreadable = (is_json & ~any_flag & local.is_null()).fill_null(False)
    return pl.when(outcome.is_not_null()).then(decision), unreadable
