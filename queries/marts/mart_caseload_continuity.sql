-- Mart: changes of worker in closed early help episodes that had a worker, by month of closure.
-- A change is an involvement whose worker differs from the one before it (in start order), so
-- the same worker recorded twice in a row is not a change. Only involvements that name a worker
-- count: one with no worker recorded is no change, and does not hide a change between the
-- workers recorded either side of it.
-- Columns: month (first day of the closure month), district ('Not known' when the episode has
--   none), organisation, level_of_need (0 = not recorded), worker_changes, episodes.
CREATE TABLE mart_caseload_continuity AS
WITH ordered AS (
    SELECT
        episode_id, worker_id,
        lag(worker_id) OVER (PARTITION BY episode_id ORDER BY start_date, involvement_id)
            AS previous_worker
    FROM mart_case_involvements
    -- An episode's own worker (from_episode) says nothing of waits or changes of worker.
    WHERE NOT from_episode AND nullif(trim(worker_id), '') IS NOT NULL
),
per_episode AS (
    SELECT
        episode_id,
        count(*) FILTER (
            WHERE previous_worker IS NOT NULL AND previous_worker <> worker_id
        ) AS worker_changes
    FROM ordered GROUP BY episode_id
)
SELECT
    date_trunc('month', e.end_date)::DATE AS month,
    coalesce(e.district, 'Not known') AS district,
    e.organisation,
    coalesce(e.level_of_need, 0) AS level_of_need,
    p.worker_changes::BIGINT AS worker_changes,
    count(*)::BIGINT AS episodes
FROM early_help_episodes AS e
JOIN per_episode AS p USING (episode_id)
WHERE e.end_date IS NOT NULL
GROUP BY ALL
ORDER BY ALL;
