"""The warehouse folder's layout: the names of its parts, and finding the version readers use.

See earlyhelp.load.warehouse for the whole layout of a warehouse folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from earlyhelp.core.errors import WarehouseMissing

CURRENT = "CURRENT"
VERSIONS = "versions"
DB_FILE = "warehouse.duckdb"


def current_version_dir(warehouse_dir: Path) -> Path:
    pointer = warehouse_dir / CURRENT
    if not pointer.exists():
        raise WarehouseMissing(
            f"No published warehouse in {warehouse_dir}. Build the demo with 'make run', or run "
            f"'python -m earlyhelp demo --out data/demo' then "
            f"'python -m earlyhelp ingest data/demo --warehouse {warehouse_dir}'."
        )
    version = pointer.read_text().strip()
    folder = warehouse_dir / VERSIONS / version
    if not (folder / DB_FILE).exists():
        raise WarehouseMissing(f"{warehouse_dir}: version {version} named in CURRENT is missing")
    return folder


def read_manifest(version_dir: Path) -> dict:
    return json.loads((version_dir / "manifest.json").read_text())
