-- Mart: open early help episodes on every day, by district and level of need.
-- An episode is open on day D when it started on or before D and had not ended on or before D
-- (so it counts on its start day and not on its end day).
-- Columns: date, district, level_of_need (0 = not recorded), open_episodes.
CREATE TABLE mart_open_episodes_daily AS
WITH episodes AS (
    SELECT start_date, end_date, district, coalesce(level_of_need, 0) AS level_of_need
    FROM early_help_episodes
),
changes AS (
    SELECT start_date AS day, district, level_of_need, count(*) AS delta
    FROM episodes GROUP BY ALL
    UNION ALL
    SELECT end_date AS day, district, level_of_need, -count(*) AS delta
    FROM episodes WHERE end_date IS NOT NULL GROUP BY ALL
),
net AS (
    SELECT day, district, level_of_need, sum(delta) AS delta FROM changes GROUP BY ALL
),
bounds AS (
    SELECT min(day) AS first_day, max(day) AS last_day FROM net
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
    sum(coalesce(net.delta, 0)) OVER (
        PARTITION BY grid.district, grid.level_of_need ORDER BY grid.day
    )::BIGINT AS open_episodes
FROM grid
LEFT JOIN net
    ON net.day = grid.day
    AND net.district = grid.district
    AND net.level_of_need = grid.level_of_need
ORDER BY ALL;
