-- Changes of worker per district, for early help episodes that had a worker and closed in the
-- months from..to: how many closed, the total changes of worker, and how many had two or more
-- changes ("families should not tell their story many times"). Every known district is listed,
-- and 'Not known' when some of the episodes have no district.
-- param from: date, required. First month of closure (any day in it).
-- param to: date, required. Last month of closure (any day in it).
-- columns: district (text), episodes_closed (count), worker_changes (count),
--   two_or_more_changes (count)
-- counts: episodes_closed, worker_changes, two_or_more_changes
WITH closed AS (
    SELECT district,
           sum(episodes) AS episodes_closed,
           sum(episodes * worker_changes) AS worker_changes,
           sum(episodes) FILTER (WHERE worker_changes >= 2) AS two_or_more_changes
    FROM mart_caseload_continuity
    WHERE month BETWEEN date_trunc('month', $from::DATE) AND date_trunc('month', $to::DATE)
    GROUP BY district
),
places AS (
    SELECT district FROM mart_districts UNION SELECT district FROM closed
)
SELECT
    places.district,
    coalesce(closed.episodes_closed, 0)::BIGINT AS episodes_closed,
    coalesce(closed.worker_changes, 0)::BIGINT AS worker_changes,
    coalesce(closed.two_or_more_changes, 0)::BIGINT AS two_or_more_changes
FROM places
LEFT JOIN closed USING (district)
ORDER BY places.district;
