"""A committee pack as an accessible PDF: HTML and CSS typeset by WeasyPrint as tagged PDF/UA-1,
with the document's title and language (en-GB) set, every chart a Figure with its alt text,
tables as real tables (header cells, captions), headings in order (h1 the pack, h2 a section,
h3 its parts) and the marking in every page's header and footer. All text is escaped."""

from __future__ import annotations

import base64
from html import escape

import weasyprint

from earlyhelp.presentation import charts as chart_words
from earlyhelp.presentation.pack import text as md
from earlyhelp.presentation.pack.model import Chart, Pack, Section, Table

LANGUAGE = "en-GB"

CSS = """
@page {
  size: A4; margin: 22mm 16mm 20mm 16mm;
  @top-left { content: "MARKING"; font: bold 10pt "Liberation Sans", sans-serif; }
  @top-right { content: string(section); font: 9pt "Liberation Sans", sans-serif; color: #3D3D3D; }
  @bottom-left { content: "MARKING"; font: bold 10pt "Liberation Sans", sans-serif; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
                  font: 9pt "Liberation Sans", sans-serif; }
}
html { font: 11pt/1.4 "Liberation Sans", "DejaVu Sans", sans-serif; color: #0B0C0C; }
h1 { font-size: 26pt; margin: 0 0 8mm; color: #12436D; }
h2 { font-size: 18pt; color: #12436D; string-set: section content(); break-before: page;
     margin: 0 0 4mm; }
h3 { font-size: 13pt; margin: 6mm 0 2mm; break-after: avoid; }
.title-page { break-after: page; }
.title-page .marking { font-size: 16pt; font-weight: bold; border: 2px solid #0B0C0C;
                       padding: 2mm 4mm; display: inline-block; }
dl.facts { display: grid; grid-template-columns: 45mm auto; gap: 2mm 6mm; margin-top: 10mm; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 9.5pt; }
caption { text-align: left; font-weight: bold; margin-bottom: 1.5mm; }
th, td { border-bottom: 1px solid #BFBFBF; padding: 1.2mm 2mm; text-align: left;
         vertical-align: top; }
th { border-bottom: 2px solid #0B0C0C; }
tbody th { border-bottom: 1px solid #BFBFBF; }
td.number, th.number { text-align: right; }
figure { margin: 3mm 0 5mm; break-inside: avoid; }
figure img { width: 100%; }
figcaption { font-size: 9.5pt; color: #3D3D3D; margin-top: 1mm; }
.notice { border-left: 4px solid #12436D; padding-left: 3mm; }
.headlines td.figure { font-size: 14pt; font-weight: bold; white-space: nowrap; }
"""


def _inline(text: str) -> str:
    return "".join(
        f"<strong>{escape(part)}</strong>" if bold else escape(part) for part, bold in md.runs(text)
    )


def _narrative(text: str) -> str:
    out, items = [], []
    for kind, line in md.blocks(text):
        if kind == "li":
            items.append(f"<li>{_inline(line)}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        out.append(f"<p>{_inline(line)}</p>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    return "".join(out)


def _is_number(cell: str) -> bool:
    return cell.replace(",", "").replace(".", "").replace("-", "").replace("%", "").isdigit()


def _table(table: Table) -> str:
    numeric = [
        bool(table.rows) and all(_is_number(r[i]) or r[i] in ("c", "") for r in table.rows)
        for i in range(len(table.columns))
    ]
    head = "".join(
        f'<th scope="col"{" class=number" if numeric[i] else ""}>{escape(c)}</th>'
        for i, c in enumerate(table.columns)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=number' if numeric[i] else ''}>{escape(cell)}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in table.rows
    )
    return (
        f"<table><caption>{escape(table.caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _figure(chart: Chart) -> str:
    data = base64.b64encode(chart.png or b"").decode("ascii")
    note = f" {_inline(chart.note)}" if chart.note else ""
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(chart.alt, quote=True)}">'
        f"<figcaption>{escape(chart.alt)}{note}</figcaption></figure>"
    )


