-- Mart: referrals to early help (episode starts) per calendar month: the month rows of
-- mart_referrals_by_period, under the month's own column name.
-- Grain: month, district, source_group, level_of_need (0 = not recorded), age_band.
-- Columns: month (date, first of month), district, source_group, level_of_need, age_band, referrals.
CREATE TABLE mart_referrals_monthly AS
SELECT period_start AS month, * EXCLUDE (period, period_start)
FROM mart_referrals_by_period
WHERE period = 'month'
ORDER BY ALL;
