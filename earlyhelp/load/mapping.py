"""A council's mapping file: what the Standard Safeguarding Dataset leaves to each council.

SSD fixes the tables and columns but not every value: the level of need and the early help
referral source are local columns, end reasons and organisations are local codes, and which
kinds of involvement hold a case differs between case systems. `mapping.yaml` beside an
extract (or `ingest --mapping FILE`) declares them, so the reader needs no council's names in
code. Commented examples for SystemC and Mosaic are in data/mappings/.

A bad file stops the ingest with one line naming the file, the key and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from earlyhelp.core import schema
from earlyhelp.core.errors import UnusableInput

MAPPING_FILE = "mapping.yaml"

# The outcome words a mapping file may use, and the canonical end reason each stands for.
OUTCOME_WORDS = {
    "met": "Outcomes met",
    "outcomes met": "Outcomes met",
    "step-up": "Step-up",
    "step up": "Step-up",
    "disengaged": "Disengaged",
    "moved away": "Moved away",
    "no further action": "No further action",
    "nfa": "No further action",
    "other": schema.OTHER_END_REASON,
}
ORGANISATION_KINDS = ("council", "commissioned", "school", "health", "early_years", "other")
INVOLVEMENT_TARGETS = ("cin_referrals", "early_help_episodes")
DEFAULT_PLACEHOLDERS = ("SSD_PH", "-1")
DEFAULT_EARLY_HELP_WITHIN_DAYS = 30
# Address types that are not where the child's family lives (SystemC and Mosaic both record
# placements as address types); matched by prefix, ignoring case.
DEFAULT_EXCLUDED_ADDRESS_PREFIXES = ("PLAC",)

_KNOWN_KEYS = {
    "flavour",
    "placeholders",
    "early_help_episodes",
    "involvements",
    "contacts",
    "level_labels",
    "addresses",
}
_EPISODE_KEYS = {
    "level_of_need_column",
    "referral_source_column",
    "levels_of_need",
    "end_reasons",
    "organisations",
}


@dataclass(frozen=True)
class Organisation:
    name: str
    kind: str | None = None


@dataclass(frozen=True)
class Mapping:
    """What one council's extract means; the defaults are SSD as specified."""

    path: Path | None = None
    flavour: str | None = None
    placeholders: tuple[str, ...] = DEFAULT_PLACEHOLDERS
    level_of_need_column: str | None = None
    referral_source_column: str | None = None
    levels_of_need: dict[str, int] = field(default_factory=dict)
    end_reasons: dict[str, str] = field(default_factory=dict)  # local code -> canonical
    organisations: dict[str, Organisation] = field(default_factory=dict)
    involvements_refer_to: str = "cin_referrals"
    case_holding_roles: tuple[str, ...] | None = None  # None: every involvement holds a case
    early_help_within_days: int = DEFAULT_EARLY_HELP_WITHIN_DAYS
    level_labels: dict[int, str] = field(default_factory=dict)
    excluded_address_types: tuple[str, ...] | None = None  # None: the default prefixes

    def summary(self) -> dict:
        """What the manifest records of the mapping used."""
        return {
            "file": str(self.path) if self.path else None,
            "flavour": self.flavour,
            "level_of_need_column": self.level_of_need_column,
            "referral_source_column": self.referral_source_column,
            "end_reason_codes": len(self.end_reasons),
            "organisation_codes": len(self.organisations),
            "involvements_refer_to": self.involvements_refer_to,
            "case_holding_roles": list(self.case_holding_roles)
            if self.case_holding_roles is not None
            else None,
            "early_help_within_days": self.early_help_within_days,
        }


def find_mapping(folder: Path) -> Path | None:
    candidate = Path(folder) / MAPPING_FILE
    return candidate if candidate.is_file() else None


def _fail(path: Path, key: str, problem: str) -> UnusableInput:
    return UnusableInput(f"{path}: {key}: {problem}")


def _text(value: object) -> str:
    return str(value).strip()


def _section(path: Path, data: dict, key: str) -> dict:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise _fail(path, key, "must be a set of 'name: value' lines")
    return value


