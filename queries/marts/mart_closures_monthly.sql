-- Mart: early help episodes closed per month, by how they closed.
-- Columns: month, district, level_of_need (0 = not recorded), end_reason, closures, days_open_total.
CREATE TABLE mart_closures_monthly AS
SELECT
    date_trunc('month', end_date)::DATE AS month,
    district,
    coalesce(level_of_need, 0) AS level_of_need,
    end_reason,
    count(*) AS closures,
    sum(end_date - start_date)::BIGINT AS days_open_total
FROM early_help_episodes
WHERE end_date IS NOT NULL
GROUP BY ALL
ORDER BY ALL;
