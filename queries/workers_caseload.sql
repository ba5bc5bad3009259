-- Each worker's open early help cases on a date, for managers and analysts: the page shows names
-- only to those roles (other roles see the distribution, workers_caseload_distribution).
-- cases_per_fte is null when the worker's FTE is missing or 0 (not recorded).
-- team: the team holding most of the worker's cases on the day.
-- param as_of: date, required. The date to count on.
-- columns: worker_id (text), worker_name (text), worker_label (text, pseudonymous),
--   team (text), job_title (text), agency (yes/no), fte (number, null = not recorded),
--   open_cases (count), cases_per_fte (number)
-- counts: open_cases
-- roles: manager, analyst
WITH held AS (
    SELECT worker_id, team, open_cases
    FROM mart_caseload_worker_spans
    WHERE valid_from <= $as_of::DATE AND (valid_to IS NULL OR valid_to > $as_of::DATE)
),
per_worker AS (
    SELECT worker_id, arg_max(team, open_cases) AS team, sum(open_cases) AS open_cases
    FROM held GROUP BY worker_id
)
SELECT
    per_worker.worker_id,
    workers.worker_name,
    workers.worker_label,
    per_worker.team,
    workers.job_title,
    workers.agency,
    workers.fte,
    per_worker.open_cases::BIGINT AS open_cases,
    round(per_worker.open_cases / workers.fte, 1) AS cases_per_fte
FROM per_worker
LEFT JOIN mart_caseload_workers AS workers USING (worker_id)
ORDER BY cases_per_fte DESC NULLS LAST, open_cases DESC, worker_label;
