-- Mart: referrals per week (weeks start on Monday) for every selection the Demand page offers,
-- summed ahead. Each row is one week of one combination of district, source group, level of need
-- and age band, where any of the four may be 'all' (its all_* flag true and its value null), so a
-- selection, the whole borough or a narrow one, is read as one row a week instead of being summed
-- from mart_referrals_weekly (millions of rows at national scale). From mart_referrals_weekly, so
-- the counts are the same by construction; a null district (none recorded) is its own group.
-- referrals_under_18 counts only the age bands the population covers: a rate's numerator (0 when
-- there is no population table).
-- Columns: all_districts, district, all_sources, source_group, all_levels, level_of_need,
--   all_ages, age_band, week, referrals, referrals_under_18.
CREATE TABLE mart_selection_referrals_weekly AS
SELECT
    grouping(district) = 1 AS all_districts,
    district,
    grouping(source_group) = 1 AS all_sources,
    source_group,
    grouping(level_of_need) = 1 AS all_levels,
    level_of_need,
    grouping(age_band) = 1 AS all_ages,
    age_band,
    week,
    sum(referrals)::BIGINT AS referrals,
    coalesce(
        sum(referrals) FILTER (
            WHERE age_band IN (SELECT DISTINCT age_band FROM mart_population_yearly)
        ),
        0
    )::BIGINT AS referrals_under_18
FROM mart_referrals_weekly
GROUP BY week, CUBE (district, source_group, level_of_need, age_band)
-- Sorted so that a selection's rows sit together and a read skips the rest.
ORDER BY all_districts DESC, district, all_sources DESC, source_group, all_levels DESC,
    level_of_need, all_ages DESC, age_band, week;
