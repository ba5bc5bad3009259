-- Pathways at a glance, one row per district and one row for the whole borough (district
-- 'Borough'): referrals to early help and re-referrals within 12 months (by month of referral),
-- step-ups to social care (from either record) and step-downs from it (by their month), social
-- care cases closed (what step-downs are a share of), early help episodes closed and closed
-- with outcomes met (by month of closure), the median days open of those closed and the median
-- days from early help start to step-up. Whole months from the month of `from` to the month of
-- `to`; by default the last 12 complete months of data.
-- Counts are protected for board and district roles, and each median is withheld where the
-- count it is of is withheld (median_days_to_step_up is of the step-ups whose episode start
-- is known, a part of step_ups).
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- columns: district (text, 'Borough' for the whole borough), period_start (date),
--   period_end (date), referrals (count), rereferrals_12m (count), step_ups (count),
--   step_downs (count), social_care_closed (count), closed (count), closed_outcomes_met (count),
--   median_days_open (number), median_days_to_step_up (number)
-- counts: referrals, rereferrals_12m, step_ups, step_downs, social_care_closed, closed,
--   closed_outcomes_met
-- statistics: median_days_open (from closed), median_days_to_step_up (from step_ups)
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
),
referred AS (
    SELECT district, sum(referrals) AS referrals, sum(rereferrals_12m) AS rereferrals_12m
    FROM mart_pathway_referrals_monthly, bounds
    WHERE month BETWEEN first_month AND last_month
    GROUP BY district
),
stepped_up AS (
    SELECT district, sum(step_ups) AS step_ups
    FROM mart_pathway_step_ups, bounds
    WHERE month BETWEEN first_month AND last_month
    GROUP BY district
),
stepped_down AS (
    SELECT district, sum(step_downs) AS step_downs, sum(closures) AS social_care_closed
    FROM mart_pathway_step_downs, bounds
    WHERE month BETWEEN first_month AND last_month
    GROUP BY district
),
closed AS (
    SELECT district, sum(closures) AS closed,
           sum(closures) FILTER (WHERE end_reason = 'Outcomes met') AS closed_outcomes_met
    FROM mart_pathway_durations, bounds
    WHERE month BETWEEN first_month AND last_month
    GROUP BY district
),
-- Exact medians from the distributions: the middle value, or the mean of the two middle ones.
open_days AS (
    SELECT district, days_open AS value, sum(closures) AS n
    FROM mart_pathway_durations, bounds
    WHERE month BETWEEN first_month AND last_month
    GROUP BY ALL
),
step_up_days AS (
    SELECT district, days_from_start AS value, sum(step_ups) AS n
    FROM mart_pathway_step_ups, bounds
    WHERE month BETWEEN first_month AND last_month AND days_from_start IS NOT NULL
    GROUP BY ALL
),
distributions AS (
    SELECT 'open' AS measure, district, value, n FROM open_days
    UNION ALL SELECT 'open', 'Borough', value, sum(n) FROM open_days GROUP BY value
    UNION ALL SELECT 'step_up', district, value, n FROM step_up_days
    UNION ALL SELECT 'step_up', 'Borough', value, sum(n) FROM step_up_days GROUP BY value
),
cumulative AS (
    SELECT measure, district, value,
           sum(n) OVER (PARTITION BY measure, district ORDER BY value) AS up_to,
           sum(n) OVER (PARTITION BY measure, district) AS total
    FROM distributions
),
medians AS (
    SELECT measure, district,
           (min(value) FILTER (WHERE up_to >= (total + 1) // 2)
            + min(value) FILTER (WHERE up_to >= total // 2 + 1)) / 2.0 AS median
    FROM cumulative
    GROUP BY ALL
),
districts AS (
    SELECT district, 0 AS sort_key FROM mart_districts
    UNION SELECT district, 0 FROM referred
    UNION SELECT district, 0 FROM stepped_up
    UNION SELECT district, 0 FROM stepped_down
    UNION SELECT district, 0 FROM closed
),
by_district AS (
    SELECT
        d.district,
        d.sort_key,
        coalesce(r.referrals, 0) AS referrals,
        coalesce(r.rereferrals_12m, 0) AS rereferrals_12m,
        coalesce(u.step_ups, 0) AS step_ups,
        coalesce(s.step_downs, 0) AS step_downs,
        coalesce(s.social_care_closed, 0) AS social_care_closed,
        coalesce(c.closed, 0) AS closed,
        coalesce(c.closed_outcomes_met, 0) AS closed_outcomes_met
    FROM districts AS d
    LEFT JOIN referred AS r USING (district)
    LEFT JOIN stepped_up AS u USING (district)
    LEFT JOIN stepped_down AS s USING (district)
    LEFT JOIN closed AS c USING (district)
),
with_borough AS (
    SELECT * FROM by_district
    UNION ALL
    SELECT 'Borough', 1, sum(referrals), sum(rereferrals_12m), sum(step_ups), sum(step_downs),
           sum(social_care_closed), sum(closed), sum(closed_outcomes_met)
    FROM by_district
)
SELECT
    w.district,
    b.first_month AS period_start,
    last_day(b.last_month) AS period_end,
    w.referrals::BIGINT AS referrals,
    w.rereferrals_12m::BIGINT AS rereferrals_12m,
    w.step_ups::BIGINT AS step_ups,
    w.step_downs::BIGINT AS step_downs,
    w.social_care_closed::BIGINT AS social_care_closed,
    w.closed::BIGINT AS closed,
    w.closed_outcomes_met::BIGINT AS closed_outcomes_met,
    mo.median AS median_days_open,
    mu.median AS median_days_to_step_up
FROM with_borough AS w
CROSS JOIN bounds AS b
LEFT JOIN medians AS mo ON mo.measure = 'open' AND mo.district = w.district
LEFT JOIN medians AS mu ON mu.measure = 'step_up' AND mu.district = w.district
WHERE b.last_month IS NOT NULL
ORDER BY w.sort_key, w.district;
