-- Mart: each worker's open early help cases, as spans of days with the same count.
-- A worker holds an episode from the later of the involvement's and the episode's start up to
-- (not including) the first of: the day after the involvement ends, the episode's end day, the
-- next involvement's start (a transfer: the newer worker holds it). Team: the involvement's team,
-- else the worker's department, else 'Team not recorded'.
-- A worker's count is open_cases from valid_from up to (not including) valid_to (null: still).
-- Only spans with at least one case are kept.
-- Columns: worker_id, team, valid_from, valid_to, open_cases.
CREATE TABLE mart_caseload_worker_spans AS
WITH involvement_order AS (
    SELECT
        i.episode_id, i.worker_id, i.start_date, i.end_date,
        coalesce(nullif(trim(i.team), ''), nullif(trim(w.department), ''), 'Team not recorded')
            AS team,
        lead(i.start_date) OVER (
            PARTITION BY i.episode_id ORDER BY i.start_date, i.involvement_id
        ) AS next_start
    FROM involvements AS i
    LEFT JOIN workers AS w USING (worker_id)
    WHERE i.episode_id IS NOT NULL
),
held AS (
    SELECT
        i.worker_id, i.team,
        greatest(i.start_date, e.start_date) AS held_from,
        least(
            coalesce(i.end_date + 1, DATE '9999-12-31'),
            coalesce(e.end_date, DATE '9999-12-31'),
            coalesce(i.next_start, DATE '9999-12-31')
        ) AS held_to
    FROM involvement_order AS i
    JOIN early_help_episodes AS e USING (episode_id)
),
changes AS (
    SELECT worker_id, team, held_from AS day, 1 AS delta FROM held WHERE held_from < held_to
    UNION ALL
    SELECT worker_id, team, held_to, -1
    FROM held WHERE held_from < held_to AND held_to < DATE '9999-12-31'
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
