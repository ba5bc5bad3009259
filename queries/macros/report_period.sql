-- The reporting period most named queries count over, written once: report_period(from, to)
-- returns one row, first_month and last_month (each the first day of its month).
-- `to`: any day in the last month to include; default the data's last complete month: the
-- month of the last early help date (mart_coverage) if that date is the month's last day,
-- otherwise the month before it, so a part month is never reported as a whole one.
-- `from`: any day in the first month to include; default 11 months before `to` (12 months).
-- A query calls it as `SELECT first_month, last_month FROM report_period($from, $to)`.
-- last_complete_month(day): the first day of the last whole month up to that day (the day's
-- own month if it is the month's last day, otherwise the month before).
CREATE OR REPLACE MACRO last_complete_month(day) AS
    CASE WHEN day = last_day(day) THEN date_trunc('month', day)
         ELSE date_trunc('month', day) - INTERVAL 1 MONTH END::DATE;

CREATE OR REPLACE MACRO report_period(from_day, to_day) AS TABLE
WITH last_complete AS (
    SELECT coalesce(date_trunc('month', to_day::DATE), last_complete_month(last_date))::DATE
               AS last_month
    FROM mart_coverage
    WHERE table_name = 'early_help_episodes'
)
SELECT coalesce(date_trunc('month', from_day::DATE), last_month - INTERVAL 11 MONTH)::DATE
           AS first_month,
       last_month
FROM last_complete;

-- report_months(from, to): one row per month of report_period(from, to), in order:
-- month_start (the month's first day, as range() gives it) and month (text YYYY-MM).
CREATE OR REPLACE MACRO report_months(from_day, to_day) AS TABLE
SELECT strftime(m, '%Y-%m') AS month, m AS month_start
FROM report_period(from_day, to_day),
    range(first_month, last_month + INTERVAL 1 DAY, INTERVAL 1 MONTH) AS t(m);
