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

import duckdb
import polars as pl

from earlyhelp.core.config import INGEST_QUERIES_DIR

PSEUDONYM_LENGTH = 20  # hex characters: 80 bits, no collisions at national scale
#: The exact form of a pseudonym: 20 lower-case hex characters, nothing else.
PSEUDONYM_PATTERN = rf"^[0-9a-f]{{{PSEUDONYM_LENGTH}}}$"


def is_pseudonym(value: pl.Expr) -> pl.Expr:
    """True where a value is in the keyed hash's exact form (null stays null)."""
    return value.cast(pl.String).str.contains(PSEUDONYM_PATTERN)


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


class Pseudonymiser:
    """Hashes a table's child ids a column at a time, in DuckDB rather than one id at a time in
    Python: a national extract has tens of millions of distinct children."""

    def __init__(self, key: bytes):
        block = hashlib.sha256().block_size
        padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
        self._params = {
            "inner_key": bytes(b ^ 0x36 for b in padded),
            "outer_key": bytes(b ^ 0x5C for b in padded),
            "length": PSEUDONYM_LENGTH,
        }
        self._sql = (INGEST_QUERIES_DIR / "pseudonyms.sql").read_text()
        self._con = duckdb.connect()

    def column(self, frame: pl.DataFrame, column: str) -> pl.DataFrame:
        ids = frame.select(pl.col(column).drop_nulls().unique().cast(pl.String).alias("raw_id"))
        self._con.register("ids", ids.to_arrow())
        try:
            mapping = self._con.sql(self._sql, params=self._params).pl()
        finally:
            self._con.unregister("ids")
        return frame.with_columns(
            pl.col(column).replace_strict(
                mapping["raw_id"], mapping["pseudonym"], default=None, return_dtype=pl.String
            )
        )

    def column_unless_hashed(self, frame: pl.DataFrame, column: str) -> tuple[pl.DataFrame, int]:
        """For a source that may hold ids already pseudonymised (canonical Parquet, such as a
        warehouse's own tables): ids in the keyed hash's form are kept, every other id is
        hashed, whatever the source says of itself. Returns the frame and how many values
        were hashed because they were not in that form."""
        already = is_pseudonym(pl.col(column)).fill_null(True)
        raw = frame.filter(~already)
        if raw.height == 0:
            return frame, 0
        hashed = self.column(raw.select(column), column)[column]
        lookup = pl.DataFrame({"__raw": raw[column].cast(pl.String), "__hashed": hashed}).unique(
            "__raw"
        )
        out = (
            frame.with_row_index("__order")
            .join(lookup, left_on=pl.col(column).cast(pl.String), right_on="__raw", how="left")
            .with_columns(pl.coalesce(pl.col("__hashed"), pl.col(column)).alias(column))
            .sort("__order")
            .drop("__order", "__hashed")
        )
        return out.select(frame.columns), raw.height
