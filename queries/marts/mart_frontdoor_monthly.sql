-- Mart: contacts into the front door per month, by source group, decision and working days
-- from contact to decision (weekends and England and Wales bank holidays left out, worked out
-- at ingest). decision_days: 0 to 10, 11 meaning 11 or more, null when the contact has no
-- decision date yet (kept null explicitly: least() in DuckDB ignores nulls).
-- Columns: month, district, source_group, decision, decision_days, contacts.
CREATE TABLE mart_frontdoor_monthly AS
SELECT
    date_trunc('month', contact_date)::DATE AS month,
    coalesce(district, 'Not known') AS district,
    coalesce(source_group, 'Unknown') AS source_group,
    decision,
    CASE WHEN decision_working_days IS NOT NULL
         THEN least(decision_working_days, 11) END::INTEGER AS decision_days,
    count(*) AS contacts
FROM contacts
GROUP BY ALL
ORDER BY ALL;
