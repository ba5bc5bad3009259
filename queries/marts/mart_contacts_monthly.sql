-- Mart: contacts into the front door per month, with the decision and how long it took.
-- decision_days: working days from contact to decision, 11 meaning 11 or more; null = no decision.
-- Columns: month, district, source_group, age_band, decision, decision_days, contacts.
CREATE TABLE mart_contacts_monthly AS
SELECT
    date_trunc('month', contact_date)::DATE AS month,
    district,
    source_group,
    age_band,
    decision,
    -- least() ignores nulls, so least(null, 11) is 11: keep a contact with no decision null.
    CASE WHEN decision_working_days IS NOT NULL THEN least(decision_working_days, 11) END
        AS decision_days,
    count(*) AS contacts
FROM contacts
GROUP BY ALL
ORDER BY ALL;
