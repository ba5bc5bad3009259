"""Roles: the one place that says who may see what.

- `board`: every district, aggregates only; counts protected.
- `district:<name>`: its own district in detail and whole-borough totals; counts protected.
- `manager`: the whole early help service, workers by name; exact counts.
- `manager:<name>`: a manager of one district's service: that district's rows exact and its
  workers by name, and whole-borough totals protected as for the board.

A role kept to a district (`district:<name>`, `manager:<name>`) never gets a row of another
district: not another district's row of a table by district, not a team, organisation or worker
counted over other districts' children (those come counted over its own district's children
only), and it is refused a figure asked for another district.
- `analyst`: everything, exact, including record-level drill-down (`episode_records`).

The query runner (earlyhelp/query/runner.py) enforces these; pages only decide what to draw.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from earlyhelp.core.errors import QueryError

ROLE_KINDS = ("board", "district", "manager", "analyst")
#: Kinds of role that name a district after a colon: required for `district`, optional for
#: `manager` (a manager of one district's service rather than the whole service).
SCOPED_KINDS = ("district", "manager")
#: Kinds of role whose view holds exact figures (all of them, or their own district's).
EXACT_KINDS = ("manager", "analyst")
#: The longest district name a role may give: longer is refused, not truncated.
MAX_DISTRICT_LENGTH = 80
#: How each kind of role is named in a sentence ("... is only for managers and analysts").
ROLE_PLURALS = {
    "board": "board members",
    "district": "district users",
    "manager": "managers",
    "analyst": "analysts",
}


def describe_kinds(kinds: tuple[str, ...] | list[str]) -> str:
    """'managers and analysts' for ('manager', 'analyst'); 'a, b and c' for three."""
    words = [ROLE_PLURALS.get(kind, kind) for kind in kinds]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _district_name(kind: str, text: str) -> str:
    """The district a scoped role names, checked: not empty, not too long, and no control or
    invisible characters (a name is shown on every page and is compared, never run)."""
    name = text.strip()
    if not name:
        raise QueryError(f"the {kind}:<district> role needs a district name, e.g. {kind}:North")
    if len(name) > MAX_DISTRICT_LENGTH:
        raise QueryError(
            f"the district in a {kind} role is at most {MAX_DISTRICT_LENGTH} characters"
        )
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise QueryError(f"the district in a {kind} role has a control character")
    return name


@dataclass(frozen=True)
class Role:
    kind: str
    #: The district a `district:<name>` or `manager:<name>` role is kept to; None otherwise.
    district: str | None = None

    @classmethod
    def parse(cls, text: str) -> Role:
        text = (text or "board").strip()
        kind, colon, district = text.partition(":")
        kind = kind.strip().lower()
        if kind not in ROLE_KINDS:
            raise QueryError(
                f"unknown role {text[:40]!r}: use board, district:<name>, manager, "
                "manager:<name> or analyst"
            )
        if kind == "district" or (kind in SCOPED_KINDS and colon):
            return cls(kind, _district_name(kind, district))
        if colon:
            raise QueryError(f"role {kind!r} takes no district")
        return cls(kind)

    @property
    def exact_counts(self) -> bool:
        """True when the view holds exact figures, everywhere (analyst, manager) or for its own
        district (manager:<name>): such pages and downloads are OFFICIAL-SENSITIVE."""
        return self.kind in EXACT_KINDS

    @property
    def exact_everywhere(self) -> bool:
        """True when nothing this role sees is protected: analysts and whole-service managers."""
        return self.kind in EXACT_KINDS and self.district is None

    @property
    def scoped_manager(self) -> bool:
        return self.kind == "manager" and self.district is not None

    def check_may_see(self, district: str | None) -> None:
        """Refuse a role kept to one district a figure asked for another (None: the borough)."""
        if self.district is not None and district is not None and district != self.district:
            raise QueryError(
                f"the {self} role sees {self.district} and the whole borough, not {district}"
            )

    def exact_for(self, district: str | None) -> bool:
        """Whether figures for `district` (None: the whole borough, or no district) are exact."""
        if self.exact_everywhere:
            return True
        return self.scoped_manager and district is not None and district == self.district

    def __str__(self) -> str:
        """The role as parsed back by `parse`, scope included: cache keys use this."""
        return f"{self.kind}:{self.district}" if self.district is not None else self.kind
