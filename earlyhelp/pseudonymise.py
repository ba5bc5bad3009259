"""Child ids are replaced by a keyed hash (HMAC-SHA256) before anything is written.

The same key gives the same pseudonym for the same id, so a child's re-referrals still link up
across extracts; without the key, the case system id cannot be recovered by hashing guesses.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl

PSEUDONYM_LENGTH = 20  # hex characters: 80 bits, no collisions at national scale


def load_or_create_key(path: Path) -> bytes:
    if path.exists():
        key = bytes.fromhex(path.read_text().strip())
        if len(key) < 16:
            raise ValueError(f"{path}: the pseudonymisation key is too short")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    # Create with owner-only permissions from the start; never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex() + "\n")
    return key


def pseudonym(key: bytes, raw_id: str) -> str:
    return hmac.new(key, raw_id.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def pseudonymise_column(frame: pl.DataFrame, column: str, key: bytes) -> pl.DataFrame:
    """Hash each distinct id once (ids repeat across a child's events)."""
    distinct = frame.get_column(column).drop_nulls().unique()
    mapping = {raw: pseudonym(key, raw) for raw in distinct.to_list()}
    return frame.with_columns(
        pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String)
    )
