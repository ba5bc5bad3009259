-- Days from referral to allocation per district: for episodes whose first worker was allocated
-- in the months from..to, the first involvement's start minus the episode's start.
-- median_days is the lower median (the smallest number of days that at least half waited no
-- longer than). Every known district is listed, and 'Not known' when some of the episodes have
-- no district; median and average are null where none.
-- param from: date, required. First month of allocation (any day in it).
-- param to: date, required. Last month of allocation (any day in it).
-- columns: district (text), allocated (count), median_days (int), average_days (number),
--   over_28_days (count)
-- counts: allocated, over_28_days
-- statistics: median_days (from allocated), average_days (from allocated)
WITH waits AS (
    SELECT district, days_to_allocation AS days, sum(episodes) AS episodes
    FROM mart_caseload_allocations
    WHERE month BETWEEN date_trunc('month', $from::DATE) AND date_trunc('month', $to::DATE)
    GROUP BY ALL
),
running AS (
    SELECT district, days, episodes,
           sum(episodes) OVER (PARTITION BY district ORDER BY days) AS so_far,
           sum(episodes) OVER (PARTITION BY district) AS total
    FROM waits
),
per_district AS (
    SELECT district,
           sum(episodes) AS allocated,
           min(days) FILTER (WHERE so_far * 2 >= total) AS median_days,
           sum(days * episodes) / sum(episodes) AS average_days,
           sum(episodes) FILTER (WHERE days > 28) AS over_28_days
    FROM running GROUP BY district
),
places AS (
    SELECT district FROM mart_districts UNION SELECT district FROM per_district
)
SELECT
    places.district,
    coalesce(per_district.allocated, 0)::BIGINT AS allocated,
    per_district.median_days::BIGINT AS median_days,
    round(per_district.average_days, 1)::DOUBLE AS average_days,
    coalesce(per_district.over_28_days, 0)::BIGINT AS over_28_days
FROM places
LEFT JOIN per_district USING (district)
ORDER BY places.district;
