-- Mart: referrals to early help (episode starts) per calendar month and per week (weeks start
-- on Monday), counted once for both periods: the one definition that mart_referrals_monthly and
-- mart_selection_events read.
-- Grain: period ('month' or 'week'), period_start, district, source_group, level_of_need
--   (0 = not recorded), age_band.
-- Columns: period, period_start (date: the month's first day or the week's Monday), district,
--   source_group, level_of_need, age_band, referrals.
CREATE TABLE mart_referrals_by_period AS
SELECT
    period,
    date_trunc(period, start_date)::DATE AS period_start,
    district,
    source_group,
    coalesce(level_of_need, 0) AS level_of_need,
    age_band,
    count(*) AS referrals
FROM early_help_episodes, (VALUES ('month'), ('week')) AS periods(period)
GROUP BY ALL
ORDER BY ALL;
