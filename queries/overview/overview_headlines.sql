-- Headline figures for the Overview page over the 12 complete months to a date.
-- The period ends at the end of the month containing as_of when as_of is that month's last day,
-- otherwise at the end of the month before; default as_of is the last referral date in the data.
-- param as_of: date, optional. The date the headline period runs to.
-- Each figure comes with the same figure a year before (the 12 months before, or for open
-- episodes the same day a year before), so that every headline tile shows its change.
-- columns: period_start (date), period_end (date), referrals_12m (count),
--   referrals_prev_12m (count), contacts_12m (count), contacts_prev_12m (count),
--   step_ups_12m (count), step_ups_prev_12m (count), open_episodes (count, on period_end),
--   open_episodes_year_before (count, on period_end a year before; null before the data)
-- counts: referrals_12m, referrals_prev_12m, contacts_12m, contacts_prev_12m, step_ups_12m,
--   step_ups_prev_12m, open_episodes, open_episodes_year_before
WITH bounds AS (
    SELECT first_month AS period_start, last_month, last_day(last_month) AS period_end
    FROM report_period(NULL, last_complete_month($as_of::DATE))
)
SELECT
    bounds.period_start,
    bounds.period_end,
    (SELECT coalesce(sum(referrals), 0) FROM mart_referrals_monthly
      WHERE month BETWEEN bounds.period_start AND bounds.last_month)::BIGINT AS referrals_12m,
    (SELECT coalesce(sum(referrals), 0) FROM mart_referrals_monthly
      WHERE month BETWEEN (bounds.period_start - INTERVAL 12 MONTH)::DATE
                      AND (bounds.last_month - INTERVAL 12 MONTH)::DATE)::BIGINT
      AS referrals_prev_12m,
    (SELECT coalesce(sum(contacts), 0) FROM mart_contacts_monthly
      WHERE month BETWEEN bounds.period_start AND bounds.last_month)::BIGINT AS contacts_12m,
    (SELECT coalesce(sum(contacts), 0) FROM mart_contacts_monthly
      WHERE month BETWEEN (bounds.period_start - INTERVAL 12 MONTH)::DATE
                      AND (bounds.last_month - INTERVAL 12 MONTH)::DATE)::BIGINT
      AS contacts_prev_12m,
    (SELECT coalesce(sum(closures), 0) FROM mart_closures_monthly
      WHERE end_reason = 'Step-up'
        AND month BETWEEN bounds.period_start AND bounds.last_month)::BIGINT AS step_ups_12m,
    (SELECT coalesce(sum(closures), 0) FROM mart_closures_monthly
      WHERE end_reason = 'Step-up'
        AND month BETWEEN (bounds.period_start - INTERVAL 12 MONTH)::DATE
                      AND (bounds.last_month - INTERVAL 12 MONTH)::DATE)::BIGINT
      AS step_ups_prev_12m,
    (SELECT coalesce(sum(open_episodes), 0) FROM mart_caseload_daily
      WHERE date = (SELECT max(date) FROM mart_caseload_daily
                    WHERE date <= bounds.period_end))::BIGINT AS open_episodes,
    (SELECT sum(open_episodes) FROM mart_caseload_daily
      WHERE date = (SELECT max(date) FROM mart_caseload_daily
                    WHERE date <= (bounds.period_end - INTERVAL 1 YEAR)::DATE))::BIGINT
      AS open_episodes_year_before
FROM bounds;
