-- Changes of worker in the whole borough by month of closure, for early help episodes that had
-- a worker: how many closed and how many of those had two or more changes of worker.
-- Months after the month of as_of are left out.
-- param as_of: date, required. The last month to include (any day in it).
-- columns: month (text YYYY-MM), episodes_closed (count), two_or_more_changes (count)
-- counts: episodes_closed, two_or_more_changes
SELECT
    strftime(month, '%Y-%m') AS month,
    sum(episodes)::BIGINT AS episodes_closed,
    coalesce(sum(episodes) FILTER (WHERE worker_changes >= 2), 0)::BIGINT AS two_or_more_changes
FROM mart_caseload_continuity
WHERE month <= date_trunc('month', $as_of::DATE)
GROUP BY ALL
ORDER BY month;
