-- Referrals to early help per month and district: children whose early help episode started
-- in the month (DOMAIN.md "Referrals to early help").
-- param from: date, optional. First month to include (any day in it).
-- param to: date, optional. Last month to include (any day in it).
-- param district: text, optional. Only this district.
-- columns: month (text YYYY-MM), district (text), referrals (count)
-- counts: referrals
SELECT
    strftime(month, '%Y-%m') AS month,
    district,
    sum(referrals)::BIGINT AS referrals
FROM mart_referrals_monthly
WHERE ($from IS NULL OR month >= date_trunc('month', $from::DATE))
  AND ($to IS NULL OR month <= date_trunc('month', $to::DATE))
  AND ($district IS NULL OR district = $district)
GROUP BY ALL
ORDER BY month, district;
