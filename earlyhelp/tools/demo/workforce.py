"""Teams, the posts in them and the people who held them, and the allocation of episodes to
workers (with worker changes)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from earlyhelp.tools.demo.areas import _Area
from earlyhelp.tools.demo.casework import _Episodes
from earlyhelp.tools.demo.settings import (
    _DAY,
    _KEY,
    _OPEN,
    AGENCY_SHARE,
    BALANCING,
    CASELOAD_PER_FTE,
    CHANGES_AFTER_DISTRICT_MODEL,
    CHANGES_BEFORE_DISTRICT_MODEL,
    DISTRICT_MODEL,
    EXTRACT_DATE,
    FAMILY_REQUEST,
    FAMILY_WORKER,
    FIRST_DAY,
    MAX_INVOLVEMENTS,
    MEAN_TENURE_DAYS,
    PARTNERSHIP_OFFICER,
    POST_FTE_WEIGHTS,
    POST_FTES,
    RESTRUCTURE,
    RESTRUCTURE_WINDOW,
    SENIOR_FAMILY_WORKER,
    SOCIAL_WORKER,
    TEAM_MANAGER,
    WORKER_LEFT,
)


@dataclass(frozen=True)
class _Teams:
    """The area's teams: names and parents, and which teams hold which cases."""

    names: tuple[str, ...]
    parents: tuple[int, ...]  # -1 at the top
    district_teams: tuple[int, ...]  # one per district, in district order
    provider: int  # the commissioned provider (Positive Steps)
    front_door: int  # MASH
    social_care: tuple[int, ...]  # teams that take social care referrals after the MASH

    @classmethod
    def of(cls, area: _Area) -> _Teams:
        names = [area.name("Children's Services"), area.name("Early Help Service")]
        names += [area.name("Children's Social Care")]
        parents = [-1, 0, 0]
        district_teams = tuple(range(len(names), len(names) + len(area.districts)))
        names += [f"Targeted Early Help - {d}" for d in area.districts]
        parents += [1] * len(area.districts)
        provider = len(names)
        names.append(area.name("Positive Steps"))
        parents.append(1)
        front_door = len(names)
        social = ("MASH", "Assessment Team 1", "Assessment Team 2", "Children in Need Team")
        names += [area.name(t) for t in social]
        parents += [2] * len(social)
        return cls(
            names=tuple(names),
            parents=tuple(parents),
            district_teams=district_teams,
            provider=provider,
            front_door=front_door,
            social_care=tuple(range(front_door + 1, len(names))),
        )


