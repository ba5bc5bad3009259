"""A committee pack as a PowerPoint deck (python-pptx): a title slide, then for each section its
headline figures, what the figures say, one slide per chart and its tables (as real tables,
split over slides when long), then definitions, data sources and the disclosure statement.
Every slide has a title (in its title placeholder, so the reading order starts with it), every
picture its alt text (`descr`, the same text the app gives the chart), and every slide the
marking at its top and bottom."""

from __future__ import annotations

import io

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.util import Emu, Inches, Pt

from earlyhelp.presentation import charts as chart_words
from earlyhelp.presentation.pack import text as md
from earlyhelp.presentation.pack.model import Chart, Pack, Section, Table

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
TITLE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5
ROWS_PER_SLIDE = 12
MARGIN = Inches(0.5)
BODY_TOP = Inches(1.45)  # below the title
DARK = RGBColor(0x0B, 0x0C, 0x0C)
BLUE = RGBColor(0x12, 0x43, 0x6D)


def _marking(slide, marking: str) -> None:
    for top in (Inches(0.08), HEIGHT - Inches(0.42)):
        box = slide.shapes.add_textbox(MARGIN, top, Inches(4), Inches(0.34))
        box.name = f"Marking {marking}"
        run = box.text_frame.paragraphs[0].add_run()
        run.text = marking
        run.font.bold, run.font.size, run.font.color.rgb = True, Pt(12), DARK


def _slide(deck, title: str, marking: str):
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    slide.shapes.title.text = title
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = (
        MARGIN,
        Inches(0.45),
        WIDTH - 2 * MARGIN,
        Inches(0.9),
    )
    for paragraph in shape.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size, run.font.bold, run.font.color.rgb = Pt(28), True, BLUE
    _marking(slide, marking)
    return slide


def _text(slide, blocks: list[tuple[str, str]], top=BODY_TOP, size=18) -> None:
    box = slide.shapes.add_textbox(MARGIN, top, WIDTH - 2 * MARGIN, HEIGHT - top - Inches(0.6))
    frame = box.text_frame
    frame.word_wrap = True
    first = True
    for kind, line in blocks:
        paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        for part, bold in md.runs(("• " if kind == "li" else "") + line):
            run = paragraph.add_run()
            run.text, run.font.bold, run.font.size = part, bold, Pt(size)
        paragraph.space_after = Pt(8)


def _table(slide, columns: list[str], rows: list[list[str]], top=BODY_TOP) -> None:
    height = Inches(0.4) * (len(rows) + 1)
    shape = slide.shapes.add_table(
        len(rows) + 1, len(columns), MARGIN, top, WIDTH - 2 * MARGIN, height
    )
    table = shape.table
    for j, name in enumerate(columns):
        table.cell(0, j).text = name
    for i, row in enumerate(rows, 1):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    for cell in (table.cell(i, j) for i in range(len(rows) + 1) for j in range(len(columns))):
        for paragraph in cell.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(14 if len(columns) <= 5 else 11)


def _picture(slide, chart: Chart) -> None:
    top = Inches(1.4)
    room_w, room_h = WIDTH - 2 * MARGIN, HEIGHT - top - Inches(0.55)
    pixels_w, pixels_h = Image.open(io.BytesIO(chart.png or b"")).size
    width = min(room_w, Emu(int(room_h * pixels_w / pixels_h)))
    left = int((WIDTH - width) / 2)
    picture = slide.shapes.add_picture(io.BytesIO(chart.png or b""), left, top, width=width)
    picture.name = chart.title[:250] or "Chart"
    picture._element.nvPicPr.cNvPr.set("descr", chart.alt)
    slide.notes_slide.notes_text_frame.text = chart.alt + (
        f"\n\n{md.plain(chart.note)}" if chart.note else ""
    )


