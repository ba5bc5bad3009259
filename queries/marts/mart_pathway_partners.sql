-- Mart: early help episodes started per financial year (April to March) by who leads them:
-- partners (schools, health, early years) or the council (and its commissioned providers).
-- From mart_episode_flags.
-- Columns: financial_year (start year, 2024 = 2024-25), district, lead_organisation,
--   partner_led, episodes.
CREATE TABLE mart_pathway_partners AS
SELECT
    financial_year,
    district,
    lead_organisation,
    partner_led,
    count(*) AS episodes
FROM mart_episode_flags
GROUP BY financial_year, district, lead_organisation, partner_led
ORDER BY ALL;
