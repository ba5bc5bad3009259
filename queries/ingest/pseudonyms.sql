-- HMAC-SHA256 of each distinct id in `ids` (column raw_id), first 20 hex characters: the same
-- as earlyhelp.load.pseudonymise.pseudonym, vectorised. $inner_key and $outer_key are the council's
-- key padded to the SHA-256 block and combined with the HMAC inner and outer pads (RFC 2104).
SELECT
    raw_id,
    left(sha256($outer_key || unhex(sha256($inner_key || encode(raw_id)))), $length) AS pseudonym
FROM ids
