-- Early help episodes closed in the period by how they closed (outcomes met, step-up,
-- disengaged, moved away, no further action, or not recorded), for each level of need or each
-- district, and for all together ('All levels' or 'Borough'). With a district, only that
-- district's closures are counted.
-- param from: date, optional. First month to include (any day in it); default 11 months before `to`.
-- param to: date, optional. Last month to include (any day in it); default the last complete month.
-- param district: text, optional. Only this district (default: the whole borough).
-- param by: text, optional. 'level' (default): one group per level of need; 'district': per district.
-- district is the district the group's closures are of: the group's own with by = 'district'
-- ('Borough' for all together), otherwise the district asked for, or 'Borough'.
-- columns: grp (text: 'Level 1'..'Level 4', 'Level not recorded', 'All levels', or a district,
--   'Borough'), district (text), end_reason (text), closures (count),
--   closed (count, all closures in the group)
-- counts: closures, closed
WITH bounds AS (
    SELECT first_month, last_month FROM report_period($from, $to)
),
reasons(end_reason, reason_order) AS (
    VALUES ('Outcomes met', 1), ('Step-up', 2), ('Disengaged', 3), ('Moved away', 4),
           ('No further action', 5), ('Other', 6), ('Not recorded', 7)
),
selected AS (
    SELECT
        CASE WHEN coalesce($by, 'level') = 'district' THEN district
             WHEN level_of_need = 0 THEN 'Level not recorded'
             ELSE 'Level ' || level_of_need END AS grp,
        end_reason,
        closures
    FROM mart_pathway_durations, bounds
    WHERE month BETWEEN first_month AND last_month
      AND ($district IS NULL OR district = $district)
),
counted AS (
    SELECT grp, 0 AS sort_key, end_reason, sum(closures) AS closures FROM selected GROUP BY ALL
    UNION ALL
    SELECT CASE WHEN coalesce($by, 'level') = 'district' THEN 'Borough' ELSE 'All levels' END,
           1, end_reason, sum(closures)
    FROM selected GROUP BY end_reason
),
grid AS (
    SELECT grp, sort_key, sum(closures) AS closed FROM counted GROUP BY grp, sort_key
)
SELECT grid.grp,
       CASE WHEN coalesce($by, 'level') = 'district' THEN grid.grp
            ELSE coalesce($district, 'Borough') END AS district,
       reasons.end_reason, coalesce(c.closures, 0)::BIGINT AS closures,
       grid.closed::BIGINT AS closed
FROM grid
CROSS JOIN reasons
LEFT JOIN counted AS c ON c.grp = grid.grp AND c.end_reason = reasons.end_reason
WHERE reasons.end_reason <> 'Not recorded'
   OR EXISTS (SELECT 1 FROM counted WHERE end_reason = 'Not recorded')
ORDER BY grid.sort_key, grid.grp, reasons.reason_order;
