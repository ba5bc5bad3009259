"""The councils: the borough and the national-scale areas, their districts and postcode
sectors, and each area's district lookup and child population tables."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from earlyhelp.tools.demo.conventions import LOOKUP_SCHEMA
from earlyhelp.tools.demo.settings import (
    BOROUGH_DISTRICT_WEIGHTS,
    BOROUGH_DISTRICTS,
    BOROUGH_REFERRALS_PER_YEAR,
    BOROUGH_SECTORS_PER_DISTRICT,
    EXTRACT_DATE,
    FIRST_DAY,
    ID_BLOCK,
    NATIONAL_AREAS,
    NATIONAL_REFERRALS,
    NATIONAL_SECTORS_PER_DISTRICT,
)

# Children (under 18) per early help referral a year; 60,000 children for the borough's 6,000.
CHILDREN_PER_REFERRAL = 10.0
# Districts differ in need: the first has most referrals per child, the last fewest.
DISTRICT_POPULATION_FACTORS = (0.8, 1.1, 0.95, 1.0, 1.2)
# Share of under-18s in each age band (England, ONS mid-2022, rounded).
CHILD_AGE_SHARES = {"Under 1": 0.054, "1-4": 0.222, "5-9": 0.283, "10-15": 0.325, "16-17": 0.116}
POPULATION_YEARS = range(2018, 2026)  # mid-year estimates; the latest lags the extract
POPULATION_GROWTH = 0.004  # a year


@dataclass(frozen=True)
class _Area:
    """One council: its districts, their postcode sectors, its size and its block of ids."""

    index: int
    prefix: str  # "" for the borough; "A001" at national scale, in front of every team name
    districts: tuple[str, ...]
    district_weights: tuple[float, ...]
    sectors: tuple[tuple[str, ...], ...]  # postcode sectors of each district
    referrals_per_year: float

    @property
    def id_base(self) -> int:
        return (self.index + 1) * ID_BLOCK

    def name(self, team: str) -> str:
        return f"{self.prefix} {team}" if self.prefix else team


def _borough() -> _Area:
    return _Area(
        index=0,
        prefix="",
        districts=BOROUGH_DISTRICTS,
        district_weights=BOROUGH_DISTRICT_WEIGHTS,
        sectors=_allocate_sectors(BOROUGH_SECTORS_PER_DISTRICT, _postcode_sectors()),
        referrals_per_year=BOROUGH_REFERRALS_PER_YEAR,
    )


def _national_areas(seed: int, count: int) -> Iterator[_Area]:
    """Areas of varied size (about 20 million referrals in all) with unequal districts.

    With fewer areas than NATIONAL_AREAS (tests) each area keeps the national average size.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    sizes = rng.lognormal(0.0, 0.45, count)
    years = (EXTRACT_DATE - FIRST_DAY).astype(int) / 365.25
    volumes = NATIONAL_REFERRALS / years * sizes / sizes.sum() * count / NATIONAL_AREAS
    weights = rng.uniform(1.0, 2.5, (count, len(BOROUGH_DISTRICTS)))
    sectors = _postcode_sectors()
    per_district = (NATIONAL_SECTORS_PER_DISTRICT,) * len(BOROUGH_DISTRICTS)
    for i in range(count):
        prefix = f"A{i + 1:03d}"
        yield _Area(
            index=i,
            prefix=prefix,
            districts=tuple(f"{prefix} {d}" for d in BOROUGH_DISTRICTS),
            district_weights=tuple(float(w) for w in weights[i]),
            sectors=_allocate_sectors(per_district, sectors),
            referrals_per_year=float(volumes[i]),
        )


def _postcode_sectors() -> Iterator[str]:
    """Fictional postcode sectors in the real format: "ZZ3 4", then ZY, ZX, ... (never ZE)."""
    for second in "ZYXWVUTSRQPONMLKJIHGFDCBA":
        outward_area = "Z" + second
        districts = [str(n) for n in range(1, 100)]
        districts += [f"{n}{letter}" for n in range(1, 10) for letter in "ABCDEFGHJKLMNPRSTUWXY"]
        for district in districts:
            for digit in range(10):
                yield f"{outward_area}{district} {digit}"


def _allocate_sectors(counts: Sequence[int], sectors: Iterator[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(next(sectors) for _ in range(n)) for n in counts)


def _lookup_table(area: _Area) -> pl.DataFrame:
    rows = [
        (s, d) for d, sectors in zip(area.districts, area.sectors, strict=True) for s in sectors
    ]
    return pl.DataFrame(rows, schema=LOOKUP_SCHEMA.names, orient="row")


def _population_table(area: _Area) -> pl.DataFrame:
    """Children by district, mid-year and age band: what a council would take from ONS."""
    total = area.referrals_per_year * CHILDREN_PER_REFERRAL
    weights = [
        w * DISTRICT_POPULATION_FACTORS[k % len(DISTRICT_POPULATION_FACTORS)]
        for k, w in enumerate(area.district_weights)
    ]
    rows = []
    for district, weight in zip(area.districts, weights, strict=True):
        for year in POPULATION_YEARS:
            growth = (1 + POPULATION_GROWTH) ** (year - POPULATION_YEARS[0])
            for band, share in CHILD_AGE_SHARES.items():
                children = round(total * weight / sum(weights) * share * growth)
                rows.append((district, year, band, children))
    return pl.DataFrame(rows, schema=["district", "year", "age_band", "children"], orient="row")
