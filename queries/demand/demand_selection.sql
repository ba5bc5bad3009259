-- Referrals to early help or contacts into the front door, per month or per week, for a
-- selection of district, source group, level of need and age band (all optional; none given
-- means the whole borough): the one query behind every series on the Demand page (the
-- selection_series macro; referrals_filtered, referrals_filtered_weekly, contacts_filtered and
-- contacts_filtered_weekly are the same series under their earlier names and columns).
-- Every period is listed, with 0 where the selection has none. children is the child
-- population of the selection in the period's year (null without a population table, or for
-- ages 18+ and not known): a rate's denominator; events_under_18 is its numerator.
-- param measure: text, required. 'referrals' or 'contacts'.
-- param period: text, required. 'month' or 'week' (weeks start on Monday).
-- param district: text, optional. Only this district.
-- param source_group: text, optional. Only referrals or contacts from this source group.
-- param level_of_need: int, optional. Only this level of need (1 to 4, 0 = not recorded; referrals only, contacts have none).
-- param age_band: text, optional. Only children in this age band.
-- columns: period (text YYYY-MM, or YYYY-MM-DD for the week's Monday), events (count),
--   events_under_18 (count), children (number: population estimate, public, not suppressed)
-- counts: events, events_under_18
SELECT period, events, events_under_18, children
FROM selection_series(
    -- A measure or period the mart does not hold is refused, not shown as an empty series.
    CASE WHEN $measure IN ('referrals', 'contacts') THEN $measure
         ELSE error('measure must be referrals or contacts') END,
    CASE WHEN $period IN ('month', 'week') THEN $period
         ELSE error('period must be month or week') END,
    $district, $source_group, CASE WHEN $measure = 'referrals' THEN $level_of_need END, $age_band
)
ORDER BY period;
