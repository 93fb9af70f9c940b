"""PDF text by page: hand-made PDFs (tests/pdf_maker.py) and broken input."""

from __future__ import annotations

import io

import pytest

from pdf_maker import make_pdf
from qes.errors import UserError
from qes.fulltext.extract import PageText, looks_like_pdf, normalise_text, pdf_pages


def test_two_pages_give_their_texts_with_page_numbers() -> None:
    data = make_pdf(["First page\nsecond line", "Page two (with parens) and back\\slash"])
    assert pdf_pages(data, name="a.pdf") == [
        PageText(page=1, text="First page\nsecond line"),
        PageText(page=2, text="Page two (with parens) and back\\slash"),
    ]


def test_spaces_collapse_and_lower_case_hyphenation_is_rejoined() -> None:
    data = make_pdf(["Trust   and reci-\nprocity in care\nCOVID-\n19 wards"])
    assert pdf_pages(data)[0].text == "Trust and reciprocity\nin care\nCOVID-\n19 wards"


def test_empty_page_gives_empty_text() -> None:
    assert pdf_pages(make_pdf(["", "text"])) == [PageText(1, ""), PageText(2, "text")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a  b\t c\r\nd", "a b c\nd"),
        ("  reci-\nprocity is\n", "reciprocity\nis"),
        ("end of line hyphen-\nated", "end of line hyphenated"),
        ("Smith-\nJones", "Smith-\nJones"),
        ("pre-\n2020", "pre-\n2020"),
        ("über-\nall", "überall"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage, not a pdf", b"%PDF-1.4\nnot really", make_pdf(["cut short"])[:150]],
    ids=["empty", "garbage", "header-only", "truncated"],
)
def test_unreadable_data_is_a_user_error_naming_the_file(data: bytes) -> None:
    with pytest.raises(UserError, match=r"^paper\.pdf: not a readable PDF: "):
        pdf_pages(data, name="paper.pdf")


def _encrypted(user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["secret text"]))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_with_empty_user_password_is_read() -> None:
    assert pdf_pages(_encrypted("")) == [PageText(1, "secret text")]


def test_encrypted_with_a_password_is_refused() -> None:
    with pytest.raises(UserError, match=r"^locked\.pdf: not a readable PDF: encrypted"):
        pdf_pages(_encrypted("s3cret"), name="locked.pdf")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n", True),
        (b"\r\n  \t%PDF-1.4", True),
        (make_pdf(["x"]), True),
        (b"", False),
        (b"%PD", False),
        (b"hello %PDF-1.4", False),
        (b" " * 1024 + b"%PDF-1.4", False),
        (b"\xef\xbb\xbf%PDF-1.4", False),
    ],
)
def test_looks_like_pdf(data: bytes, expected: bool) -> None:
    assert looks_like_pdf(data) is expected
