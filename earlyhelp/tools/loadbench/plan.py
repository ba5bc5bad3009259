"""What each session of the load benchmark does: the Demand page's filter changes it
cycles through, and the chart title each selection gives."""

from __future__ import annotations

from dataclasses import dataclass, replace

ALL_DISTRICTS, ALL_SOURCES, ALL_LEVELS = "All districts", "All sources", "All levels of need"
#: Referral sources and levels of need with referrals in every demo district.
SOURCES = ("Schools", "Health", "Police", "Individuals", "LA services")
LEVELS = ("Level 2", "Level 3", "Level 1")


# --- What each session does ------------------------------------------------------------------
@dataclass(frozen=True)
class Selection:
    district: str = ALL_DISTRICTS
    source: str = ALL_SOURCES
    level: str = ALL_LEVELS
    per: str = "Month"

    def title(self) -> str:
        """The Demand chart's title for this selection (pages/demand.py)."""
        chosen = [
            text
            for text, is_set in (
                (self.district, self.district != ALL_DISTRICTS),
                (f"from {self.source.lower()}", self.source != ALL_SOURCES),
                (self.level.lower(), self.level != ALL_LEVELS),
            )
            if is_set
        ]
        per = "per week" if self.per == "Week" else "per month"
        return f"Referrals {per}, {', '.join(chosen) if chosen else 'whole borough'}"


@dataclass(frozen=True)
class Change:
    """One filter change: a select box (by its label) or a segmented control (by its key)."""

    control: str
    option: str
    select_box: bool

    def apply(self, selection: Selection) -> Selection:
        fields = {"District": "district", "Referral source": "source", "Level of need": "level"}
        return replace(selection, **{fields.get(self.control, self.control): self.option})


def plan(session: int, districts: list[str]) -> list[Change]:
    """The changes session number `session` cycles through: each filter set, then each set back
    (every change gives a new chart title, so its redrawing can be seen)."""
    district = districts[session % len(districts)]
    source = SOURCES[session % len(SOURCES)]
    level = LEVELS[session % len(LEVELS)]
    return [
        Change("District", district, True),
        Change("Referral source", source, True),
        Change("Level of need", level, True),
        Change("per", "Week", False),
        Change("District", ALL_DISTRICTS, True),
        Change("Referral source", ALL_SOURCES, True),
        Change("Level of need", ALL_LEVELS, True),
        Change("per", "Month", False),
    ]
