-- One table's validated rows without the duplicates found by duplicates.sql (the view
-- `duplicate_rows`), in file then row order, without the staging columns.
SELECT staged.* EXCLUDE (source_file, source_row, __key, __shown)
FROM staged
ANTI JOIN duplicate_rows USING (source_file, source_row)
ORDER BY staged.source_file, staged.source_row
