"""The commented mapping.yaml written beside the extract, and the example shipped in
data/mappings/."""

from __future__ import annotations

import json

from earlyhelp.tools.demo.areas import _borough
from earlyhelp.tools.demo.conventions import (
    ADDRESS_TYPES,
    CASE_WORKER_ROLE,
    END_REASON_CODES,
    END_REASON_OUTCOMES,
    LEVEL_CODES,
    LEVEL_LABELS,
    LOCAL_COLUMNS,
)
from earlyhelp.tools.demo.organisations import _organisation_entries


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's quoting is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def mapping_text(
    flavour: str, organisations: dict[str, tuple[str, str]], *, example: bool = False
) -> str:
    """The commented mapping file for the demo's extract (or, with `example`, the example a
    council copies from data/mappings/): what SSD leaves local, as this extract writes it."""
    mosaic = flavour == "mosaic"
    system = "Mosaic" if mosaic else "SystemC (Liquidlogic)"
    level_column, source_column = LOCAL_COLUMNS[flavour]
    if example:
        lines = [
            f"# An example mapping file for an SSD extract from {system}: copy it beside your",
            "# extract as mapping.yaml (or pass it with `ingest --mapping FILE`) and change the",
            "# local column names and codes to your council's. Every key is optional; docs/DATA.md",
            "# describes each one. The codes below are the demo borough's.",
        ]
    else:
        lines = [
            f"# What this {system}-shaped SSD extract leaves local, read by",
            "# `python -m earlyhelp ingest` from beside the extract. Written by",
            "# `python -m earlyhelp demo`; docs/DATA.md describes each key.",
        ]
    lines += [f"flavour: {flavour}", ""]
    if mosaic:
        lines += [
            "# Values meaning 'no worker recorded' in worker id columns.",
            'placeholders: [SSD_PH, "-1"]',
        ]
    else:
        lines += [
            "# SystemC's SSD writes SSD_PH into earl_episode_worker_id: no worker recorded there",
            "# (early help workers are in ssd_early_help_involvements.csv instead).",
            'placeholders: [SSD_PH, "-1"]',
        ]
    lines += [
        "",
        "early_help_episodes:",
        "  # SSD has no level of need or early help referral source: the local columns.",
        f"  level_of_need_column: {level_column}",
        f"  referral_source_column: {source_column}"
        + ("  # Annex A descriptions" if mosaic else "  # Annex A codes"),
        "  # Local level codes -> level of need 1 to 4.",
        "  levels_of_need:",
    ]
    lines += [f"    {_quoted(c)}: {k + 1}" for k, c in enumerate(LEVEL_CODES[flavour])]
    lines += [
        "  # earl_episode_end_reason: "
        + ("the form's answers" if mosaic else "the local end-reason lookup codes")
        + " -> outcome",
        "  # (met, step-up, disengaged, moved away, no further action or other).",
        "  end_reasons:",
    ]
    lines += [
        f"    {_quoted(code)}: {outcome}"
        for code, outcome in zip(END_REASON_CODES[flavour], END_REASON_OUTCOMES, strict=True)
    ]
    lines += [
        "  # earl_episode_organisation holds "
        + ("organisation ids" if mosaic else "organisation codes")
        + ": each one's name and kind",
        "  # (council, commissioned, school, health, early_years or other).",
        "  organisations:",
    ]
    lines += [
        f"    {_quoted(code)}: {{name: {_quoted(name)}, kind: {kind}}}"
        for code, (name, kind) in organisations.items()
    ]
    lines += [
        "",
        "involvements:",
        "  # ssd_involvements are social care work: invo_referral_id is a cine_referral_id.",
        "  refers_to: cin_referrals",
    ]
    if mosaic:
        lines += [
            "  # No early help involvements: an episode's earl_episode_worker_id (a prof_staff_id)",
            "  # holds it from its start to its end.",
        ]
    else:
        lines += [
            "  # Early help involvements are in ssd_early_help_involvements.csv, where",
            "  # invo_referral_id is an earl_episode_id. Only the allocated case worker (CW) holds",
            "  # a case; TM (team manager oversight) does not.",
        ]
    lines += [
        f"  case_holding_roles: [{CASE_WORKER_ROLE}]",
        "",
        "contacts:",
        "  # SSD has no decision date: a contact is decided 'Early help' when an early help",
        "  # episode for the child starts within this many days of it.",
        "  early_help_within_days: 30",
        "",
        "# The council's names for the levels of need.",
        "level_labels:",
    ]
    lines += [f"  {level}: {_quoted(label)}" for level, label in LEVEL_LABELS.items()]
    lines += [
        "",
        "addresses:",
        "  # Placement addresses (foster homes, residential units) do not move a child's district.",
        f"  exclude_types: [{ADDRESS_TYPES[flavour][1].upper()}]",
    ]
    return "\n".join(lines) + "\n"


def example_mapping_text(flavour: str) -> str:
    """The example shipped in data/mappings/<flavour>.yaml: the demo borough's mapping."""
    return mapping_text(flavour, _organisation_entries(_borough(), flavour), example=True)
