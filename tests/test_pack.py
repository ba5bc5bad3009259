"""The committee pack (issue 20): built from the demo warehouse for the board and for an analyst,
once per format per role, then checked as files: the PDF is tagged PDF/UA-1 with its title and
language, every chart a Figure with the app's alt text, headings in order, tables as text, the
marking on every page and the headline figures in its text (pdftotext); the deck has a title on
every slide and alt text on every picture; and every figure equals the role's query result,
worked out here from a query run afresh."""

from __future__ import annotations

import io
import re
import subprocess
import threading
from datetime import date
from pathlib import Path

import pikepdf
import polars as pl
import pytest
from pptx import Presentation
from pptx.enum.lang import MSO_LANGUAGE_ID

from earlyhelp.core.errors import QueryError
from earlyhelp.measures import kpis, quality
from earlyhelp.presentation import charts, pack
from earlyhelp.presentation.pack import content as pack_content
from earlyhelp.presentation.pack import pdf as pack_pdf
from earlyhelp.presentation.pack import sections as pack_sections
from earlyhelp.presentation.pack.model import Chart, Section
from earlyhelp.query import disclosure
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner
from tests.apptest import run_cli
from tests.test_pages_small_warehouses import small_warehouses  # noqa: F401 (a fixture)

ROLES = ("board", "analyst")
TITLE = "Early help: partnership board, April 2026"
MEETING = date(2026, 4, 21)


@pytest.fixture(scope="session")
def runner(demo_warehouse):
    return QueryRunner.open(demo_warehouse)


@pytest.fixture(scope="session")
def packs(runner, tmp_path_factory):
    """role -> (Pack, PDF path, PPTX path): every section, each role's charts drawn once."""
    folder = tmp_path_factory.mktemp("packs")
    built = {}
    for role in ROLES:
        content = pack.build_content(runner, Role.parse(role), title=TITLE, meeting_date=MEETING)
        pdf, deck = folder / f"{role}.pdf", folder / f"{role}.pptx"
        pack.write(content, pdf)
        pack.write(content, deck)
        built[role] = (content, pdf, deck)
    return built


