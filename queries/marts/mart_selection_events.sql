-- Mart: referrals and contacts, per month and per week, for every selection the Demand page
-- offers, summed ahead. Each row is one period of one measure for one combination of district,
-- source group, level of need and age band, where any of the four may be 'all' (its all_* flag
-- true and its value null), so a selection, the whole borough or a narrow one, is read as one
-- row a period instead of being summed from the detailed marts (mart_referrals_by_period and
-- mart_contacts_by_period: millions of rows at national scale). From those marts, so the
-- counts are the same by construction; a null district (none recorded) is its own group.
-- Contacts have no level of need: theirs is always 'all'.
-- events_under_18 counts only the age bands the population covers: a rate's numerator (0 when
-- there is no population table). Read through the selection_series macro (queries/macros/).
-- Columns: measure ('referrals' or 'contacts'), period ('month' or 'week'), period_start (the
--   month's first day or the week's Monday), all_districts, district, all_sources,
--   source_group, all_levels, level_of_need, all_ages, age_band, events, events_under_18.
CREATE TABLE mart_selection_events AS
WITH events AS (
    SELECT 'referrals' AS measure, period, period_start, district, source_group, level_of_need,
        age_band, referrals AS events
    FROM mart_referrals_by_period
    UNION ALL
    SELECT 'contacts', period, period_start, district, source_group, NULL, age_band, contacts
    FROM mart_contacts_by_period
)
SELECT
    measure,
    period,
    period_start,
    grouping(district) = 1 AS all_districts,
    district,
    grouping(source_group) = 1 AS all_sources,
    source_group,
    grouping(level_of_need) = 1 AS all_levels,
    level_of_need,
    grouping(age_band) = 1 AS all_ages,
    age_band,
    sum(events)::BIGINT AS events,
    coalesce(
        sum(events) FILTER (
            WHERE age_band IN (SELECT DISTINCT age_band FROM mart_population_yearly)
        ),
        0
    )::BIGINT AS events_under_18
FROM events
GROUP BY measure, period, period_start, CUBE (district, source_group, level_of_need, age_band)
HAVING measure = 'referrals' OR grouping(level_of_need) = 1
-- Sorted so that a selection's rows sit together and a read skips the rest.
ORDER BY measure, period, all_districts DESC, district, all_sources DESC, source_group,
    all_levels DESC, level_of_need, all_ages DESC, age_band, period_start;
