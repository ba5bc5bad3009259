-- Referrals to early help per month for a selection of district, referral source group, level
-- of need and age band (all optional; none given means the whole borough).
-- Every month in the mart is listed, with 0 where the selection has none, so the series has no
-- gaps. The demand_selection series under its earlier name and columns.
-- children is the child population of the selected district(s) and age band(s) in that
-- month's year (null when no population table was supplied, or for ages 18+ and not known):
-- the denominator of a rate per 10,000 children. referrals_under_18 counts only the children in
-- the age bands the population covers (under 18): the rate's numerator.
-- param district: text, optional. Only this district.
-- param source_group: text, optional. Only referrals from this source group.
-- param age_band: text, optional. Only children in this age band.
-- param level_of_need: int, optional. Only this level of need (1 to 4; 0 = not recorded).
-- columns: month (text YYYY-MM), referrals (count),
--   referrals_under_18 (count), children (number: population estimate, public, not suppressed)
-- counts: referrals, referrals_under_18
SELECT period AS month, events AS referrals, events_under_18 AS referrals_under_18, children
FROM selection_series('referrals', 'month', $district, $source_group, $level_of_need, $age_band)
ORDER BY month;
