"""Contacts into the front door: their levels of need, decisions, decision days and which
child each one is about."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from earlyhelp.core.schema import SOURCE_CODES, SOURCE_GROUPS
from earlyhelp.tools.demo.areas import _Area
from earlyhelp.tools.demo.demand import ExtractDays, _sample_stream, expected_daily_referrals
from earlyhelp.tools.demo.settings import (
    _DAY,
    _KEY,
    ADVICE,
    CODES,
    DISTRICT_MODEL,
    EARLY_HELP_MIX,
    EXTRACT_DATE,
    FAST_LAG_WEIGHTS,
    FAST_LAGS,
    FAST_SHARE_2018,
    FAST_SHARE_AFTER_MASH,
    FAST_SHARE_BEFORE_MASH,
    FIRST_DAY,
    INTEGRATED_FRONT_DOOR,
    NO_FURTHER_ACTION,
    OTHER_CONTACT_MIX,
    OTHER_CONTACTS_PER_REFERRAL,
    PARTNER_LED,
    REPEAT_SHARE,
    REPEAT_WINDOW_DAYS,
    SLOW_LAGS,
    SOCIAL_CARE,
    SOCIAL_CARE_CONTACTS_PER_REFERRAL,
    SOCIAL_CARE_MIX,
    TARGETED,
)


@dataclass
class _Contacts:
    day: np.ndarray
    district: np.ndarray
    code: np.ndarray
    decision: np.ndarray
    decision_day: np.ndarray
    level: np.ndarray  # level of need of an early help referral, 0 for other contacts
    child: np.ndarray


def _sample_contacts(rng: np.random.Generator, area: _Area, days: ExtractDays) -> _Contacts:
    """All contacts into the front door, with their decisions, ordered by contact date."""
    streams = (
        ("early help", EARLY_HELP_MIX, 1.0),
        ("social care", SOCIAL_CARE_MIX, SOCIAL_CARE_CONTACTS_PER_REFERRAL),
        ("other", OTHER_CONTACT_MIX, OTHER_CONTACTS_PER_REFERRAL),
    )
    parts = []
    for stream, (name, mix, share) in enumerate(streams):
        rates = expected_daily_referrals(days, mix, area.referrals_per_year * share)
        day_index, district, code = _sample_stream(rng, area, rates)
        repeat = np.full(len(code), REPEAT_SHARE[name])
        parts.append((np.full(len(code), stream), days.day[day_index], district, code, repeat))
    columns = [np.concatenate(column) for column in zip(*parts, strict=True)]
    order = np.lexsort(tuple(reversed(columns[:4])))  # by day, stream, district, code
    stream, day, district, code, repeat = (column[order] for column in columns)

    level = np.where(stream == 0, _levels_of_need(rng, day, code), 0)
    decision = np.select(
        [stream == 0, stream == 1],
        [np.where(level <= 2, PARTNER_LED, TARGETED), SOCIAL_CARE],
        np.where(rng.random(len(day)) < 0.5, ADVICE, NO_FURTHER_ACTION),
    )
    decision_day = _decision_days(rng, day, days.bank_holidays)
    child = _assign_children(rng, day, district, repeat)
    # A contact still awaiting its decision at the extract date is left out.
    kept = decision_day <= EXTRACT_DATE.astype(_DAY)
    return _Contacts(
        day=day[kept],
        district=district[kept],
        code=code[kept],
        decision=decision[kept],
        decision_day=decision_day[kept],
        level=level[kept],
        child=child[kept],
    )


def _levels_of_need(rng: np.random.Generator, day: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Mostly 2 (partner-led) and 3 (targeted), a few 1 and very few 4.

    Schools and health lead more early help themselves, and partner-led work grows once the
    district model makes early help "everybody's business".
    """
    group = np.array([SOURCE_GROUPS.index(SOURCE_CODES[c][1]) for c in CODES])[code]
    partner = np.where(day >= DISTRICT_MODEL.astype(_DAY), 0.44, 0.36)
    partner += np.select(
        [group == SOURCE_GROUPS.index("Schools"), group == SOURCE_GROUPS.index("Health")],
        [0.12, 0.05],
        np.where(group == SOURCE_GROUPS.index("Police"), -0.10, 0.0),
    )
    u = rng.random(len(day))
    return np.select([u < 0.04, u < 0.04 + partner, u > 0.97], [1, 2, 4], 3)


def fast_decision_share(day: np.ndarray) -> np.ndarray:
    """Share of contacts decided within 2 working days: ~70% in 2018, ~90% after the MASH."""
    first, mash = FIRST_DAY.astype(_DAY), INTEGRATED_FRONT_DOOR.astype(_DAY)
    before = FAST_SHARE_2018 + (FAST_SHARE_BEFORE_MASH - FAST_SHARE_2018) * (day - first) / (
        mash - first
    )
    return np.where(day >= mash, FAST_SHARE_AFTER_MASH, before)


def slow_lag_weights() -> np.ndarray:
    """Probabilities of 3..10 working days, given a decision slower than 2 working days."""
    weights = 0.75 ** np.arange(len(SLOW_LAGS))
    return weights / weights.sum()


def _decision_days(rng: np.random.Generator, day: np.ndarray, bank: np.ndarray) -> np.ndarray:
    """Decision 0..10 working days after the contact (bank holidays are not working days)."""
    lag = np.where(
        rng.random(len(day)) < fast_decision_share(day),
        rng.choice(FAST_LAGS, len(day), p=FAST_LAG_WEIGHTS),
        rng.choice(SLOW_LAGS, len(day), p=slow_lag_weights()),
    )
    decided = np.busday_offset(day.astype("datetime64[D]"), lag, roll="forward", holidays=bank)
    return decided.astype(_DAY)


def _assign_children(
    rng: np.random.Generator, day: np.ndarray, district: np.ndarray, repeat_share: np.ndarray
) -> np.ndarray:
    """Label each contact with a child: some are about a child seen in the district recently.

    A repeat picks a random earlier contact (same district, last three years); following the
    picks back to a first contact gives the child, whose label is that contact's index.
    """
    n = len(day)
    order = np.lexsort((day, district))
    key = district[order] * _KEY + day[order]
    earliest = np.searchsorted(key, key - REPEAT_WINDOW_DAYS, side="left")
    before = np.searchsorted(key, key, side="left")  # contacts on earlier days only
    repeat = (rng.random(n) < repeat_share[order]) & (before > earliest)
    pick = earliest + (rng.random(n) * (before - earliest)).astype(np.int64)
    parent = np.where(repeat, pick, np.arange(n))
    while not np.array_equal(parent[parent], parent):
        parent = parent[parent]
    child = np.empty(n, dtype=np.int64)
    child[order] = order[parent]
    return child
