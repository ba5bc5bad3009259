"""Naive pandas versions of the Scorecard and District profile pages' figures (the KPIs),
over the raw tables."""

from __future__ import annotations

import re

import pandas as pd

from earlyhelp.core import config
from earlyhelp.tools.bench.raw import (
    EPISODES,
    NOT_KNOWN,
    RawTables,
    _every_district,
    _in_months,
    _months,
    _with_borough,
)


# --- Scorecard and District profile -----------------------------------------------------------
def referral_rate(raw: RawTables, params: dict) -> pd.DataFrame:
    """Referrals in the months and the children living in each district: the mid-year
    estimate for the year of the period's seventh month, or the nearest year estimated (the
    earlier on a tie), summed over age bands."""
    months = _months(raw, params)
    episodes = raw.read(EPISODES, ["start_date", "district", "age_band"])
    referred = episodes[_in_months(episodes["start_date"], months)]
    population = raw.read("population", ["district", "year", "age_band", "children"])
    # The rate's numerator: children in the age bands the population covers (under 18).
    under_18 = referred["age_band"].isin(population["age_band"].unique())
    counts = pd.DataFrame(
        {
            "referrals": referred.groupby("district").size(),
            "referrals_under_18": referred[under_18].groupby("district").size(),
        }
    )
    by_district = _every_district(raw, counts, ["referrals", "referrals_under_18"])
    year = (months[0] + pd.DateOffset(months=6)).year
    distance = (population["year"] - year).abs() * 2 + (population["year"] > year)
    nearest = population.loc[
        distance.groupby([population["district"], population["age_band"]]).idxmin()
    ]
    children = nearest.groupby("district")["children"].sum()
    by_district["children"] = by_district["district"].map(children)
    return _with_borough(
        by_district,
        {
            "referrals": len(referred),
            "referrals_under_18": int(under_18.sum()),
            "children": by_district["children"].sum() if children.size else None,
        },
    )


LEAD_PATTERNS = (  # for organisations data/organisations.csv does not list, in this order
    (
        "Early years",
        r"nursery|pre-?school|children'?s cent|early years|playgroup|childminder|day care",
    ),
    (
        "Health",
        r"\bnhs\b|health|\bgp\b|nursing|nurse|paediatric|pediatric|hospital|midwi|surgery|"
        r"medical|camhs|clinic",
    ),
    ("Schools", r"school|academy|college|\bpru\b"),
)
LEAD_BY_TYPE = {
    "school": "Schools",
    "health": "Health",
    "early_years": "Early years",
    "council": "Council or commissioned",
    "commissioned": "Council or commissioned",
    "other": "Other",
}
PARTNERS = ("Schools", "Health", "Early years")


def _lead_organisation(organisations: pd.Series) -> pd.Series:
    """Who leads each episode, from its organisation's type in the organisations file the
    ingest read (names compared ignoring case), else from patterns in its name."""
    listed = pd.read_csv(config.organisations_file(), dtype=str)
    listed.columns = listed.columns.str.strip().str.lower()
    types = dict(
        zip(
            listed["organisation"].str.strip().str.lower(),
            listed["type"].str.strip().str.lower().str.replace(r"[ -]", "_", regex=True),
            strict=True,
        )
    )

    def lead(name: object) -> str:
        if not isinstance(name, str) or not name.strip():
            return "Not recorded"
        if name.lower() in types:
            return LEAD_BY_TYPE[types[name.lower()]]
        for who, pattern in LEAD_PATTERNS:
            if re.search(pattern, name, flags=re.IGNORECASE):
                return who
        return "Council or commissioned"

    names = organisations.dropna().unique()
    return organisations.map(dict(zip(names, map(lead, names), strict=True))).fillna("Not recorded")


def partner_led(raw: RawTables, params: dict) -> pd.DataFrame:
    episodes = raw.read(EPISODES, ["start_date", "district", "organisation"])
    started = episodes[_in_months(episodes["start_date"], _months(raw, params))]
    led = pd.DataFrame(
        {
            "episodes": 1,
            "partner_led": _lead_organisation(started["organisation"]).isin(PARTNERS),
        }
    )
    counts = led.groupby(started["district"].fillna(NOT_KNOWN)).sum()
    by_district = _every_district(raw, counts, ["episodes", "partner_led"])
    return _with_borough(by_district, by_district[["episodes", "partner_led"]].sum().to_dict())
