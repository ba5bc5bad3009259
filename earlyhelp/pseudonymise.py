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


# Ids remembered between batches: enough for a council's children many times over, while a
# national extract's tens of millions are not all held at once.
REMEMBERED_IDS = 2_000_000


class Pseudonymiser:
    """Hashes each distinct id once per batch, and a recent id once however often it appears."""

    def __init__(self, key: bytes):
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)
        self._known: dict[str, str] = {}

    def _hash(self, raw_id: str) -> str:
        digest = self._keyed.copy()  # copying the keyed state skips re-keying for every id
        digest.update(raw_id.encode("utf-8"))
        return digest.hexdigest()[:PSEUDONYM_LENGTH]

    def column(self, frame: pl.DataFrame, column: str) -> pl.DataFrame:
        distinct = frame.get_column(column).drop_nulls().unique().to_list()
        if len(self._known) + len(distinct) > REMEMBERED_IDS:
            self._known = {}
        known = self._known
        for raw in distinct:
            if raw not in known:
                known[raw] = self._hash(raw)
        mapping = {raw: known[raw] for raw in distinct}
        return frame.with_columns(
            pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String)
        )
