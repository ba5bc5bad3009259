-- Contacts into the front door per week (weeks start on Monday) for a selection of district,
-- contact source group and age band (all optional).
-- Every week in the mart is listed, with 0 where the selection has none, so the series has no
-- gaps. Read from mart_selection_contacts_weekly, where every selection is summed ahead.
-- children is the child population of the selected district(s) and age band(s) in that
-- week's year (null when no population table was supplied, or for ages 18+ and not known):
-- the denominator of a rate per 10,000 children. contacts_under_18 counts only the children in
-- the age bands the population covers (under 18): the rate's numerator.
-- param district: text, optional. Only this district.
-- param source_group: text, optional. Only contacts from this source group.
-- param age_band: text, optional. Only children in this age band.
-- columns: week (text YYYY-MM-DD, the Monday), contacts (count),
--   contacts_under_18 (count), children (number: population estimate, public, not suppressed)
-- counts: contacts, contacts_under_18
WITH periods AS (
    SELECT week FROM mart_selection_contacts_weekly
    WHERE all_districts AND all_sources AND all_ages
),
selected AS (
    SELECT week, contacts, contacts_under_18
    FROM mart_selection_contacts_weekly
    WHERE all_districts = ($district IS NULL) AND district IS NOT DISTINCT FROM $district
      AND all_sources = ($source_group IS NULL) AND source_group IS NOT DISTINCT FROM $source_group
      AND all_ages = ($age_band IS NULL) AND age_band IS NOT DISTINCT FROM $age_band
),
population AS (
    SELECT year, sum(children) AS children
    FROM mart_population_yearly
    WHERE ($district IS NULL OR district = $district)
      AND ($age_band IS NULL OR age_band = $age_band)
    GROUP BY year
)
SELECT
    strftime(periods.week, '%Y-%m-%d') AS week,
    coalesce(selected.contacts, 0)::BIGINT AS contacts,
    coalesce(selected.contacts_under_18, 0)::BIGINT AS contacts_under_18,
    population.children::BIGINT AS children
FROM periods
LEFT JOIN selected USING (week)
LEFT JOIN population ON population.year = year(periods.week)
ORDER BY periods.week;
