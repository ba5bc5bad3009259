-- Mart: referrals to early help per month with re-referrals and repeat episodes (from
-- mart_episode_flags). episode_band: 1, 2, 3, or 4 meaning the child's fourth or later episode.
-- Columns: month, district, level_of_need (0 = not recorded), source_group, episode_band,
--   referrals, rereferrals_12m.
CREATE TABLE mart_pathway_referrals_monthly AS
SELECT
    start_month AS month,
    district,
    level_of_need,
    source_group,
    least(episode_number, 4)::INTEGER AS episode_band,
    count(*) AS referrals,
    count(*) FILTER (WHERE rereferral_12m) AS rereferrals_12m
FROM mart_episode_flags
GROUP BY ALL
ORDER BY ALL;
