-- Mart: the period each table covers and its row count (the "data up to" date the pages show).
-- Columns: table_name, first_date, last_date, row_count.
CREATE TABLE mart_coverage AS
SELECT 'early_help_episodes' AS table_name, min(start_date) AS first_date,
       max(start_date) AS last_date, count(*) AS row_count FROM early_help_episodes
UNION ALL
SELECT 'contacts', min(contact_date), max(contact_date), count(*) FROM contacts
UNION ALL
SELECT 'cin_referrals', min(referral_date), max(referral_date), count(*) FROM cin_referrals
UNION ALL
SELECT 'involvements', min(start_date), max(start_date), count(*) FROM involvements;
