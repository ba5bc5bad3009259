-- Record-level drill-down for analysts: one row per early help episode behind a figure, with the
-- child's pseudonymised id (the keyed hash stored at ingest; the warehouse holds no names or
-- addresses) and the episode id as stored. At most 5,000 rows, the earliest started first;
-- matching is how many episodes match the filters in all, so a page can say when the list is
-- cut short. The filters match the Demand and Caseloads figures: an episode starting in a month
-- is a referral that month (referrals_filtered), and an episode is open on a day when it started
-- on or before it and had not ended on or before it (caseload_by_district).
-- team and worker_label: with open_on, the worker holding the episode that day, as
-- mart_caseload_assignments defines it for every caseload figure (of the involvements naming a
-- worker active that day, the one that started last), and that involvement's team (else the
-- worker's department, else 'Team not recorded'); null when no worker held it that day. Without
-- open_on, the worker who held it last (its last span in mart_caseload_assignments), else the
-- worker recorded on the episode. worker_label is the pseudonymous label ('Practitioner 014'),
-- never a name.
-- param district: text, optional. Only this district ('Not known' where none was found).
-- param source_group: text, optional. Only referrals from this source group.
-- param age_band: text, optional. Only children in this age band at the episode's start.
-- param level_of_need: int, optional. Only this level of need (1 to 4; 0 = not recorded).
-- param team: text, optional. Only episodes whose worker (see above) is in this team.
-- param started_from: date, optional. Only episodes that started on or after this day.
-- param started_to: date, optional. Only episodes that started on or before this day.
-- param open_on: date, optional. Only episodes open on this day.
-- columns: episode_id (text), child_id (text, pseudonymised), district (text),
--   team (text, null = no worker), worker_label (text, pseudonymous, null = no worker),
--   start_date (date), end_date (date, null = still open), level_of_need (int, 0 = not recorded),
--   source_group (text), age_band (text), end_reason (text, null while open),
--   matching (count: every episode matching the filters, including any beyond the 5,000 rows)
-- counts: matching
-- roles: analyst
-- breakdown: record
WITH selected AS (
    SELECT
        episode_id,
        child_id,
        coalesce(district, 'Not known') AS district,
        start_date,
        end_date,
        coalesce(level_of_need, 0)::INTEGER AS level_of_need,
        coalesce(source_group, 'Unknown') AS source_group,
        coalesce(age_band, 'Not known') AS age_band,
        CASE WHEN end_date IS NOT NULL THEN coalesce(end_reason, 'Not recorded') END
            AS end_reason,
        nullif(trim(worker_id), '') AS recorded_worker
    FROM early_help_episodes
    WHERE ($district IS NULL OR coalesce(district, 'Not known') = $district)
      AND ($source_group IS NULL OR coalesce(source_group, 'Unknown') = $source_group)
      AND ($age_band IS NULL OR coalesce(age_band, 'Not known') = $age_band)
      AND ($level_of_need IS NULL OR coalesce(level_of_need, 0) = $level_of_need)
      AND ($started_from IS NULL OR start_date >= $started_from::DATE)
      AND ($started_to IS NULL OR start_date <= $started_to::DATE)
      AND ($open_on IS NULL OR (
          start_date <= $open_on::DATE AND (end_date IS NULL OR end_date > $open_on::DATE)
      ))
),
holder AS (  -- at most one span per episode: the one holding it on open_on, else its last
    SELECT episode_id, worker_id, team
    FROM mart_caseload_assignments
    WHERE episode_id IN (SELECT episode_id FROM selected)
      AND ($open_on IS NULL OR (
          held_from <= $open_on::DATE AND (held_to IS NULL OR held_to > $open_on::DATE)
      ))
    QUALIFY row_number() OVER (PARTITION BY episode_id ORDER BY held_from DESC) = 1
),
with_worker AS (
    SELECT
        s.*,
        coalesce(h.worker_id, CASE WHEN $open_on IS NULL THEN s.recorded_worker END)
            AS worker_id,
        h.team AS involvement_team
    FROM selected AS s
    LEFT JOIN holder AS h USING (episode_id)
),
labelled AS (
    SELECT
        ww.*,
        CASE
            WHEN ww.involvement_team IS NOT NULL THEN ww.involvement_team
            WHEN ww.worker_id IS NOT NULL
                THEN coalesce(nullif(trim(w.department), ''), 'Team not recorded')
        END AS team,
        w.worker_label
    FROM with_worker AS ww
    LEFT JOIN mart_caseload_workers AS w USING (worker_id)
)
SELECT
    episode_id,
    child_id,
    district,
    team,
    worker_label,
    start_date,
    end_date,
    level_of_need,
    source_group,
    age_band,
    end_reason,
    count(*) OVER () AS matching
FROM labelled
WHERE $team IS NULL OR team = $team
ORDER BY start_date, episode_id
LIMIT 5000;
