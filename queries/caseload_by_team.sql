-- Open early help cases held by each team's workers on a date (a worker's cases count in the
-- team of the involvement), how many workers hold them and their full-time equivalence. Who
-- holds a case is mart_caseload_assignments' rule: an involvement with no worker recorded is
-- no one's case, so every case counted here has a worker counted here. Workers
-- whose FTE is missing or 0 are counted apart ("FTE not recorded") and left out of fte and
-- cases_fte_recorded, so cases per FTE (cases_fte_recorded / fte) is never divided by zero.
-- param as_of: date, required. The date to count on.
-- columns: team (text), open_cases (count), workers (int), workers_fte_not_recorded (int),
--   cases_fte_not_recorded (count), cases_fte_recorded (count), fte (number)
-- counts: open_cases, cases_fte_not_recorded, cases_fte_recorded
WITH held AS (
    SELECT spans.worker_id, spans.team, spans.open_cases, workers.fte
    FROM mart_caseload_worker_spans AS spans
    LEFT JOIN mart_caseload_workers AS workers USING (worker_id)
    WHERE spans.valid_from <= $as_of::DATE
      AND (spans.valid_to IS NULL OR spans.valid_to > $as_of::DATE)
)
SELECT
    team,
    sum(open_cases)::BIGINT AS open_cases,
    count(DISTINCT worker_id)::BIGINT AS workers,
    count(DISTINCT worker_id) FILTER (WHERE fte IS NULL)::BIGINT AS workers_fte_not_recorded,
    coalesce(sum(open_cases) FILTER (WHERE fte IS NULL), 0)::BIGINT AS cases_fte_not_recorded,
    coalesce(sum(open_cases) FILTER (WHERE fte IS NOT NULL), 0)::BIGINT AS cases_fte_recorded,
    round(coalesce(sum(fte), 0), 2)::DOUBLE AS fte
FROM held
GROUP BY team
ORDER BY team;
