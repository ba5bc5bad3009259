"""The early help episode, involvement, social care referral, professional and department
tables, written in the flavour's conventions."""

from __future__ import annotations

import numpy as np
import polars as pl

from earlyhelp.core.schema import END_REASONS, SOURCE_CODES
from earlyhelp.tools.demo.casework import _Episodes, _Referrals
from earlyhelp.tools.demo.children import _Children
from earlyhelp.tools.demo.conventions import (
    CASE_WORKER_ROLE,
    CHANGE_REASON_CODES,
    END_REASON_CODES,
    LEVEL_CODES,
    LOCAL_COLUMNS,
    OTHER_END,
    OTHER_END_SHARE,
    PLACEHOLDER_WORKER,
    SOCIAL_CARE_INVOLVEMENT_IDS,
    TEAM_MANAGER_ROLE,
    TM_OVERSIGHT_DAYS,
    TM_OVERSIGHT_SHARE,
)
from earlyhelp.tools.demo.frames import (
    _dates,
    _floats,
    _ints,
    _labels,
    _nulls,
    _Output,
    _person_ids,
)
from earlyhelp.tools.demo.organisations import _organisation_codes, _partner_organisations
from earlyhelp.tools.demo.person_tables import _source_descriptions
from earlyhelp.tools.demo.settings import (
    _DAY,
    _OPEN,
    CLOSE_CODES,
    CODES,
    EXTRACT_DATE,
    JOB_TITLES,
    NEED_CODES,
    TEAM_MANAGER,
)
from earlyhelp.tools.demo.workforce import _Involvements


