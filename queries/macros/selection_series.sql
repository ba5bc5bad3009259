-- One series of referrals or contacts for a selection, the one query behind the Demand page's
-- month and week, referral and contact views (demand_selection and its four older names):
-- selection_series(measure, period, district, source_group, level_of_need, age_band), where
-- measure is 'referrals' or 'contacts', period 'month' or 'week', and each filter may be null
-- (no filter; all null means the whole borough). Read from mart_selection_events.
-- Every period in the mart is listed, with 0 where the selection has none, so the series has
-- no gaps. period is the month as text YYYY-MM, or the week's Monday as YYYY-MM-DD.
-- children is the child population of the selected district(s) and age band(s) in that
-- period's year (null when no population table was supplied, or for ages 18+ and not known):
-- the denominator of a rate per 10,000 children. events_under_18 counts only the children in
-- the age bands the population covers (under 18): the rate's numerator.
CREATE OR REPLACE MACRO selection_series(
    measure_name, period_name, district_name, source_name, level_number, band_name
) AS TABLE
WITH periods AS (
    SELECT period_start FROM mart_selection_events
    WHERE measure = measure_name AND period = period_name
      AND all_districts AND all_sources AND all_levels AND all_ages
),
selected AS (
    SELECT period_start, events, events_under_18
    FROM mart_selection_events
    WHERE measure = measure_name AND period = period_name
      AND all_districts = (district_name IS NULL) AND district IS NOT DISTINCT FROM district_name
      AND all_sources = (source_name IS NULL) AND source_group IS NOT DISTINCT FROM source_name
      AND all_levels = (level_number IS NULL) AND level_of_need IS NOT DISTINCT FROM level_number
      AND all_ages = (band_name IS NULL) AND age_band IS NOT DISTINCT FROM band_name
),
population AS (
    SELECT year, sum(children) AS children
    FROM mart_population_yearly
    WHERE (district_name IS NULL OR district = district_name)
      AND (band_name IS NULL OR age_band = band_name)
    GROUP BY year
)
SELECT
    CASE WHEN period_name = 'month' THEN strftime(periods.period_start, '%Y-%m')
         ELSE strftime(periods.period_start, '%Y-%m-%d') END AS period,
    coalesce(selected.events, 0)::BIGINT AS events,
    coalesce(selected.events_under_18, 0)::BIGINT AS events_under_18,
    population.children::BIGINT AS children
FROM periods
LEFT JOIN selected USING (period_start)
LEFT JOIN population ON population.year = year(periods.period_start)
ORDER BY periods.period_start;
