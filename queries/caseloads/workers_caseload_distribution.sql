-- How many case-holding workers have each caseload per FTE on a date: the band 'up to' N holds
-- workers with more than N - 1 and at most N open cases per FTE (N = ceiling of their cases
-- per FTE), so the workers above a whole-number threshold T are those in bands above T.
-- Workers whose FTE is missing or 0 are not in any band (see workers_caseload_summary).
-- These are counts of staff, not of children, so they are not suppressed.
-- param as_of: date, required. The date to count on.
-- columns: band_upper (int), workers (int)
WITH held AS (
    SELECT worker_id, sum(open_cases) AS open_cases
    FROM mart_caseload_worker_spans
    WHERE valid_from <= $as_of::DATE AND (valid_to IS NULL OR valid_to > $as_of::DATE)
    GROUP BY worker_id
)
SELECT
    ceil(held.open_cases / workers.fte)::BIGINT AS band_upper,
    count(*)::BIGINT AS workers
FROM held
JOIN mart_caseload_workers AS workers USING (worker_id)
WHERE workers.fte IS NOT NULL
GROUP BY ALL
ORDER BY band_upper;
