-- Mart: step-ups from early help to children's social care (DOMAIN.md), from either record:
-- an early help episode that ended "Step-up", or a social care referral with source 5D
-- ("LA services - early help"). One event is counted once: a 5D referral of the same child
-- within 28 days either side of a Step-up ending is the same step-up (each referral is paired
-- with the nearest ending, and each ending with its nearest referral).
-- identified_by: 'Both records', 'Early help record only', 'Social care record only'.
-- The step-up's date is the episode's end date, or the referral date when only social care
-- recorded it; its district and level come from the episode, or from the referral and the
-- child's latest early help episode that started on or before the referral (and had not ended
-- more than 28 days before it). days_from_start: days from that episode's start to the
-- step-up (null when no such episode).
-- Columns: month, district, level_of_need (0 = not recorded or no episode), identified_by,
--   days_from_start, step_ups.
CREATE TABLE mart_pathway_step_ups AS
WITH ended AS (
    SELECT episode_id, child_id, start_date, end_date, district,
           coalesce(level_of_need, 0) AS level_of_need
    FROM early_help_episodes
    WHERE end_reason = 'Step-up' AND end_date IS NOT NULL
),
referred AS (
    SELECT referral_id, child_id, referral_date, district
    FROM cin_referrals
    WHERE source_code = '5D'
),
pairs AS (
    SELECT
        r.referral_id,
        e.episode_id,
        row_number() OVER (
            PARTITION BY r.referral_id ORDER BY abs(r.referral_date - e.end_date), e.episode_id
        ) AS rank_for_referral,
        row_number() OVER (
            PARTITION BY e.episode_id ORDER BY abs(r.referral_date - e.end_date), r.referral_id
        ) AS rank_for_episode
    FROM referred AS r
    JOIN ended AS e
        ON r.child_id = e.child_id AND abs(r.referral_date - e.end_date) <= 28
),
matched AS (
    SELECT referral_id, episode_id FROM pairs
    WHERE rank_for_referral = 1 AND rank_for_episode = 1
),
from_episodes AS (
    SELECT
        e.end_date AS step_up_date,
        e.district,
        e.level_of_need,
        CASE WHEN m.referral_id IS NULL THEN 'Early help record only' ELSE 'Both records' END
            AS identified_by,
        (e.end_date - e.start_date) AS days_from_start
    FROM ended AS e
    LEFT JOIN matched AS m USING (episode_id)
),
referral_only AS (
    SELECT r.* FROM referred AS r ANTI JOIN matched AS m USING (referral_id)
),
latest_episode AS (
    SELECT r.referral_id, r.referral_date, r.district,
           e.start_date, e.end_date, e.level_of_need
    FROM referral_only AS r
    ASOF LEFT JOIN early_help_episodes AS e
        ON r.child_id = e.child_id AND r.referral_date >= e.start_date
),
from_referrals AS (
    SELECT
        referral_date AS step_up_date,
        district,
        CASE WHEN linked THEN coalesce(level_of_need, 0) ELSE 0 END AS level_of_need,
        'Social care record only' AS identified_by,
        CASE WHEN linked THEN referral_date - start_date END AS days_from_start
    FROM (
        SELECT *,
               start_date IS NOT NULL
               AND (end_date IS NULL OR end_date >= referral_date - 28) AS linked
        FROM latest_episode
    )
)
SELECT
    date_trunc('month', step_up_date)::DATE AS month,
    coalesce(district, 'Not known') AS district,
    level_of_need::INTEGER AS level_of_need,
    identified_by,
    days_from_start::INTEGER AS days_from_start,
    count(*) AS step_ups
FROM (SELECT * FROM from_episodes UNION ALL SELECT * FROM from_referrals)
GROUP BY ALL
ORDER BY ALL;
