-- Mart: closed early help episodes by month of closure, how they closed and how long they were
-- open (days from start to end, exact, so medians are exact). From mart_episode_flags.
-- Columns: month (of end_date), district, level_of_need (0 = not recorded), end_reason,
--   days_open, closures.
CREATE TABLE mart_pathway_durations AS
SELECT
    end_month AS month,
    district,
    level_of_need,
    end_reason,
    days_open,
    count(*) AS closures
FROM mart_episode_flags
WHERE end_date IS NOT NULL
GROUP BY ALL
ORDER BY ALL;
