-- The whole borough's case-holding workforce on a date: workers holding at least one open early
-- help case (mart_caseload_assignments: an involvement with no worker recorded makes no
-- worker), their cases and FTE; open_cases is the sum of with_worker in
-- caseload_snapshot_by_district. Workers whose FTE is missing or 0 are counted apart ("FTE not
-- recorded") and left out of fte and cases_fte_recorded, so cases per case-holding FTE
-- (cases_fte_recorded / fte) is never divided by zero.
-- param as_of: date, required. The date to count on.
-- columns: workers (int), workers_fte_not_recorded (int), open_cases (count),
--   cases_fte_not_recorded (count), cases_fte_recorded (count), fte (number)
-- counts: open_cases, cases_fte_not_recorded, cases_fte_recorded
WITH held AS (
    SELECT spans.worker_id, sum(spans.open_cases) AS open_cases
    FROM mart_caseload_worker_spans AS spans
    WHERE spans.valid_from <= $as_of::DATE
      AND (spans.valid_to IS NULL OR spans.valid_to > $as_of::DATE)
    GROUP BY spans.worker_id
),
joined AS (
    SELECT held.worker_id, held.open_cases, workers.fte
    FROM held LEFT JOIN mart_caseload_workers AS workers USING (worker_id)
)
SELECT
    count(*)::BIGINT AS workers,
    count(*) FILTER (WHERE fte IS NULL)::BIGINT AS workers_fte_not_recorded,
    coalesce(sum(open_cases), 0)::BIGINT AS open_cases,
    coalesce(sum(open_cases) FILTER (WHERE fte IS NULL), 0)::BIGINT AS cases_fte_not_recorded,
    coalesce(sum(open_cases) FILTER (WHERE fte IS NOT NULL), 0)::BIGINT AS cases_fte_recorded,
    round(coalesce(sum(fte), 0), 2)::DOUBLE AS fte
FROM joined;
