-- Front-door timeliness per month: contacts, contacts with a decision, and those decided within
-- the standard (working days from contact to decision, weekends and England and Wales bank
-- holidays left out, worked out at ingest). One row per month and district, plus rows with
-- district 'Borough' for the whole borough. With a district, only that district and the
-- borough. Every month in the period is listed for each.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- param standard: int, optional. Working days allowed from contact to decision (default 2; 0 to 10).
-- columns: month (text YYYY-MM), district (text), contacts (count), decided (count),
--   within_standard (count)
-- counts: contacts, decided, within_standard
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
    SELECT
        month,
        district,
        sum(contacts) AS contacts,
        sum(contacts) FILTER (WHERE decision_days IS NOT NULL) AS decided,
        sum(contacts) FILTER (WHERE decision_days <= coalesce($standard, 2)) AS within_standard
    FROM mart_frontdoor_monthly, bounds
    WHERE month BETWEEN first_month AND last_month
    GROUP BY ALL
),
with_borough AS (
    SELECT * FROM counted
    UNION ALL
    SELECT month, 'Borough', sum(contacts), sum(decided), sum(within_standard)
    FROM counted GROUP BY month
)
SELECT
    months.month,
    places.district,
    coalesce(c.contacts, 0)::BIGINT AS contacts,
    coalesce(c.decided, 0)::BIGINT AS decided,
    coalesce(c.within_standard, 0)::BIGINT AS within_standard
FROM months
CROSS JOIN places
LEFT JOIN with_borough AS c ON c.month = months.month_start AND c.district = places.district
ORDER BY places.sort_key, places.district, months.month;
