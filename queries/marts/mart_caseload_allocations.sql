-- Mart: days from referral to allocation for episodes that got a worker: the first involvement's
-- start minus the episode's start (0 when the worker was recorded first), by month of allocation.
-- Only involvements that name a worker count: one with no worker recorded allocates the episode
-- to nobody (as in mart_caseload_daily's waiting).
-- Columns: month (first day of the month of the first involvement), district ('Not known' when
--   the episode has none), organisation, level_of_need (0 = not recorded), days_to_allocation,
--   episodes.
CREATE TABLE mart_caseload_allocations AS
WITH first_worker AS (
    SELECT episode_id, min(start_date) AS allocated_on
    FROM mart_case_involvements
    -- An episode's own worker (from_episode) says nothing of waits or changes of worker.
    WHERE NOT from_episode AND nullif(trim(worker_id), '') IS NOT NULL
    GROUP BY episode_id
)
SELECT
    date_trunc('month', f.allocated_on)::DATE AS month,
    coalesce(e.district, 'Not known') AS district,
    e.organisation,
    coalesce(e.level_of_need, 0) AS level_of_need,
    greatest(f.allocated_on - e.start_date, 0)::BIGINT AS days_to_allocation,
    count(*)::BIGINT AS episodes
FROM early_help_episodes AS e
JOIN first_worker AS f USING (episode_id)
GROUP BY ALL
ORDER BY ALL;
