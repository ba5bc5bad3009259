-- Days from referral to allocation per organisation holding the episode (a council team or a
-- commissioned provider, as the episode's organisation names it): for episodes whose first
-- worker was allocated in the months from..to, the first involvement's start minus the episode's
-- start. median_days is the lower median. Only organisations with an allocation are listed.
-- With a district, only the episodes of that district's children are counted.
-- param from: date, required. First month of allocation (any day in it).
-- param to: date, required. Last month of allocation (any day in it).
-- param district: text, optional. Only the episodes of this district's children.
-- columns: organisation (text, 'Not recorded' when empty), allocated (count),
--   median_days (int), average_days (number), over_28_days (count)
-- counts: allocated, over_28_days
-- statistics: median_days (from allocated), average_days (from allocated)
-- breakdown: organisation
WITH waits AS (
    SELECT coalesce(organisation, 'Not recorded') AS organisation,
           days_to_allocation AS days, sum(episodes) AS episodes
    FROM mart_caseload_allocations
    WHERE month BETWEEN date_trunc('month', $from::DATE) AND date_trunc('month', $to::DATE)
      AND ($district IS NULL OR district = $district)
    GROUP BY ALL
),
running AS (
    SELECT organisation, days, episodes,
           sum(episodes) OVER (PARTITION BY organisation ORDER BY days) AS so_far,
           sum(episodes) OVER (PARTITION BY organisation) AS total
    FROM waits
)
SELECT
    organisation,
    sum(episodes)::BIGINT AS allocated,
    min(days) FILTER (WHERE so_far * 2 >= total)::BIGINT AS median_days,
    round(sum(days * episodes) / sum(episodes), 1)::DOUBLE AS average_days,
    coalesce(sum(episodes) FILTER (WHERE days > 28), 0)::BIGINT AS over_28_days
FROM running
GROUP BY organisation
ORDER BY organisation;
