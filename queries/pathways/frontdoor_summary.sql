-- Front door over a period, one row per district and one row with district 'Borough' for the
-- whole borough: contacts, contacts with a decision, decided within the standard (working days
-- from contact to decision, weekends and England and Wales bank holidays left out), and
-- contacts with no decision date recorded yet.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param standard: int, optional. Working days allowed from contact to decision (default 2; 0 to 10).
-- columns: district (text, 'Borough' for the whole borough), contacts (count), decided (count),
--   within_standard (count), no_decision (count)
-- counts: contacts, decided, within_standard, no_decision
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
),
counted AS (
    SELECT
        district,
        sum(contacts) AS contacts,
        sum(contacts) FILTER (WHERE decision_days IS NOT NULL) AS decided,
        sum(contacts) FILTER (WHERE decision_days <= coalesce($standard, 2)) AS within_standard,
        sum(contacts) FILTER (WHERE decision_days IS NULL) AS no_decision
    FROM mart_frontdoor_monthly, bounds
    WHERE month BETWEEN first_month AND last_month
    GROUP BY district
),
places AS (
    SELECT district FROM mart_districts UNION SELECT district FROM counted
),
by_district AS (
    SELECT places.district, 0 AS sort_key,
           coalesce(contacts, 0) AS contacts, coalesce(decided, 0) AS decided,
           coalesce(within_standard, 0) AS within_standard,
           coalesce(no_decision, 0) AS no_decision
    FROM places LEFT JOIN counted USING (district)
)
SELECT district, contacts::BIGINT AS contacts, decided::BIGINT AS decided,
       within_standard::BIGINT AS within_standard, no_decision::BIGINT AS no_decision
FROM (
    SELECT * FROM by_district
    UNION ALL
    SELECT 'Borough', 1, sum(contacts), sum(decided), sum(within_standard), sum(no_decision)
    FROM by_district
)
ORDER BY sort_key, district;