@dataclass
class _Workforce:
    """Posts in teams, and the people who held each post one after another.

    Cases are allocated to posts; whoever holds the post on the day holds the case, and when
    they leave their cases pass to the next holder ("Worker left").
    """

    post_team: np.ndarray
    post_fte: np.ndarray
    post_title: np.ndarray
    post_allocated: np.ndarray  # case-holding posts
    holder_post: np.ndarray  # holders sorted by post, then start
    holder_start: np.ndarray
    holder_agency: np.ndarray
    holder_id: np.ndarray

    def holder(self, post: np.ndarray, day: np.ndarray) -> np.ndarray:
        key = self.holder_post * _KEY + self.holder_start
        return np.searchsorted(key, post * _KEY + day, side="right") - 1

    def team_posts(self, team: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(case-holding posts, where each team's run of them starts, how many it has).

        Posts are numbered team by team in team order, so a team's posts are one run.
        """
        posts = np.flatnonzero(self.post_allocated)
        first = np.searchsorted(self.post_team[posts], team, side="left")
        count = np.searchsorted(self.post_team[posts], team, side="right") - first
        return posts, first, count

    def pick_post(self, rng: np.random.Generator, team: np.ndarray) -> np.ndarray:
        """A case-holding post in each team, in proportion to the posts' hours."""
        posts = np.flatnonzero(self.post_allocated)
        owner = self.post_team[posts]
        hours = self.post_fte[posts]
        # Team t's posts split (t, t + 1] by their share of its hours; t + u lands on one.
        total = np.cumsum(hours)
        first_of_team = np.r_[True, owner[1:] != owner[:-1]]
        last_of_team = np.r_[owner[1:] != owner[:-1], True]
        before_team = np.maximum.accumulate(np.where(first_of_team, total - hours, 0.0))
        team_hours = np.bincount(owner, weights=hours)
        bounds = np.where(
            last_of_team, owner + 1.0, owner + (total - before_team) / team_hours[owner]
        )
        return posts[np.searchsorted(bounds, team + rng.random(len(team)), side="right")]


def _open_cases(team: np.ndarray, start: np.ndarray, end: np.ndarray, n_teams: int) -> np.ndarray:
    """Average cases open per team on the first of each month over the last two years."""
    last_month = EXTRACT_DATE.astype("datetime64[M]")
    months = np.arange(last_month - 23, last_month + 1).astype("datetime64[D]")
    total = np.zeros(n_teams)
    for day in months.astype(_DAY):
        total += np.bincount(team[(start <= day) & (end > day)], minlength=n_teams)
    return total / len(months)


def _workforce(
    rng: np.random.Generator, area: _Area, teams: _Teams, demand: np.ndarray
) -> _Workforce:
    """Enough posts for about CASELOAD_PER_FTE open cases per FTE, plus managers and officers."""
    post_team: list[int] = []
    post_fte: list[float] = []
    post_title: list[int] = []
    post_allocated: list[bool] = []

    def add(team: int, title: int, fte: float, allocated: bool) -> None:
        post_team.append(team)
        post_fte.append(fte)
        post_title.append(title)
        post_allocated.append(allocated)

    # In team order, so that each team's posts are one run of post numbers.
    case_holding = (*teams.district_teams, teams.provider, teams.front_door, *teams.social_care)
    for team in sorted(case_holding):
        social = team == teams.front_door or team in teams.social_care
        add(team, TEAM_MANAGER, 1.0, False)
        if team in teams.district_teams:
            add(team, PARTNERSHIP_OFFICER, 1.0, False)
            add(team, PARTNERSHIP_OFFICER, 1.0, False)
        needed = max(demand[team] / CASELOAD_PER_FTE, 2.5)
        hours = 0.0
        while hours < needed:
            fte = float(rng.choice(POST_FTES, p=POST_FTE_WEIGHTS))
            if social:
                title = SOCIAL_WORKER
            else:
                title = SENIOR_FAMILY_WORKER if rng.random() < 0.2 else FAMILY_WORKER
            add(team, title, fte, True)
            hours += fte

    first, extract = FIRST_DAY.astype(_DAY), EXTRACT_DATE.astype(_DAY)
    holder_post: list[int] = []
    holder_start: list[int] = []
    holder_agency: list[bool] = []
    # Each post is held from before the extract begins, by one person after another.
    for post in range(len(post_team)):
        day = int(first - rng.integers(0, 4 * 365))
        while day <= extract:
            agency = bool(rng.random() < AGENCY_SHARE)
            tenure = max(60, int(rng.exponential(MEAN_TENURE_DAYS[agency])))
            if day + tenure > first:  # someone who left before the extract never appears
                holder_post.append(post)
                holder_start.append(day)
                holder_agency.append(agency)
            day += tenure
    holder_post_a = np.array(holder_post, dtype=np.int64)
    holder_start_a = np.array(holder_start, dtype=_DAY)
    id_order = np.lexsort((holder_post_a, holder_start_a))
    holder_id = np.empty(len(id_order), dtype=np.int64)
    holder_id[id_order] = area.id_base + 1 + np.arange(len(id_order))
    return _Workforce(
        post_team=np.array(post_team),
        post_fte=np.array(post_fte),
        post_title=np.array(post_title),
        post_allocated=np.array(post_allocated),
        holder_post=holder_post_a,
        holder_start=holder_start_a,
        holder_agency=np.array(holder_agency),
        holder_id=holder_id,
    )


@dataclass
class _Involvements:
    episode: np.ndarray  # index into the episodes
    holder: np.ndarray  # index into the workforce's holders
    start: np.ndarray
    end: np.ndarray  # _OPEN for the current worker of an open episode
    reason: np.ndarray  # -1 for the first worker


def _allocate(
    rng: np.random.Generator,
    episodes: _Episodes,
    team: np.ndarray,
    allocated_on: np.ndarray,
    staff: _Workforce,
) -> _Involvements:
    """Workers for allocated episodes: a first worker, 0-3 changes, the last to the end.

    Changes are rarer once the district model starts (April 2021); a worker leaving hands
    their cases to their successor in post.
    """
    extract = EXTRACT_DATE.astype(_DAY)
    episode = np.flatnonzero(allocated_on >= 0)
    alloc = allocated_on[episode]
    last_day = np.minimum(episodes.end[episode], extract)
    span = last_day - alloc
    after = alloc >= DISTRICT_MODEL.astype(_DAY)
    changes = np.where(
        after,
        rng.choice(4, len(episode), p=CHANGES_AFTER_DISTRICT_MODEL),
        rng.choice(4, len(episode), p=CHANGES_BEFORE_DISTRICT_MODEL),
    )
    changes = np.where(span < 21, 0, changes)

    # Segments between changes: offsets from allocation, sorted, duplicates dropped.
    segment_episode = np.repeat(np.arange(len(episode)), changes + 1)
    first_of_episode = np.r_[True, segment_episode[1:] != segment_episode[:-1]]
    offset = np.where(
        first_of_episode,
        0,
        1 + (rng.random(len(segment_episode)) * (span[segment_episode] - 1)).astype(_DAY),
    )
    order = np.lexsort((offset, segment_episode))
    segment_episode, offset = segment_episode[order], offset[order]
    distinct = np.r_[
        True, (segment_episode[1:] != segment_episode[:-1]) | (offset[1:] != offset[:-1])
    ]
    segment_episode, offset = segment_episode[distinct], offset[distinct]
    first_of_episode = np.r_[True, segment_episode[1:] != segment_episode[:-1]]
    last_of_episode = np.r_[segment_episode[1:] != segment_episode[:-1], True]
    seg_start = alloc[segment_episode] + offset
    seg_end = np.where(last_of_episode, last_day[segment_episode], np.r_[seg_start[1:] - 1, 0])

    # A different post in the team at each change: step round the team's posts.
    seg_team = team[episode][segment_episode]
    posts, team_first, team_size = staff.team_posts(seg_team)
    first_post = staff.pick_post(rng, seg_team)
    first_local = np.searchsorted(posts, first_post) - team_first
    step = np.where(
        first_of_episode, first_local, 1 + (rng.random(len(seg_team)) * (team_size - 1)).astype(int)
    )
    total = np.cumsum(step)
    local = (total - np.maximum.accumulate(np.where(first_of_episode, total - step, 0))) % team_size
    seg_post = posts[team_first + local]

    # Why the worker changed: mostly caseload balancing, a restructure around April 2021.
    in_restructure = (seg_start >= RESTRUCTURE_WINDOW[0].astype(_DAY)) & (
        seg_start <= RESTRUCTURE_WINDOW[1].astype(_DAY)
    )
    u = rng.random(len(seg_start))
    usual = np.select([u < 0.6, u < 0.9], [BALANCING, FAMILY_REQUEST], RESTRUCTURE)
    restructured = in_restructure & (rng.random(len(seg_start)) < 0.7)
    seg_reason = np.where(first_of_episode, -1, np.where(restructured, RESTRUCTURE, usual))

    # Split a segment wherever its post changed hands.
    holder_from = staff.holder(seg_post, seg_start)
    holder_to = staff.holder(seg_post, seg_end)
    pieces = holder_to - holder_from + 1
    piece_segment = np.repeat(np.arange(len(seg_start)), pieces)
    piece_no = np.arange(len(piece_segment)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    holder = holder_from[piece_segment] + piece_no
    start = np.where(piece_no == 0, seg_start[piece_segment], staff.holder_start[holder])
    last_piece = piece_no == pieces[piece_segment] - 1
    next_holder = np.minimum(holder + 1, len(staff.holder_start) - 1)
    end = np.where(last_piece, seg_end[piece_segment], staff.holder_start[next_holder] - 1)
    reason = np.where(piece_no == 0, seg_reason[piece_segment], WORKER_LEFT)
    inv_episode = segment_episode[piece_segment]

    # At most three changes: a rare episode with more keeps its fourth worker to the end.
    first_piece = np.r_[True, inv_episode[1:] != inv_episode[:-1]]
    number = np.arange(len(inv_episode)) - np.maximum.accumulate(
        np.where(first_piece, np.arange(len(inv_episode)), 0)
    )
    kept = number < MAX_INVOLVEMENTS
    inv_episode, holder, start, end, reason = (
        a[kept] for a in (inv_episode, holder, start, end, reason)
    )
    last = np.r_[inv_episode[1:] != inv_episode[:-1], True]
    still_open = episodes.end[episode][inv_episode] == _OPEN
    end = np.where(last, np.where(still_open, _OPEN, last_day[inv_episode]), end)
    return _Involvements(episode[inv_episode], holder, start, end, reason)
