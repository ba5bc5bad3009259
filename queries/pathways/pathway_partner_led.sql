-- "Early help is everybody's business": early help episodes started each financial year (April
-- to March) and how many were led by partners (schools, health, early years) rather than the
-- council or its commissioned providers, by district, with rows 'Borough' for the whole
-- borough. With a district, only it and the borough. Who leads is read from the episode's
-- organisation (see mart_episode_flags). A year the data only partly covers is marked.
-- param district: text, optional. Only this district (default: the whole borough).
-- columns: financial_year (text, e.g. 2024-25), part_year (bool), district (text),
--   episodes (count), partner_led (count), schools (count), health (count), early_years (count),
--   not_recorded (count)
-- counts: episodes, partner_led, schools, health, early_years, not_recorded
WITH coverage AS (
    SELECT first_date, last_date FROM mart_coverage WHERE table_name = 'early_help_episodes'
),
counted AS (
    SELECT
        financial_year,
        district,
        sum(episodes) AS episodes,
        sum(episodes) FILTER (WHERE partner_led) AS partner_led,
        sum(episodes) FILTER (WHERE lead_organisation = 'Schools') AS schools,
        sum(episodes) FILTER (WHERE lead_organisation = 'Health') AS health,
        sum(episodes) FILTER (WHERE lead_organisation = 'Early years') AS early_years,
        sum(episodes) FILTER (WHERE lead_organisation = 'Not recorded') AS not_recorded
    FROM mart_pathway_partners
    GROUP BY ALL
),
with_borough AS (
    SELECT *, 0 AS sort_key FROM counted
    UNION ALL
    SELECT financial_year, 'Borough', sum(episodes), sum(partner_led), sum(schools),
           sum(health), sum(early_years), sum(not_recorded), 1
    FROM counted GROUP BY financial_year
)
SELECT
    w.financial_year || '-' || lpad(((w.financial_year + 1) % 100)::VARCHAR, 2, '0')
        AS financial_year,
    make_date(w.financial_year, 4, 1) < coverage.first_date
        OR make_date(w.financial_year + 1, 3, 31) > coverage.last_date AS part_year,
    w.district,
    w.episodes::BIGINT AS episodes,
    coalesce(w.partner_led, 0)::BIGINT AS partner_led,
    coalesce(w.schools, 0)::BIGINT AS schools,
    coalesce(w.health, 0)::BIGINT AS health,
    coalesce(w.early_years, 0)::BIGINT AS early_years,
    coalesce(w.not_recorded, 0)::BIGINT AS not_recorded
FROM with_borough AS w, coverage
WHERE $district IS NULL OR w.district IN ($district, 'Borough')
ORDER BY w.sort_key, w.district, w.financial_year;
