"""Roles: the one place that says who may see what (DESIGN.md, issue 7 deepens this)."""

from __future__ import annotations

from dataclasses import dataclass

from earlyhelp.errors import QueryError

ROLE_KINDS = ("board", "district", "manager", "analyst")
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


@dataclass(frozen=True)
class Role:
    kind: str
    district: str | None = None

    @classmethod
    def parse(cls, text: str) -> Role:
        text = (text or "board").strip()
        kind, _, district = text.partition(":")
        kind = kind.lower()
        if kind not in ROLE_KINDS:
            raise QueryError(
                f"unknown role {text!r}: use board, district:<name>, manager or analyst"
            )
        if kind == "district" and not district.strip():
            raise QueryError("the district role needs a district name, e.g. district:North")
        if kind != "district" and district:
            raise QueryError(f"role {kind!r} takes no district")
        return cls(kind, district.strip() or None)

    @property
    def exact_counts(self) -> bool:
        """Analysts and managers work with exact figures; everything else is protected."""
        return self.kind in ("analyst", "manager")

    def __str__(self) -> str:
        return f"district:{self.district}" if self.kind == "district" else self.kind
