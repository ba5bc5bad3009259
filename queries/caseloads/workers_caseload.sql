-- Each worker's open early help cases on a date, for managers and analysts: the page shows names
-- only to those roles (other roles see the distribution, workers_caseload_distribution).
-- cases_per_fte is null when the worker's FTE is missing or 0 (not recorded).
-- team: the team holding most of the worker's cases on the day.
-- district: the district most of the worker's open cases are in on the day (the episodes'
-- districts; ties go to the first in alphabetical order). With a district (a manager of one
-- district, manager:<name>, is always given theirs), each worker holding a case of that
-- district's children on the day, with those cases only: district is the one asked for, and
-- cases_per_fte is null, because a worker's time is shared with the other districts' children.
-- Who holds an episode on the day is mart_caseload_assignments' holder, as in
-- mart_caseload_worker_spans: of the involvements naming a worker that are active on the day
-- (started on or before it, not ended before it), the one that started last.
-- param as_of: date, required. The date to count on.
-- param district: text, optional. Only the cases of this district's children.
-- columns: worker_id (text), worker_name (text), worker_label (text, pseudonymous),
--   team (text), district (text), job_title (text), agency (yes/no),
--   fte (number, null = not recorded), open_cases (count), cases_per_fte (number)
-- counts: open_cases
-- statistics: cases_per_fte (from open_cases)
-- roles: manager, analyst
-- breakdown: worker
WITH held AS (
    SELECT worker_id, team, open_cases
    FROM mart_caseload_worker_spans
    WHERE $district IS NULL
      AND valid_from <= $as_of::DATE AND (valid_to IS NULL OR valid_to > $as_of::DATE)
    UNION ALL
    SELECT a.worker_id, a.team, count(*) AS open_cases
    FROM mart_caseload_assignments AS a
    JOIN early_help_episodes AS e ON e.episode_id = a.episode_id
    WHERE $district IS NOT NULL
      AND coalesce(e.district, 'Not known') = $district
      AND a.held_from <= $as_of::DATE AND (a.held_to IS NULL OR a.held_to > $as_of::DATE)
    GROUP BY a.worker_id, a.team
),
per_worker AS (
    SELECT worker_id, arg_max(team, open_cases) AS team, sum(open_cases) AS open_cases
    FROM held GROUP BY worker_id
),
holding AS (
    SELECT a.worker_id, coalesce(e.district, 'Not known') AS district, count(*) AS cases
    FROM mart_caseload_assignments AS a
    JOIN early_help_episodes AS e USING (episode_id)
    WHERE a.held_from <= $as_of::DATE AND (a.held_to IS NULL OR a.held_to > $as_of::DATE)
    GROUP BY ALL
),
worker_district AS (
    SELECT worker_id, district
    FROM holding
    QUALIFY row_number() OVER (PARTITION BY worker_id ORDER BY cases DESC, district) = 1
)
SELECT
    per_worker.worker_id,
    workers.worker_name,
    workers.worker_label,
    per_worker.team,
    coalesce($district, worker_district.district, 'Not known') AS district,
    workers.job_title,
    workers.agency,
    workers.fte,
    per_worker.open_cases::BIGINT AS open_cases,
    CASE WHEN $district IS NULL THEN round(per_worker.open_cases / workers.fte, 1) END
        AS cases_per_fte
FROM per_worker
LEFT JOIN mart_caseload_workers AS workers USING (worker_id)
LEFT JOIN worker_district USING (worker_id)
ORDER BY cases_per_fte DESC NULLS LAST, open_cases DESC, worker_label;