def _headlines(section: Section) -> str:
    """The headline figures as a table: measure, figure, comparison (and status for KPIs)."""
    with_status = any(h.status for h in section.headlines)
    rows = "".join(
        f'<tr><th scope="row">{escape(h.label)}</th><td class="figure">{escape(h.text)}</td>'
        f"<td>{escape(h.comparison)}</td>"
        + (f"<td>{escape(h.status)}</td>" if with_status else "")
        + "</tr>"
        for h in section.headlines
    )
    heads = ["Measure", "Figure", "Comparison"] + (["Status"] if with_status else [])
    head = "".join(f'<th scope="col">{name}</th>' for name in heads)
    return (
        f"<h3>Headline figures</h3><table class=headlines><caption>Headline figures: "
        f"{escape(section.heading)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _section(section: Section) -> str:
    parts = [f"<section><h2>{escape(section.heading)}</h2>"]
    if section.intro:
        parts.append(f"<p>{_inline(section.intro)}</p>")
    if section.headlines:
        parts.append(_headlines(section))
    for notice in section.notices:
        parts.append(f'<p class="notice">{_inline(notice)}</p>')
    if section.narrative:
        parts.append("<h3>What the figures say</h3>")
        parts.extend(_narrative(text) for text in section.narrative)
    if section.charts:
        parts.append("<h3>Charts</h3>")
        parts.extend(_figure(chart) for chart in section.charts)
    if section.tables:
        parts.append("<h3>Tables</h3>")
        parts.extend(_table(table) for table in section.tables)
    parts.append("</section>")
    return "".join(parts)


def html(pack: Pack) -> str:
    facts = [
        ("Meeting date", chart_words.long_date(pack.meeting_date)),
        ("Data period", pack.data_period),
        ("Data loaded", pack.loaded_words),
        ("Figures", f"{pack.role_words}: {pack.marking_note}"),
        ("Marking", pack.marking),
    ]
    title_page = (
        f'<section class="title-page"><h1>{escape(pack.title)}</h1>'
        f'<p class="marking">{escape(pack.marking)}</p><dl class="facts">'
        + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
        + "</dl>"
        + "<p>Contents: "
        + escape("; ".join(s.heading for s in pack.sections) + "; Definitions and data sources")
        + ".</p></section>"
    )
    definitions = "".join(
        f"<dt>{escape(term)}</dt><dd>{escape(meaning)}</dd>" for term, meaning in pack.definitions
    )
    end = (
        "<section><h2>Definitions and data sources</h2><h3>Definitions</h3>"
        f"<dl>{definitions}</dl><h3>Data sources</h3>"
        + "".join(f"<p>{escape(s)}</p>" for s in pack.sources)
        + f"<h3>Disclosure control</h3><p>{escape(pack.disclosure)}</p></section>"
    )
    css = CSS.replace('"MARKING"', '"' + pack.marking + '"')
    return (
        f'<!DOCTYPE html><html lang="{LANGUAGE}"><head><meta charset="utf-8">'
        f"<title>{escape(pack.title)}</title>"
        '<meta name="author" content="Early Help Insight">'
        f'<meta name="description" content="{escape(pack.title, quote=True)}, '
        f'{escape(chart_words.long_date(pack.meeting_date))}. {escape(pack.marking)}.">'
        f'<meta name="keywords" content="{escape(pack.marking)}">'
        f"<style>{css}</style></head><body>"
        + title_page
        + "".join(_section(s) for s in pack.sections)
        + end
        + "</body></html>"
    )


def write(pack: Pack, path) -> None:
    """The pack as a tagged PDF/UA-1 file (charts must already be drawn: images.render)."""
    document = weasyprint.HTML(string=html(pack))
    document.write_pdf(str(path), pdf_variant="pdf/ua-1", pdf_tags=True)
