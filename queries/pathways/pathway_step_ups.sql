-- Step-ups to children's social care in the period, for a district or the whole borough, by
-- how long after the early help episode started they happened (time bands), and by which
-- record shows them (both records, the early help record only, the social care record only).
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- param by: text, optional. 'time' (default) for time bands, 'record' for which record.
-- columns: category (text), sort_order (int), step_ups (count)
-- counts: step_ups
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
),
selected AS (
    SELECT * FROM mart_pathway_step_ups, bounds
    WHERE month BETWEEN first_month AND last_month
      AND ($district IS NULL OR district = $district)
),
categories(by_kind, category, sort_order) AS (
    VALUES ('time', 'Under 1 month', 1), ('time', '1 to 3 months', 2),
           ('time', '3 to 6 months', 3), ('time', '6 to 12 months', 4),
           ('time', '12 months or more', 5), ('time', 'No early help episode found', 6),
           ('record', 'Both records', 1), ('record', 'Early help record only', 2),
           ('record', 'Social care record only', 3)
),
labelled AS (
    SELECT
        CASE WHEN coalesce($by, 'time') = 'record' THEN identified_by
             WHEN days_from_start IS NULL THEN 'No early help episode found'
             WHEN days_from_start < 30 THEN 'Under 1 month'
             WHEN days_from_start < 91 THEN '1 to 3 months'
             WHEN days_from_start < 183 THEN '3 to 6 months'
             WHEN days_from_start < 365 THEN '6 to 12 months'
             ELSE '12 months or more' END AS category,
        step_ups
    FROM selected
),
counted AS (SELECT category, sum(step_ups) AS step_ups FROM labelled GROUP BY category)
SELECT c.category, c.sort_order::INTEGER AS sort_order,
       coalesce(counted.step_ups, 0)::BIGINT AS step_ups
FROM categories AS c
LEFT JOIN counted USING (category)
WHERE c.by_kind = coalesce($by, 'time')
  AND (c.category <> 'No early help episode found' OR counted.step_ups > 0)
ORDER BY c.sort_order;
