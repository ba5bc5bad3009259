-- Mart: who holds each early help episode, span by span (from mart_case_involvements): the one definition of holding, read by
-- mart_caseload_daily (with_worker), mart_caseload_worker_spans and the queries workers_caseload
-- and episode_records. (Its name sorts before theirs because mart files are built in name order.)
-- An involvement is active from the later of its start and the episode's start up to (not
-- including) the first of: the day after the involvement ends (its end day counts) and the
-- episode's end day (an episode is not open on its end day).
-- On a day with several active involvements, the one that started last holds the episode (a
-- transfer: the newer worker holds it); on the same start day, the larger involvement id (as
-- text), so the holder never depends on row order. When a later involvement ends first, the
-- earlier one, still active, holds the episode again.
-- An involvement with no worker recorded (worker_id empty) names nobody to hold the case, so it
-- is left out here, as from every caseload measure: it neither makes a case-holding worker nor
-- takes the episode from the worker who holds it.
-- Team: the involvement's team, else the worker's department, else 'Team not recorded'.
-- Columns: episode_id, involvement_id, worker_id, team, held_from, held_to (not included; null
--   while it still holds at the end of the data).
CREATE TABLE mart_caseload_assignments AS
WITH active AS (  -- each involvement naming a worker, active from active_from up to active_to
    SELECT
        i.episode_id,
        i.involvement_id,
        i.worker_id,
        i.start_date,
        coalesce(nullif(trim(i.team), ''), nullif(trim(w.department), ''), 'Team not recorded')
            AS team,
        greatest(i.start_date, e.start_date) AS active_from,
        least(
            coalesce(i.end_date + 1, DATE '9999-12-31'), coalesce(e.end_date, DATE '9999-12-31')
        ) AS active_to
    FROM mart_case_involvements AS i
    JOIN early_help_episodes AS e USING (episode_id)
    LEFT JOIN workers AS w ON w.worker_id = i.worker_id
    WHERE nullif(trim(i.worker_id), '') IS NOT NULL
),
boundaries AS (  -- the days on which the set of an episode's active involvements can change
    SELECT episode_id, active_from AS day FROM active WHERE active_from < active_to
    UNION
    SELECT episode_id, active_to FROM active WHERE active_from < active_to
),
pieces AS (  -- stretches of days between those boundaries, with the same active involvements
    SELECT
        episode_id,
        day AS piece_from,
        lead(day) OVER (PARTITION BY episode_id ORDER BY day) AS piece_to
    FROM boundaries
),
holders AS (  -- in each stretch, the active involvement that started last (none in a gap)
    SELECT p.episode_id, p.piece_from, p.piece_to, a.involvement_id, a.worker_id, a.team
    FROM pieces AS p
    JOIN active AS a
        ON a.episode_id = p.episode_id
        AND a.active_from <= p.piece_from
        AND a.active_to > p.piece_from
    WHERE p.piece_to IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY p.episode_id, p.piece_from ORDER BY a.start_date DESC, a.involvement_id DESC
    ) = 1
),
marked AS (  -- a span starts where the holder changes or after a gap with no holder
    SELECT
        *,
        coalesce(
            lag(involvement_id) OVER by_day <> involvement_id
                OR lag(piece_to) OVER by_day <> piece_from,
            TRUE
        ) AS starts_span
    FROM holders
    WINDOW by_day AS (PARTITION BY episode_id ORDER BY piece_from)
),
spans AS (
    SELECT *, sum(starts_span::INT) OVER (PARTITION BY episode_id ORDER BY piece_from) AS span
    FROM marked
)
SELECT
    episode_id,
    involvement_id,
    any_value(worker_id) AS worker_id,
    any_value(team) AS team,
    min(piece_from) AS held_from,
    nullif(max(piece_to), DATE '9999-12-31') AS held_to
FROM spans
GROUP BY episode_id, span, involvement_id
ORDER BY episode_id, held_from;
