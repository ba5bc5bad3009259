"""Lists 6 and 4: what follows a referral (its closure in children in need, or an assessment)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from earlyhelp.load.sources.annex_a.sheets import (
    _Sheet,
)
from earlyhelp.load.validate import clean_text, parse_date

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