def _pdf_text(path, *crop: str) -> list[str]:
    """The PDF's text, page by page, as pdftotext (poppler) reads it (`crop`: its -x -y -W -H
    options, to read one strip of each page)."""
    done = subprocess.run(
        ["pdftotext", *crop, str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout.split("\f")[:-1]  # each page ends with a form feed


HEADER = ("-x", "0", "-y", "0", "-W", "595", "-H", "60")  # the top 21 mm of the page
FOOTER = ("-x", "0", "-y", "785", "-W", "595", "-H", "57")  # the bottom 20 mm


def _structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The structure elements in reading order."""
    found = []

    def walk(node):
        if not isinstance(node, pikepdf.Dictionary):
            return
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        if isinstance(kids, pikepdf.Array):
            for kid in kids:
                walk(kid)
        elif isinstance(kids, pikepdf.Dictionary):
            walk(kids)

    walk(pdf.Root.StructTreeRoot)
    return found


# --- The PDF is accessible --------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_pdf_is_tagged_pdf_ua_with_title_and_language(packs, role):
    _, path, _ = packs[role]
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "en-GB"
        assert str(pdf.docinfo["/Title"]) == TITLE
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        with pdf.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"
            assert xmp["dc:title"] == TITLE


@pytest.mark.parametrize("role", ROLES)
def test_every_chart_is_a_figure_with_the_apps_alt_text(packs, role):
    content, path, _ = packs[role]
    expected = [charts.alt_text(chart.figure) for chart in content.charts]
    assert len(expected) >= 15 and all(expected), "every chart carries the builders' alt text"
    with pikepdf.open(path) as pdf:
        figures = [e for e in _structure(pdf) if e.S == "/Figure"]
        assert [str(f.get("/Alt", "")) for f in figures] == expected


def test_headings_are_in_order(packs):
    _, path, _ = packs["board"]
    with pikepdf.open(path) as pdf:
        levels = [int(str(e.S)[2:]) for e in _structure(pdf) if re.fullmatch(r"/H\d", str(e.S))]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert levels.count(2) == len(packs["board"][0].sections) + 1  # and the notes at the end


def test_tables_are_text_with_header_cells(packs):
    content, path, _ = packs["board"]
    with pikepdf.open(path) as pdf:
        kinds = [str(e.S) for e in _structure(pdf)]
    tables = sum(len(s.tables) + bool(s.headlines) for s in content.sections)
    # A table running onto the next page is a Table element on each page, its caption once.
    assert kinds.count("/Table") >= tables
    assert kinds.count("/Caption") == tables + len(content.charts)
    assert kinds.count("/TH") >= tables * 2
    text = "\n".join(_pdf_text(path))
    district_table = content.sections[0].tables[0]
    for row in district_table.rows:
        assert all(cell in text for cell in row), row


@pytest.mark.parametrize("role", ROLES)
def test_pdf_text_has_the_headline_figures_and_the_marking_on_every_page(packs, role):
    content, path, _ = packs[role]
    pages = _pdf_text(path)
    marking = "OFFICIAL-SENSITIVE" if role == "analyst" else "OFFICIAL"
    headers, footers = _pdf_text(path, *HEADER), _pdf_text(path, *FOOTER)
    assert len(headers) == len(footers) == len(pages) > 20
    for number, (top, bottom) in enumerate(zip(headers, footers, strict=True), 1):
        assert top.split()[0] == marking, f"page {number}'s header: {top!r}"
        assert bottom.split()[0] == marking, f"page {number}'s footer: {bottom!r}"
        assert f"Page {number} of {len(pages)}" in bottom
    text = re.sub(r"\s+", " ", "\n".join(pages))
    assert len(content.headlines) >= 40
    for figure in content.headlines:
        assert f"{figure.label} {figure.text}" in text, figure
    assert TITLE.split(",")[0] in text and "21 April 2026" in text  # the title page
    assert f"Data period {content.data_period}" in text and "Loaded on" in text


def test_board_pack_carries_the_disclosure_statement(packs):
    content, path, _ = packs["board"]
    text = re.sub(r"\s+", " ", "\n".join(_pdf_text(path)))
    assert disclosure.current_policy().footnote() in text
    assert "Definitions and data sources" in text
    assert "Exact figures" in packs["analyst"][0].disclosure


# --- The deck is accessible -------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_every_slide_has_a_title_and_every_picture_its_alt_text(packs, role):
    content, _, path = packs[role]
    deck = Presentation(str(path))
    descriptions = []
    for number, slide in enumerate(deck.slides, 1):
        assert slide.shapes.title is not None and slide.shapes.title.text.strip(), number
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert texts.count(content.marking) == 2, f"slide {number}: marking at top and bottom"
        for shape in slide.shapes:
            if shape.shape_type == 13:  # a picture
                descriptions.append(shape._element.nvPicPr.cNvPr.get("descr"))
    assert descriptions == [charts.alt_text(c.figure) for c in content.charts]
    assert deck.core_properties.title == TITLE
    languages = {
        run.font.language_id
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
        for run in paragraph.runs
    }
    assert languages == {MSO_LANGUAGE_ID.ENGLISH_UK}


def test_deck_tables_hold_the_headline_figures(packs):
    content, _, path = packs["board"]
    cells = set()
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_table:
                for row in shape.table.rows:
                    cells.add(tuple(cell.text for cell in row.cells)[:2])
    for figure in content.headlines:
        assert (figure.label, figure.text) in cells, figure


# --- The same numbers as the app --------------------------------------------------------------
def _expected(frame, source):
    """A figure worked out from a query result as its Source says, written out afresh."""
    rows = frame.to_dicts()
    for column, wanted in source.where.items():
        keep = set(wanted) if isinstance(wanted, list | tuple) else {wanted}
        rows = [r for r in rows if r[column] in keep]
    first = source.columns[0]
    if source.how == "total":
        values = [r[first] for r in rows]
        return None if not values or None in values else sum(values)
    assert len(rows) == 1, (source, rows)
    if source.how == "value":
        return rows[0][first]
    part, whole = rows[0][first], rows[0][source.columns[1]]
    if part is None or not whole:
        return None
    scale = 100 if source.how == "percent" else source.scale
    digits = 1 if source.how == "percent" else source.digits
    return round(part / whole * scale, digits)


@pytest.mark.parametrize("role", ROLES)
def test_every_figure_is_the_roles_query_result(packs, demo_warehouse, role):
    content, _, _ = packs[role]
    fresh = QueryRunner.open(demo_warehouse)
    who = Role.parse(role)
    sourced = [h for h in content.headlines if h.source is not None]
    kpi_figures = [h for s in content.sections if s.key == "scorecard" for h in s.headlines]
    assert len(sourced) + len(kpi_figures) == len(content.headlines)
    for figure in sourced:
        frame = fresh.run(figure.source.query, figure.source.params, who)
        assert figure.value == _expected(frame, figure.source), figure
    kpi_set = kpis.load_kpis(kpis.kpis_file(), fresh.queries)
    first, last = kpis.coverage(fresh.manifest)
    results = kpis.evaluate_all(kpi_set, lambda n, p: fresh.run(n, p, who), first, last, who)
    assert [(h.label, h.value, h.status) for h in kpi_figures] == [
        (r.kpi.title, r.value(), r.status_text()) for r in results
    ]


def test_board_counts_are_protected_and_the_analysts_exact(packs):
    board = {h.label: h for h in packs["board"][0].sections[0].headlines}
    analyst = {h.label: h for h in packs["analyst"][0].sections[0].headlines}
    headline = packs["analyst"][0].sections[0].headlines[0].source
    for label in ("Referrals to early help", "Open episodes now", "Contacts"):
        assert board[label].value % 5 == 0, "rounded to the nearest 5 for the board"
    assert any(board[k].value != analyst[k].value for k in board), "the analyst's are exact"
    assert headline.query == "overview_headlines"
    assert packs["board"][0].marking == "OFFICIAL"
    assert packs["analyst"][0].marking == "OFFICIAL-SENSITIVE"


def test_a_district_role_gets_its_own_district_only(runner):
    content = pack.build_content(runner, Role.parse("district:North"), sections_wanted=["district"])
    assert [s.heading for s in content.sections] == ["District profile: North"]
    with pytest.raises(QueryError):
        pack.build_content(runner, Role.parse("district:North"), district="South")


def test_packs_built_at_once_on_two_threads_match_those_built_one_after_the_other(runner):
    """Sessions run on threads; the runner gives each thread its own DuckDB cursor."""
    wanted = ["overview", "caseloads", "pathways"]

    def figures(role: str) -> list:
        content = pack.build_content(runner, Role.parse(role), sections_wanted=wanted)
        return [(h.label, h.value) for h in content.headlines]

    alone = {role: figures(role) for role in ROLES}
    together, errors = {}, []

    def build(role: str) -> None:
        try:
            together[role] = figures(role)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=build, args=(role,)) for role in ROLES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and together == alone


# --- The command line -------------------------------------------------------------------------
def test_pack_command_writes_a_deck_and_refuses_other_formats(demo_warehouse, tmp_path):
    out = tmp_path / "pack.pptx"
    done = run_cli(
        "pack", "--warehouse", demo_warehouse, "--out", out, "--sections", "overview",
        "--role", "analyst", "--date", "2026-04-21", "--title", "Scrutiny",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "OFFICIAL-SENSITIVE" in done.stdout
    deck = Presentation(io.BytesIO(out.read_bytes()))
    assert deck.slides[0].shapes.title.text == "Scrutiny"
    bad = run_cli("pack", "--warehouse", demo_warehouse, "--out", tmp_path / "pack.docx")
    assert bad.returncode == 2 and "pdf or .pptx" in bad.stderr
    bad = run_cli("pack", "--warehouse", demo_warehouse, "--out", out, "--sections", "budget")
    assert bad.returncode == 2 and "unknown section" in bad.stderr


def test_a_chart_with_nothing_to_draw_becomes_a_sentence():
    """As on the pages (charts.nothing_to_draw): withheld bars are not drawn as zeros."""
    withheld = pl.DataFrame(
        {"district": ["North", "South"], "open_episodes": [None, None]},
        schema={"district": pl.String, "open_episodes": pl.Int64},
    )
    fig = charts.bar_chart(withheld, "district", "open_episodes", title="Open", x_title="Open")
    drawn = charts.bar_chart(
        withheld.with_columns(pl.lit(40).alias("open_episodes")),
        "district",
        "open_episodes",
        title="Drawn",
        x_title="Open",
    )
    section = Section("s", "S", charts=[Chart(fig, "a", "Open"), Chart(drawn, "b", "Drawn")])
    pack_content._drop_empty_charts(section, protected=True)
    assert [c.title for c in section.charts] == ["Drawn"]
    assert section.notices == [f"Open: {charts.ALL_WITHHELD}"]


def test_text_from_users_and_extracts_is_escaped_not_run(runner):
    """A title (typed in the app) and names from an extract reach the PDF only as text."""
    hostile = 'Board <img src=x onerror=alert(1)> & "friends"'
    built = pack.build_content(runner, Role.parse("board"), sections_wanted=[], title=hostile)
    built.sections.append(
        Section("s", "District <b>North</b>", narrative=["**bold** and <i>not italic</i>"])
    )
    html = pack_pdf.html(built)
    assert "<img src=x" not in html and "<b>North</b>" not in html and "<i>" not in html
    assert "Board &lt;img src=x onerror=alert(1)&gt; &amp; &quot;friends&quot;" in html
    assert "<strong>bold</strong> and &lt;i&gt;not italic&lt;/i&gt;" in html


def test_every_measure_key_the_pack_asks_about_is_declared():
    """A key measures/quality/ does not know would always count as available (no notice)."""
    folder = Path(pack.__file__).parent
    used = set()
    for module in folder.glob("*.py"):
        used |= set(
            re.findall(
                r"\"((?:overview|caseloads|pathways|profile)\.[a-z_]+)\"", module.read_text()
            )
        )
    assert len(used) >= 8 and used <= set(quality.BY_KEY), used - set(quality.BY_KEY)


@pytest.mark.parametrize("warehouse", ["tiny", "one district", "withheld", "episodes only"])
@pytest.mark.parametrize("role", ["board", "analyst"])
def test_a_pack_on_a_small_warehouse_says_what_it_cannot_show(small_warehouses, warehouse, role):  # noqa: F811
    """A first extract (a few weeks, one district, mostly withheld, episodes only): every
    section is built without an error, and no chart left in it has nothing to draw."""
    small = QueryRunner.open(small_warehouses[warehouse])
    built = pack.build_content(small, Role.parse(role))
    assert [s.key for s in built.sections][:5] == [
        "overview", "demand", "caseloads", "pathways", "scorecard"
    ]  # fmt: skip
    assert all(charts.plotted_values(chart.figure) for chart in built.charts)
    assert all(chart.alt for chart in built.charts)


def test_the_title_page_says_when_the_data_were_loaded_in_words():
    created = {"created": "2026-04-09T10:05:00+00:00"}
    assert pack_content._loaded_words(created, date(2026, 4, 21)) == (
        "Loaded on 9 April 2026 at 10:05 UTC, 12 days before the meeting"
    )
    assert pack_content._loaded_words(created, date(2026, 4, 10)).endswith(
        ", 1 day before the meeting"
    )
    assert pack_content._loaded_words({"ingested_on": "2026-04-09"}, date(2026, 4, 9)) == (
        "Loaded on 9 April 2026, the day of the meeting"
    )
    assert pack_content._loaded_words({}, date(2026, 4, 9)).endswith("not recorded")


def test_the_demand_section_takes_the_demand_pages_selection(runner, demo_warehouse):
    filters = {"source_group": "Schools", "level_of_need": None, "age_band": None}
    built = pack.build_content(
        runner, Role.parse("board"), sections_wanted=["demand"], district="North",
        demand_filters=filters,
    )  # fmt: skip
    (section,) = built.sections
    assert "North, from schools." in section.intro
    (figure,) = section.headlines
    wanted = {"district": "North", "source_group": "Schools"}
    assert figure.source.params == wanted
    months = QueryRunner.open(demo_warehouse).run("referrals_filtered", wanted, Role.parse("board"))
    last12 = [m for m in months.to_dicts() if m["month"] in figure.source.where["month"]]
    assert len(last12) == 12
    values = [m["referrals"] for m in last12]
    assert None not in values and figure.value == sum(values)
    assert [c.title for c in section.charts[:2]] == [
        "Referrals per month, North, from schools",
        "Referrals against expected, North, from schools",
    ]
    assert pack_sections.selection_words(None, {"level_of_need": 0, "age_band": "5-9"}) == (
        "level not recorded, aged 5-9"
    )


def test_a_districts_rate_is_the_scorecards_rate_for_it(packs, demo_warehouse):
    """The District profile's 'Per 10,000 children' (worked out in the pack from
    kpi_referral_rate) is the KPI's value for that district (worked out by measures/kpis/)."""
    content = packs["board"][0]
    fresh = QueryRunner.open(demo_warehouse)
    who = Role.parse("board")
    kpi_set = kpis.load_kpis(kpis.kpis_file(), fresh.queries)
    first, last = kpis.coverage(fresh.manifest)
    (rate,) = [
        r
        for r in kpis.evaluate_all(kpi_set, lambda n, p: fresh.run(n, p, who), first, last, who)
        if r.kpi.id == "referral_rate"
    ]
    profiles = [s for s in content.sections if s.key.startswith("district-")]
    assert len(profiles) == 5
    for section in profiles:
        district = section.key.removeprefix("district-")
        (figure,) = [h for h in section.headlines if h.label == "Per 10,000 children"]
        assert figure.value == rate.value(district), district
        assert figure.comparison == f"Borough: {rate.value():,.0f}"
