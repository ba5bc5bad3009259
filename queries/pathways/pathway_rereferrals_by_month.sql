-- Referrals to early help and re-referrals within 12 months per month: a re-referral is a
-- referral of a child who had a previous referral in the 365 days before this referral's date
-- (DOMAIN.md; flagged per referral at ingest in mart_episode_flags). One row per month and
-- district plus rows with district 'Borough'; with a district, only it and the borough.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- columns: month (text YYYY-MM), district (text), referrals (count), rereferrals_12m (count)
-- counts: referrals, rereferrals_12m
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
),
months AS (
    SELECT month, month_start FROM report_months($from, $to)
),
places AS (
    SELECT 'Borough' AS district, 1 AS sort_key
    UNION ALL
    SELECT district, 0 FROM mart_districts WHERE $district IS NULL OR district = $district
),
counted AS (
    SELECT month, district, sum(referrals) AS referrals, sum(rereferrals_12m) AS rereferrals_12m
    FROM mart_pathway_referrals_monthly, bounds
    WHERE month BETWEEN first_month AND last_month
    GROUP BY ALL
),
with_borough AS (
    SELECT * FROM counted
    UNION ALL
    SELECT month, 'Borough', sum(referrals), sum(rereferrals_12m) FROM counted GROUP BY month
)
SELECT
    months.month,
    places.district,
    coalesce(c.referrals, 0)::BIGINT AS referrals,
    coalesce(c.rereferrals_12m, 0)::BIGINT AS rereferrals_12m
FROM months
CROSS JOIN places
LEFT JOIN with_borough AS c ON c.month = months.month_start AND c.district = places.district
ORDER BY places.sort_key, places.district, months.month;
