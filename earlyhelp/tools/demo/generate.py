"""write_demo: validate the options, generate each area's tables and write them with the
mapping file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import polars as pl

from earlyhelp.tools.demo.areas import (
    _Area,
    _borough,
    _lookup_table,
    _national_areas,
    _population_table,
)
from earlyhelp.tools.demo.case_tables import (
    _department_table,
    _episode_tables,
    _professional_table,
    _referral_tables,
)
from earlyhelp.tools.demo.casework import _casework
from earlyhelp.tools.demo.children import _children
from earlyhelp.tools.demo.conventions import (
    FLAVOURS,
    LOOKUP_FILE,
    MAPPING_FILE,
    POPULATION_FILE,
    ssd_schemas,
)
from earlyhelp.tools.demo.demand import ExtractDays
from earlyhelp.tools.demo.frames import _Output
from earlyhelp.tools.demo.mapping import mapping_text
from earlyhelp.tools.demo.organisations import _organisation_entries
from earlyhelp.tools.demo.person_tables import _address_table, _contact_table, _person_table
from earlyhelp.tools.demo.settings import (
    _DAY,
    _OPEN,
    EXTRACT_DATE,
    NATIONAL_AREAS,
    POSITIVE_STEPS_SHARE,
)
from earlyhelp.tools.demo.workforce import _allocate, _open_cases, _Teams, _workforce
from earlyhelp.tools.demo.writer import _ChunkWriter


def write_demo(
    out: Path,
    seed: int = 2021,
    scale: str = "borough",
    fmt: str = "csv",
    flavour: str = "systemc",
    *,
    _areas: int | None = None,
) -> dict[str, int]:
    """Write an SSD extract into `out` (created if missing); return rows per file stem.

    `scale` "borough" is one council of five districts (about 6,000 early help referrals a
    year); "national" is 150 such areas, larger on average (about 20 million referrals in all),
    streamed area by area. `_areas` overrides the number of national areas (for tests).
    `fmt` is "csv" or "parquet"; `district_lookup.csv` and `population.csv` are always CSV.
    `flavour` "systemc" or "mosaic" writes the value conventions of that deployment of SSD;
    `mapping.yaml` beside the tables declares the local columns and codes. Files a previous
    run wrote there (in either format or flavour) are replaced.
    """
    if scale not in ("borough", "national"):
        raise ValueError(f"scale must be 'borough' or 'national', not {scale!r}")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour must be 'systemc' or 'mosaic', not {flavour!r}")
    out.mkdir(parents=True, exist_ok=True)
    _remove_previous_demo(out)
    days = ExtractDays.load()
    if scale == "borough":
        areas: Iterable[_Area] = [_borough()]
    else:
        areas = _national_areas(seed, NATIONAL_AREAS if _areas is None else _areas)
    writer = _ChunkWriter(out, fmt, ssd_schemas(flavour))
    organisations: dict[str, tuple[str, str]] = {}
    try:
        for area in areas:
            writer.write(_generate_area(area, seed, days, flavour))
            organisations.update(_organisation_entries(area, flavour))
    finally:
        writer.close()
    (out / MAPPING_FILE).write_text(mapping_text(flavour, organisations), encoding="utf-8")
    return writer.rows


def _remove_previous_demo(out: Path) -> None:
    """The files an earlier demo run may have left (an SSD folder is read whole, so a table of
    the other flavour or format would be read too)."""
    names = {name for flavour in FLAVOURS for name in ssd_schemas(flavour)}
    for name in names:
        for suffix in (".csv", ".parquet"):
            (out / f"{name}{suffix}").unlink(missing_ok=True)
    for name in (f"{LOOKUP_FILE}.csv", f"{POPULATION_FILE}.csv", MAPPING_FILE):
        (out / name).unlink(missing_ok=True)


def _generate_area(
    area: _Area, seed: int, days: ExtractDays, flavour: str = "systemc"
) -> dict[str, pl.DataFrame]:
    """Every table for one area, as data frames in output order."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, area.index)))
    work = _casework(rng, area, days)
    children = _children(rng, area, work)
    episodes, referrals = work.episodes, work.referrals
    # Which team, organisation and lookup apply is decided by the address on the day.
    episodes.district = children.district_on(episodes.child, episodes.start)
    referrals.district = children.district_on(referrals.child, referrals.day)
    teams = _Teams.of(area)
    extract = EXTRACT_DATE.astype(_DAY)

    # Targeted (level 3-4) episodes go to the district team or the commissioned provider.
    targeted = episodes.level >= 3
    provider = targeted & (episodes.level == 3) & (rng.random(len(targeted)) < POSITIVE_STEPS_SHARE)
    team = np.where(provider, teams.provider, np.array(teams.district_teams)[episodes.district])
    team = np.where(targeted, team, -1)
    lag = np.minimum(30, rng.exponential(4.5, len(team)).astype(_DAY))
    closed = episodes.end != _OPEN
    lag = np.where(closed, np.clip(episodes.end - episodes.start - 1, 0, lag), lag)
    allocated_on = np.where(targeted & (episodes.start + lag <= extract), episodes.start + lag, -1)

    # Social care referrals: NFA at the front door, the rest to an assessment or CIN team.
    sc_team = np.where(
        referrals.nfa,
        teams.front_door,
        np.array(teams.social_care)[rng.integers(0, len(teams.social_care), len(referrals.day))],
    )
    # Staff the teams for the cases they held over the last two years, then allocate.
    n_teams = len(teams.names)
    allocated = allocated_on >= 0
    demand = _open_cases(team[allocated], allocated_on[allocated], episodes.end[allocated], n_teams)
    demand += _open_cases(sc_team, referrals.day, referrals.close_day, n_teams)
    staff = _workforce(rng, area, teams, demand)
    involvements = _allocate(rng, episodes, team, allocated_on, staff)
    # A social care referral shows its current (or last) worker.
    sc_holder = staff.holder(
        staff.pick_post(rng, sc_team), np.minimum(referrals.close_day, extract)
    )
    holders = len(staff.holder_id)
    # What SystemC's SQL counts: open allocated-case-worker involvements, early help and social
    # care alike (team managers' oversight holds no case).
    caseload = np.bincount(involvements.holder[involvements.end == _OPEN], minlength=holders)
    caseload += np.bincount(sc_holder[referrals.close_day == _OPEN], minlength=holders)

    # How the records are written: its own stream, so both flavours share the records.
    style = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2, area.index)))
    out = _Output(area, flavour, style, teams, staff)
    tables = {
        "ssd_person": _person_table(out, children),
        "ssd_address": _address_table(out, children),
        "ssd_contacts": _contact_table(out, work.contacts, children),
    }
    tables.update(_episode_tables(rng, out, episodes, team, involvements, children))
    tables.update(_referral_tables(out, referrals, sc_team, sc_holder, children))
    tables["ssd_professionals"] = _professional_table(rng, out, caseload)
    tables["ssd_department"] = _department_table(out)
    tables[LOOKUP_FILE] = _lookup_table(area)
    tables[POPULATION_FILE] = _population_table(area)
    return {name: tables[name] for name in (*out.schemas, LOOKUP_FILE, POPULATION_FILE)}
