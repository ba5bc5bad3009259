"""A deterministic synthetic "demo borough": an SSD-layout extract that behaves like real demand.

The product has to run out of the box and its charts have to be worth looking at, so the demo is
not random noise: early help referrals follow the school year (schools are a main referrer), fall
in holidays and at weekends, peak when term starts, and move with the Covid lockdowns as the DfE
Vulnerable Children and Young People Survey recorded (late May 2020 about -16%, schools -76%;
10-23 August 2020 +12%; 25-31 January 2021 -23%, schools -57%). Around the referrals sit the
records a case system holds: contacts and front-door decisions (faster after an integrated front
door in February 2021), children and their addresses (some move district), episodes with
outcomes, step-ups to social care and step-downs from it, workers who join, leave and hand cases
over (fewer transfers after a district model in April 2021), teams and their hierarchy.

Everything comes from numpy's Generator seeded through SeedSequence, one stream per area, so the
same seed gives byte-identical files. The national scale (about 20 million referrals) is built
area by area and streamed to the output so that memory stays bounded.

This package re-exports what callers use. The work is in its submodules, in the order the data
flows: settings (the model's parameters), conventions (how SSD's deployments write the tables),
areas (councils, districts, postcodes, population), demand (days and expected contacts),
contacts (the front door), casework (episodes and social care), children, workforce (teams,
workers, allocation), frames, person_tables, organisations and case_tables (the output tables),
mapping (mapping.yaml), writer (CSV or Parquet files) and generate (write_demo).
"""

from earlyhelp.tools.demo.contacts import fast_decision_share, slow_lag_weights
from earlyhelp.tools.demo.conventions import (
    FLAVOURS,
    MAPPING_FILE,
    MOSAIC_OUTCOMES,
    SSD_SCHEMAS,
    ssd_schemas,
)
from earlyhelp.tools.demo.demand import ExtractDays, expected_daily_referrals
from earlyhelp.tools.demo.generate import write_demo
from earlyhelp.tools.demo.mapping import example_mapping_text, mapping_text
from earlyhelp.tools.demo.settings import (
    BOROUGH_REFERRALS_PER_YEAR,
    EARLY_HELP_MIX,
    EXTRACT_DATE,
    FAST_LAG_WEIGHTS,
    FAST_LAGS,
    FIRST_DAY,
    ID_BLOCK,
    JOB_TITLES,
    SLOW_LAGS,
)

__all__ = [
    "BOROUGH_REFERRALS_PER_YEAR",
    "EARLY_HELP_MIX",
    "EXTRACT_DATE",
    "FAST_LAGS",
    "FAST_LAG_WEIGHTS",
    "FIRST_DAY",
    "FLAVOURS",
    "ID_BLOCK",
    "JOB_TITLES",
    "MAPPING_FILE",
    "MOSAIC_OUTCOMES",
    "SLOW_LAGS",
    "SSD_SCHEMAS",
    "ExtractDays",
    "example_mapping_text",
    "expected_daily_referrals",
    "fast_decision_share",
    "mapping_text",
    "slow_lag_weights",
    "ssd_schemas",
    "write_demo",
]
