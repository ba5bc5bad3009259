"""Where things live. Paths a council may change come from environment variables."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
QUERIES_DIR = REPO_ROOT / "queries"
MART_QUERIES_DIR = QUERIES_DIR / "marts"
MACRO_QUERIES_DIR = QUERIES_DIR / "macros"
INGEST_QUERIES_DIR = QUERIES_DIR / "ingest"
DATA_DIR = REPO_ROOT / "data"
DEFAULT_WAREHOUSE = DATA_DIR / "warehouse"
DEFAULT_KEY_FILE = DATA_DIR / "secrets" / "pseudonymisation.key"
DEFAULT_ORGANISATIONS_FILE = DATA_DIR / "organisations.csv"
# The demo borough is modelled on Oldham (five districts, the integrated front door of February
# 2021) and is about its size (some 60,000 children; Oldham 63,186 at mid-2023), so it is
# compared as Oldham. A council sets its own (docs/DATA.md, "DfE published figures").
DEMO_LOCAL_AUTHORITY = "E08000004"


def warehouse_path() -> Path:
    return Path(os.environ.get("EARLYHELP_WAREHOUSE") or DEFAULT_WAREHOUSE)


def key_file() -> Path:
    """The pseudonymisation key: kept apart from the warehouse, never committed."""
    return Path(os.environ.get("EARLYHELP_KEY_FILE") or DEFAULT_KEY_FILE)


def organisations_file() -> Path:
    """Who each organisation is (council, commissioned, school, health, early_years, other):
    read at ingest into the warehouse's organisation_types table."""
    return Path(os.environ.get("EARLYHELP_ORGANISATIONS") or DEFAULT_ORGANISATIONS_FILE)


def roles_file() -> Path:
    """Who has which role, by e-mail, when the identity provider sends no role claims. It names
    people, so it lives beside secrets.toml (gitignored), never in data/."""
    return Path(os.environ.get("EARLYHELP_ROLES_FILE", REPO_ROOT / ".streamlit" / "roles.toml"))


def local_authority() -> str:
    """Which local authority this council is, for the DfE published figures: its ONS code
    (E08000004), its three-digit DfE number (353) or its name (Oldham), from
    EARLYHELP_LOCAL_AUTHORITY; the demo borough's (Oldham) when it is not set."""
    return (os.environ.get("EARLYHELP_LOCAL_AUTHORITY") or "").strip() or DEMO_LOCAL_AUTHORITY


def local_authority_is_set() -> bool:
    """Whether EARLYHELP_LOCAL_AUTHORITY names one (otherwise the demo borough's is used)."""
    return bool((os.environ.get("EARLYHELP_LOCAL_AUTHORITY") or "").strip())
