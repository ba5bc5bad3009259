"""Files to download: CSVs of the tables shown and the committee pack's PDF and
PowerPoint files, named after the page and selection, and marked when exact."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from earlyhelp.core import csv_safe
from earlyhelp.core.errors import QueryError
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from earlyhelp.ui.layout import presenting
from earlyhelp.ui.session import current_role, marking

#: What this run's CSVs are named after: [page, *selection], as name parts (see name_downloads).
_DOWNLOAD_NAMING = "_download_naming"


def _name_part(text: str) -> str:
    """'North, aged 5-9' -> 'north-aged-5-9': a part of a file name any system accepts."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def name_downloads(page: str, *selection: str | None) -> None:
    """Name every CSV the page offers after the page and the selection that chose its figures
    (the filters a person set, in words: 'North', 'aged 5-9'; None for a filter left at its
    default), so that a saved file says what it holds: 'demand_referrals_per_month_north.csv'.
    app.py names the page on every run; a page with filters calls this again with them."""
    parts = [page, *(_name_part(s) for s in selection if s)]  # a page's url path is safe
    st.session_state[_DOWNLOAD_NAMING] = [p for p in parts if p]


def download_file_name(name: str) -> str:
    """The file name (without extension) of a table's CSV: the page, the table's own name
    and the selection (name_downloads); the page is not repeated when `name` starts with it."""
    page, *selection = st.session_state.get(_DOWNLOAD_NAMING) or [""]
    stem = name if not page or name == page or name.startswith(f"{page}_") else f"{page}_{name}"
    return "_".join([stem, *selection])


def download_table(
    table: pl.DataFrame,
    name: str,
    key: str | None = None,
    label: str = "Download this table (CSV)",
) -> None:
    """A CSV of exactly the table shown, except that a text cell a spreadsheet would run as a
    formula (a team named `=1+2`) starts with a quote (earlyhelp.core.csv_safe); named as
    `_download`
    names every file."""
    _download(
        label,
        csv_safe.to_csv(table),
        f"{download_file_name(name)}.csv",
        "text/csv",
        key or f"download-{name}",
    )


def _download(label: str, data: str | bytes, file_name: str, mime: str, key: str) -> None:
    """The one download button: exact figures carry their marking at the front of the file name,
    so a saved file says what it is wherever it ends up."""
    role = current_role()
    prefix = f"{marking(role)}_" if role.exact_counts else ""
    st.download_button(
        label, data=data, file_name=f"{prefix}{file_name}", mime=mime, on_click="ignore", key=key
    )


# --- Committee pack -----------------------------------------------------------------------------
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PACK_FORMATS = {"PDF": ("pdf", "application/pdf"), "PowerPoint": ("pptx", PPTX_MIME)}


def build_pack_files(
    runner: QueryRunner,
    role: Role,
    *,
    sections: list[str],
    district: str | None,
    title: str,
    meeting: dt.date,
    demand_filters: dict | None = None,
) -> tuple[dict[str, bytes], str, int] | None:
    """The pack as a PDF and a PowerPoint file (label -> bytes), its marking and its number of
    charts, built with its progress shown; None, with the reason shown, when it cannot be.

    Built on this session's own thread (Streamlit runs each session on one), with its own DuckDB
    cursor (QueryRunner), so other people's pages are not held up while it builds."""
    from earlyhelp.presentation import (
        pack,  # weasyprint and python-pptx: loaded only when a pack is built
    )

    files = {}
    with st.status("Building the committee pack...", expanded=True) as status:
        try:
            content = pack.build_content(
                runner,
                role,
                sections_wanted=sections,
                district=district,
                title=title,
                meeting_date=meeting,
                progress=st.write,
                demand_filters=demand_filters,
            )
            with tempfile.TemporaryDirectory() as folder:
                for label, (suffix, _) in PACK_FORMATS.items():
                    out = Path(folder) / f"pack.{suffix}"
                    pack.write(content, out, progress=st.write)
                    files[label] = out.read_bytes()
        except QueryError as exc:
            status.update(label="The pack could not be built", state="error")
            st.error(str(exc))
            return None
        status.update(label="The committee pack is ready", state="complete", expanded=False)
    return files, content.marking, len(content.charts)


def pack_download_buttons(
    files: dict[str, bytes], *, stem: str, meeting: dt.date, key: str
) -> None:
    """A download button for each of the pack's files; exact figures carry their marking in the
    file name, as the CSVs do."""
    with st.container(horizontal=True, gap="small"):
        for label, (suffix, mime) in PACK_FORMATS.items():
            _download(
                f"Download the {label} ({len(files[label]) / 1_000_000:.1f} MB)",
                files[label],
                f"{stem}_{meeting.isoformat()}.{suffix}",
                mime,
                f"{key}-{suffix}",
            )


def page_pack(
    runner: QueryRunner,
    section: str,
    *,
    district: str | None = None,
    demand_filters: dict | None = None,
) -> None:
    """A button that makes a committee pack of this page alone (its section of the Committee
    pack page's pack, for the same selection), then offers the PDF and the PowerPoint file.
    Not shown in presentation mode."""
    if presenting():
        return
    from earlyhelp.presentation import pack

    role = current_role()
    state = f"page_pack_{section}"
    requested = f"{state}_requested"
    today = dt.date.today()
    choices = (district, tuple((demand_filters or {}).items()), str(role), runner.version)
    # The click is kept by its callback, which runs before the script (as on the pack page).
    st.button(
        "Committee pack of this page",
        key=f"build-{state}",
        icon=":material/slideshow:",
        on_click=lambda: st.session_state.update({requested: True}),
        help="This page's figures as a PDF paper and a PowerPoint deck for a committee, with "
        "the same disclosure control and marking. The Committee pack page builds several "
        "pages at once.",
    )
    if st.session_state.pop(requested, False):
        built = build_pack_files(
            runner,
            role,
            sections=[section],
            district=district,
            title=f"{pack.DEFAULT_TITLE}: {pack.SECTIONS[section]}",
            meeting=today,
            demand_filters=demand_filters,
        )
        if built is not None:
            st.session_state[state] = (choices, built[0], built[1])
    kept = st.session_state.get(state)
    if kept and kept[0] == choices:
        pack_download_buttons(kept[1], stem=f"{section}_pack", meeting=today, key=state)
