"""The children: dates of birth, sex, ethnicity and addresses (a tenth move once)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from earlyhelp.tools.demo.areas import _Area
from earlyhelp.tools.demo.casework import _Casework
from earlyhelp.tools.demo.settings import (
    _DAY,
    _KEY,
    _OPEN,
    AGE_BAND_WEIGHTS,
    AGE_BANDS_YEARS,
    ETHNICITIES,
    ETHNICITY_WEIGHTS,
    EXTRACT_DATE,
    INWARD_LETTERS,
    MOVE_SHARE,
    MOVE_TO_OTHER_DISTRICT,
    OLDEST_AGE_YEARS,
    SEX_WEIGHTS,
    SEXES,
)


@dataclass
class _Children:
    """Children in order of first appearance (their rank orders the person ids)."""

    label: np.ndarray  # child labels, sorted, for lookups
    rank_of_label: np.ndarray  # each sorted label's rank
    dob: np.ndarray  # by rank
    sex: np.ndarray
    ethnicity: np.ndarray
    address_rank: np.ndarray  # address rows, sorted by child rank then start
    address_district: np.ndarray
    address_sector: np.ndarray  # index into the area's sectors, flattened over districts
    address_start: np.ndarray
    address_end: np.ndarray  # _OPEN for the current address
    address_letters: np.ndarray  # two inward-code letters per address

    def rank(self, child: np.ndarray) -> np.ndarray:
        return self.rank_of_label[np.searchsorted(self.label, child)]

    def district_on(self, child: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The district of the address each child lived at on that day."""
        key = self.address_rank * _KEY + self.address_start
        row = np.searchsorted(key, self.rank(child) * _KEY + day, side="right") - 1
        return self.address_district[row]


def _children(rng: np.random.Generator, area: _Area, work: _Casework) -> _Children:
    """Each child's date of birth, sex, ethnicity and addresses (a tenth move once)."""
    child = np.concatenate([work.contacts.child, work.episodes.child, work.referrals.child])
    day = np.concatenate([work.contacts.day, work.episodes.start, work.referrals.day])
    district = np.concatenate(
        [work.contacts.district, work.episodes.district, work.referrals.district]
    )
    order = np.lexsort((child, day))
    label, first_at = np.unique(child[order], return_index=True)
    first_day = day[order][first_at]
    first_district = district[order][first_at]
    last_day = np.full(len(label), -1, dtype=_DAY)
    np.maximum.at(last_day, np.searchsorted(label, child), day)
    appearance = np.lexsort((label, first_day))
    rank_of_label = np.empty(len(label), dtype=np.int64)
    rank_of_label[appearance] = np.arange(len(label))
    first_day, last_day, first_district = (
        a[appearance] for a in (first_day, last_day, first_district)
    )
    n = len(label)

    # Age at first contact by band; a child seen over several years stays under 19.
    band = rng.choice(len(AGE_BANDS_YEARS), n, p=AGE_BAND_WEIGHTS)
    low, high = np.array(AGE_BANDS_YEARS, dtype=np.float64)[band].T
    age_years = low + rng.random(n) * (high - low)
    oldest_first = OLDEST_AGE_YEARS - (last_day - first_day) / 365.25
    age_days = np.rint(np.clip(np.minimum(age_years, oldest_first), 0, None) * 365.25)
    dob = first_day - age_days.astype(_DAY)

    # The first address predates the first contact; a tenth of children move once, around
    # the time they are known, some of them to another district.
    extract = EXTRACT_DATE.astype(_DAY)
    start = np.maximum(dob, first_day - rng.integers(0, 1500, n))
    latest = np.minimum(last_day + 540, extract)
    move_day = first_day - 180 + (rng.random(n) * (latest - first_day + 181)).astype(_DAY)
    move_day = np.clip(move_day, start + 30, extract)
    moves = (rng.random(n) < MOVE_SHARE) & (move_day > start)
    weights = np.array(area.district_weights) / sum(area.district_weights)
    elsewhere = rng.random(n) < MOVE_TO_OTHER_DISTRICT
    target = rng.choice(len(weights), n, p=weights)
    new_district = np.where(elsewhere, target, first_district)

    rank = np.arange(n)
    address_rank = np.concatenate([rank, rank[moves]])
    address_district = np.concatenate([first_district, new_district[moves]])
    address_start = np.concatenate([start, move_day[moves]])
    address_end = np.concatenate(
        [np.where(moves, move_day - 1, _OPEN), np.full(moves.sum(), _OPEN)]
    )
    rows = np.lexsort((address_start, address_rank))
    address_rank, address_district, address_start, address_end = (
        a[rows] for a in (address_rank, address_district, address_start, address_end)
    )
    sectors = np.array([len(s) for s in area.sectors])
    first_sector = np.r_[0, np.cumsum(sectors)[:-1]]
    within = (rng.random(len(address_rank)) * sectors[address_district]).astype(np.int64)
    return _Children(
        label=label,
        rank_of_label=rank_of_label,
        dob=dob,
        sex=rng.choice(len(SEXES), n, p=SEX_WEIGHTS),
        ethnicity=rng.choice(len(ETHNICITIES), n, p=ETHNICITY_WEIGHTS),
        address_rank=address_rank,
        address_district=address_district,
        address_sector=first_sector[address_district] + within,
        address_start=address_start,
        address_end=address_end,
        address_letters=rng.integers(0, len(INWARD_LETTERS), (len(address_rank), 2)),
    )
