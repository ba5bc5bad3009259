-- Open early help episodes in the whole borough at the end of each month, by level of need
-- (0 = not recorded). Months counted after as_of are left out.
-- param as_of: date, required. The last day a month may be counted on.
-- columns: month (text YYYY-MM), level_of_need (int), open_episodes (count)
-- counts: open_episodes
SELECT
    strftime(month, '%Y-%m') AS month,
    level_of_need,
    sum(open_episodes)::BIGINT AS open_episodes
FROM mart_caseload_monthly
WHERE as_at <= $as_of::DATE
GROUP BY ALL
ORDER BY month, level_of_need;
