-- Early help episodes closed in the period by level of need: how many, how many with outcomes
-- met, and the median days open (exact: the middle value, or the mean of the two middle ones),
-- for a district or the whole borough (summed ahead in mart_selection_durations_monthly), with a
-- row 'All levels'.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- columns: level (text), closed (count), closed_outcomes_met (count), median_days_open (number)
-- counts: closed, closed_outcomes_met
-- statistics: median_days_open (from closed)
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
),
selected AS (
    SELECT
        CASE WHEN level_of_need = 0 THEN 'Level not recorded' ELSE 'Level ' || level_of_need END
            AS level,
        CASE WHEN level_of_need = 0 THEN 9 ELSE level_of_need END AS sort_key,
        end_reason, days_open, closures
    FROM mart_selection_durations_monthly, bounds
    WHERE all_districts = ($district IS NULL) AND district IS NOT DISTINCT FROM $district
      AND month BETWEEN first_month AND last_month
),
everything AS (
    SELECT level, sort_key, end_reason, days_open, closures FROM selected
    UNION ALL
    SELECT 'All levels', 10, end_reason, days_open, closures FROM selected
),
distribution AS (
    SELECT level, days_open AS value, sum(closures) AS n FROM everything GROUP BY ALL
),
cumulative AS (
    SELECT level, value,
           sum(n) OVER (PARTITION BY level ORDER BY value) AS up_to,
           sum(n) OVER (PARTITION BY level) AS total
    FROM distribution
),
medians AS (
    SELECT level,
           (min(value) FILTER (WHERE up_to >= (total + 1) // 2)
            + min(value) FILTER (WHERE up_to >= total // 2 + 1)) / 2.0 AS median_days_open
    FROM cumulative GROUP BY level
),
totals AS (
    SELECT level, min(sort_key) AS sort_key, sum(closures) AS closed,
           coalesce(sum(closures) FILTER (WHERE end_reason = 'Outcomes met'), 0)
               AS closed_outcomes_met
    FROM everything GROUP BY level
)
SELECT totals.level, totals.closed::BIGINT AS closed,
       totals.closed_outcomes_met::BIGINT AS closed_outcomes_met,
       medians.median_days_open
FROM totals LEFT JOIN medians USING (level)
ORDER BY totals.sort_key;
