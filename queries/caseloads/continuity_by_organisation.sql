-- Changes of worker per organisation holding the episode (a council team or a commissioned
-- provider), for early help episodes that had a worker and closed in the months from..to.
-- Only organisations with a closed episode are listed. With a district, only the episodes of
-- that district's children are counted.
-- param from: date, required. First month of closure (any day in it).
-- param to: date, required. Last month of closure (any day in it).
-- param district: text, optional. Only the episodes of this district's children.
-- columns: organisation (text, 'Not recorded' when empty), episodes_closed (count),
--   worker_changes (count), two_or_more_changes (count)
-- counts: episodes_closed, worker_changes, two_or_more_changes
-- breakdown: organisation
SELECT
    coalesce(organisation, 'Not recorded') AS organisation,
    sum(episodes)::BIGINT AS episodes_closed,
    sum(episodes * worker_changes)::BIGINT AS worker_changes,
    coalesce(sum(episodes) FILTER (WHERE worker_changes >= 2), 0)::BIGINT AS two_or_more_changes
FROM mart_caseload_continuity
WHERE month BETWEEN date_trunc('month', $from::DATE) AND date_trunc('month', $to::DATE)
  AND ($district IS NULL OR district = $district)
GROUP BY ALL
ORDER BY organisation;
