-- Mart: each worker's open early help cases, as spans of days with the same count.
-- A worker holds an episode on the days mart_caseload_assignments gives them: their involvement
-- is active (from the later of its start and the episode's start to its end day, before the
-- episode's end day) and, of the episode's active involvements, it started last (a transfer: the
-- newer worker holds it; once a later, shorter involvement ends, the earlier worker holds it
-- again). An involvement with no worker recorded makes no case-holding worker. Team: the
-- involvement's team, else the worker's department, else 'Team not recorded'.
-- A worker's count is open_cases from valid_from up to (not including) valid_to (null: still).
-- Only spans with at least one case are kept.
-- Columns: worker_id, team, valid_from, valid_to, open_cases.
CREATE TABLE mart_caseload_worker_spans AS
WITH changes AS (
    SELECT worker_id, team, held_from AS day, 1 AS delta FROM mart_caseload_assignments
    UNION ALL
    SELECT worker_id, team, held_to, -1 FROM mart_caseload_assignments WHERE held_to IS NOT NULL
),
net AS (
    SELECT worker_id, team, day, sum(delta) AS delta FROM changes GROUP BY ALL
),
running AS (
    SELECT
        worker_id, team, day AS valid_from,
        lead(day) OVER (PARTITION BY worker_id, team ORDER BY day) AS valid_to,
        sum(delta) OVER (PARTITION BY worker_id, team ORDER BY day) AS open_cases
    FROM net
)
SELECT worker_id, team, valid_from, valid_to, open_cases::BIGINT AS open_cases
FROM running
WHERE open_cases > 0
ORDER BY valid_from, worker_id, team;
