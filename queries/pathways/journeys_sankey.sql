-- Journeys through early help for episodes closed in the period: who referred (source group),
-- the level of need, and the outcome at closure, for a district or the whole borough. One row
-- per path with at least one episode.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- columns: source_group (text), level_of_need (int, 0 = not recorded), end_reason (text),
--   episodes (count)
-- counts: episodes
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
)
SELECT source_group, level_of_need, end_reason, sum(closures)::BIGINT AS episodes
FROM mart_pathway_journeys, bounds
WHERE month BETWEEN first_month AND last_month
  AND ($district IS NULL OR district = $district)
GROUP BY ALL
ORDER BY episodes DESC, source_group, level_of_need, end_reason;
