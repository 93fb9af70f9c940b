"""Renderers: every format escapes what it must, CSV reads back, DOCX is a real Word table."""

from __future__ import annotations

import csv
import io
import re

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qes.errors import UserError
from qes.reporting.render import FORMATS, column_weights, column_widths, latex_escape, render, render_bytes
from qes.reporting.render_docx import is_wide
from qes.reporting.tables import Table

NASTY = 'Smith & Jones <script>alert("x")</script> 100% {sic} $5 #1 a_b ~ ^ \\ | *bold* `code`'
TABLE = Table(
    title="Table 1. Studies & <their> settings",
    columns=("study", "country", "methods"),
    rows=(
        ("Beeber and Caldwell (1996)", "USA", "Interviews\nsecond line"),
        (NASTY, "Norway", "✓ (in part)"),
    ),
    notes=("✓ = the study supports the theme; <note> & more",),
    key="studies",
)


def rendered(table: Table, fmt: str) -> str:
    out = io.StringIO()
    render(table, fmt, out)
    return out.getvalue()


def test_html_escapes_every_cell_title_and_note() -> None:
    html = rendered(TABLE, "html")
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<caption>Table 1. Studies &amp; &lt;their&gt; settings</caption>" in html
    assert "&lt;note&gt; &amp; more" in html
    assert "Interviews<br>second line" in html
    assert html.count("<tr>") == 3  # header + two rows


def test_latex_escapes_specials_and_uses_booktabs_longtable() -> None:
    tex = rendered(TABLE, "latex")
    body = tex.split(r"\endhead", 1)[1]
    assert r"Smith \& Jones \textless{}script\textgreater{}" in body
    assert r"100\% \{sic\} \$5 \#1 a\_b \textasciitilde{} \textasciicircum{} \textbackslash{}" in body
    assert r"\checkmark{} (in part)" in body and r"Interviews\newline{}second line" in body
    for command in (r"\begin{longtable}", r"\toprule", r"\midrule", r"\endhead", r"\bottomrule", r"\end{longtable}"):
        assert command in tex
    # Balanced braces outside escaped ones: a LaTeX run would not stop on a stray brace.
    unescaped = re.sub(r"\\[{}]", "", tex)
    assert unescaped.count("{") == unescaped.count("}")
    # One row line per data row, each with one & fewer than the columns.
    rows = [line for line in body.splitlines() if line.endswith(r"\\") and "textbf" not in line]
    assert len(rows) == 2 and all(re.sub(r"\\&", "", r).count("&") == 2 for r in rows)


@pytest.mark.parametrize(("text", "expected"), [("a&b", r"a\&b"), ("50%", r"50\%"), ("x_1", r"x\_1"), ("{}", r"\{\}")])
def test_latex_escape_cases(text: str, expected: str) -> None:
    assert latex_escape(text) == expected


def test_markdown_escapes_pipes_and_html_and_keeps_one_line_per_row() -> None:
    md = rendered(TABLE, "md")
    lines = md.splitlines()
    table_lines = [line for line in lines if line.startswith("|")]
    assert len(table_lines) == 4  # header, rule, two rows
    nasty_row = table_lines[3]
    assert r"\<script\>" in nasty_row and r"\| \*bold\* \`code\`" in nasty_row
    # Unescaped pipes delimit exactly three cells in every row.
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 4 for line in table_lines)
    assert "Interviews<br>second line" in md


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


@settings(max_examples=150, deadline=None)
@given(columns=st.lists(cell, min_size=1, max_size=5), data=st.data())
def test_csv_reads_back_exactly(columns: list[str], data: st.DataObject) -> None:
    rows = data.draw(st.lists(st.lists(cell, min_size=len(columns), max_size=len(columns)), max_size=6))
    table = Table("t", tuple(columns), tuple(tuple(r) for r in rows))
    # newline="" as the csv module asks: quoted fields keep their own \r and \n.
    back = list(csv.reader(io.StringIO(rendered(table, "csv"), newline="")))
    assert back == [columns, *rows]


def test_docx_is_a_word_table_with_a_repeating_header_and_one_row_per_row() -> None:
    document = docx.Document(io.BytesIO(render_bytes(TABLE, "docx")))
    assert len(document.tables) == 1
    table = document.tables[0]
    assert len(table.rows) == 1 + len(TABLE.rows)
    assert [c.text for c in table.rows[0].cells] == list(TABLE.columns)
    assert [c.text for c in table.rows[2].cells] == list(TABLE.rows[1])
    assert table.rows[0]._tr.trPr.xml.count("tblHeader") == 1  # repeats on every page
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == TABLE.title and TABLE.notes[0] in paragraphs  # caption above, notes below
    widths = [table.rows[1].cells[i].width for i in range(3)]
    assert widths[2] > widths[1]  # the long-text column gets more room than the country


def test_wide_tables_go_landscape_and_weights_follow_content() -> None:
    narrow, wide = TABLE, Table("w", tuple(f"theme {i}" for i in range(8)), (tuple("✓" for _ in range(8)),))
    assert not is_wide(narrow) and is_wide(wide)
    document = docx.Document(io.BytesIO(render_bytes(wide, "docx")))
    section = document.sections[0]
    assert section.page_width > section.page_height
    weights = column_weights(TABLE)
    assert len(weights) == 3 and abs(sum(weights) - 1) < 1e-9


def test_no_column_is_narrower_than_its_longest_word() -> None:
    table = Table(
        "t", ("Study", "Year", "Country", "Methods"), (("Beeber and Caldwell (1996)", "1996", "Norway", "word " * 80),) * 3
    )
    widths = column_widths(table, 450.0, 4.5)
    assert abs(sum(widths) - 450.0) < 1e-6
    assert widths[1] >= 4 * 4.5 and widths[2] >= 7 * 4.5  # "Year", "Country" stay whole
    assert widths[3] == max(widths)  # the long text gets the room


def test_every_format_writes_and_an_unknown_one_is_refused() -> None:
    for fmt in FORMATS:
        assert render_bytes(TABLE, fmt)
    with pytest.raises(UserError, match="tables are written as"):
        render_bytes(TABLE, "rtf")


def test_a_wide_matrix_turns_its_long_headers_upwards_and_keeps_the_study_column_readable() -> None:
    themes = tuple(f"Theme number {i} about being recognised as a fellow human" for i in range(10))
    rows = tuple(
        (f"[{20 + i}] Andreasson and Skärsäter (2012)", *("✓" if (i + j) % 2 else "" for j in range(10))) for i in range(5)
    )
    table = Table("Themes × studies", ("study", *themes), rows, key="matrix")
    document = docx.Document(io.BytesIO(render_bytes(table, "docx")))
    grid = document.tables[0]
    header = grid.rows[0].cells
    assert "btLr" not in header[0]._tc.xml and all("btLr" in c._tc.xml for c in header[1:])
    widths = [c.width for c in grid.rows[1].cells]
    assert widths[0] > 2 * max(widths[1:])  # the label gets the room the ticks do not need
