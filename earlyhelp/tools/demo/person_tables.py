"""The person, address and contact tables, written in the flavour's conventions."""

from __future__ import annotations

import numpy as np
import polars as pl

from earlyhelp.core.schema import SOURCE_CODES
from earlyhelp.tools.demo.children import _Children
from earlyhelp.tools.demo.contacts import _Contacts
from earlyhelp.tools.demo.conventions import (
    ADDRESS_TYPES,
    DECISION_FLAGS,
    EXPECTED_DOB_SHARE,
    INDETERMINATE,
    INDETERMINATE_SHARE,
    MOSAIC_OUTCOMES,
    NO_ADDRESS_START_SHARE,
    OUTCOME_COMMENTS,
    OUTCOME_FLAGS,
    PLACEMENT_DAYS,
    PLACEMENT_SHARE,
    QUOTED_COMMENTS,
    QUOTED_SHARE,
    SEX_TEXT,
)
from earlyhelp.tools.demo.frames import _dates, _ints, _labels, _Output, _person_ids
from earlyhelp.tools.demo.settings import (
    _DAY,
    _KEY,
    _OPEN,
    CODES,
    ETHNICITIES,
    EXTRACT_DATE,
    FIRST_DAY,
    INWARD_LETTERS,
)


def _person_table(out: _Output, children: _Children) -> pl.DataFrame:
    """A few children are indeterminate (I); a few have only an estimated date of birth, which
    SSD puts in pers_expected_dob, leaving pers_dob NULL."""
    n = len(children.dob)
    rank = np.arange(n)
    indeterminate = out.style.random(n) < INDETERMINATE_SHARE
    sex = _labels(SEX_TEXT[out.flavour], np.where(indeterminate, INDETERMINATE, children.sex))
    estimated = out.style.random(n) < EXPECTED_DOB_SHARE
    return out.frame(
        "ssd_person",
        {
            "pers_person_id": _person_ids(out.area, rank),
            "pers_forename": pl.Series(["Child"] * n, dtype=pl.String),
            "pers_surname": "Demo" + _ints(rank + 1).cast(pl.String),
            "pers_sex": sex,
            "pers_gender": sex,
            "pers_ethnicity": _labels(ETHNICITIES, children.ethnicity),
            "pers_dob": _dates(np.where(estimated, _OPEN, children.dob)),
            "pers_expected_dob": _dates(np.where(estimated, children.dob, _OPEN)),
        },
    )


def _address_table(out: _Output, children: _Children) -> pl.DataFrame:
    """Home addresses (some first ones without a start date), and for a few children a
    placement address elsewhere in the area at the same time, which is not where the family
    lives and so must not move the child's district."""
    style, area = out.style, out.area
    extract = EXTRACT_DATE.astype(_DAY)
    sectors = np.array([len(s) for s in area.sectors])
    first_sector = np.r_[0, np.cumsum(sectors)[:-1]]

    n_children = len(children.dob)
    first_row = np.searchsorted(children.address_rank, np.arange(n_children))
    placed = np.flatnonzero(style.random(n_children) < PLACEMENT_SHARE)
    earliest = np.maximum(children.address_start[first_row[placed]], FIRST_DAY.astype(_DAY))
    span = np.maximum(extract - 30 - earliest, 1)
    start = earliest + (style.random(len(placed)) * span).astype(_DAY)
    # In another district than the home the child lives at when the placement starts.
    key = children.address_rank * _KEY + children.address_start
    home_row = np.searchsorted(key, placed * _KEY + start, side="right") - 1
    home = children.address_district[home_row]
    n_districts = len(area.districts)
    district = (home + 1 + style.integers(0, n_districts - 1, len(placed))) % n_districts
    end = start + style.integers(*PLACEMENT_DAYS, len(placed)) - 1
    end = np.where(end > extract, _OPEN, end)
    sector = first_sector[district] + (style.random(len(placed)) * sectors[district]).astype(int)
    letters = style.integers(0, len(INWARD_LETTERS), (len(placed), 2))

    is_first = np.zeros(len(children.address_rank), dtype=bool)
    is_first[first_row] = True
    no_start = is_first & (style.random(len(is_first)) < NO_ADDRESS_START_SHARE)

    rank = np.r_[children.address_rank, placed]
    kind = np.r_[np.zeros(len(children.address_rank), dtype=np.int64), np.ones(len(placed), int)]
    starts = np.r_[children.address_start, start]
    ends = np.r_[children.address_end, end]
    sector_index = np.r_[children.address_sector, sector]
    letters = np.r_[children.address_letters, letters]
    no_start = np.r_[no_start, np.zeros(len(placed), dtype=bool)]
    rows = np.lexsort((kind, starts, rank))
    flat = [s for d in area.sectors for s in d]
    postcode = (
        _labels(flat, sector_index[rows])
        + _labels(list(INWARD_LETTERS), letters[rows, 0])
        + _labels(list(INWARD_LETTERS), letters[rows, 1])
    )
    return out.frame(
        "ssd_address",
        {
            "addr_table_id": _ints(area.id_base + 1 + np.arange(len(rows))),
            "addr_person_id": _person_ids(area, rank[rows]),
            "addr_address_type": _labels(ADDRESS_TYPES[out.flavour], kind[rows]),
            "addr_address_start_date": _dates(np.where(no_start[rows], _OPEN, starts[rows])),
            "addr_address_end_date": _dates(ends[rows]),
            "addr_address_postcode": postcode,
        },
    )


