-- Open early help cases held by each team's workers on a date (a worker's cases count in the
-- team of the involvement), how many workers hold them and their full-time equivalence. Who
-- holds a case is mart_caseload_assignments' rule: an involvement with no worker recorded is
-- no one's case, so every case counted here has a worker counted here. Workers
-- whose FTE is missing or 0 are counted apart ("FTE not recorded") and left out of fte and
-- cases_fte_recorded, so cases per FTE (cases_fte_recorded / fte) is never divided by zero.
-- With a district, only the cases of that district's children are counted, and fte is null:
-- a worker's time is shared with the other districts' children they hold, so a team's cases per
-- FTE is a figure of the whole service, never of one district.
-- param as_of: date, required. The date to count on.
-- param district: text, optional. Only the cases of this district's children.
-- columns: team (text), open_cases (count), workers (int), workers_fte_not_recorded (int),
--   cases_fte_not_recorded (count), cases_fte_recorded (count), fte (number)
-- counts: open_cases, cases_fte_not_recorded, cases_fte_recorded
-- breakdown: team
WITH held AS (
    SELECT spans.worker_id, spans.team, spans.open_cases, workers.fte
    FROM mart_caseload_worker_spans AS spans
    LEFT JOIN mart_caseload_workers AS workers USING (worker_id)
    WHERE $district IS NULL
      AND spans.valid_from <= $as_of::DATE
      AND (spans.valid_to IS NULL OR spans.valid_to > $as_of::DATE)
    UNION ALL
    SELECT a.worker_id, a.team, count(*) AS open_cases, any_value(workers.fte) AS fte
    FROM mart_caseload_assignments AS a
    JOIN early_help_episodes AS e ON e.episode_id = a.episode_id
    LEFT JOIN mart_caseload_workers AS workers ON workers.worker_id = a.worker_id
    WHERE $district IS NOT NULL
      AND coalesce(e.district, 'Not known') = $district
      AND a.held_from <= $as_of::DATE
      AND (a.held_to IS NULL OR a.held_to > $as_of::DATE)
    GROUP BY a.worker_id, a.team
)
SELECT
    team,
    sum(open_cases)::BIGINT AS open_cases,
    count(DISTINCT worker_id)::BIGINT AS workers,
    count(DISTINCT worker_id) FILTER (WHERE fte IS NULL)::BIGINT AS workers_fte_not_recorded,
    coalesce(sum(open_cases) FILTER (WHERE fte IS NULL), 0)::BIGINT AS cases_fte_not_recorded,
    coalesce(sum(open_cases) FILTER (WHERE fte IS NOT NULL), 0)::BIGINT AS cases_fte_recorded,
    CASE WHEN $district IS NULL THEN round(coalesce(sum(fte), 0), 2) END::DOUBLE AS fte
FROM held
GROUP BY team
ORDER BY team;
