-- The council against its statistical neighbours, its region and England on each published
-- measure (mart_benchmark_measures: referrals_rate, rereferral_pct, caseload_fte), every year
-- published for the council. One row per measure, year and area: the council itself
-- (area_role 'council'), each of its 10 neighbours in the DfE groupings ('neighbour', with its
-- rank 1 = closest; a neighbour with no row that year has a null value and symbol), the
-- neighbours' average ('neighbours': the mean of the neighbours' published values that year,
-- over those with a number), the council's region ('region', as its latest row names it) and
-- England ('england'). Values are DfE's own, published figures (not counts of this council's
-- records), so no disclosure control applies; a symbol (c, x, z, low, u...) is kept with a null
-- value, never read as 0.
-- param la: text, optional. The council's DfE number (la_number, e.g. 353); without it, no rows.
-- columns: measure (text), time_period (int), area_role (text), neighbour_rank (int),
--   la_number (text), area_name (text), value (number, null when not published),
--   symbol (text, GSS symbol or null), neighbours_counted (int, for 'neighbours': how many
--   neighbours' values the average is of), published_for (text: two councils published together)
WITH council AS (
    SELECT * FROM mart_benchmark_measures
    WHERE geographic_level = 'Local authority' AND la_number = $la
),
home AS (
    SELECT region_code FROM council ORDER BY time_period DESC LIMIT 1
),
years AS (SELECT DISTINCT measure, time_period FROM council),
groups AS (
    SELECT neighbour_rank, neighbour_number, neighbour_name
    FROM benchmark_neighbours WHERE la_number = $la
),
neighbour_rows AS (
    SELECT y.measure, y.time_period, g.neighbour_rank, g.neighbour_number AS la_number,
           coalesce(m.area_name, g.neighbour_name) AS area_name, m.value, m.symbol,
           m.published_for
    FROM years y
    CROSS JOIN groups g
    LEFT JOIN mart_benchmark_measures m
      ON m.geographic_level = 'Local authority' AND m.la_number = g.neighbour_number
     AND m.measure = y.measure AND m.time_period = y.time_period
),
neighbour_average AS (
    SELECT measure, time_period, round(avg(value), 1) AS value, count(value) AS counted
    FROM neighbour_rows GROUP BY measure, time_period
)
SELECT measure, time_period, 'council' AS area_role, NULL::INTEGER AS neighbour_rank, la_number,
       area_name, value, symbol, NULL::INTEGER AS neighbours_counted, published_for
FROM council
UNION ALL
SELECT measure, time_period, 'neighbour', neighbour_rank, la_number, area_name, value, symbol,
       NULL, published_for
FROM neighbour_rows
UNION ALL
SELECT measure, time_period, 'neighbours', NULL, NULL, 'Statistical neighbours (average)',
       CASE WHEN counted > 0 THEN value END, CASE WHEN counted = 0 THEN 'x' END,
       counted::INTEGER, NULL
FROM neighbour_average
WHERE EXISTS (SELECT 1 FROM groups)
UNION ALL
SELECT m.measure, m.time_period, 'region', NULL, NULL, m.area_name, m.value, m.symbol, NULL, NULL
FROM mart_benchmark_measures m JOIN years y USING (measure, time_period)
WHERE m.geographic_level = 'Regional' AND m.area_code = (SELECT region_code FROM home)
UNION ALL
SELECT m.measure, m.time_period, 'england', NULL, NULL, 'England', m.value, m.symbol, NULL, NULL
FROM mart_benchmark_measures m JOIN years y USING (measure, time_period)
WHERE m.geographic_level = 'National'
ORDER BY measure, time_period,
         CASE area_role WHEN 'council' THEN 0 WHEN 'neighbours' THEN 1 WHEN 'region' THEN 2
                        WHEN 'england' THEN 3 ELSE 4 END,
         neighbour_rank;
