"""Render a `Table` as Markdown, CSV, HTML, DOCX or LaTeX: `render(table, fmt, stream)`.

Text formats write `str` to a text stream; DOCX writes bytes to a binary stream. Every cell is
escaped for its format (HTML entities, LaTeX specials, Markdown pipes), so a study label such as
"Smith & Jones <2010>" or "100% {sic}" prints as written in every format.
"""

from __future__ import annotations

import csv
import io
from html import escape
from typing import IO, Any

from qes.errors import UserError
from qes.reporting.tables import Table

FORMATS = ("md", "csv", "html", "docx", "latex")
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "latex": "application/x-tex; charset=utf-8",
}
SUFFIXES = {"md": ".md", "csv": ".csv", "html": ".html", "docx": ".docx", "latex": ".tex"}


def render(table: Table, fmt: str, stream: IO[Any]) -> None:
    """Write `table` in `fmt` to `stream` (text stream; binary for docx)."""
    if fmt == "docx":
        from qes.reporting.render_docx import write_docx

        write_docx([table], stream)
        return
    writers = {"md": markdown, "csv": csv_text, "html": html_document, "latex": latex}
    if fmt not in writers:
        raise UserError(f"--format {fmt!r}: tables are written as {', '.join(FORMATS)}")
    stream.write(writers[fmt](table))


def render_bytes(table: Table, fmt: str) -> bytes:
    """The rendered table as bytes (UTF-8 for the text formats), for downloads."""
    if fmt == "docx":
        buffer = io.BytesIO()
        render(table, fmt, buffer)
        return buffer.getvalue()
    text = io.StringIO()
    render(table, fmt, text)
    return text.getvalue().encode("utf-8")


# --- Markdown --------------------------------------------------------------------------------------


_MD_SPECIALS = {c: "\\" + c for c in "\\|<>*_`"}


def markdown_inline(text: str) -> str:
    """`text` as literal Markdown on one line: emphasis markers and raw HTML stay the text they are."""
    # A pipe ends a cell and a newline ends the row: escape the one, turn the other into <br>; the
    # other escapes keep emphasis markers and raw HTML in a cell as the literal text they are.
    escaped = "".join(_MD_SPECIALS.get(ch, ch) for ch in text.replace("\r\n", "\n"))
    return escaped.replace("\n", "<br>")


def markdown(table: Table) -> str:
    lines = [f"**{markdown_inline(table.title)}**", ""] if table.title else []
    lines.append("| " + " | ".join(markdown_inline(c) for c in table.columns) + " |")
    lines.append("|" + "|".join("---" for _ in table.columns) + "|")
    lines.extend("| " + " | ".join(markdown_inline(c) for c in row) + " |" for row in table.rows)
    if table.notes:
        lines.append("")
        lines.extend(markdown_inline(n) for n in table.notes)
    return "\n".join(lines) + "\n"


# --- CSV -------------------------------------------------------------------------------------------