def _source_descriptions() -> list[str]:
    return [SOURCE_CODES[c][0] for c in CODES]


def _outcome_json_prefixes() -> tuple[list[str], np.ndarray, list[np.ndarray]]:
    """SystemC's outcome JSON up to the comment, for every decision's flag variants: the texts,
    where each decision's variants start, and their shares."""
    texts: list[str] = []
    offsets, shares = [], []
    for variants in DECISION_FLAGS:
        offsets.append(len(texts))
        shares.append(np.array([share for _flags, share in variants]))
        for flags, _share in variants:
            values = ", ".join(f'"{f}": "{"Y" if f in flags else "N"}"' for f in OUTCOME_FLAGS)
            texts.append("{" + values + f', "NUMBER_OF_OUTCOMES": {len(flags)}, "COMMENTS": "')
    return texts, np.array(offsets), shares


def _contact_table(out: _Output, contacts: _Contacts, children: _Children) -> pl.DataFrame:
    """The decision as the deployment records it: SystemC's outcome flags with a comment (a
    handful of comments quote someone, which breaks the JSON), or Mosaic's next-step names.
    SSD has no decision date: an early help decision shows as the episode starting that day."""
    style = out.style
    n = len(contacts.day)
    variant_draw = style.random(n)
    comment_pick = style.integers(0, len(OUTCOME_COMMENTS[0]), n)
    quoted = style.random(n) < QUOTED_SHARE
    quote_pick = style.integers(0, len(QUOTED_COMMENTS), n)
    if out.mosaic:
        outcome = _labels(MOSAIC_OUTCOMES, contacts.decision)
    else:
        prefixes, offsets, shares = _outcome_json_prefixes()
        variant = np.zeros(n, dtype=np.int64)
        for decision, weights in enumerate(shares):
            chosen = contacts.decision == decision
            variant[chosen] = np.searchsorted(np.cumsum(weights), variant_draw[chosen] * 0.999999)
        comments = [c for options in OUTCOME_COMMENTS for c in options] + list(QUOTED_COMMENTS)
        comment = np.where(
            quoted,
            len(comments) - len(QUOTED_COMMENTS) + quote_pick,
            contacts.decision * len(OUTCOME_COMMENTS[0]) + comment_pick,
        )
        # Every (flags, comment) text is made once, and each contact picks one: a national
        # extract has tens of millions of these.
        texts = [prefix + text + '"}' for prefix in prefixes for text in comments]
        outcome = _labels(texts, (offsets[contacts.decision] + variant) * len(comments) + comment)
    return out.frame(
        "ssd_contacts",
        {
            "cont_contact_id": _ints(out.area.id_base + 1 + np.arange(n)),
            "cont_person_id": _person_ids(out.area, children.rank(contacts.child)),
            "cont_contact_date": _dates(contacts.day),
            "cont_contact_source_code": _labels(CODES, contacts.code),
            "cont_contact_source_desc": _labels(_source_descriptions(), contacts.code),
            "cont_contact_outcome_json": outcome,
        },
    )
