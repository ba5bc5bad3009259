-- Contacts into the front door per month for a selection of district, contact source group and
-- age band (all optional; contacts have no level of need).
-- Every month in the mart is listed, with 0 where the selection has none, so the series has no
-- gaps. The demand_selection series under its earlier name and columns.
-- children is the child population of the selected district(s) and age band(s) in that
-- month's year (null when no population table was supplied, or for ages 18+ and not known):
-- the denominator of a rate per 10,000 children. contacts_under_18 counts only the children in
-- the age bands the population covers (under 18): the rate's numerator.
-- param district: text, optional. Only this district.
-- param source_group: text, optional. Only contacts from this source group.
-- param age_band: text, optional. Only children in this age band.
-- columns: month (text YYYY-MM), contacts (count),
--   contacts_under_18 (count), children (number: population estimate, public, not suppressed)
-- counts: contacts, contacts_under_18
SELECT period AS month, events AS contacts, events_under_18 AS contacts_under_18, children
FROM selection_series('contacts', 'month', $district, $source_group, NULL, $age_band)
ORDER BY month;
