"""Text of a PDF, page by page: what full-text screening and extraction quote and search.

Pages are kept apart because a reviewer cites "p. 7", and a quote found in the text must lead back
to its page. pypdf is imported inside `pdf_pages` only: it costs tens of milliseconds, and most
CLI commands never touch a PDF.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from qes.errors import UserError

_PDF_MAGIC = b"%PDF-"
_HEAD = 1024  # readers accept the header anywhere in the first KiB; we allow leading whitespace only
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace except the line break
# "reci-\nprocity is" → "reciprocity\nis": the rest of the broken word moves up, the line break stays.
_HYPHENATED = re.compile(r"([^\W\d_])-\n([^\W\d_]\S*)( ?)")


@dataclass(frozen=True)
class PageText:
    page: int  # 1-based, as printed in citations ("p. 1" is the first page of the file)
    text: str


def looks_like_pdf(data: bytes) -> bool:
    """True if `data` starts with the PDF header (after optional whitespace, within the first KiB)."""
    return data[:_HEAD].lstrip(b" \t\r\n\f\x00").startswith(_PDF_MAGIC)


def pdf_pages(data: bytes, *, name: str = "PDF") -> list[PageText]:
    """The text of every page of a PDF (pages without text give ""); UserError if it cannot be read.

    Encrypted PDFs are opened when the user password is empty (common for "print-protected"
    articles); otherwise the file is refused: qes has no way to ask for a password here.
    """
    if not looks_like_pdf(data):
        raise UserError(f"{name}: not a readable PDF: no %PDF- header")
    from pypdf import PdfReader  # lazy: see the module docstring

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UserError(f"{name}: not a readable PDF: encrypted with a password")
        pages = list(reader.pages)
    except UserError:
        raise
    except Exception as exc:  # pypdf raises many types (PdfReadError, ValueError, KeyError...) on broken files
        raise UserError(f"{name}: not a readable PDF: {_reason(exc)}") from None
    out = []
    for number, page in enumerate(pages, 1):
        try:
            raw = page.extract_text() or ""
        except Exception as exc:  # a broken content stream on one page; say which
            raise UserError(f"{name}: not a readable PDF: page {number}: {_reason(exc)}") from None
        out.append(PageText(page=number, text=normalise_text(raw)))
    return out


def normalise_text(text: str) -> str:
    """Collapse runs of spaces, keep line breaks, strip; rejoin words hyphenated at a line end.

    Only lower-case on both sides is rejoined: "Smith-\\nJones" and "COVID-\\n19" keep their hyphen.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _HYPHENATED.sub(_join_hyphenated, "\n".join(lines)).strip()


def _join_hyphenated(match: re.Match[str]) -> str:
    before, after, space = match.groups()
    if not (before.islower() and after[0].islower()):
        return match.group(0)
    return before + after + ("\n" if space else "")


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text or type(exc).__name__
