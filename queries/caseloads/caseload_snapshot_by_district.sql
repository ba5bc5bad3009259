-- Open early help episodes per district on a date, and what is happening to them: held by a
-- council team or commissioned provider (case-held), with a worker on the day (a worker holds it,
-- as mart_caseload_assignments defines: these sum to the workers' open cases), or still waiting
-- for their first worker (DOMAIN.md "Caseload"). open_episodes is the same count as
-- caseload_by_district: started on or before the date and not ended on or before it. Episodes
-- led by a partner (a school, a health visitor) are open but not case-held. Every known
-- district is listed, with 0 where none are open, and 'Not known' when some open episodes have
-- no district, so the rows add up to the borough's open episodes (the page's headline).
-- param as_of: date, required. The date to count on.
-- columns: district (text), open_episodes (count), case_held_episodes (count),
--   with_worker (count), waiting (count)
-- counts: open_episodes, case_held_episodes, with_worker, waiting
WITH snapshot AS (
    SELECT max(date) AS day FROM mart_caseload_daily WHERE date <= $as_of::DATE
),
counted AS (
    SELECT district,
           sum(open_episodes) AS open_episodes,
           sum(case_held_episodes) AS case_held_episodes,
           sum(with_worker) AS with_worker,
           sum(waiting) AS waiting
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
    coalesce(counted.open_episodes, 0)::BIGINT AS open_episodes,
    coalesce(counted.case_held_episodes, 0)::BIGINT AS case_held_episodes,
    coalesce(counted.with_worker, 0)::BIGINT AS with_worker,
    coalesce(counted.waiting, 0)::BIGINT AS waiting
FROM places
LEFT JOIN counted USING (district)
ORDER BY places.district;
