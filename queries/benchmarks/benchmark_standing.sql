-- Where the council stands on each published measure, one row per measure and year published
-- for it: its value (or symbol), how many of its statistical neighbours have a published number
-- that year and how many of those are below, above or level with it (its rank among them is
-- neighbours_above + 1, 1 = the highest), their average, its region's and England's figures.
-- Published figures, not counts of this council's records: no disclosure control applies.
-- param la: text, optional. The council's DfE number (la_number, e.g. 353); without it, no rows.
-- columns: measure (text), time_period (int), area_name (text), value (number),
--   symbol (text), neighbours_with_value (int), neighbours_below (int),
--   neighbours_above (int), neighbours_value (number: the neighbours' average),
--   region_name (text), region_value (number), england_value (number),
--   numerator (number: the published count the value is of: referrals, re-referrals, cases),
--   denominator (number: population 0-17, referrals, case-holding FTE)
WITH comparison AS (
    SELECT * FROM mart_benchmark_measures WHERE geographic_level = 'Local authority'
),
council AS (SELECT * FROM comparison WHERE la_number = $la),
home AS (SELECT region_code FROM council ORDER BY time_period DESC LIMIT 1),
groups AS (SELECT neighbour_number FROM benchmark_neighbours WHERE la_number = $la),
neighbours AS (
    SELECT c.measure, c.time_period,
           count(n.value)::INTEGER AS with_value,
           count(*) FILTER (WHERE n.value < c.value)::INTEGER AS below,
           count(*) FILTER (WHERE n.value > c.value)::INTEGER AS above,
           round(avg(n.value), 1) AS average
    FROM council c
    CROSS JOIN groups g
    LEFT JOIN comparison n
      ON n.la_number = g.neighbour_number AND n.measure = c.measure
     AND n.time_period = c.time_period
    GROUP BY c.measure, c.time_period
),
region AS (
    SELECT measure, time_period, area_name, value FROM mart_benchmark_measures
    WHERE geographic_level = 'Regional' AND area_code = (SELECT region_code FROM home)
),
england AS (
    SELECT measure, time_period, value FROM mart_benchmark_measures
    WHERE geographic_level = 'National'
)
SELECT c.measure, c.time_period, c.area_name, c.value, c.symbol,
       coalesce(n.with_value, 0) AS neighbours_with_value,
       CASE WHEN c.value IS NOT NULL THEN coalesce(n.below, 0) END AS neighbours_below,
       CASE WHEN c.value IS NOT NULL THEN coalesce(n.above, 0) END AS neighbours_above,
       n.average AS neighbours_value, r.area_name AS region_name, r.value AS region_value,
       e.value AS england_value, c.numerator, c.denominator
FROM council c
LEFT JOIN neighbours n USING (measure, time_period)
LEFT JOIN region r USING (measure, time_period)
LEFT JOIN england e USING (measure, time_period)
ORDER BY c.measure, c.time_period;
