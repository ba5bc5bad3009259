-- Contacts into the front door per month and district.
-- param from: date, optional. First month to include (any day in it).
-- param to: date, optional. Last month to include (any day in it).
-- param district: text, optional. Only this district.
-- columns: month (text YYYY-MM), district (text), contacts (count)
-- counts: contacts
SELECT
    strftime(month, '%Y-%m') AS month,
    district,
    sum(contacts)::BIGINT AS contacts
FROM mart_contacts_monthly
WHERE ($from IS NULL OR month >= date_trunc('month', $from::DATE))
  AND ($to IS NULL OR month <= date_trunc('month', $to::DATE))
  AND ($district IS NULL OR district = $district)
GROUP BY ALL
ORDER BY month, district;
