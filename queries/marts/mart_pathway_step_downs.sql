-- Mart: social care cases closed per month (by close_date), and step-downs: those closed with
-- reason RC9, "case closed after assessment, referred to early help" (DOMAIN.md).
-- step_downs_started: step-downs whose child started an early help episode within 28 days of
-- the closure (on or after the closure date).
-- Columns: month (of close_date), district, closures, step_downs, step_downs_started.
CREATE TABLE mart_pathway_step_downs AS
WITH closed AS (
    SELECT
        c.referral_id,
        c.close_date,
        coalesce(c.district, 'Not known') AS district,
        c.close_reason = 'RC9' AS step_down,
        c.close_reason = 'RC9' AND EXISTS (
            SELECT 1 FROM early_help_episodes AS e
            WHERE e.child_id = c.child_id
              AND e.start_date BETWEEN c.close_date AND c.close_date + 28
        ) AS started
    FROM cin_referrals AS c
    WHERE c.close_date IS NOT NULL
)
SELECT
    date_trunc('month', close_date)::DATE AS month,
    district,
    count(*) AS closures,
    count(*) FILTER (WHERE step_down) AS step_downs,
    count(*) FILTER (WHERE started) AS step_downs_started
FROM closed
GROUP BY ALL
ORDER BY ALL;
