-- Mart: early help episodes on every day by district and level of need: how many are open, how
-- many are held by a council team or commissioned provider, how many of those have a worker on
-- the day and how many are still waiting for their first worker.
-- Days: from the first day of the data to its last day, the last episode start (the "data up
-- to" date of mart_coverage, which the pages offer as the latest date): a change after it, such
-- as the day after an involvement that ends on the last day, is not counted, so a month the data
-- end in is counted on the data's last day (mart_caseload_monthly) and never after it.
-- Open on day D: started on or before D and not ended on or before D (caseload_by_district,
-- the Overview and the pathways page read open_episodes from here). An episode with no district
-- is counted in district 'Not known', as in the pathway marts, so district rows add up to the
-- borough.
-- Only involvements that name a worker count: one with no worker recorded allocates the episode
-- to nobody. Case-held: the episode's organisation is a team in the teams table, or it has an
-- involvement naming a worker (episodes led by a partner such as a school have neither).
-- With a worker on D: some worker holds it on D, as mart_caseload_assignments defines (an
-- involvement started on or before D and not ended before D, its end day counting; when
-- involvements overlap, the one that started last), so with_worker on D is the sum of the
-- workers' open cases on D. Waiting on D: case-held, open on D and before the first
-- involvement naming a worker starts.
-- Columns: date, district, level_of_need (0 = not recorded), open_episodes, case_held_episodes,
--   with_worker, waiting.
CREATE TABLE mart_caseload_daily AS
WITH team_names AS (
    SELECT DISTINCT team_name FROM teams WHERE team_name IS NOT NULL
),
first_worker AS (
    SELECT episode_id, min(start_date) AS first_start
    FROM mart_case_involvements
    WHERE nullif(trim(worker_id), '') IS NOT NULL
    GROUP BY episode_id
),
episodes AS (
    SELECT
        e.episode_id, e.start_date, e.end_date,
        coalesce(e.district, 'Not known') AS district,
        coalesce(e.level_of_need, 0) AS level_of_need,
        (f.episode_id IS NOT NULL OR e.organisation IN (SELECT team_name FROM team_names))
            AS case_held,
        f.first_start
    FROM early_help_episodes AS e
    LEFT JOIN first_worker AS f USING (episode_id)
),
held AS (  -- each span in which a worker holds an episode: held_from up to (not including) held_to
    SELECT
        e.district, e.level_of_need, a.held_from,
        coalesce(a.held_to, DATE '9999-12-31') AS held_to
    FROM mart_caseload_assignments AS a
    JOIN episodes AS e USING (episode_id)
),
waits AS (  -- waiting from the start up to the first worker or the end, whichever is first
    SELECT
        district, level_of_need, start_date AS wait_from,
        least(
            coalesce(first_start, DATE '9999-12-31'), coalesce(end_date, DATE '9999-12-31')
        ) AS wait_to
    FROM episodes
    WHERE case_held
),
changes AS (
    SELECT start_date AS day, district, level_of_need,
           1 AS d_open, case_held::INT AS d_held, 0 AS d_worker, 0 AS d_wait
    FROM episodes
    UNION ALL
    SELECT end_date, district, level_of_need, -1, -(case_held::INT), 0, 0
    FROM episodes WHERE end_date IS NOT NULL
    UNION ALL
    SELECT held_from, district, level_of_need, 0, 0, 1, 0 FROM held WHERE held_from < held_to
    UNION ALL
    SELECT held_to, district, level_of_need, 0, 0, -1, 0
    FROM held WHERE held_from < held_to AND held_to < DATE '9999-12-31'
    UNION ALL
    SELECT wait_from, district, level_of_need, 0, 0, 0, 1 FROM waits WHERE wait_from < wait_to
    UNION ALL
    SELECT wait_to, district, level_of_need, 0, 0, 0, -1
    FROM waits WHERE wait_from < wait_to AND wait_to < DATE '9999-12-31'
),
net AS (
    SELECT day, district, level_of_need,
           sum(d_open) AS d_open, sum(d_held) AS d_held,
           sum(d_worker) AS d_worker, sum(d_wait) AS d_wait
    FROM changes GROUP BY ALL
),
bounds AS (  -- the period the data cover (mart_coverage's early_help_episodes row)
    SELECT min(start_date) AS first_day, max(start_date) AS last_day FROM early_help_episodes
),
grid AS (
    SELECT days.day::DATE AS day, keys.district, keys.level_of_need
    FROM bounds,
         range(bounds.first_day, bounds.last_day + INTERVAL 1 DAY, INTERVAL 1 DAY) AS days(day),
         (SELECT DISTINCT district, level_of_need FROM episodes) AS keys
)
SELECT
    grid.day AS date,
    grid.district,
    grid.level_of_need,
    (sum(coalesce(net.d_open, 0)) OVER running)::BIGINT AS open_episodes,
    (sum(coalesce(net.d_held, 0)) OVER running)::BIGINT AS case_held_episodes,
    (sum(coalesce(net.d_worker, 0)) OVER running)::BIGINT AS with_worker,
    (sum(coalesce(net.d_wait, 0)) OVER running)::BIGINT AS waiting
FROM grid
LEFT JOIN net
    ON net.day = grid.day
    AND net.district IS NOT DISTINCT FROM grid.district
    AND net.level_of_need = grid.level_of_need
WINDOW running AS (PARTITION BY grid.district, grid.level_of_need ORDER BY grid.day)
ORDER BY ALL;
