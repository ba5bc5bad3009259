-- Mart: referrals to early help (episode starts) per week (weeks start on Monday).
-- Grain: week, district, source_group, level_of_need (0 = not recorded), age_band.
-- Columns: week (date), district, source_group, level_of_need, age_band, referrals.
CREATE TABLE mart_referrals_weekly AS
SELECT
    date_trunc('week', start_date)::DATE AS week,
    district,
    source_group,
    coalesce(level_of_need, 0) AS level_of_need,
    age_band,
    count(*) AS referrals
FROM early_help_episodes
GROUP BY ALL
ORDER BY ALL;
