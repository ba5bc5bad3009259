-- Mart: children living in each district and age band, for every calendar year the activity
-- covers. A year without its own mid-year estimate takes the nearest one (the earlier one on a
-- tie), since the latest estimates lag the extract by a year or two. Empty when no population
-- table was supplied.
-- Columns: year, district, age_band, children, estimate_year (the estimate used).
CREATE TABLE mart_population_yearly AS
WITH activity_years AS (
    SELECT DISTINCT year(start_date) AS year FROM early_help_episodes
    UNION
    SELECT DISTINCT year(contact_date) FROM contacts
),
candidates AS (
    SELECT
        activity_years.year,
        population.district,
        population.age_band,
        population.year AS estimate_year,
        population.children,
        abs(population.year - activity_years.year) * 2
            + (population.year > activity_years.year)::INTEGER AS distance
    FROM activity_years
    CROSS JOIN population
)
SELECT
    year,
    district,
    age_band,
    arg_min(children, distance)::BIGINT AS children,
    arg_min(estimate_year, distance)::INTEGER AS estimate_year
FROM candidates
GROUP BY ALL
ORDER BY ALL;
