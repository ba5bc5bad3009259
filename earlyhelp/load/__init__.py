"""The load stage: read the council's extract (sources, mapping), check every value (validate),
replace child ids with a keyed hash (pseudonymise), derive and stream it in (ingest), read DfE's
published figures (dfe) and publish a warehouse version with its marts (warehouse).
Imports only from core."""
