-- Mart: one row per early help episode (a referral to early help), with the flags the Front
-- door and pathways page counts. Built at ingest, so pages only aggregate.
-- previous_start: the latest earlier referral of the same child (an earlier date, not the same
--   day), from a window over child_id ordered by start_date.
-- rereferral_12m: that previous referral was within the 365 days before this referral's date
--   (DOMAIN.md: relative to this referral, not to today; 365 days before counts, 366 does not).
-- episode_number: 1 for the child's first referral in the data, 2 for the second, and so on
--   (referrals on the same day share a number). Referrals before the extract starts are not
--   seen, so the first year of data understates re-referrals and repeat episodes.
-- lead_organisation: who leads the episode: Schools, Health, Early years (partners: "early help
--   is everybody's business"), Council or commissioned, Other, or Not recorded (no organisation).
--   It comes from the organisation's type in data/organisations.csv (table organisation_types,
--   loaded at ingest; names compared ignoring case): school, health, early_years, council or
--   commissioned, other. A council lists its own organisations there. An organisation the file
--   does not list falls back to patterns in its name (below), so that a council's own names
--   still get a sensible type; anything they do not match counts as the council's.
-- Columns: episode_id, start_date, end_date, start_month, end_month, financial_year (start
--   year of the April-March year of start_date), district, level_of_need (0 = not recorded),
--   source_group, end_reason (null while open; 'Not recorded' when closed without one),
--   lead_organisation, partner_led (Schools, Health or Early years), days_open,
--   episode_number, days_since_previous, rereferral_12m.
CREATE TABLE mart_episode_flags AS
WITH ordered AS (
    SELECT
        *,
        max(start_date) OVER earlier AS previous_start,
        count(*) OVER earlier + 1 AS episode_number
    FROM early_help_episodes
    WINDOW earlier AS (
        PARTITION BY child_id ORDER BY start_date
        RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 DAY PRECEDING
    )
),
listed AS (
    SELECT lower(organisation) AS organisation_key, any_value(type) AS type
    FROM organisation_types
    GROUP BY 1
),
led AS (
    SELECT
        ordered.*,
        CASE
            WHEN organisation IS NULL OR trim(organisation) = '' THEN 'Not recorded'
            WHEN listed.type = 'school' THEN 'Schools'
            WHEN listed.type = 'health' THEN 'Health'
            WHEN listed.type = 'early_years' THEN 'Early years'
            WHEN listed.type IN ('council', 'commissioned') THEN 'Council or commissioned'
            WHEN listed.type = 'other' THEN 'Other'
            -- Fallback for organisations not in data/organisations.csv: patterns in the name.
            WHEN regexp_matches(organisation,
                 'nursery|pre-?school|children''?s cent|early years|playgroup|childminder|day care',
                 'i') THEN 'Early years'
            WHEN regexp_matches(organisation,
                 '\bnhs\b|health|\bgp\b|nursing|nurse|paediatric|pediatric|hospital|midwi|'
                 || 'surgery|medical|camhs|clinic', 'i') THEN 'Health'
            WHEN regexp_matches(organisation, 'school|academy|college|\bpru\b', 'i')
                THEN 'Schools'
            ELSE 'Council or commissioned'
        END AS lead_organisation
    FROM ordered
    LEFT JOIN listed ON listed.organisation_key = lower(ordered.organisation)
)
SELECT
    episode_id,
    start_date,
    end_date,
    date_trunc('month', start_date)::DATE AS start_month,
    date_trunc('month', end_date)::DATE AS end_month,
    (year(start_date) - CASE WHEN month(start_date) < 4 THEN 1 ELSE 0 END)::INTEGER
        AS financial_year,
    coalesce(district, 'Not known') AS district,
    coalesce(level_of_need, 0)::INTEGER AS level_of_need,
    coalesce(source_group, 'Unknown') AS source_group,
    CASE WHEN end_date IS NOT NULL THEN coalesce(end_reason, 'Not recorded') END AS end_reason,
    lead_organisation,
    lead_organisation IN ('Early years', 'Health', 'Schools') AS partner_led,
    (end_date - start_date)::INTEGER AS days_open,
    episode_number::INTEGER AS episode_number,
    (start_date - previous_start)::INTEGER AS days_since_previous,
    coalesce(start_date - previous_start <= 365, false) AS rereferral_12m
FROM led
ORDER BY start_date, episode_id;
