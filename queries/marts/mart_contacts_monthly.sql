-- Mart: contacts into the front door per month, with the decision and how long it took: the
-- month rows of mart_contacts_by_period, under the month's own column name.
-- decision_days: working days from contact to decision, 11 meaning 11 or more; null = no decision.
-- Columns: month, district, source_group, age_band, decision, decision_days, contacts.
CREATE TABLE mart_contacts_monthly AS
SELECT period_start AS month, * EXCLUDE (period, period_start)
FROM mart_contacts_by_period
WHERE period = 'month'
ORDER BY ALL;
