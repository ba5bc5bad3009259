-- The period each table covers and how many rows it holds.
-- columns: table_name (text), first_date (date), last_date (date), row_count (count)
SELECT table_name, first_date, last_date, row_count FROM mart_coverage ORDER BY table_name;
