"""Early help episodes and social care referrals: how episodes end, step-ups to social care
and step-downs from it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from earlyhelp.core.schema import END_REASONS
from earlyhelp.tools.demo.areas import _Area
from earlyhelp.tools.demo.contacts import _Contacts, _sample_contacts
from earlyhelp.tools.demo.demand import ExtractDays
from earlyhelp.tools.demo.settings import (
    _DAY,
    _KEY,
    _OPEN,
    CLOSE_CODES,
    CLOSE_WEIGHTS,
    CODES,
    END_REASON_WEIGHTS,
    EXTRACT_DATE,
    MEDIAN_DAYS_BY_END,
    NEED_CODES,
    NEED_WEIGHTS,
    NFA_SHARE,
    PARTNER_LED,
    PARTNER_LED_LENGTH,
    RC8,
    RC9,
    SOCIAL_CARE,
    STEP_DOWN_DELAY_DAYS,
    STEP_UP,
    STEP_UP_NFA_SHARE,
    TARGETED,
)


def _episode_ends(
    rng: np.random.Generator, start: np.ndarray, level: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(end reason index, end day); episodes still open at the extract date get -1 and _OPEN."""
    reason = rng.choice(len(END_REASONS), len(start), p=END_REASON_WEIGHTS)
    median = np.array(MEDIAN_DAYS_BY_END)[reason] * np.where(level <= 2, PARTNER_LED_LENGTH, 1.0)
    length = np.clip(np.rint(median * rng.lognormal(0.0, 0.5, len(start))), 3, 730)
    end = start + length.astype(_DAY)
    still_open = end > EXTRACT_DATE.astype(_DAY)
    return np.where(still_open, -1, reason), np.where(still_open, _OPEN, end)


@dataclass
class _Referrals:
    """Referrals to children's social care."""

    child: np.ndarray
    day: np.ndarray
    district: np.ndarray
    code: np.ndarray
    need: np.ndarray
    nfa: np.ndarray
    close_reason: np.ndarray  # -1 while open
    close_day: np.ndarray  # _OPEN while open

    @classmethod
    def concat(cls, parts: Sequence[_Referrals]) -> _Referrals:
        fields = cls.__dataclass_fields__
        return cls(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields})


def _social_care(
    rng: np.random.Generator,
    child: np.ndarray,
    day: np.ndarray,
    district: np.ndarray,
    code: np.ndarray,
    *,
    from_early_help: bool,
    may_step_down: bool,
) -> _Referrals:
    """Referrals with their need, NFA and closure; assessments close within weeks, plans later."""
    n = len(day)
    need = rng.choice(len(NEED_CODES), n, p=NEED_WEIGHTS)
    nfa = rng.random(n) < (STEP_UP_NFA_SHARE if from_early_help else NFA_SHARE)
    weights = np.array(CLOSE_WEIGHTS)
    if not may_step_down:
        weights[RC8] += weights[RC9]
        weights[RC9] = 0.0
    reason = np.where(nfa, RC8, rng.choice(len(CLOSE_CODES), n, p=weights))
    assessed_only = (reason == RC8) | (reason == RC9)
    length = np.select(
        [nfa, assessed_only],
        [rng.integers(0, 3, n), rng.integers(10, 66, n)],
        np.clip(np.rint(240 * rng.lognormal(0.0, 0.6, n)), 30, 1500).astype(np.int64),
    )
    close = day + length
    still_open = close > EXTRACT_DATE.astype(_DAY)
    return _Referrals(
        child=child,
        day=day,
        district=district,
        code=code,
        need=need,
        nfa=nfa,
        close_reason=np.where(still_open, -1, reason),
        close_day=np.where(still_open, _OPEN, close),
    )


@dataclass
class _Episodes:
    """Early help episodes."""

    child: np.ndarray
    start: np.ndarray
    end: np.ndarray  # _OPEN while open
    end_reason: np.ndarray  # -1 while open
    step_down: np.ndarray
    level: np.ndarray
    code: np.ndarray
    district: np.ndarray

    def select(self, mask: np.ndarray) -> _Episodes:
        return _Episodes(**{f: getattr(self, f)[mask] for f in self.__dataclass_fields__})

    @classmethod
    def concat(cls, parts: Sequence[_Episodes]) -> _Episodes:
        fields = cls.__dataclass_fields__
        return cls(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields})


