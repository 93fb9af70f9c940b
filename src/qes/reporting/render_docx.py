"""Tables as real Word tables (python-docx), ready to paste into a manuscript.

A caption paragraph above, a bold header row that repeats on every page, column widths from the
content (`render.column_widths`), rows that do not break across pages, and the notes below in a
smaller font. Wide tables (many columns) get a landscape section.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Pt, RGBColor
from docx.table import _Row

from qes.reporting.render import column_widths, minimum_width
from qes.reporting.tables import Table

TABLE_FONT = Pt(9)
SMALL_FONT = Pt(7)  # tables of SMALL_FROM columns or more
SMALL_FROM = 10
NOTE_FONT = Pt(8)
CHAR_EMU = int(Pt(9 * 0.56))  # wide enough for digits in DejaVu Sans, the usual fallback for Calibri
CELL_PAD = int(Pt(13))  # Word's default cell margins (0.08 in each side) and a little air
PORTRAIT_TEXT_WIDTH = int(Pt(451))  # A4/Letter portrait less margins, in EMU
LANDSCAPE_COLUMNS = 7  # from this many columns (or wide content) a table gets a landscape page


def write_docx(tables: Sequence[Table], stream: IO[bytes]) -> None:
    """A document holding the tables, one after another."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    for number, table in enumerate(tables):
        if number and not is_wide(table):
            document.add_paragraph()
        if is_wide(table):
            set_landscape(document, new_section=number > 0)
        add_table(document, table)
    document.save(stream)


def is_wide(table: Table) -> bool:
    """Many columns, or so many long words that a portrait page would leave the text no room."""
    return len(table.columns) >= LANDSCAPE_COLUMNS or minimum_width(table, CHAR_EMU, CELL_PAD) > 0.8 * PORTRAIT_TEXT_WIDTH


def set_landscape(document: DocumentObject, *, new_section: bool) -> None:
    section = document.add_section() if new_section else document.sections[-1]
    if section.orientation != WD_ORIENT.LANDSCAPE:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width


def usable_width(document: DocumentObject) -> int:
    section = document.sections[-1]
    return int(section.page_width or 0) - int(section.left_margin or 0) - int(section.right_margin or 0)


def add_table(document: DocumentObject, table: Table) -> Any:
    """Append caption, table and notes to `document`; returns the python-docx table."""
    if table.title:
        caption = document.add_paragraph()
        run = caption.add_run(table.title)
        run.bold = True
        caption.paragraph_format.keep_with_next = True
        caption.paragraph_format.space_after = Pt(4)
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    small = len(table.columns) >= SMALL_FROM
    size = SMALL_FONT if small else TABLE_FONT
    char = int(Pt(7 * 0.6)) if small else CHAR_EMU
    rotated = rotated_columns(table) if small else frozenset()
    widths = [Emu(int(w)) for w in column_widths(table, usable_width(document), char, CELL_PAD, rotated)]
    header = grid.rows[0]
    _repeat_as_header(header)
    for i, (cell, name, w) in enumerate(zip(header.cells, table.columns, widths, strict=True)):
        cell.width = w
        _write_cell(cell, name, bold=True, size=size)
        _shade(cell, "E7E6E6")
        if i in rotated:
            _text_upwards(cell)
    if rotated:
        # Tall enough for the longest rotated header on two lines, never taller than ~1.7 in.
        longest = max(len(table.columns[i]) for i in rotated)
        header.height = Pt(min(longest * 7 * 0.6 / 2 + 16, 120))
        header.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    for row in table.rows:
        cells = grid.add_row().cells
        _keep_row_together(grid.rows[-1])
        for cell, text, w in zip(cells, row, widths, strict=True):
            cell.width = w
            _write_cell(cell, text, size=size)
    for column, w in zip(grid.columns, widths, strict=True):
        column.width = w
    for note in table.notes:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(2)
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(note)
        run.font.size = NOTE_FONT
        run.font.color.rgb = RGBColor(0x33, 0x33, 0x33)
    return grid


def _write_cell(cell: Any, text: str, *, bold: bool = False, size: Pt = TABLE_FONT) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    # The paragraph mark keeps the Normal style's 11 pt unless told: an empty cell would make its row taller.
    mark = OxmlElement("w:rPr")
    half_points = OxmlElement("w:sz")
    half_points.set(qn("w:val"), str(int(size.pt * 2)))
    mark.append(half_points)
    paragraph._p.get_or_add_pPr().append(mark)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.bold = bold
        run.font.size = size
        if i < len(lines) - 1:
            run.add_break()


def rotated_columns(table: Table) -> frozenset[int]:
    """Columns of short marks (✓, ✓ (in part), numbers) under long headers: their headers run upwards,
    so a themes × studies matrix fits a page with every theme name whole."""
    out = set()
    for i, name in enumerate(table.columns):
        if i == 0:
            continue
        body = max((len(row[i]) for row in table.rows), default=0)
        if body <= 14 and len(name) > body + 4:
            out.add(i)
    return frozenset(out)


def _text_upwards(cell: Any) -> None:
    direction = OxmlElement("w:textDirection")
    direction.set(qn("w:val"), "btLr")
    cell._tc.get_or_add_tcPr().append(direction)


def _repeat_as_header(row: _Row) -> None:
    """Word repeats a row marked tblHeader at the top of every page the table spans."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _keep_row_together(row: _Row) -> None:
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:cantSplit")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _shade(cell: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)