def _code_map(path: Path, key: str, value: object) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(path, key, "must be a set of 'code: value' lines")
    return value


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; every problem names the file and the key."""
    path = Path(path)
    if not path.is_file():
        raise UnusableInput(f"{path}: mapping file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise UnusableInput(f"{path}: not a readable YAML file{line}") from exc
    if not isinstance(data, dict):
        raise UnusableInput(f"{path}: expected 'key: value' lines at the top level")
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise _fail(path, unknown[0], f"unknown key (known: {', '.join(sorted(_KNOWN_KEYS))})")

    episodes = _section(path, data, "early_help_episodes")
    unknown = sorted(set(episodes) - _EPISODE_KEYS)
    if unknown:
        raise _fail(path, f"early_help_episodes.{unknown[0]}", "unknown key")

    levels: dict[str, int] = {}
    for code, level in _code_map(
        path, "early_help_episodes.levels_of_need", episodes.get("levels_of_need")
    ).items():
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 4:
            raise _fail(
                path,
                f"early_help_episodes.levels_of_need.{code}",
                f"level must be a whole number from 1 to 4, not {level!r}",
            )
        levels[_text(code).upper()] = level

    end_reasons: dict[str, str] = {}
    for code, outcome in _code_map(
        path, "early_help_episodes.end_reasons", episodes.get("end_reasons")
    ).items():
        canonical = OUTCOME_WORDS.get(_text(outcome).lower())
        if canonical is None:
            raise _fail(
                path,
                f"early_help_episodes.end_reasons.{code}",
                f"unknown outcome {outcome!r} (use met, step-up, disengaged, moved away, "
                "no further action or other)",
            )
        end_reasons[_text(code).upper()] = canonical

    organisations: dict[str, Organisation] = {}
    for code, entry in _code_map(
        path, "early_help_episodes.organisations", episodes.get("organisations")
    ).items():
        key = f"early_help_episodes.organisations.{code}"
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or not _text(entry.get("name") or ""):
            raise _fail(path, key, "give a name, e.g. {name: Targeted Early Help, kind: council}")
        kind = entry.get("kind")
        if kind is not None and _text(kind).lower() not in ORGANISATION_KINDS:
            raise _fail(path, key, f"unknown kind {kind!r} (use {', '.join(ORGANISATION_KINDS)})")
        organisations[_text(code).upper()] = Organisation(
            _text(entry["name"]), _text(kind).lower() if kind is not None else None
        )

    involvements = _section(path, data, "involvements")
    refers_to = _text(involvements.get("refers_to", "cin_referrals"))
    if refers_to not in INVOLVEMENT_TARGETS:
        raise _fail(
            path,
            "involvements.refers_to",
            f"{refers_to!r} is not cin_referrals or early_help_episodes",
        )
    roles = involvements.get("case_holding_roles")
    if roles is not None and not isinstance(roles, list):
        raise _fail(path, "involvements.case_holding_roles", "must be a list, e.g. [CW]")

    contacts = _section(path, data, "contacts")
    within = contacts.get("early_help_within_days", DEFAULT_EARLY_HELP_WITHIN_DAYS)
    if not isinstance(within, int) or isinstance(within, bool) or not 0 <= within <= 365:
        raise _fail(
            path, "contacts.early_help_within_days", "must be a whole number of days, 0 to 365"
        )

    labels: dict[int, str] = {}
    for level, label in _code_map(path, "level_labels", data.get("level_labels")).items():
        if str(level).strip() not in ("1", "2", "3", "4"):
            raise _fail(path, f"level_labels.{level}", "levels are 1 to 4")
        labels[int(str(level).strip())] = _text(label)

    addresses = _section(path, data, "addresses")
    excluded = addresses.get("exclude_types")
    if excluded is not None and not isinstance(excluded, list):
        raise _fail(path, "addresses.exclude_types", "must be a list, e.g. [PLACEMENT]")

    placeholders = data.get("placeholders", list(DEFAULT_PLACEHOLDERS))
    if not isinstance(placeholders, list):
        raise _fail(path, "placeholders", "must be a list, e.g. [SSD_PH, '-1']")

    def column_name(key: str) -> str | None:
        value = episodes.get(key)
        return _text(value).lower() if value else None

    return Mapping(
        path=path,
        flavour=_text(data["flavour"]).lower() if data.get("flavour") else None,
        placeholders=tuple(_text(p) for p in placeholders),
        level_of_need_column=column_name("level_of_need_column"),
        referral_source_column=column_name("referral_source_column"),
        levels_of_need=levels,
        end_reasons=end_reasons,
        organisations=organisations,
        involvements_refer_to=refers_to,
        case_holding_roles=tuple(_text(r).upper() for r in roles) if roles is not None else None,
        early_help_within_days=within,
        level_labels=labels,
        excluded_address_types=tuple(_text(t).upper() for t in excluded)
        if excluded is not None
        else None,
    )
