-- Case-holding workers on a date and how many of them carry more open early help cases per
-- full-time equivalent than a threshold (DOMAIN.md "Caseload"). Only workers with an FTE recorded
-- are counted (a missing or 0 FTE cannot give cases per FTE; see workers_caseload_summary).
-- These are counts of staff, not of children, so they are not suppressed.
-- param as_of: date, required. The date to count on.
-- param threshold: int, optional. Open cases per FTE above which a worker is counted (default 18).
-- columns: workers (int, with an FTE recorded), workers_above (int)
WITH held AS (
    SELECT worker_id, sum(open_cases) AS open_cases
    FROM mart_caseload_worker_spans
    WHERE valid_from <= $as_of::DATE AND (valid_to IS NULL OR valid_to > $as_of::DATE)
    GROUP BY worker_id
)
SELECT
    count(*)::BIGINT AS workers,
    count(*) FILTER (WHERE held.open_cases / workers.fte > coalesce($threshold, 18))::BIGINT
        AS workers_above
FROM held
JOIN mart_caseload_workers AS workers USING (worker_id)
WHERE workers.fte IS NOT NULL;
