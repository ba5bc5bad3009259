-- Mart: journeys of closed early help episodes, from referral source group through level of
-- need to the outcome at closure, by month of closure. From mart_episode_flags.
-- Columns: month (of end_date), district, source_group, level_of_need (0 = not recorded),
--   end_reason, closures.
CREATE TABLE mart_pathway_journeys AS
SELECT
    end_month AS month,
    district,
    source_group,
    level_of_need,
    end_reason,
    count(*) AS closures
FROM mart_episode_flags
WHERE end_date IS NOT NULL
GROUP BY ALL
ORDER BY ALL;
