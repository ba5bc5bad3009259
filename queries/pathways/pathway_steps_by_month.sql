-- Step-ups from early help to children's social care and step-downs from social care into early
-- help, per month, for a district or the whole borough, with what they are rates of: early help
-- episodes closed and social care cases closed in the month. A step-up is an early help episode
-- ending "Step-up" or a social care referral from early help (source 5D), counted once when both
-- record it; a step-down is a social care case closed with reason RC9. Every month is listed.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- columns: month (text YYYY-MM), step_ups (count), early_help_closed (count),
--   step_downs (count), social_care_closed (count)
-- counts: step_ups, early_help_closed, step_downs, social_care_closed
WITH months AS (
    SELECT month_start AS month FROM report_months($from, $to)
),
ups AS (
    SELECT month, sum(step_ups) AS step_ups FROM mart_pathway_step_ups
    WHERE $district IS NULL OR district = $district GROUP BY month
),
closed AS (
    SELECT month, sum(closures) AS early_help_closed FROM mart_pathway_durations
    WHERE $district IS NULL OR district = $district GROUP BY month
),
downs AS (
    SELECT month, sum(step_downs) AS step_downs, sum(closures) AS social_care_closed
    FROM mart_pathway_step_downs
    WHERE $district IS NULL OR district = $district GROUP BY month
)
SELECT
    strftime(months.month, '%Y-%m') AS month,
    coalesce(ups.step_ups, 0)::BIGINT AS step_ups,
    coalesce(closed.early_help_closed, 0)::BIGINT AS early_help_closed,
    coalesce(downs.step_downs, 0)::BIGINT AS step_downs,
    coalesce(downs.social_care_closed, 0)::BIGINT AS social_care_closed
FROM months
LEFT JOIN ups ON ups.month = months.month
LEFT JOIN closed ON closed.month = months.month
LEFT JOIN downs ON downs.month = months.month
ORDER BY months.month;
