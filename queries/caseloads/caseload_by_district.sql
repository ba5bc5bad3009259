-- Open early help episodes per district on a date: episodes that started on or before the date
-- and had not ended on or before it. Every known district is listed, with 0 where none are open,
-- and 'Not known' when some open episodes have no district, so the rows add up to the borough.
-- param as_of: date, required. The date to count on.
-- columns: district (text), open_episodes (count)
-- counts: open_episodes
WITH snapshot AS (
    SELECT max(date) AS day FROM mart_caseload_daily WHERE date <= $as_of::DATE
),
counted AS (
    SELECT district, sum(open_episodes) AS open_episodes
    FROM mart_caseload_daily
    WHERE date = (SELECT day FROM snapshot)
    GROUP BY district
),
places AS (
    SELECT district FROM mart_districts
    UNION SELECT district FROM counted WHERE open_episodes > 0
)
SELECT
    places.district,
    coalesce(counted.open_episodes, 0)::BIGINT AS open_episodes
FROM places
LEFT JOIN counted USING (district)
ORDER BY places.district;
