-- Contacts into the front door by who made them (referral source group) or by the front-door
-- decision, for a district or the whole borough. Contacts with no decision recorded are shown
-- as 'No decision recorded'.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- param by: text, optional. 'source' (default) for source groups, 'decision' for decisions.
-- columns: category (text), contacts (count)
-- counts: contacts
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
)
SELECT
    CASE WHEN $by = 'decision' THEN coalesce(decision, 'No decision recorded')
         ELSE coalesce(source_group, 'Unknown') END AS category,
    sum(contacts)::BIGINT AS contacts
FROM mart_frontdoor_monthly, bounds
WHERE month BETWEEN first_month AND last_month
  AND ($district IS NULL OR district = $district)
GROUP BY category
ORDER BY contacts DESC, category;
