-- Referrals to early help per week (weeks start on Monday) for a selection of district,
-- referral source group, level of need and age band (all optional).
-- Every week in the mart is listed, with 0 where the selection has none, so the series has no
-- gaps. children is the child population of the selected district(s) and age band(s) in that
-- week's year (null when no population table was supplied, or for ages 18+ and not known):
-- the denominator of a rate per 10,000 children. referrals_under_18 counts only the children in
-- the age bands the population covers (under 18): the rate's numerator.
-- param district: text, optional. Only this district.
-- param source_group: text, optional. Only referrals from this source group.
-- param age_band: text, optional. Only children in this age band.
-- param level_of_need: int, optional. Only this level of need (1 to 4; 0 = not recorded).
-- columns: week (text YYYY-MM-DD, the Monday), referrals (count),
--   referrals_under_18 (count), children (number: population estimate, public, not suppressed)
-- counts: referrals, referrals_under_18
WITH periods AS (
    SELECT DISTINCT week FROM mart_referrals_weekly
),
selected AS (
    SELECT
        week,
        sum(referrals) AS referrals,
        sum(referrals) FILTER (
            WHERE age_band IN (SELECT DISTINCT age_band FROM mart_population_yearly)
        ) AS referrals_under_18
    FROM mart_referrals_weekly
    WHERE ($district IS NULL OR district = $district)
      AND ($source_group IS NULL OR source_group = $source_group)
      AND ($age_band IS NULL OR age_band = $age_band)
      AND ($level_of_need IS NULL OR level_of_need = $level_of_need)
    GROUP BY week
),
population AS (
    SELECT year, sum(children) AS children
    FROM mart_population_yearly
    WHERE ($district IS NULL OR district = $district)
      AND ($age_band IS NULL OR age_band = $age_band)
    GROUP BY year
)
SELECT
    strftime(periods.week, '%Y-%m-%d') AS week,
    coalesce(selected.referrals, 0)::BIGINT AS referrals,
    coalesce(selected.referrals_under_18, 0)::BIGINT AS referrals_under_18,
    population.children::BIGINT AS children
FROM periods
LEFT JOIN selected USING (week)
LEFT JOIN population ON population.year = year(periods.week)
ORDER BY periods.week;
