-- Mart: referrals to children's social care per month; those from early help (source 5D) are
-- step-ups. Closures with reason RC9 (referred to early help) are step-downs, by closure month.
-- Columns: month, district, referrals, from_early_help, step_downs.
CREATE TABLE mart_social_care_monthly AS
WITH referred AS (
    SELECT date_trunc('month', referral_date)::DATE AS month, district,
           count(*) AS referrals,
           count(*) FILTER (WHERE source_code = '5D') AS from_early_help,
           0 AS step_downs
    FROM cin_referrals GROUP BY ALL
),
closed AS (
    SELECT date_trunc('month', close_date)::DATE AS month, district,
           0 AS referrals, 0 AS from_early_help, count(*) AS step_downs
    FROM cin_referrals WHERE close_reason = 'RC9' AND close_date IS NOT NULL GROUP BY ALL
)
SELECT month, district, sum(referrals)::BIGINT AS referrals,
       sum(from_early_help)::BIGINT AS from_early_help, sum(step_downs)::BIGINT AS step_downs
FROM (SELECT * FROM referred UNION ALL SELECT * FROM closed)
GROUP BY ALL
ORDER BY ALL;
