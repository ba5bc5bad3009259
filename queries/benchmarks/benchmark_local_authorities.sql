-- Every local authority in the DfE published figures loaded (`python -m earlyhelp benchmarks`),
-- as it was last published: the list the configured local authority (EARLYHELP_LOCAL_AUTHORITY,
-- by code, number or name) is looked up in. Empty when no published figures are loaded.
-- columns: la_number (text: the DfE three-digit number), area_code (text: ONS code),
--   area_name (text), region_code (text), region_name (text), latest_year (int),
--   neighbours (int: statistical neighbours named in the groupings loaded)
WITH latest AS (
    SELECT la_number, area_code, area_name, region_code, region_name, time_period,
           row_number() OVER (PARTITION BY la_number ORDER BY time_period DESC,
                                               published_for NULLS FIRST, measure) AS pick
    FROM mart_benchmark_measures
    WHERE geographic_level = 'Local authority'
)
SELECT l.la_number, l.area_code, l.area_name, l.region_code, l.region_name,
       l.time_period AS latest_year,
       (SELECT count(*) FROM benchmark_neighbours n WHERE n.la_number = l.la_number)::INTEGER
           AS neighbours
FROM latest l
WHERE pick = 1
ORDER BY l.area_name;
