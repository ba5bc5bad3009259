-- "Early help is everybody's business": early help episodes (assessments) started over whole
-- months and how many were led by partners (schools, health, early years) rather than the
-- council or its commissioned providers, one row per district and one row with district
-- 'Borough' for the whole borough. Who leads is read from the episode's organisation (see
-- mart_episode_flags). Whole months from the month of `from` to the month of `to`; by default
-- the last 12 complete months of data.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- columns: district (text, 'Borough' for the whole borough), period_start (date),
--   period_end (date), episodes (count), partner_led (count)
-- counts: episodes, partner_led
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
),
counted AS (
    SELECT district, count(*) AS episodes, count(*) FILTER (WHERE partner_led) AS partner_led
    FROM mart_episode_flags, bounds
    WHERE start_month BETWEEN first_month AND last_month
    GROUP BY district
),
places AS (
    SELECT district FROM mart_districts
    UNION SELECT district FROM counted
),
by_district AS (
    SELECT places.district, 0 AS sort_key,
           coalesce(counted.episodes, 0) AS episodes,
           coalesce(counted.partner_led, 0) AS partner_led
    FROM places LEFT JOIN counted USING (district)
),
with_borough AS (
    SELECT * FROM by_district
    UNION ALL
    SELECT 'Borough', 1, sum(episodes), sum(partner_led) FROM by_district
)
SELECT
    w.district,
    b.first_month AS period_start,
    last_day(b.last_month) AS period_end,
    w.episodes::BIGINT AS episodes,
    w.partner_led::BIGINT AS partner_led
FROM with_borough AS w
CROSS JOIN bounds AS b
WHERE b.last_month IS NOT NULL
ORDER BY w.sort_key, w.district;
