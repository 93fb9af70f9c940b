"""Tiny hand-written PDFs for tests: no fixture files, no PDF-writing dependency.

Each page holds its lines as separate text objects (BT /F1 12 Tf x y Td (line) Tj ET), top
down, in the standard Helvetica font, so any PDF reader extracts them as separate lines.
"""

from __future__ import annotations


def _escape(text: str) -> bytes:
    # WinAnsi (cp1252) is the font's encoding; \ ( ) are the PDF string delimiters.
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(page_text: str) -> bytes:
    parts = []
    for i, line in enumerate(page_text.split("\n")):
        parts.append(b"BT /F1 12 Tf 72 %d Td (%s) Tj ET" % (740 - 16 * i, _escape(line)))
    return b"\n".join(parts) + b"\n"


def make_pdf(pages: list[str]) -> bytes:
    """A valid PDF 1.4 with one page per string; "\\n" in a string starts a new line."""
    n = len(pages)
    font_id = 3
    page_ids = [4 + 2 * i for i in range(n)]
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % p for p in page_ids), n),
        font_id: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for page_id, text in zip(page_ids, pages, strict=True):
        stream = _content(text)
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (font_id, page_id + 1)
        )
        objects[page_id + 1] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # binary comment: marks the file as binary for transfer tools
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]  # every entry is exactly 20 bytes
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)
