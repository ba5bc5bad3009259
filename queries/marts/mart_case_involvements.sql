-- Mart: the involvements that hold an early help case, the one input of every caseload mart
-- (its name sorts before theirs because mart files are built in name order).
-- SSD's own involvements are social care work (invo_referral_id names a social care referral),
-- so only involvements naming an early help episode are read here: a council's early help
-- involvement table, or ssd_involvements when its mapping says they refer to early help.
-- Only case-holding involvements count (holds_case: the allocated case worker's kinds of
-- involvement, from the mapping file; every involvement when it names none).
-- Where no involvement names an episode, the episode's own allocated worker
-- (earl_episode_worker_id) holds it from its start to its end: from_episode is then true, and
-- such rows tell nothing of allocation waits or changes of worker, which read the others only.
-- Team: the team's name from ssd_department when the involvement gives a team id, else the
-- team as given.
-- Columns: involvement_id, worker_id, child_id, episode_id, role, team, start_date, end_date,
--   change_reason, from_episode.
CREATE TABLE mart_case_involvements AS
WITH given AS (
    SELECT
        i.involvement_id,
        nullif(trim(i.worker_id), '') AS worker_id,
        i.child_id,
        i.episode_id,
        i.role,
        coalesce(nullif(trim(t.team_name), ''), nullif(trim(i.team), '')) AS team,
        i.start_date,
        i.end_date,
        i.change_reason,
        FALSE AS from_episode
    FROM involvements AS i
    LEFT JOIN (SELECT team_id, any_value(team_name) AS team_name FROM teams GROUP BY team_id) AS t
        ON t.team_id = i.team
    WHERE i.episode_id IS NOT NULL AND coalesce(i.holds_case, TRUE)
),
from_episodes AS (
    SELECT
        'episode:' || e.episode_id AS involvement_id,
        trim(e.worker_id) AS worker_id,
        e.child_id,
        e.episode_id,
        'Episode worker' AS role,
        NULL::VARCHAR AS team,
        e.start_date,
        e.end_date,
        NULL::VARCHAR AS change_reason,
        TRUE AS from_episode
    FROM early_help_episodes AS e
    WHERE nullif(trim(e.worker_id), '') IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM given AS g WHERE g.episode_id = e.episode_id)
)
SELECT * FROM given
UNION ALL
SELECT * FROM from_episodes
ORDER BY episode_id, start_date, involvement_id;
