-- Mart: contacts into the front door per week (weeks start on Monday) for every selection the
-- Demand page offers, summed ahead, as mart_selection_referrals_weekly is for referrals. Each row
-- is one week of one combination of district, source group and age band, where any of the three
-- may be 'all' (its all_* flag true and its value null), so a selection is read as one row a week
-- instead of being summed from mart_contacts_weekly (millions of rows at national scale). A null
-- district (none recorded) is its own group. contacts_under_18 counts only the age bands the
-- population covers: a rate's numerator (0 when there is no population table).
-- Columns: all_districts, district, all_sources, source_group, all_ages, age_band, week,
--   contacts, contacts_under_18.
CREATE TABLE mart_selection_contacts_weekly AS
SELECT
    grouping(district) = 1 AS all_districts,
    district,
    grouping(source_group) = 1 AS all_sources,
    source_group,
    grouping(age_band) = 1 AS all_ages,
    age_band,
    week,
    sum(contacts)::BIGINT AS contacts,
    coalesce(
        sum(contacts) FILTER (
            WHERE age_band IN (SELECT DISTINCT age_band FROM mart_population_yearly)
        ),
        0
    )::BIGINT AS contacts_under_18
FROM mart_contacts_weekly
GROUP BY week, CUBE (district, source_group, age_band)
-- Sorted so that a selection's rows sit together and a read skips the rest.
ORDER BY all_districts DESC, district, all_sources DESC, source_group, all_ages DESC, age_band,
    week;
