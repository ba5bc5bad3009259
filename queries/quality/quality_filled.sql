-- How well filled each field the pages count from is: one row per check, with the rows it is
-- measured on and how many of them have the field filled (earlyhelp/measures/quality.py turns these into
-- the Data quality report's filled_pct and status). Whole-table figures about the extract, like
-- the reconciliation, never about a group of children, so there is nothing to protect.
-- A field counts as filled when it holds a value the pages can use:
--   *.district: known (not 'Not known'); level_of_need: 1 to 4 (0 or empty is not recorded);
--   *.source_code: an Annex A code other than 10 (Unknown); *.age_band: not 'Not known';
--   early_help_episodes.end_reason: given, of episodes that have ended;
--   cin_referrals.close_reason: given, of social care referrals that have closed;
--   early_help_episodes.worker: some case-holding worker is named (mart_case_involvements), of
--     episodes not led by a partner (a school, health or early years setting holds its own);
--   early_help_episodes.involvement: that worker comes from an early help involvement, not
--     only from the episode's own worker (waits and changes of worker need involvements);
--   case_holding.team: a team name (not 'Team not recorded', not a bare team id), of the spans
--     in which a worker holds a case (mart_caseload_assignments);
--   case_holding.fte: an FTE above 0, of the workers who hold an early help case;
--   contacts.decision_date: working days to decision known, of contacts with a decision;
--   contacts.decision_date_early_help: the same, of contacts whose decision is early help;
--   population: a child population given, of the known districts early help episodes are in.
-- A check with 0 rows has nothing to measure (for example no contacts in the extract).
-- columns: check (text), rows (int), filled (int)
WITH episodes AS (
    SELECT
        count(*) AS n,
        count(*) FILTER (WHERE district IS NOT NULL AND district <> 'Not known') AS district,
        count(*) FILTER (WHERE level_of_need BETWEEN 1 AND 4) AS level_of_need,
        count(*) FILTER (WHERE source_code IS NOT NULL AND source_code <> '10') AS source_code,
        count(*) FILTER (WHERE age_band IS NOT NULL AND age_band <> 'Not known') AS age_band,
        count(*) FILTER (WHERE end_date IS NOT NULL) AS ended,
        count(*) FILTER (WHERE end_date IS NOT NULL AND end_reason IS NOT NULL) AS end_reason,
        count(*) FILTER (WHERE nullif(trim(organisation), '') IS NOT NULL) AS organisation
    FROM early_help_episodes
),
held AS (
    SELECT
        episode_id,
        bool_or(NOT from_episode) AS by_involvement
    FROM mart_case_involvements
    WHERE nullif(trim(worker_id), '') IS NOT NULL
    GROUP BY episode_id
),
workers_held AS (
    SELECT
        count(*) FILTER (WHERE NOT f.partner_led) AS led_by_council,
        count(h.episode_id) FILTER (WHERE NOT f.partner_led) AS with_worker,
        count(h.episode_id) AS held,
        count(*) FILTER (WHERE h.by_involvement) AS by_involvement
    FROM mart_episode_flags AS f
    LEFT JOIN held AS h USING (episode_id)
),
spans AS (
    SELECT
        count(*) AS n,
        count(*) FILTER (
            WHERE team IS NOT NULL
              AND team <> 'Team not recorded'
              AND NOT regexp_full_match(trim(team), '[0-9]+')
        ) AS named
    FROM mart_caseload_assignments
),
case_workers AS (
    SELECT
        count(*) AS n,
        count(*) FILTER (WHERE w.fte > 0) AS with_fte
    FROM (SELECT DISTINCT worker_id FROM mart_caseload_assignments) AS a
    LEFT JOIN (
        SELECT worker_id, max(fte) AS fte FROM workers GROUP BY worker_id
    ) AS w USING (worker_id)
),
contact_fields AS (
    SELECT
        count(*) AS n,
        count(*) FILTER (WHERE district IS NOT NULL AND district <> 'Not known') AS district,
        count(*) FILTER (WHERE source_code IS NOT NULL AND source_code <> '10') AS source_code,
        count(*) FILTER (WHERE age_band IS NOT NULL AND age_band <> 'Not known') AS age_band,
        count(*) FILTER (WHERE decision IS NOT NULL) AS decision,
        count(*) FILTER (WHERE decision IS NOT NULL AND decision_working_days IS NOT NULL)
            AS timed,
        count(*) FILTER (WHERE decision = 'Early help') AS early_help,
        count(*) FILTER (WHERE decision = 'Early help' AND decision_working_days IS NOT NULL)
            AS early_help_timed
    FROM contacts
),
referral_fields AS (
    SELECT
        count(*) AS n,
        count(*) FILTER (WHERE source_code IS NOT NULL AND source_code <> '10') AS source_code,
        count(*) FILTER (WHERE close_date IS NOT NULL) AS closed,
        count(*) FILTER (WHERE close_date IS NOT NULL AND close_reason IS NOT NULL)
            AS close_reason
    FROM cin_referrals
),
known_districts AS (
    SELECT DISTINCT district
    FROM early_help_episodes
    WHERE district IS NOT NULL AND district <> 'Not known'
),
population_fields AS (
    SELECT
        count(*) AS n,
        count(*) FILTER (WHERE district IN (SELECT district FROM population WHERE children > 0))
            AS with_population
    FROM known_districts
)
SELECT "check", "rows"::BIGINT AS "rows", filled::BIGINT AS filled
FROM (
    SELECT 'early_help_episodes' AS "check", n AS "rows", n AS filled FROM episodes
    UNION ALL SELECT 'early_help_episodes.district', n, district FROM episodes
    UNION ALL SELECT 'early_help_episodes.level_of_need', n, level_of_need FROM episodes
    UNION ALL SELECT 'early_help_episodes.source_code', n, source_code FROM episodes
    UNION ALL SELECT 'early_help_episodes.age_band', n, age_band FROM episodes
    UNION ALL SELECT 'early_help_episodes.end_reason', ended, end_reason FROM episodes
    UNION ALL SELECT 'early_help_episodes.organisation', n, organisation FROM episodes
    UNION ALL SELECT 'early_help_episodes.worker', led_by_council, with_worker FROM workers_held
    UNION ALL SELECT 'early_help_episodes.involvement', held, by_involvement FROM workers_held
    UNION ALL SELECT 'case_holding.team', n, named FROM spans
    UNION ALL SELECT 'case_holding.fte', n, with_fte FROM case_workers
    UNION ALL SELECT 'contacts', n, n FROM contact_fields
    UNION ALL SELECT 'contacts.district', n, district FROM contact_fields
    UNION ALL SELECT 'contacts.source_code', n, source_code FROM contact_fields
    UNION ALL SELECT 'contacts.age_band', n, age_band FROM contact_fields
    UNION ALL SELECT 'contacts.decision', n, decision FROM contact_fields
    UNION ALL SELECT 'contacts.decision_date', decision, timed FROM contact_fields
    UNION ALL SELECT 'contacts.decision_date_early_help', early_help, early_help_timed
        FROM contact_fields
    UNION ALL SELECT 'cin_referrals', n, n FROM referral_fields
    UNION ALL SELECT 'cin_referrals.source_code', n, source_code FROM referral_fields
    UNION ALL SELECT 'cin_referrals.close_reason', closed, close_reason FROM referral_fields
    UNION ALL SELECT 'population', n, with_population FROM population_fields
)
ORDER BY "check";