def _section(deck, section: Section, marking: str) -> None:
    if section.headlines:
        slide = _slide(deck, section.heading, marking)
        rows = [[h.label, h.text, h.comparison, h.status] for h in section.headlines]
        columns = ["Measure", "Figure", "Comparison", "Status"]
        if not any(h.status for h in section.headlines):
            rows, columns = [r[:3] for r in rows], columns[:3]
        top = Inches(1.45)
        if section.intro:
            _text(slide, [("p", section.intro)], top, 16)
            top = Inches(2.1)
        for start in range(0, len(rows), ROWS_PER_SLIDE):
            if start:
                slide = _slide(deck, f"{section.heading}: headline figures (continued)", marking)
                top = Inches(1.45)
            _table(slide, columns, rows[start : start + ROWS_PER_SLIDE], top)
    words = [b for text in [*section.notices, *section.narrative] for b in md.blocks(text)]
    if words:
        slide = _slide(deck, f"{section.heading}: what the figures say", marking)
        _text(slide, words, size=16 if len(words) > 6 else 18)
    for chart in section.charts:
        _picture(_slide(deck, chart.title, marking), chart)
    for table in section.tables:
        _long_table(deck, table, marking)


def _long_table(deck, table: Table, marking: str) -> None:
    for start in range(0, max(len(table.rows), 1), ROWS_PER_SLIDE):
        title = table.caption if not start else f"{table.caption} (continued)"
        slide = _slide(deck, title if len(title) < 110 else title[:107] + "...", marking)
        _table(slide, table.columns, table.rows[start : start + ROWS_PER_SLIDE])


def write(pack: Pack, path) -> None:
    """The pack as a .pptx file (charts must already be drawn: images.render)."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    deck.core_properties.title = pack.title
    deck.core_properties.subject = f"{pack.marking}. Data {pack.data_period}."
    deck.core_properties.author = "Early Help Insight"
    deck.core_properties.language = "en-GB"
    deck.core_properties.keywords = pack.marking
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_LAYOUT])
    slide.shapes.title.text = pack.title
    slide.placeholders[1].text = (
        f"{pack.marking}\nMeeting: {chart_words.long_date(pack.meeting_date)}\n"
        f"Data: {pack.data_period}. {pack.loaded_words}.\n{pack.role_words}: {pack.marking_note}."
    )
    title, facts = slide.shapes.title, slide.placeholders[1]
    title.left, title.top, title.width, title.height = (
        MARGIN,
        Inches(1.2),
        WIDTH - 2 * MARGIN,
        Inches(1.6),
    )
    facts.left, facts.top, facts.width, facts.height = (
        MARGIN,
        Inches(3.1),
        WIDTH - 2 * MARGIN,
        Inches(3.4),
    )
    for paragraph in title.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size, run.font.bold, run.font.color.rgb = Pt(36), True, BLUE
    for number, paragraph in enumerate(facts.text_frame.paragraphs):
        for run in paragraph.runs:
            run.font.size, run.font.color.rgb = Pt(24 if number == 0 else 18), DARK
            run.font.bold = number == 0
    _marking(slide, pack.marking)
    for section in pack.sections:
        _section(deck, section, pack.marking)
    definitions = [("p", f"**{term}**: {meaning}") for term, meaning in pack.definitions]
    for start in range(0, len(definitions), 7):
        _text(
            _slide(deck, "Definitions" + (" (continued)" if start else ""), pack.marking),
            definitions[start : start + 7],
            size=14,
        )
    _text(
        _slide(deck, "Data sources and disclosure control", pack.marking),
        [("p", s) for s in pack.sources] + [("p", f"**Disclosure control:** {pack.disclosure}")],
        size=14,
    )
    _british_english(deck)
    deck.save(str(path))


def _british_english(deck) -> None:
    """Every run of text marked en-GB, so a screen reader reads it in British English."""
    for slide in deck.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    for run in paragraph.runs:
                        run.font.language_id = MSO_LANGUAGE_ID.ENGLISH_UK
