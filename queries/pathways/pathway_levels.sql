-- Referrals to early help in the period and episodes open at its end, by level of need
-- (1 universal to 4 social care; 0 = not recorded), for a district or the whole borough.
-- Each episode has one level of need: moves between levels within an episode are not recorded.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- columns: level_of_need (int, 0 = not recorded), referrals (count), open_at_end (count, open on
--   the last day of the period)
-- counts: referrals, open_at_end
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
),
referred AS (
    SELECT level_of_need, sum(referrals) AS referrals
    FROM mart_pathway_referrals_monthly, bounds
    WHERE month BETWEEN first_month AND last_month
      AND ($district IS NULL OR district = $district)
    GROUP BY level_of_need
),
snapshot AS (
    SELECT max(date) AS day FROM mart_caseload_daily, bounds
    WHERE date <= last_day(last_month)
),
open_now AS (
    SELECT level_of_need, sum(open_episodes) AS open_at_end
    FROM mart_caseload_daily
    WHERE date = (SELECT day FROM snapshot)
      AND ($district IS NULL OR district = $district)
    GROUP BY level_of_need
),
levels AS (
    SELECT l AS level_of_need FROM range(1, 5) AS t(l)
    UNION SELECT level_of_need FROM referred
    UNION SELECT level_of_need FROM open_now
)
SELECT
    levels.level_of_need::INTEGER AS level_of_need,
    coalesce(referred.referrals, 0)::BIGINT AS referrals,
    coalesce(open_now.open_at_end, 0)::BIGINT AS open_at_end
FROM levels
LEFT JOIN referred USING (level_of_need)
LEFT JOIN open_now USING (level_of_need)
WHERE levels.level_of_need > 0 OR referred.referrals > 0 OR open_now.open_at_end > 0
ORDER BY CASE WHEN levels.level_of_need = 0 THEN 9 ELSE levels.level_of_need END;
