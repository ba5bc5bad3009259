-- Mart: referrals to children's social care in this council's extract by the year to 31 March
-- (year_ending 2025 = April 2024 to March 2025), as DfE publishes them, with re-referrals: a
-- referral of a child with another referral in the 365 days before this referral's date
-- (looking back into earlier years of the extract). Read by benchmark_extract_referrals.
-- Columns: year_ending, referrals, rereferrals.
CREATE TABLE mart_benchmark_extract_years AS
WITH flagged AS (
    SELECT referral_date,
           coalesce(lag(referral_date) OVER (PARTITION BY child_id
                                             ORDER BY referral_date, referral_id)
                    >= referral_date - INTERVAL 365 DAY, false) AS rereferral
    FROM cin_referrals
)
SELECT CASE WHEN month(referral_date) >= 4 THEN year(referral_date) + 1
            ELSE year(referral_date) END AS year_ending,
       count(*) AS referrals, count(*) FILTER (WHERE rereferral) AS rereferrals
FROM flagged
GROUP BY ALL;