def _episode_tables(
    rng: np.random.Generator,
    out: _Output,
    episodes: _Episodes,
    team: np.ndarray,
    involvements: _Involvements,
    children: _Children,
) -> dict[str, pl.DataFrame]:
    """ssd_early_help_episodes (ids in start order) and, in SystemC, the council's early help
    involvements: allocated case workers one after another, and team managers' oversight."""
    area, teams, staff = out.area, out.teams, out.staff
    child_rank = children.rank(episodes.child)
    order = np.lexsort((episodes.step_down, child_rank, episodes.start))
    episode_id = np.empty(len(order), dtype=np.int64)
    episode_id[order] = area.id_base + 1 + np.arange(len(order))

    organisation = np.where(
        team >= 0, team, len(teams.names) + _partner_organisations(rng, episodes.code)
    )
    last = np.r_[involvements.episode[1:] != involvements.episode[:-1], True]
    worker = np.full(len(order), -1, dtype=np.int64)
    worker[involvements.episode[last]] = involvements.holder[last]
    end_reason = episodes.end_reason.copy()
    own_reason = out.style.random(len(end_reason)) < OTHER_END_SHARE
    end_reason[own_reason & (end_reason == END_REASONS.index("No further action"))] = OTHER_END
    level_column, source_column = LOCAL_COLUMNS[out.flavour]
    if out.mosaic:
        sources = [SOURCE_CODES[c][0] for c in CODES]  # the descriptions a form offers
        worker_id = out.staff_ids().gather(_ints(worker[order], worker[order] < 0))
        organisations = _ints(np.array([int(c) for c in _organisation_codes(area, out.flavour)]))
        organisation_column = organisations.gather(_ints(organisation[order]))
    else:
        sources = list(CODES)
        worker_id = pl.Series([PLACEHOLDER_WORKER] * len(order), dtype=pl.String)
        organisation_column = _labels(_organisation_codes(area, out.flavour), organisation[order])

    tables = {
        "ssd_early_help_episodes": out.frame(
            "ssd_early_help_episodes",
            {
                "earl_episode_id": _ints(episode_id[order]),
                "earl_person_id": _person_ids(area, child_rank[order]),
                "earl_episode_start_date": _dates(episodes.start[order]),
                "earl_episode_end_date": _dates(episodes.end[order]),
                "earl_episode_reason": _labels(
                    ("Referral", "Step-down"), episodes.step_down[order]
                ),
                "earl_episode_end_reason": _labels(
                    END_REASON_CODES[out.flavour], end_reason[order]
                ),
                "earl_episode_organisation": organisation_column,
                "earl_episode_worker_id": worker_id,
                level_column: _labels(LEVEL_CODES[out.flavour], episodes.level[order] - 1),
                source_column: _labels(sources, episodes.code[order]),
            },
        )
    }
    if out.mosaic:  # no early help involvements: caseloads come from earl_episode_worker_id
        return tables

    # Team managers oversee some allocations for a few weeks: involvements that hold no case.
    first = np.r_[True, involvements.episode[1:] != involvements.episode[:-1]]
    first = np.flatnonzero(first)
    overseen = first[out.style.random(len(first)) < TM_OVERSIGHT_SHARE]
    length = out.style.integers(*TM_OVERSIGHT_DAYS, len(overseen))
    tm_episode = involvements.episode[overseen]
    tm_start = involvements.start[overseen]
    manager_post = np.full(len(teams.names), -1, dtype=np.int64)
    managers = np.flatnonzero(staff.post_title == TEAM_MANAGER)
    manager_post[staff.post_team[managers]] = managers
    tm_holder = staff.holder(manager_post[team[tm_episode]], tm_start)
    successor = np.minimum(tm_holder + 1, len(staff.holder_id) - 1)
    leaves = np.where(
        (tm_holder + 1 < len(staff.holder_id))
        & (staff.holder_post[successor] == staff.holder_post[tm_holder]),
        staff.holder_start[successor] - 1,
        _OPEN,
    )
    tm_end = np.minimum.reduce([tm_start + length - 1, episodes.end[tm_episode], leaves])
    tm_end = np.where(tm_end > EXTRACT_DATE.astype(_DAY), _OPEN, tm_end)

    n_cw = len(involvements.episode)
    holder = np.r_[involvements.holder, tm_holder]
    inv_episode = np.r_[involvements.episode, tm_episode]
    start = np.r_[involvements.start, tm_start]
    end = np.r_[involvements.end, tm_end]
    reason = np.r_[involvements.reason, np.full(len(overseen), -1)]
    role = np.r_[np.zeros(n_cw, dtype=np.int64), np.ones(len(overseen), dtype=np.int64)]
    rows = np.lexsort((role, start, episode_id[inv_episode]))
    tables["ssd_early_help_involvements"] = out.frame(
        "ssd_early_help_involvements",
        {
            "invo_involvements_id": _ints(area.id_base + 1 + np.arange(len(rows))),
            "invo_professional_id": out.worker_refs(holder[rows]),
            "invo_professional_role_id": _labels((CASE_WORKER_ROLE, TEAM_MANAGER_ROLE), role[rows]),
            "invo_professional_team": out.team_ids(
                staff.post_team[staff.holder_post[holder[rows]]]
            ),
            "invo_person_id": _person_ids(area, child_rank[inv_episode[rows]]),
            "invo_involvement_start_date": _dates(start[rows]),
            "invo_involvement_end_date": _dates(end[rows]),
            "invo_worker_change_reason": _labels(CHANGE_REASON_CODES, reason[rows]),
            "invo_referral_id": _ints(episode_id[inv_episode[rows]]),
        },
    )
    return tables


