"""The review report as HTML or DOCX: methods paragraphs, the PRISMA diagram, the tables, the checklists.

Pure: it takes a `ReviewReport` (built by `services.review` from the project) and writes it. The
HTML holds the diagram as inline SVG (text stays text); the DOCX embeds the PNG, and every table is
a real Word table (`render_docx.add_table`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from html import escape
from typing import IO, Any

from qes.reporting.checklists import ItemResult
from qes.reporting.render import HTML_STYLE, html_table
from qes.reporting.tables import Table

FORMATS = ("html", "docx")
# Wider than this, a table cannot be read on a page (the translation grid: concepts × 21 studies);
# the DOCX report names it and points to its own file instead of printing 80 pages of slivers.
DOCX_MAX_COLUMNS = 12


@dataclass(frozen=True)
class ReviewReport:
    title: str
    question: str
    methods: list[tuple[str, str]]  # (heading, paragraph)
    diagram_svg: str
    diagram_png: bytes
    diagram_notes: tuple[str, ...]
    tables: list[Table]
    checklists: dict[str, list[ItemResult]]


def checklist_table(name: str, results: list[ItemResult]) -> Table:
    met = sum(r.met for r in results)
    return Table(
        title=f"{name} checklist ({met} of {len(results)} items met)",
        columns=("item", "topic", "met", "where in the report"),
        rows=tuple((str(r.number), r.topic, "yes" if r.met else "no", r.where) for r in results),
        notes=("Met: the project holds what the item asks for. Still missing: what to add, in qes or in the manuscript.",),
        key=f"checklist-{name.lower()}",
    )


def _figure_caption() -> str:
    return "Figure 1. PRISMA 2020 flow diagram (derived from the project's records and decisions)."


def to_html(report: ReviewReport) -> str:
    parts = [
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">',
        f"<title>{escape(report.title)}</title>",
        f"<style>\n{HTML_STYLE}\nsection.table{{overflow-x:auto}} figure{{margin:1.5em 0}}\n"
        "figure svg{width:100%;max-width:56rem;height:auto} table.manuscript td:first-child{min-width:11em}\n"
        "h1{font-size:1.6em} h2{font-size:1.25em;margin-top:2em} h3{font-size:1.05em}\n</style>",
        "</head>\n<body>",
        f"<h1>{escape(report.title)}</h1>",
    ]
    if report.question:
        parts.append(f'<p class="question"><strong>Review question.</strong> {escape(report.question)}</p>')
    parts.append("<h2>Methods</h2>")
    for heading, text in report.methods:
        parts.append(f"<h3>{escape(heading)}</h3>\n<p>{escape(text)}</p>")
    parts.append("<h2>Results</h2>")
    parts.append(f'<figure id="prisma">\n{report.diagram_svg}<figcaption>{escape(_figure_caption())}</figcaption>\n</figure>')
    for table in report.tables:
        parts.append(f'<section class="table" id="table-{escape(table.key)}">\n{html_table(table)}\n</section>')
    parts.append("<h2>Reporting checklists</h2>")
    for name, results in report.checklists.items():
        parts.append(html_table(checklist_table(name, results)))
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


def write_docx(report: ReviewReport, stream: IO[bytes]) -> None:
    from docx import Document
    from docx.shared import Inches, Pt

    from qes.reporting.render_docx import add_table, is_wide, set_landscape, usable_width

    document = Document()
    document.styles["Normal"].font.name = "Calibri"
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(report.title, level=0)
    if report.question:
        paragraph = document.add_paragraph()
        paragraph.add_run("Review question. ").bold = True
        paragraph.add_run(report.question)
    document.add_heading("Methods", level=1)
    for heading, text in report.methods:
        document.add_heading(heading, level=2)
        document.add_paragraph(text)
    document.add_heading("Results", level=1)
    width = min(usable_width(document), int(Inches(6.3)))
    document.add_picture(io.BytesIO(report.diagram_png), width=width)
    caption = document.add_paragraph()
    caption.add_run(_figure_caption()).italic = True
    landscape = False
    checklists = [checklist_table(n, r) for n, r in report.checklists.items()]
    too_wide = [t for t in report.tables if len(t.columns) > DOCX_MAX_COLUMNS]
    for table in too_wide:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{table.title or table.key}").bold = True
        paragraph.add_run(
            f" ({len(table.rows)} rows × {len(table.columns)} columns) is too wide for a page: it is in the HTML report, "
            f"and as its own file (qes report {table.key} --format docx|csv|html|latex), for supplementary material."
        )
    for table in [*(t for t in report.tables if t not in too_wide), *checklists]:
        wide = is_wide(table)
        if wide != landscape:
            # A wide table gets a landscape section; the next narrow one returns to portrait.
            if wide:
                set_landscape(document, new_section=True)
            else:
                _portrait(document)
            landscape = wide
        else:
            document.add_paragraph()
        if checklists and table is checklists[0]:
            document.add_heading("Reporting checklists", level=1)
        add_table(document, table)
    document.save(stream)


def _portrait(document: Any) -> None:
    from docx.enum.section import WD_ORIENT

    section = document.add_section()
    if section.orientation != WD_ORIENT.PORTRAIT:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = section.page_height, section.page_width


def write(report: ReviewReport, fmt: str, stream: IO[Any]) -> None:
    if fmt == "html":
        stream.write(to_html(report))
    else:
        write_docx(report, stream)
