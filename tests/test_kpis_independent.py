"""Every KPI in data/kpis.yaml worked out here from the raw extract files and the population
file, and compared with earlyhelp.measures.kpis and `python -m earlyhelp kpis` (issue 23, point 4).

The extract is tests/small_extract.py, written as SSD CSV files. This module reads those files
with the csv module and computes each measure from its definition (../shared/DOMAIN.md and the
definitions in data/kpis.yaml), without the warehouse, the marts or the named queries: districts
from each child's home postcode and district_lookup.csv, working days from weekdays and the
England and Wales bank holidays listed below, step-ups from episode end reasons and 5D social care
referrals, caseloads from the involvements. The only project file it reads is
data/organisations.csv, which says which organisations are partners (a council's own list).

Periods as the KPIs define them: the data end on 31 March 2026 (the last episode start), a
month end, so a period KPI covers April 2025 to March 2026 and a snapshot is taken on 31 March
2026. Values are compared for the analyst (exact counts), for the borough and each district.
"""

from __future__ import annotations

import csv
import json
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from earlyhelp.core.config import DATA_DIR
from earlyhelp.load.ingest import ingest
from earlyhelp.measures import kpis
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from tests.apptest import run_cli
from tests.small_extract import write_small_extract

PERIOD_START, PERIOD_END = date(2025, 4, 1), date(2026, 3, 31)
SNAPSHOT = date(2026, 3, 31)
BOROUGH = "Borough"
#: England and Wales bank holidays, 2025 and 2026 (gov.uk/bank-holidays).
BANK_HOLIDAYS = {
    date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5),
    date(2025, 5, 26), date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26),
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
    date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
}  # fmt: skip
PARTNER_TYPES = {"school", "health", "early_years"}
SOCIAL_CARE_DECISIONS = {
    "Child protection enquiry",
    "Social care referral",
    "Existing social care case",
}
#: SSD holds no decision date: a contact without one is decided by the early help episode that
#: starts for the child within this many days (the mapping's default).
EARLY_HELP_WITHIN_DAYS = 30
#: A 5D referral up to 28 days either side of the child's Step-up ending is the same step-up.
STEP_UP_PAIRING_DAYS = 28


# --- The raw files ----------------------------------------------------------------------------
def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _day(text: str) -> date | None:
    return date.fromisoformat(text[:10]) if text.strip() else None


@dataclass
class Extract:
    district: dict[str, str]  # child -> district
    episodes: list[dict]
    contacts: list[dict]
    referrals: list[dict]
    involvements: list[dict]
    fte: dict[str, float | None]  # worker -> FTE (None: not recorded)
    teams: set[str]
    population: dict[str, int]  # district -> children, the estimate nearest the period's middle
    organisation_types: dict[str, str]
    born: dict[str, date]  # child -> date of birth


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def read_extract(folder: Path) -> Extract:
    lookup = {r["postcode_sector"]: r["district"] for r in _read(folder, "district_lookup.csv")}
    district = {}
    for row in _read(folder, "ssd_address.csv"):
        sector = row["addr_address_postcode"].strip().upper()[:-2].strip()
        assert row["addr_person_id"] not in district, "one address per child in this extract"
        district[row["addr_person_id"]] = lookup[sector]
    episodes = [
        {
            "id": r["earl_episode_id"],
            "child": r["earl_person_id"],
            "start": _day(r["earl_episode_start_date"]),
            "end": _day(r["earl_episode_end_date"]),
            "end_reason": r["earl_episode_end_reason"],
            "organisation": r["earl_episode_organisation"],
        }
        for r in _read(folder, "ssd_early_help_episodes.csv")
    ]
    contacts = []
    for r in _read(folder, "ssd_contacts.csv"):
        outcome = json.loads(r["cont_contact_outcome_json"] or "{}")
        contacts.append(
            {
                "child": r["cont_person_id"],
                "date": _day(r["cont_contact_date"]),
                "decision": outcome.get("decision"),
                "decided": _day(outcome.get("decision_date", "")),
            }
        )
    referrals = [
        {
            "child": r["cine_person_id"],
            "date": _day(r["cine_referral_date"]),
            "source": r["cine_referral_source_code"],
            "close_reason": r["cine_close_reason"],
            "closed": _day(r["cine_close_date"]),
        }
        for r in _read(folder, "ssd_cin_episodes.csv")
    ]
    involvements = [
        {
            "id": r["invo_involvements_id"],
            "worker": r["invo_professional_id"].strip(),
            "episode": r["invo_referral_id"],
            "start": _day(r["invo_involvement_start_date"]),
            "end": _day(r["invo_involvement_end_date"]),
        }
        for r in _read(folder, "ssd_early_help_involvements.csv")
        if r["invo_professional_id"].strip()
    ]
    fte = {
        r["prof_professional_id"]: float(r["prof_full_time_equivalency"])
        if r["prof_full_time_equivalency"].strip() and float(r["prof_full_time_equivalency"]) > 0
        else None
        for r in _read(folder, "ssd_professionals.csv")
    }
    teams = {r["dept_team_name"] for r in _read(folder, "ssd_department.csv")}
    middle_year = (PERIOD_START + timedelta(days=182)).year  # the year of the period's middle
    estimates: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in _read(folder, "population.csv"):
        estimates[r["district"]][int(r["year"])] += int(r["children"])
    population = {
        d: by_year[min(by_year, key=lambda y: (abs(y - middle_year), y > middle_year))]
        for d, by_year in estimates.items()
    }
    with (DATA_DIR / "organisations.csv").open(encoding="utf-8", newline="") as handle:
        organisation_types = {r["organisation"]: r["type"] for r in csv.DictReader(handle)}
    born = {r["pers_person_id"]: _day(r["pers_dob"]) for r in _read(folder, "ssd_person.csv")}
    return Extract(
        district,
        episodes,
        contacts,
        referrals,
        involvements,
        fte,
        teams,
        population,
        organisation_types,
        born,
    )