def _referral_tables(
    out: _Output,
    referrals: _Referrals,
    team: np.ndarray,
    holder: np.ndarray,
    children: _Children,
) -> dict[str, pl.DataFrame]:
    """ssd_cin_episodes, and ssd_involvements: the allocated social worker of each referral
    (invo_referral_id = cine_referral_id, as SSD specifies)."""
    area = out.area
    child_rank = children.rank(referrals.child)
    order = np.lexsort((referrals.code, child_rank, referrals.day))
    n = len(order)
    referral_id = _ints(area.id_base + 1 + np.arange(n))
    person = _person_ids(area, child_rank[order])
    start = _dates(referrals.day[order])
    close = _dates(referrals.close_day[order])
    team_id = out.team_ids(team[order])
    if out.mosaic:
        worker = out.staff_ids().gather(_ints(holder[order]))
    else:  # SystemC's SQL writes the worker's name (DIM_WORKER_ID_DESC)
        worker = out.worker_names().gather(_ints(holder[order]))
    source = _labels(CODES, referrals.code[order])
    nfa = _labels(("N", "Y"), referrals.nfa[order].astype(np.int64))
    referrals_table = out.frame(
        "ssd_cin_episodes",
        {
            "cine_referral_id": referral_id,
            "cine_person_id": person,
            "cine_referral_date": start,
            "cine_cin_primary_need_code": _labels(NEED_CODES, referrals.need[order]),
            "cine_referral_source_code": source,
            "cine_referral_source": source,
            "cine_referral_source_desc": _labels(_source_descriptions(), referrals.code[order]),
            "cine_referral_nfa": nfa,
            "cin_referral_nfa": nfa,
            "cine_close_reason": _labels(CLOSE_CODES, referrals.close_reason[order]),
            "cine_close_date": close,
            "cine_referral_team": team_id,
            "cine_referral_worker_id": worker,
        },
    )
    involvements = out.frame(
        "ssd_involvements",
        {
            "invo_involvements_id": _ints(
                area.id_base + SOCIAL_CARE_INVOLVEMENT_IDS + 1 + np.arange(n)
            ),
            "invo_professional_id": out.worker_refs(holder[order]),
            "invo_professional_role_id": pl.Series([CASE_WORKER_ROLE] * n, dtype=pl.String),
            "invo_professional_team": team_id,
            "invo_person_id": person,
            "invo_involvement_start_date": start,
            "invo_involvement_end_date": close,
            "invo_worker_change_reason": _nulls(n),
            "invo_referral_id": referral_id,
        },
    )
    return {"ssd_cin_episodes": referrals_table, "ssd_involvements": involvements}


def _professional_table(
    rng: np.random.Generator, out: _Output, caseload: np.ndarray
) -> pl.DataFrame:
    """Everyone who held a post during the extract; caseload is what they hold at its date.

    FTE is recorded as the post's, except that a few are missing and one or two are recorded as
    0 (a data-entry slip), so that downstream handling of unknown FTE is exercised. Mosaic's SQL
    leaves prof_professional_id, FTE and the agency flag NULL: its workers are keyed by
    prof_staff_id.
    """
    staff, teams = out.staff, out.teams
    n = len(staff.holder_id)
    fte = staff.post_fte[staff.holder_post]
    missing = rng.random(n) < 0.03
    holding = np.flatnonzero(caseload > 0)
    zero = rng.choice(holding, min(len(holding), 1 + int(rng.integers(0, 2))), replace=False)
    fte[zero] = 0.0
    missing[zero] = False
    order = np.argsort(staff.holder_id)
    post = staff.holder_post[order]
    gather = _ints(order)
    columns = {
        "prof_professional_id": _ints(staff.holder_id[order]),
        "prof_staff_id": out.staff_ids().gather(gather),
        "prof_professional_name": out.worker_names().gather(gather),
        "prof_agency_worker_flag": _labels(("N", "Y"), staff.holder_agency[order].astype(int)),
        "prof_professional_job_title": _labels(JOB_TITLES, staff.post_title[post]),
        "prof_professional_caseload": _ints(caseload[order]),
        "prof_professional_department": _labels(teams.names, staff.post_team[post]),
        "prof_full_time_equivalency": _floats(fte[order], missing[order]),
    }
    if out.mosaic:
        columns["prof_professional_id"] = _nulls(n, pl.Int64)
        columns["prof_agency_worker_flag"] = _nulls(n)
        columns["prof_full_time_equivalency"] = _nulls(n, pl.Float64)
    return out.frame("ssd_professionals", columns)


def _department_table(out: _Output) -> pl.DataFrame:
    """SystemC's departments; Mosaic's SSD has only a placeholder query here (no rows)."""
    teams = out.teams
    ids = out.area.id_base + 1 + np.arange(len(teams.names))
    parent = np.array(teams.parents)
    frame = out.frame(
        "ssd_department",
        {
            "dept_team_id": _ints(ids),
            "dept_team_name": pl.Series(teams.names, dtype=pl.String),
            "dept_team_parent_id": _ints(np.where(parent >= 0, ids[parent], 0), parent < 0),
            "dept_team_parent_name": _labels(teams.names, parent),
        },
    )
    return frame.head(0) if out.mosaic else frame
