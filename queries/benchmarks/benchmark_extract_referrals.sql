-- Referrals to children's social care counted from this council's own extract (cin_referrals:
-- SSD ssd_cin_episodes or Annex A List 3; mart_benchmark_extract_years), by the year to 31
-- March that DfE publishes them by, to set beside the published figures: referrals, and re-referrals within 12 months (a
-- referral of a child with another referral in the 365 days before this referral's date, as
-- DfE counts them within the year; earlier referrals in the extract are looked back to, so the
-- first year of an extract undercounts them: lookback_complete says whether 365 days before
-- the year are in the extract). Only years the extract covers whole (its referrals begin in the
-- year's first week and go on into its last week).
-- Counts are protected for board and district roles; the percentage is withheld with them.
-- columns: year_ending (int: the year to 31 March of this year), period_start (date),
--   period_end (date), referrals (count), rereferrals (count), rereferral_pct (number),
--   lookback_complete (yes/no)
-- counts: referrals, rereferrals
-- statistics: rereferral_pct (from rereferrals, referrals)
WITH bounds AS (
    SELECT first_date, last_date FROM mart_coverage WHERE table_name = 'cin_referrals'
)
SELECT y.year_ending, make_date(y.year_ending - 1, 4, 1) AS period_start,
       make_date(y.year_ending, 3, 31) AS period_end, y.referrals, y.rereferrals,
       round(100.0 * y.rereferrals / nullif(y.referrals, 0), 1) AS rereferral_pct,
       b.first_date <= make_date(y.year_ending - 1, 4, 1) - INTERVAL 358 DAY AS lookback_complete
FROM mart_benchmark_extract_years y, bounds b
WHERE b.first_date < make_date(y.year_ending - 1, 4, 8)
  AND b.last_date > make_date(y.year_ending, 3, 24)
ORDER BY y.year_ending;
