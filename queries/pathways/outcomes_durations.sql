-- How long early help episodes closed in the period were open (days from start to end), in
-- bands, for a district or the whole borough.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- columns: duration (text), sort_order (int), closures (count)
-- counts: closures
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
),
bands(duration, sort_order, low, high) AS (
    VALUES ('Under 1 month', 1, 0, 30), ('1 to 3 months', 2, 30, 91),
           ('3 to 6 months', 3, 91, 183), ('6 to 9 months', 4, 183, 274),
           ('9 to 12 months', 5, 274, 365), ('12 months or more', 6, 365, 1000000)
),
counted AS (
    SELECT bands.duration, sum(d.closures) AS closures
    FROM mart_pathway_durations AS d, bounds, bands
    WHERE d.month BETWEEN bounds.first_month AND bounds.last_month
      AND ($district IS NULL OR d.district = $district)
      AND d.days_open >= bands.low AND d.days_open < bands.high
    GROUP BY bands.duration
)
SELECT bands.duration, bands.sort_order::INTEGER AS sort_order,
       coalesce(counted.closures, 0)::BIGINT AS closures
FROM bands LEFT JOIN counted USING (duration)
ORDER BY bands.sort_order;
