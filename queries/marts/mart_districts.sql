-- Mart: every district known to the warehouse (from the lookup and from the events).
-- Columns: district.
CREATE TABLE mart_districts AS
SELECT DISTINCT district FROM (
    SELECT district FROM district_lookup_districts
    UNION SELECT district FROM early_help_episodes
    UNION SELECT district FROM contacts
    UNION SELECT district FROM cin_referrals
)
WHERE district IS NOT NULL
ORDER BY district;
