-- Contacts by working days from contact to decision (0 = decided the same day; 11 means 11 or
-- more), for a district or the whole borough. Every day from 0 to 11 is listed; contacts with
-- no decision are not included.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- columns: decision_days (int, 11 = 11 or more), contacts (count)
-- counts: contacts
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
),
days AS (SELECT d::INTEGER AS decision_days FROM range(0, 12) AS t(d)),
counted AS (
    SELECT decision_days, sum(contacts) AS contacts
    FROM mart_frontdoor_monthly, bounds
    WHERE month BETWEEN first_month AND last_month
      AND decision_days IS NOT NULL
      AND ($district IS NULL OR district = $district)
    GROUP BY decision_days
)
SELECT days.decision_days, coalesce(counted.contacts, 0)::BIGINT AS contacts
FROM days LEFT JOIN counted USING (decision_days)
ORDER BY days.decision_days;
