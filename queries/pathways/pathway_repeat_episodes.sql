-- Repeat episodes: referrals to early help in the period by how many episodes the child has
-- had, counting this one (first, second, third, fourth or later; episodes before the data
-- start are not seen), for a district or the whole borough.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- columns: episode (text), episode_number (int, 4 = fourth or later), referrals (count)
-- counts: referrals
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
),
bands(episode_band, episode) AS (
    VALUES (1, 'First episode'), (2, 'Second episode'), (3, 'Third episode'),
           (4, 'Fourth or later')
),
counted AS (
    SELECT episode_band, sum(referrals) AS referrals
    FROM mart_pathway_referrals_monthly, bounds
    WHERE month BETWEEN first_month AND last_month
      AND ($district IS NULL OR district = $district)
    GROUP BY episode_band
)
SELECT bands.episode, bands.episode_band::INTEGER AS episode_number,
       coalesce(counted.referrals, 0)::BIGINT AS referrals
FROM bands LEFT JOIN counted USING (episode_band)
ORDER BY bands.episode_band;
