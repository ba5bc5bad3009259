-- Open early help episodes per district on a date: episodes that started on or before the date
-- and had not ended on or before it. Every known district is listed, with 0 where none are open.
-- param as_of: date, required. The date to count on.
-- columns: district (text), open_episodes (count)
-- counts: open_episodes
WITH snapshot AS (
    SELECT max(date) AS day FROM mart_caseload_daily WHERE date <= $as_of::DATE
)
SELECT
    districts.district,
    coalesce(sum(open.open_episodes), 0)::BIGINT AS open_episodes
FROM mart_districts AS districts
LEFT JOIN mart_caseload_daily AS open
    ON open.district = districts.district
    AND open.date = (SELECT day FROM snapshot)
GROUP BY districts.district
ORDER BY districts.district;
