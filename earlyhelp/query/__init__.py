"""The query stage: the one runner for every named query in queries/ on a read-only DuckDB
(runner), who may see what (roles), and the disclosure policy applied to every count
(disclosure). Imports only from core and load (the warehouse it reads)."""
