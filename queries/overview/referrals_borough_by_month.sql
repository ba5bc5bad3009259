-- Referrals to early help per month for the whole borough (all districts together).
-- param from: date, optional. First month to include.
-- param to: date, optional. Last month to include.
-- columns: month (text YYYY-MM), referrals (count)
-- counts: referrals
SELECT
    strftime(month, '%Y-%m') AS month,
    sum(referrals)::BIGINT AS referrals
FROM mart_referrals_monthly
WHERE ($from IS NULL OR month >= date_trunc('month', $from::DATE))
  AND ($to IS NULL OR month <= date_trunc('month', $to::DATE))
GROUP BY ALL
ORDER BY month;
