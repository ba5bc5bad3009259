-- Rows whose key repeats an earlier row's, in file then row order, each with that first row.
-- Runs over the view `staged` (one table's validated rows, read from its Parquet parts), so a
-- table far larger than memory is checked as a whole: duplicates span batches and files.
WITH repeated AS (
    SELECT __key
    FROM staged
    GROUP BY __key
    HAVING count(*) > 1
),
ranked AS (
    SELECT
        source_file,
        source_row,
        __shown AS value,
        first_value(source_file) OVER by_key AS first_file,
        first_value(source_row) OVER by_key AS first_row,
        row_number() OVER by_key AS occurrence
    FROM staged
    WHERE __key IN (SELECT __key FROM repeated)
    WINDOW by_key AS (PARTITION BY __key ORDER BY source_file, source_row)
)
SELECT source_file, source_row, value, first_file, first_row
FROM ranked
WHERE occurrence > 1
ORDER BY source_file, source_row
