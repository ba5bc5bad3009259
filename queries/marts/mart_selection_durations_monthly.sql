-- Mart: closed early help episodes by month of closure, how they closed and how long they were
-- open (days, exact), as mart_pathway_durations, with each month also summed over all
-- districts (all_districts true, district null). So the whole borough's closures for a period
-- are read, not summed from 18 million rows at national scale. A null district (none
-- recorded) is its own group. From mart_pathway_durations, so the counts are the same.
-- Columns: all_districts, district, month, level_of_need (0 = not recorded), end_reason,
--   days_open, closures.
CREATE TABLE mart_selection_durations_monthly AS
SELECT
    grouping(district) = 1 AS all_districts,
    district,
    month,
    level_of_need,
    end_reason,
    days_open,
    sum(closures)::BIGINT AS closures
FROM mart_pathway_durations
GROUP BY GROUPING SETS (
    (month, district, level_of_need, end_reason, days_open),
    (month, level_of_need, end_reason, days_open)
)
-- Sorted so that a district's (or the borough's) months sit together and a read skips the rest.
ORDER BY all_districts DESC, district, month, level_of_need, end_reason, days_open;
