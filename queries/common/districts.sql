-- Every district in the warehouse, for filters.
-- columns: district (text)
SELECT district FROM mart_districts ORDER BY district;