def csv_text(table: Table) -> str:
    """Header and rows only (notes are not data): what a spreadsheet or `csv.reader` reads back."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return out.getvalue()


# --- HTML ------------------------------------------------------------------------------------------


def html_table(table: Table) -> str:
    """The table as an HTML fragment (<table> with caption, header and notes), every cell escaped."""
    parts = [f'<table class="manuscript" data-key="{escape(table.key)}">']
    if table.title:
        parts.append(f"<caption>{escape(table.title)}</caption>")
    parts.append("<thead><tr>" + "".join(f'<th scope="col">{escape(c)}</th>' for c in table.columns) + "</tr></thead>")
    parts.append("<tbody>")
    for row in table.rows:
        parts.append("<tr>" + "".join(f"<td>{_html_cell(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    if table.notes:
        parts.append('<div class="table-notes">' + "".join(f"<p>{escape(n)}</p>" for n in table.notes) + "</div>")
    return "\n".join(parts)


def _html_cell(text: str) -> str:
    return escape(text).replace("\n", "<br>")


HTML_STYLE = """body{font-family:Georgia,'Times New Roman',serif;margin:2em auto;max-width:60em;color:#111}
table.manuscript{border-collapse:collapse;width:100%;font-size:0.95em;margin:1em 0}
table.manuscript caption{text-align:left;font-weight:bold;margin-bottom:0.4em}
table.manuscript th{text-align:left;border-top:2px solid #000;border-bottom:1px solid #000;
  padding:0.3em 0.5em;vertical-align:bottom}
table.manuscript td{padding:0.3em 0.5em;vertical-align:top;border-bottom:1px solid #ddd}
table.manuscript tbody tr:last-child td{border-bottom:2px solid #000}
.table-notes p{font-size:0.85em;margin:0.2em 0}"""


def html_document(table: Table) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(table.title or table.key or 'table')}</title>\n<style>\n{HTML_STYLE}\n</style>\n</head>\n<body>\n"
        f"{html_table(table)}\n</body>\n</html>\n"
    )


# --- LaTeX -----------------------------------------------------------------------------------------

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "✓": r"\checkmark{}",
    "\n": r"\newline{}",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text.replace("\r\n", "\n"))


def latex(table: Table) -> str:
    """A booktabs `longtable` (its header repeats on every page), with p{} columns sized by content.

    Needs `\\usepackage{booktabs,longtable,amssymb}` (amssymb for \\checkmark) in the preamble.
    """
    spec = "".join(f"p{{{0.96 * w:.3f}\\linewidth}}" for w in column_weights(table))
    header = " & ".join(r"\textbf{" + latex_escape(c) + "}" for c in table.columns) + r" \\"
    lines = [
        "% Requires \\usepackage{booktabs,longtable,amssymb}",
        r"\begin{longtable}{" + spec + "}",
    ]
    if table.title:
        lines.append(
            r"\caption{" + latex_escape(table.title) + r"}" + (r"\label{tab:" + table.key + "}" if table.key else "") + r" \\"
        )
    lines += [r"\toprule", header, r"\midrule", r"\endfirsthead", r"\toprule", header, r"\midrule", r"\endhead"]
    lines += [" & ".join(latex_escape(c) for c in row) + r" \\" for row in table.rows]
    lines.append(r"\bottomrule")
    lines.append(r"\end{longtable}")
    for note in table.notes:
        lines.append(r"\noindent{\footnotesize " + latex_escape(note) + r"}\par")
    return "\n".join(lines) + "\n"


def column_weights(table: Table) -> list[float]:
    """Relative column widths from their content (see `column_widths`), summing to 1."""
    widths = column_widths(table, 1000.0, 5.0)
    return [w / 1000.0 for w in widths]


def _longest_words(table: Table, rotated: frozenset[int] = frozenset()) -> list[float]:
    """Per column, its longest word in characters; header words count 1.2 times (they are bold),
    and not at all in a `rotated` column (its header runs up the cell, not across)."""
    out = []
    for i, name in enumerate(table.columns):
        header = 0.0 if i in rotated else max((len(w) for w in name.split()), default=1) * 1.2
        body = max((len(w) for row in table.rows for w in row[i].split()), default=1)
        out.append(max(header, body))
    return out


def minimum_width(table: Table, char_width: float, pad: float | None = None) -> float:
    """The narrowest the table can be without breaking a word (as `column_widths` counts it)."""
    pad = 3 * char_width if pad is None else pad
    return sum(min(max(n, 4), 18) * char_width + pad for n in _longest_words(table))


def column_widths(
    table: Table, available: float, char_width: float, pad: float | None = None, rotated: frozenset[int] = frozenset()
) -> list[float]:
    """Column widths (in the unit of `available`) that a reader finds natural.

    Each column first gets its longest word (a column narrower than a word breaks the word: "Y e a
    r"), up to 18 characters; what is left goes to the columns whose text would like more room
    (their typical cell, up to 60 characters), in proportion to that want; any space still left is
    shared by the same proportions. `char_width` is the width of one character in that unit, `pad`
    a cell's margins (default three characters).
    """
    pad = 3 * char_width if pad is None else pad
    minimum, wanted = [], []
    for i, (name, longest_word) in enumerate(zip(table.columns, _longest_words(table, rotated), strict=True)):
        cells = [row[i] for row in table.rows]
        lengths = sorted(len(c) for c in cells) or [len(name)]
        typical = lengths[int(0.8 * (len(lengths) - 1))]
        low = min(max(longest_word, 4), 18) * char_width + pad  # bold header text is wider
        minimum.append(low)
        header_want = 0 if i in rotated else len(name) / 2
        wanted.append(max(low, min(max(typical, header_want), 60) * char_width + pad))
    total_min = sum(minimum)
    if total_min >= available:
        return [available * m / total_min for m in minimum]
    spare = available - total_min
    extra = [w - m for w, m in zip(wanted, minimum, strict=True)]
    if sum(extra) >= spare:
        return [m + spare * e / sum(extra) for m, e in zip(minimum, extra, strict=True)]
    left = spare - sum(extra)
    return [w + left * w / sum(wanted) for w in wanted]
