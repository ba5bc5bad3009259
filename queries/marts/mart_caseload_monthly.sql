-- Mart: the month-end snapshot of mart_caseload_daily (built before it: file names run in order).
-- One row per month, district and level of need, counted on the month's last day, or on the last
-- day of the data for a month the data end in (mart_caseload_daily stops on that day, so a part
-- month is counted on it, never after it).
-- Columns: month (first day), as_at (the day counted), district, level_of_need, open_episodes,
--   case_held_episodes, with_worker, waiting.
CREATE TABLE mart_caseload_monthly AS
SELECT
    date_trunc('month', date)::DATE AS month,
    date AS as_at,
    district,
    level_of_need,
    open_episodes,
    case_held_episodes,
    with_worker,
    waiting
FROM mart_caseload_daily
WHERE date = last_day(date) OR date = (SELECT max(date) FROM mart_caseload_daily)
ORDER BY ALL;
