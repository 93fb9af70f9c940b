"""Reading a file chunk by chunk (what import workers do) gives what reading it whole gives.

Records, field provenance, raw pairs, positions, line numbers, warnings and the error of a bad
file: property-based over RIS text with the quirks of real exports (no ER line, Ovid's tags after
ER, untagged continuation lines, TY lines written loosely, blank and stray lines), cut into
chunks of every size; and over every real RIS export in ../shared.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qes.errors import InputFileError
from qes.formats.registry import FileReader, read_chunk
from qes.records.storage import record_values
from support import shared_path

Outcome = tuple[list[tuple[Any, ...]], list[str], str | None]


def _whole(data: bytes) -> Outcome:
    rows: list[tuple[Any, ...]] = []
    with FileReader(io.BytesIO(data), "test.ris", fmt="ris") as reader:
        try:
            rows = [record_values(r, project_id=1, import_id=1) for r in reader]
            error = None
        except InputFileError as exc:
            error = str(exc)
        return _outcome(rows, [str(w) for w in reader.warnings], error)


def _outcome(rows: list[tuple[Any, ...]], warnings: list[str], error: str | None) -> Outcome:
    # A file with an error imports nothing and reports only the error.
    return (rows, warnings, None) if error is None else ([], [], error)


def _chunked(data: bytes, chars: int) -> Outcome:
    rows: list[tuple[Any, ...]] = []
    warnings: list[str] = []
    with FileReader(io.BytesIO(data), "test.ris", fmt="ris") as reader:
        try:
            for chunk in reader.chunks(chars):
                records, chunk_warnings = read_chunk(chunk, "ris", "test.ris")
                rows += [record_values(r, project_id=1, import_id=1) for r in records]
                warnings += [str(w) for w in chunk_warnings]
            error = None
        except InputFileError as exc:
            error = str(exc)
        warnings += [str(w) for w in reader.warnings]  # the file's own (undecodable bytes)
        return _outcome(rows, warnings, error)


_VALUE = st.text(st.characters(categories=("Lu", "Ll", "Nd", "Zs"), max_codepoint=0x17F), max_size=30)
_TAG = st.sampled_from(["AU", "TI", "T2", "PY", "DO", "AB", "KW", "SP", "EP", "VL", "ID", "N1", "UR"])


@st.composite
def _ris_line(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["tag", "tag", "tag", "tag", "continuation", "blank", "inline"]))
    if kind == "tag":
        return f"{draw(_TAG)}  - {draw(_VALUE)}"
    if kind == "continuation":
        return draw(st.sampled_from(["and more words", "TYPE 2 diabetes", "  indented", "1."]))
    if kind == "inline":
        return f"UR  - http://x.org/{draw(st.integers(0, 99))}     N1  - {draw(_VALUE)}"
    return ""


@st.composite
def _ris_record(draw: st.DrawFn) -> list[str]:
    ty = draw(st.sampled_from(["TY  - JOUR", "TY  - BOOK", "TY - JOUR", "TY  -", "\ufeffTY  - CHAP", "\ufeff\ufeffTY - GEN"]))
    lines = [ty, *draw(st.lists(_ris_line(), max_size=8))]
    end = draw(st.sampled_from(["ER  - ", "ER  - ", "ER  -", "none", "stray"]))
    if end == "stray":
        lines += ["ER  - ", "NL  - Link to the Ovid Full Text"]
    elif end != "none":
        lines.append(end)
    return lines


@st.composite
def _ris_file(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from([[], ["1."], ["Provider: Ovid", ""]]))
    records = draw(st.lists(_ris_record(), min_size=1, max_size=12))
    lines = head + [line for record in records for line in [*record, ""]]
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["AU  - Stray, A", "TI  - Orphan", "ER  - "])))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(lines)


@settings(max_examples=150, deadline=None)
@given(text=_ris_file(), chars=st.integers(min_value=1, max_value=400))
def test_chunks_read_like_the_whole_file(text: str, chars: int) -> None:
    data = text.encode("utf-8")
    assert _chunked(data, chars) == _whole(data)


def test_a_chunk_holds_whole_records_and_knows_where_it_starts() -> None:
    text = "".join(f"TY  - JOUR\nTI  - Paper {i}\nAU  - Smith, J\nER  - \n\n" for i in range(40))
    with FileReader(io.BytesIO(text.encode()), "x.ris") as reader:
        chunks = list(reader.chunks(200))
    assert len(chunks) > 5 and chunks[-1].last and not any(c.last for c in chunks[:-1])
    assert all(c.text.startswith("TY  - ") for c in chunks)
    assert "".join(c.text for c in chunks) == text
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.line == before.line + before.text.count("\n")
        assert after.position == before.position + before.text.count("TY  - ")


def test_error_in_a_later_chunk_names_its_line() -> None:
    good = "".join(f"TY  - JOUR\nTI  - Paper {i}\nER  - \n\n" for i in range(30))
    data = (good + "AU  - Nobody, N\nTI  - no TY here\nER  - \n").encode()
    whole, chunked = _whole(data), _chunked(data, 100)
    assert whole[2] == chunked[2] == "test.ris:121: record has no TY tag"


def test_real_ris_exports_read_the_same_in_chunks() -> None:
    folder = shared_path("fixtures", "ris")
    files = sorted(p for p in folder.iterdir() if p.is_file())
    assert files
    for path in files:
        data = path.read_bytes()
        whole = _whole(data)
        for chars in (64, 4096):
            assert _chunked(data, chars) == whole, (path.name, chars)


@pytest.mark.parametrize("chars", [1, 10_000])
def test_utf16_and_cp1252_files_read_the_same_in_chunks(chars: int) -> None:
    text = "TY  - JOUR\r\nTI  - Caf\u00e9 \u2013 \u00fcber\r\nER  - \r\n" * 5
    for data in (text.encode("utf-16"), text.encode("cp1252")):
        assert _chunked(data, chars) == _whole(data)
