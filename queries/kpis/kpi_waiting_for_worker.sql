-- Children waiting for a worker on a date, for the Scorecard: open early help episodes held by a
-- council team or commissioned provider (case-held) that had not yet been given their first
-- worker, one row per district and one row with district 'Borough' for the whole borough (the
-- same counts as caseload_snapshot_by_district, on the last day of data on or before as_of).
-- The borough's row is counted, not added up from the districts, so it is shown (protected)
-- even when a district's count is too small to show.
-- param as_of: date, required. The date to count on.
-- columns: district (text, 'Borough' for the whole borough), case_held_episodes (count),
--   waiting (count)
-- counts: case_held_episodes, waiting
WITH snapshot AS (
    SELECT max(date) AS day FROM mart_caseload_daily WHERE date <= $as_of::DATE
),
counted AS (
    SELECT district, sum(case_held_episodes) AS case_held_episodes, sum(waiting) AS waiting
    FROM mart_caseload_daily
    WHERE date = (SELECT day FROM snapshot)
    GROUP BY district
),
places AS (
    SELECT district FROM mart_districts
    UNION SELECT district FROM counted WHERE case_held_episodes > 0
)
SELECT
    places.district,
    coalesce(counted.case_held_episodes, 0)::BIGINT AS case_held_episodes,
    coalesce(counted.waiting, 0)::BIGINT AS waiting
FROM places
LEFT JOIN counted USING (district)
UNION ALL
SELECT 'Borough', coalesce(sum(case_held_episodes), 0)::BIGINT,
       coalesce(sum(waiting), 0)::BIGINT
FROM counted
ORDER BY district = 'Borough', district;
