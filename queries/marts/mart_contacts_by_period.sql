-- Mart: contacts into the front door per calendar month and per week (weeks start on Monday),
-- with the decision and how long it took, counted once for both periods: the one definition
-- that mart_contacts_monthly and mart_selection_events read.
-- decision_days: working days from contact to decision, 11 meaning 11 or more; null = no decision.
-- Columns: period ('month' or 'week'), period_start (date: the month's first day or the week's
--   Monday), district, source_group, age_band, decision, decision_days, contacts.
CREATE TABLE mart_contacts_by_period AS
SELECT
    period,
    date_trunc(period, contact_date)::DATE AS period_start,
    district,
    source_group,
    age_band,
    decision,
    -- least() ignores nulls, so least(null, 11) is 11: keep a contact with no decision null.
    CASE WHEN decision_working_days IS NOT NULL THEN least(decision_working_days, 11) END
        AS decision_days,
    count(*) AS contacts
FROM contacts, (VALUES ('month'), ('week')) AS periods(period)
GROUP BY ALL
ORDER BY ALL;
