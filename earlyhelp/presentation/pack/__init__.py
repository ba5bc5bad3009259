"""The committee pack: the figures the app shows, for one role, as an accessible PDF paper or a
PowerPoint deck (issue 20). `build` is the one entry point (the command line's `pack` and the
Committee pack page both call it):

    content.build_content  the sections' figures, charts, tables and sentences (a `Pack`),
                           every figure from QueryRunner.run for the role
    images.render          each chart drawn as a PNG by Plotly's static export (kaleido)
    pdf.write / deck.write the same Pack as tagged PDF/UA-1 or as .pptx
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from earlyhelp.core.errors import QueryError
from earlyhelp.presentation.pack import deck, images, pdf
from earlyhelp.presentation.pack.content import (
    DEFAULT_TITLE,
    SECTIONS,
    build_content,
    parse_sections,
)
from earlyhelp.presentation.pack.model import Pack
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner

FORMATS = {".pdf": pdf.write, ".pptx": deck.write}

__all__ = [
    "DEFAULT_TITLE",
    "FORMATS",
    "SECTIONS",
    "build",
    "build_content",
    "parse_sections",
    "write",
]


def write(pack: Pack, out: Path, progress: Callable[[str], None] | None = None) -> Path:
    """Draw the pack's charts (once) and write it as the file's suffix says."""
    out = Path(out)
    writer = FORMATS.get(out.suffix.lower())
    if writer is None:
        raise QueryError(f"a pack is written as .pdf or .pptx, not {out.suffix or out.name!r}")
    images.render(pack.charts, progress)
    if progress:
        progress(f"Writing the {out.suffix.lower()[1:].upper()}")
    writer(pack, out)
    return out


def build(
    runner: QueryRunner,
    out: Path,
    role: Role,
    *,
    sections: Iterable[str] | str | None = None,
    district: str | None = None,
    title: str | None = None,
    meeting_date: date | None = None,
    progress: Callable[[str], None] | None = None,
    demand_filters: dict | None = None,
) -> Pack:
    """Work out the pack for the role and write it to `out` (.pdf or .pptx)."""
    if Path(out).suffix.lower() not in FORMATS:
        raise QueryError(f"a pack is written as .pdf or .pptx, not {Path(out).suffix!r}")
    pack = build_content(
        runner,
        role,
        sections_wanted=sections,
        district=district,
        title=title,
        meeting_date=meeting_date,
        progress=progress,
        demand_filters=demand_filters,
    )
    write(pack, out, progress)
    return pack
