-- Mart: referrals to early help (episode starts) per calendar month.
-- Grain: month, district, source_group, level_of_need (0 = not recorded), age_band.
-- Columns: month (date, first of month), district, source_group, level_of_need, age_band, referrals.
CREATE TABLE mart_referrals_monthly AS
SELECT
    date_trunc('month', start_date)::DATE AS month,
    district,
    source_group,
    coalesce(level_of_need, 0) AS level_of_need,
    age_band,
    count(*) AS referrals
FROM early_help_episodes
GROUP BY ALL
ORDER BY ALL;