def _overlaps(child: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, ...]:
    """For each episode: does it overlap an earlier-starting one, or a later one, of its child?"""
    order = np.lexsort((end, start, child))
    c, s, e = child[order], start[order], end[order]
    same = c[1:] == c[:-1]
    # The latest end so far, keyed by child so that it never carries over to the next child.
    reach = np.maximum.accumulate(c * _KEY + np.minimum(e, _KEY - 1))
    overlaps_earlier = np.r_[False, same & (c[1:] * _KEY + s[1:] <= reach[:-1])]
    overlaps_later = np.r_[same & (s[1:] <= e[:-1]), False]
    earlier = np.empty_like(overlaps_earlier)
    later = np.empty_like(overlaps_later)
    earlier[order] = overlaps_earlier
    later[order] = overlaps_later
    return earlier, later


@dataclass
class _Casework:
    contacts: _Contacts
    episodes: _Episodes
    referrals: _Referrals


def _casework(rng: np.random.Generator, area: _Area, days: ExtractDays) -> _Casework:
    """Contacts, the early help episodes they start, step-ups, social care and step-downs."""
    contacts = _sample_contacts(rng, area, days)
    to_early_help = (contacts.decision == TARGETED) | (contacts.decision == PARTNER_LED)
    start = contacts.decision_day[to_early_help]
    level = contacts.level[to_early_help]
    end_reason, end = _episode_ends(rng, start, level)
    referred = _Episodes(
        child=contacts.child[to_early_help],
        start=start,
        end=end,
        end_reason=end_reason,
        step_down=np.zeros(len(start), dtype=bool),
        level=level,
        code=contacts.code[to_early_help],
        district=contacts.district[to_early_help],
    )
    # A child holds one episode at a time: a referral that would overlap is another child's.
    earlier, _ = _overlaps(referred.child, referred.start, referred.end)
    fresh = contacts.child.max() + 1 + np.arange(earlier.sum())
    referred.child[earlier] = fresh
    contacts.child[np.flatnonzero(to_early_help)[earlier]] = fresh

    to_social_care = contacts.decision == SOCIAL_CARE
    from_contacts = _social_care(
        rng,
        contacts.child[to_social_care],
        contacts.decision_day[to_social_care],
        contacts.district[to_social_care],
        contacts.code[to_social_care],
        from_early_help=False,
        may_step_down=True,
    )
    step_ups = _step_ups(rng, referred, may_step_down=True)
    referrals = _Referrals.concat([from_contacts, step_ups])

    step_downs, referrals = _step_downs(rng, referrals, referred)
    later_step_ups = _step_ups(rng, step_downs, may_step_down=False)
    episodes = _Episodes.concat([referred, step_downs])
    return _Casework(contacts, episodes, _Referrals.concat([referrals, later_step_ups]))


def _step_ups(rng: np.random.Generator, episodes: _Episodes, *, may_step_down: bool) -> _Referrals:
    """Each episode ending "Step-up" is a social care referral (source 5D) on its end date."""
    up = episodes.end_reason == STEP_UP
    return _social_care(
        rng,
        episodes.child[up],
        episodes.end[up],
        episodes.district[up],
        np.full(up.sum(), CODES.index("5D")),
        from_early_help=True,
        may_step_down=may_step_down,
    )


def _step_downs(
    rng: np.random.Generator, referrals: _Referrals, referred: _Episodes
) -> tuple[_Episodes, _Referrals]:
    """Cases closed "RC9" start an early help episode within 14 days.

    Where that episode would overlap another early help episode of the child, the closure
    becomes RC8 (no further action) instead, so every RC9 closure has its step-down episode.
    """
    rc9 = referrals.close_reason == RC9
    n = int(rc9.sum())
    start = np.minimum(
        referrals.close_day[rc9] + rng.integers(0, STEP_DOWN_DELAY_DAYS + 1, n),
        EXTRACT_DATE.astype(_DAY),
    )
    u = rng.random(n)
    level = np.select([u < 0.05, u < 0.90], [2, 3], 4)
    end_reason, end = _episode_ends(rng, start, level)
    step_downs = _Episodes(
        child=referrals.child[rc9],
        start=start,
        end=end,
        end_reason=end_reason,
        step_down=np.ones(n, dtype=bool),
        level=level,
        code=np.full(n, CODES.index("5A")),
        district=referrals.district[rc9],
    )
    both = _Episodes.concat([referred, step_downs])
    earlier, later = _overlaps(both.child, both.start, both.end)
    clash = (earlier | later)[len(referred.start) :]
    referrals.close_reason[np.flatnonzero(rc9)[clash]] = RC8
    return step_downs.select(~clash), referrals
