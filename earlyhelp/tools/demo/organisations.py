"""The organisations that lead episodes: partner settings, team and organisation codes, and
their entries in the mapping file."""

from __future__ import annotations

import numpy as np

from earlyhelp.core.schema import SOURCE_CODES
from earlyhelp.tools.demo.areas import _Area
from earlyhelp.tools.demo.conventions import (
    MOSAIC_PARTNER_IDS,
    PARTNER_CODE_PREFIXES,
    PARTNER_KINDS,
    TEAM_CODES,
)
from earlyhelp.tools.demo.settings import CODES, EARLY_YEARS_SETTINGS, HEALTH_SETTINGS, SCHOOLS
from earlyhelp.tools.demo.workforce import _Teams


def _partner_organisations(rng: np.random.Generator, code: np.ndarray) -> np.ndarray:
    """Index into SCHOOLS + HEALTH_SETTINGS + EARLY_YEARS_SETTINGS for a partner-led episode.

    A school leads what a school referred and health what health referred; the rest is shared
    between schools, early years settings and health.
    """
    group = np.array([SOURCE_CODES[c][1] for c in CODES])[code]
    u = rng.random(len(code))
    kind = np.select([group == "Schools", group == "Health", u < 0.45, u < 0.75], [0, 1, 0, 2], 1)
    sizes = np.array([len(SCHOOLS), len(HEALTH_SETTINGS), len(EARLY_YEARS_SETTINGS)])
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    return offsets[kind] + (rng.random(len(code)) * sizes[kind]).astype(np.int64)


PARTNERS = (SCHOOLS, HEALTH_SETTINGS, EARLY_YEARS_SETTINGS)


def _team_codes(area: _Area) -> list[str]:
    """SystemC organisation codes of the area's teams, in _Teams order."""
    districts = [f"TEH{k + 1:02d}" for k in range(len(area.districts))]
    codes = [*TEAM_CODES[:3], *districts, *TEAM_CODES[4:]]
    return [f"{area.prefix}-{c}" if area.prefix else c for c in codes]


def _organisation_codes(area: _Area, flavour: str) -> list[str]:
    """earl_episode_organisation of every organisation (the teams, then the partners)."""
    n_teams = len(_Teams.of(area).names)
    if flavour == "mosaic":
        teams = [str(area.id_base + 1 + t) for t in range(n_teams)]
        n_partners = sum(len(p) for p in PARTNERS)
        return teams + [str(MOSAIC_PARTNER_IDS + k) for k in range(n_partners)]
    partners = [
        f"{prefix}{k + 1:02d}"
        for prefix, names in zip(PARTNER_CODE_PREFIXES, PARTNERS, strict=True)
        for k in range(len(names))
    ]
    return _team_codes(area) + partners


def _organisation_entries(area: _Area, flavour: str) -> dict[str, tuple[str, str]]:
    """Code -> (name, kind) of the organisations that lead episodes, for the mapping file."""
    teams = _Teams.of(area)
    codes = _organisation_codes(area, flavour)
    entries = {codes[t]: (teams.names[t], "council") for t in teams.district_teams}
    entries[codes[teams.provider]] = (teams.names[teams.provider], "commissioned")
    k = len(teams.names)
    for names, kind in zip(PARTNERS, PARTNER_KINDS, strict=True):
        for name in names:
            entries[codes[k]] = (name, kind)
            k += 1
    return entries
