-- Open early help episodes per district at the end of each month (the last day of the month, or
-- the last day of the data in its final month: the last episode start, the "data up to" date),
-- with how many were waiting for their first worker. Months counted after as_of are left out,
-- so the series ends at the snapshot date.
-- param as_of: date, required. The last day a month may be counted on.
-- columns: month (text YYYY-MM), district (text), open_episodes (count), waiting (count)
-- counts: open_episodes, waiting
SELECT
    strftime(month, '%Y-%m') AS month,
    district,
    sum(open_episodes)::BIGINT AS open_episodes,
    sum(waiting)::BIGINT AS waiting
FROM mart_caseload_monthly
WHERE as_at <= $as_of::DATE
GROUP BY ALL
ORDER BY month, district;
