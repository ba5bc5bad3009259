"""From extract files to a published warehouse version: read, validate, derive, publish.

Every input row ends up either loaded or listed in the rejects; the reconciliation printed at the
end says so per table (rows read = loaded + rejected).

Large tables are streamed: each source file is read, checked and derived a batch of rows at a
time and written to Parquet parts in a working folder beside the warehouse; duplicates, which
span batches and files, are then found over the whole table in DuckDB, which spills to disk.
Only the slim lookups the derivations need (each child's birth month and districts over time)
are held in memory, so a national extract ingests on a machine that could not hold it.

The work is split by job: run (the ingest itself, its quality gate and reconciliation), stage
(the working folder: batches validated, derived and deduplicated) and derive (the derived
columns). This module re-exports what callers use.
"""

from earlyhelp.load.ingest.derive import age_band
from earlyhelp.load.ingest.run import (
    DEFAULT_MAX_REJECTED_PCT,
    IngestResult,
    ingest,
    reconciliation_text,
)

__all__ = ["DEFAULT_MAX_REJECTED_PCT", "IngestResult", "age_band", "ingest", "reconciliation_text"]
