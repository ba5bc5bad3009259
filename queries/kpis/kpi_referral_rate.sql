-- Referrals to early help per 10,000 children over whole months, one row per district and one
-- row with district 'Borough' for the whole borough: the referrals (children whose early help
-- episode started in the months), those of children under 18 (the age bands the population
-- covers: the rate's numerator, as on the Demand page) and the child population they are a
-- rate of. children is the
-- mid-year estimate for the calendar year in which the period's seventh month falls (the middle
-- of a 12-month period), summed over age bands; null when no population table was supplied.
-- The rate (referrals_under_18 / children * 10,000) is worked out from the protected count, so
-- a suppressed count gives no rate. Whole months from the month of `from` to the month of `to`;
-- by default the last 12 complete months of data.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- columns: district (text, 'Borough' for the whole borough), period_start (date),
--   period_end (date), referrals (count), referrals_under_18 (count),
--   children (number: population estimate, public, not suppressed)
-- counts: referrals, referrals_under_18
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
),
referred AS (
    SELECT district, sum(referrals) AS referrals,
           coalesce(
               sum(referrals) FILTER (
                   WHERE age_band IN (SELECT DISTINCT age_band FROM mart_population_yearly)
               ),
               0
           ) AS referrals_under_18
    FROM mart_referrals_monthly, bounds
    WHERE month BETWEEN first_month AND last_month
    GROUP BY district
),
population AS (
    SELECT district, sum(children) AS children
    FROM mart_population_yearly, bounds
    WHERE year = year(first_month + INTERVAL 6 MONTH)
    GROUP BY district
),
places AS (
    SELECT district FROM mart_districts
    UNION SELECT district FROM referred
),
by_district AS (
    SELECT places.district, 0 AS sort_key,
           coalesce(referred.referrals, 0) AS referrals,
           coalesce(referred.referrals_under_18, 0) AS referrals_under_18,
           population.children
    FROM places
    LEFT JOIN referred USING (district)
    LEFT JOIN population USING (district)
),
with_borough AS (
    SELECT * FROM by_district
    UNION ALL
    SELECT 'Borough', 1, sum(referrals), sum(referrals_under_18),
           CASE WHEN count(children) > 0 THEN sum(children) END
    FROM by_district
)
SELECT
    w.district,
    b.first_month AS period_start,
    last_day(b.last_month) AS period_end,
    w.referrals::BIGINT AS referrals,
    w.referrals_under_18::BIGINT AS referrals_under_18,
    w.children::BIGINT AS children
FROM with_borough AS w
CROSS JOIN bounds AS b
WHERE b.last_month IS NOT NULL
ORDER BY w.sort_key, w.district;
