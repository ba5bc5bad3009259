-- Mart: the published measures the Compared with others page sets side by side, one row per
-- measure, year and area (England, each region, each local authority), from benchmark_figures
-- (DfE files as published; empty until `python -m earlyhelp benchmarks` loads them).
-- Columns: measure, time_period, geographic_level, area_code, la_number, area_name, region_code,
--   region_name, published_for, value, symbol, numerator, denominator.
-- referrals_rate: referral_count in the year to 31 March time_period per 10,000 children in the
--   ONS mid-year estimate of the year before (mid-2023 for the year to 31 March 2024: the
--   estimate inside the reporting year), rounded to 1 decimal place as DfE rounds rates.
-- rereferral_pct: rereferral_percent as published (numerator rereferral_count, denominator
--   referral_count). caseload_fte: caseload_fte as published, at 30 September time_period
--   (numerator cases, denominator case_holders_fte).
-- A value published as a symbol (c, x, z, low, u...) stays null with its symbol; a rate takes
-- the symbol of the referrals, else of the population, else 'x' when no estimate was published.
-- Local authorities are matched across files and years by their three-digit number
-- (la_number), which survives the ONS code changes (North Yorkshire 2023).
CREATE TABLE mart_benchmark_measures AS
WITH keyed AS (
    SELECT *, CASE WHEN geographic_level = 'Local authority' THEN la_number ELSE area_code END
                  AS area_key
    FROM benchmark_figures
),
referrals AS (SELECT * FROM keyed WHERE dataset = 'c1_referrals' AND field = 'referral_count'),
rereferrals AS (
    SELECT * FROM keyed WHERE dataset = 'c1_referrals' AND field = 'rereferral_count'
),
rereferral_pct AS (
    SELECT * FROM keyed WHERE dataset = 'c1_referrals' AND field = 'rereferral_percent'
),
population AS (
    SELECT * FROM keyed WHERE dataset = 'population' AND field = 'population_estimate'
),
caseload AS (SELECT * FROM keyed WHERE dataset = 'csww' AND field = 'caseload_fte'),
cases AS (SELECT * FROM keyed WHERE dataset = 'csww' AND field = 'cases'),
holders AS (SELECT * FROM keyed WHERE dataset = 'csww' AND field = 'case_holders_fte')
SELECT 'referrals_rate' AS measure, r.time_period, r.geographic_level, r.area_code, r.la_number,
       r.area_name, r.region_code, r.region_name, r.published_for,
       CASE WHEN r.value IS NOT NULL AND p.value > 0
            THEN round(r.value / p.value * 10000, 1) END AS value,
       CASE WHEN r.value IS NOT NULL AND p.value > 0 THEN NULL
            WHEN r.symbol IS NOT NULL THEN r.symbol
            WHEN p.symbol IS NOT NULL THEN p.symbol
            WHEN r.value IS NOT NULL THEN 'x' END AS symbol,
       r.value AS numerator, p.value AS denominator
FROM referrals r
LEFT JOIN population p
  ON p.geographic_level = r.geographic_level AND p.area_key = r.area_key
 AND p.time_period = r.time_period - 1
UNION ALL
SELECT 'rereferral_pct', q.time_period, q.geographic_level, q.area_code, q.la_number, q.area_name,
       q.region_code, q.region_name, q.published_for, q.value, q.symbol, n.value, d.value
FROM rereferral_pct q
LEFT JOIN rereferrals n
  ON n.geographic_level = q.geographic_level AND n.area_key = q.area_key
 AND n.time_period = q.time_period AND n.area_code = q.area_code
LEFT JOIN referrals d
  ON d.geographic_level = q.geographic_level AND d.area_key = q.area_key
 AND d.time_period = q.time_period AND d.area_code = q.area_code
UNION ALL
SELECT 'caseload_fte', c.time_period, c.geographic_level, c.area_code, c.la_number, c.area_name,
       c.region_code, c.region_name, c.published_for, c.value, c.symbol, n.value, d.value
FROM caseload c
LEFT JOIN cases n
  ON n.geographic_level = c.geographic_level AND n.area_key = c.area_key
 AND n.time_period = c.time_period AND n.area_code = c.area_code
LEFT JOIN holders d
  ON d.geographic_level = c.geographic_level AND d.area_key = c.area_key
 AND d.time_period = c.time_period AND d.area_code = c.area_code;
