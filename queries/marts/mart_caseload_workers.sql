-- Mart: every worker who holds or held an early help involvement, or is in the staff list (an
-- empty worker_id is no worker).
-- fte is null when it is missing or 0 (not recorded); worker_label is a pseudonymous label
-- ('Practitioner 014') for views that must not show names, stable within a warehouse version.
-- Columns: worker_id, worker_name, worker_label, job_title, department, agency, fte.
CREATE TABLE mart_caseload_workers AS
WITH ids AS (
    SELECT worker_id FROM workers WHERE nullif(trim(worker_id), '') IS NOT NULL
    UNION
    SELECT worker_id FROM mart_case_involvements WHERE nullif(trim(worker_id), '') IS NOT NULL
)
SELECT
    ids.worker_id,
    w.worker_name,
    'Practitioner ' || lpad(
        CAST(row_number() OVER (ORDER BY md5(ids.worker_id), ids.worker_id) AS VARCHAR), 3, '0'
    ) AS worker_label,
    w.job_title,
    w.department,
    w.agency,
    CASE WHEN w.fte > 0 THEN w.fte END AS fte
FROM ids
LEFT JOIN workers AS w USING (worker_id)
ORDER BY ids.worker_id;