# --- Each measure, by area ----------------------------------------------------------------------
def _in_period(day: date | None) -> bool:
    return day is not None and PERIOD_START <= day <= PERIOD_END


def _working_days(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`: a decision the same day is 0."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in BANK_HOLIDAYS:
            days += 1
    return days


class Areas:
    """Counts for the borough and for each district."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def add(self, district: str, name: str, amount: float = 1) -> None:
        for area in (BOROUGH, district):
            self.counts[area][name] += amount

    def __getitem__(self, area: str) -> dict[str, float]:
        return self.counts[area]


def _open_on(episode: dict, day: date) -> bool:
    return episode["start"] <= day and (episode["end"] is None or episode["end"] > day)


def _holder(x: Extract, episode: dict, day: date) -> dict | None:
    """The involvement holding an open episode on `day`: active then (its end day counting),
    the one that started last."""
    active = [
        i
        for i in x.involvements
        if i["episode"] == episode["id"]
        and i["start"] <= day
        and (i["end"] is None or i["end"] >= day)
    ]
    return max(active, key=lambda i: (i["start"], i["id"])) if active else None


def compute(x: Extract) -> dict[str, dict[str, float | None]]:
    """Every KPI's value for the borough and each district, keyed by KPI id."""
    n = Areas()
    child_episodes = defaultdict(list)
    for e in x.episodes:
        child_episodes[e["child"]].append(e)
    # Referrals, re-referrals, partner-led, closures
    for e in x.episodes:
        where = x.district[e["child"]]
        if _in_period(e["start"]):
            n.add(where, "referrals")
            # The rate counts children under 18 only, as the population does.
            n.add(where, "referrals_under_18", _age_on(x.born[e["child"]], e["start"]) < 18)
            earlier = [
                o["start"]
                for o in child_episodes[e["child"]]
                if o is not e and timedelta(0) < e["start"] - o["start"] <= timedelta(365)
            ]
            if earlier:
                n.add(where, "rereferrals")
            if x.organisation_types.get(e["organisation"]) in PARTNER_TYPES:
                n.add(where, "partner_led")
        if _in_period(e["end"]):
            n.add(where, "closed")
            n.add(where, "outcomes_met", e["end_reason"] == "Outcomes met")
    # Step-ups: episodes ending Step-up, and 5D referrals that are not the same step-up.
    step_up_endings = [e for e in x.episodes if e["end_reason"] == "Step-up" and e["end"]]
    for e in step_up_endings:
        if _in_period(e["end"]):
            n.add(x.district[e["child"]], "step_ups")
    for r in x.referrals:
        paired = any(
            e["child"] == r["child"]
            and abs(r["date"] - e["end"]) <= timedelta(STEP_UP_PAIRING_DAYS)
            for e in step_up_endings
        )
        if r["source"] == "5D" and not paired and _in_period(r["date"]):
            n.add(x.district[r["child"]], "step_ups")
    # Step-downs: social care cases closed RC9, of all closed.
    for r in x.referrals:
        if _in_period(r["closed"]):
            n.add(x.district[r["child"]], "social_care_closed")
            n.add(x.district[r["child"]], "step_downs", r["close_reason"] == "RC9")
    # Front door: contacts decided in the period, within 2 working days.
    for c in x.contacts:
        if not _in_period(c["date"]):
            continue
        decided = c["decided"]
        if decided is None and c["decision"] not in SOCIAL_CARE_DECISIONS:
            following = [
                e["start"]
                for e in child_episodes[c["child"]]
                if timedelta(0) <= e["start"] - c["date"] <= timedelta(EARLY_HELP_WITHIN_DAYS)
            ]
            decided = min(following) if following else None
        if decided is not None:
            where = x.district[c["child"]]
            n.add(where, "decided")
            n.add(where, "within_2", _working_days(c["date"], decided) <= 2)
    # Waiting for a worker on the snapshot day: open, case-held, first worker not yet started.
    for e in x.episodes:
        if not _open_on(e, SNAPSHOT):
            continue
        own = [i for i in x.involvements if i["episode"] == e["id"]]
        if own or e["organisation"] in x.teams:
            first = min((i["start"] for i in own), default=None)
            n.add(x.district[e["child"]], "waiting", first is None or first > SNAPSHOT)
    # Changes of worker in episodes with a worker that closed in the period.
    for e in x.episodes:
        own = sorted(
            (i for i in x.involvements if i["episode"] == e["id"]),
            key=lambda i: (i["start"], i["id"]),
        )
        if own and _in_period(e["end"]):
            changes = sum(a["worker"] != b["worker"] for a, b in zip(own, own[1:], strict=False))
            n.add(x.district[e["child"]], "continuity_closed")
            n.add(x.district[e["child"]], "worker_changes", changes)
    # Caseloads on the snapshot day, whole borough only.
    cases = defaultdict(int)
    for e in x.episodes:
        if _open_on(e, SNAPSHOT) and (held := _holder(x, e, SNAPSHOT)):
            cases[held["worker"]] += 1
    with_fte = {w: c for w, c in cases.items() if x.fte.get(w)}
    total_fte = sum(x.fte[w] for w in with_fte)
    above = sum(c / x.fte[w] > 18 for w, c in with_fte.items())
    medians = {BOROUGH: [(e["end"] - e["start"]).days for e in x.episodes if _in_period(e["end"])]}
    for d in set(x.district.values()):
        medians[d] = [
            (e["end"] - e["start"]).days
            for e in x.episodes
            if _in_period(e["end"]) and x.district[e["child"]] == d
        ]

    def share(area, part, whole, scale=100.0):
        counts = n[area]
        return counts[part] / counts[whole] * scale if counts[whole] else None

    population = {BOROUGH: sum(x.population.values()), **x.population}
    values: dict[str, dict[str, float | None]] = defaultdict(dict)
    for area in [BOROUGH, *sorted(set(x.district.values()))]:
        v = values
        v["referrals"][area] = n[area]["referrals"]
        v["referral_rate"][area] = n[area]["referrals_under_18"] / population[area] * 10_000
        v["decisions_in_time"][area] = share(area, "within_2", "decided")
        v["waiting_for_worker"][area] = n[area]["waiting"]
        v["partner_led"][area] = share(area, "partner_led", "referrals")
        v["rereferrals"][area] = share(area, "rereferrals", "referrals")
        v["step_ups"][area] = share(area, "step_ups", "closed")
        v["step_downs"][area] = share(area, "step_downs", "social_care_closed")
        v["outcomes_met"][area] = share(area, "outcomes_met", "closed")
        v["median_episode_days"][area] = statistics.median(medians[area]) if medians[area] else None
        v["worker_changes"][area] = share(area, "worker_changes", "continuity_closed", 1.0)
    values["caseload_per_fte"][BOROUGH] = sum(with_fte.values()) / total_fte
    values["workers_above_threshold"][BOROUGH] = above / len(with_fte) * 100
    return values


# --- The comparison -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> Path:
    return write_small_extract(tmp_path_factory.mktemp("kpi_extract") / "extract")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, extract) -> Path:
    folder = tmp_path_factory.mktemp("kpi_warehouse")
    ingest([extract], folder)
    return folder


@pytest.fixture(scope="module")
def independent(extract) -> dict[str, dict[str, float | None]]:
    return compute(read_extract(extract))


@pytest.fixture(scope="module")
def results(warehouse) -> dict[str, kpis.KpiResult]:
    runner = QueryRunner.open(warehouse)
    analyst = Role.parse("analyst")
    first, last = kpis.coverage(runner.manifest)
    assert (first, last) == (PERIOD_START, PERIOD_END), "the periods this module assumes"
    found = kpis.evaluate_all(
        kpis.load_kpis(),
        lambda name, params: runner.run(name, params, analyst),
        first,
        last,
        analyst,
    )
    runner.close()
    return {result.kpi.id: result for result in found}


def _shipped_kpis() -> list[str]:
    with (DATA_DIR / "kpis.yaml").open(encoding="utf-8") as handle:
        return [k["id"] for k in yaml.safe_load(handle)["kpis"]]


def test_every_shipped_kpi_is_computed_independently(independent):
    assert set(_shipped_kpis()) == set(independent)


@pytest.mark.parametrize("kpi_id", _shipped_kpis())
def test_kpi_matches_the_raw_extract(results, independent, kpi_id):
    result = results[kpi_id]
    decimals = result.kpi.decimals
    period = (result.latest_point.start, result.latest_point.end)
    expected_period = (
        (SNAPSHOT, SNAPSHOT)
        if result.kpi.kind == "snapshot"
        else (
            PERIOD_START,
            PERIOD_END,
        )
    )
    assert period == expected_period
    for area, value in independent[kpi_id].items():
        expected = None if value is None else round(value, decimals)
        assert result.value(area) == expected, (kpi_id, area)
    if result.has_districts:
        assert set(result.districts) == set(independent[kpi_id]) - {BOROUGH}


def test_the_cli_prints_the_same_values(warehouse, independent):
    out = run_cli(
        "kpis", "--warehouse", warehouse, "--role", "analyst", "--format", "json", check=True
    )
    printed = {row["id"]: row for row in json.loads(out.stdout)}
    decimals = {k.id: k.decimals for k in kpis.load_kpis().kpis}
    for kpi_id, by_area in independent.items():
        assert printed[kpi_id]["area"] == BOROUGH
        assert printed[kpi_id]["value"] == round(by_area[BOROUGH], decimals[kpi_id]), kpi_id


# The board's KPIs, worked out by hand from the counts above as disclosure control shows them
# (1-7 withheld, others rounded to the nearest 5, a lone withheld district's smallest neighbour
# withheld too), then divided: a withheld count gives no value (None).
# - referrals: 26 -> 25; North 12 -> 10; East 6 withheld, so South's 8 is withheld beside it.
# - referral_rate: under-18 referrals (C18 is 18 at E20's start) 25 -> 25 / 8100 x 10,000 =
#   30.9 -> 31; North 12 -> 10 / 3600 x 10,000 = 27.8 -> 28.
# - decisions_in_time: 21 within 2 days -> 20 of 28 decided -> 30: 66.7%; North 11 -> 10 of
#   13 -> 15: 66.7%; East's 6 decided withheld, and South's 9 beside it.
# - waiting 5, partner-led 6, re-referrals 2, step-ups 3, step-downs 1, outcomes met 4,
#   cases with an FTE 5: all withheld. Every district's closures (4, 3, 2; with a worker 3, 3, 1)
#   withheld, so no district median and no changes of worker per episode.
# - median_episode_days: the borough's 9 closures are shown (-> 10), so its median, 102.
# - workers_above_threshold: counts of staff, not protected: 0 of 3.
BOARD = {
    "referrals": {BOROUGH: 25, "North": 10, "South": None, "East": None},
    "referral_rate": {BOROUGH: 31, "North": 28, "South": None, "East": None},
    "decisions_in_time": {BOROUGH: 66.7, "North": 66.7, "South": None, "East": None},
    "waiting_for_worker": {BOROUGH: None, "North": None, "South": None, "East": None},
    "partner_led": {BOROUGH: None, "North": None, "South": None, "East": None},
    "rereferrals": {BOROUGH: None, "North": None, "South": None, "East": None},
    "step_ups": {BOROUGH: None, "North": None, "South": None, "East": None},
    "step_downs": {BOROUGH: None, "North": None, "South": None, "East": None},
    "outcomes_met": {BOROUGH: None, "North": None, "South": None, "East": None},
    "median_episode_days": {BOROUGH: 102, "North": None, "South": None, "East": None},
    "caseload_per_fte": {BOROUGH: None},
    "workers_above_threshold": {BOROUGH: 0.0},
    "worker_changes": {BOROUGH: None, "North": None, "South": None, "East": None},
}


def test_board_kpis_are_worked_out_from_protected_counts(warehouse):
    runner = QueryRunner.open(warehouse)
    board = Role.parse("board")
    first, last = kpis.coverage(runner.manifest)
    found = kpis.evaluate_all(
        kpis.load_kpis(), lambda name, params: runner.run(name, params, board), first, last, board
    )
    runner.close()
    assert set(BOARD) == {r.kpi.id for r in found}
    for result in found:
        shown = {BOROUGH: result.value(), **{d: result.value(d) for d in result.districts}}
        assert shown == BOARD[result.kpi.id], result.kpi.id
