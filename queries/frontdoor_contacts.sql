-- Contacts into the front door by who made them (referral source group) or by the front-door
-- decision, for a district or the whole borough. Contacts with no decision recorded are shown
-- as 'No decision recorded'.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- param by: text, optional. 'source' (default) for source groups, 'decision' for decisions.
-- columns: category (text), contacts (count)
-- counts: contacts
WITH anchor AS (
    SELECT last_date FROM mart_coverage WHERE table_name = 'early_help_episodes'
),
period AS (
    SELECT coalesce(
        date_trunc('month', $to::DATE),
        CASE WHEN last_date = last_day(last_date) THEN date_trunc('month', last_date)
             ELSE date_trunc('month', last_date) - INTERVAL 1 MONTH END
    )::DATE AS last_month
    FROM anchor
),
bounds AS (
    SELECT coalesce(date_trunc('month', $from::DATE), last_month - INTERVAL 11 MONTH)::DATE
               AS first_month,
           last_month
    FROM period
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
