"""Which reader reads a file (by content, never by extension), and the writers.

Each format module scores the decoded head of the file (`sniff`, 0–100); the best score wins.
CSV is the fallback that scores low, so a file that is clearly RIS or MEDLINE is never read as
CSV. A file nobody recognises is refused with the list of formats qes reads.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TextIO, TypeVar

from qes.errors import InputFileError, UserError
from qes.formats import bibtex, csvfile, endnote_xml, medline, openalex, ris, wos
from qes.formats.base import Chunk, ReadContext
from qes.formats.textio import DecodedText
from qes.records.model import ReadWarning, Record

READERS: dict[str, ModuleType] = {m.NAME: m for m in (ris, medline, wos, bibtex, endnote_xml, openalex, csvfile)}
READER_NAMES: tuple[str, ...] = tuple(READERS)
WRITER_NAMES: tuple[str, ...] = ("ris", "bibtex", "csv", "asreview")
MIN_SCORE = 15
T = TypeVar("T")


def detect_format(head: str) -> str | None:
    """The reader name for decoded text starting with `head`, or None if no reader claims it."""
    scores = {name: module.sniff(head) for name, module in READERS.items()}
    best = max(scores, key=lambda n: scores[n])
    return best if scores[best] >= MIN_SCORE else None


def _describe_unknown(head: str) -> str:
    first = next((ln for ln in head.split("\n") if ln.strip()), "")[:60]
    return f"not a bibliographic export qes can read (starts with {first!r}); formats read: " + ", ".join(READER_NAMES)


class FileReader:
    """Records of one file, lazily; use as a context manager (closes the file).

    `format` and `encoding` are known on construction; `warnings` fill while iterating.
    """

    def __init__(
        self,
        raw: io.BufferedIOBase,
        file_name: str,
        source: str = "",
        fmt: str | None = None,
    ) -> None:
        self.file_name = file_name
        try:
            self._text = DecodedText(raw, file_name)  # type: ignore[arg-type]
        except BaseException:
            raw.close()
            raise
        if fmt is not None and fmt not in READERS:
            self._text.close()
            raise UserError(f"unknown format {fmt!r}; choose one of: {', '.join(READER_NAMES)}")
        detected = fmt or detect_format(self._text.head)
        if detected is None:
            self._text.close()
            raise InputFileError(file_name, _describe_unknown(self._text.head), line=1)
        self.format = detected
        self.encoding = self._text.encoding.name + (
            "-sig" if self._text.encoding.bom and self._text.encoding.name == "utf-8" else ""
        )
        self.context = ReadContext(file_name=file_name, source=source, format=detected)
        self._module = READERS[detected]
        self._fallback_reported = False

    @property
    def warnings(self) -> list[ReadWarning]:
        return self.context.warnings

    @property
    def detail(self) -> str:
        return self.context.detail

    def __iter__(self) -> Iterator[Record]:
        yield from self._decoding(self._module.read(self._text.stream, self.context))

    @property
    def splittable(self) -> bool:
        """True when the format can be cut into chunks read apart (`chunks`, `read_chunk`)."""
        return hasattr(self._module, "split")

    def chunks(self, chars: int) -> Iterator[Chunk]:
        """The file as chunks of whole records (about `chars` characters each), instead of records.

        `read_chunk` of each, in order, gives what iterating the reader gives; the warnings of
        the file as a whole (undecodable bytes) still land in `warnings` at the end.
        """
        yield from self._decoding(self._module.split(self._text.stream, chars, self.context))

    def _decoding(self, items: Iterator[T]) -> Iterator[T]:
        try:
            yield from items
        except UnicodeDecodeError as exc:  # only for UTF-16 files with broken surrogates
            raise InputFileError(self.file_name, f"cannot decode as {self.encoding}: {exc.reason}") from None
        if self._text.fallback_bytes and not self._fallback_reported:
            self._fallback_reported = True
            self.context.warn(
                f"{self._text.fallback_bytes} byte sequence(s) were not valid {self._text.encoding.name}; read as cp1252"
            )

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> FileReader:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def read_chunk(chunk: Chunk, fmt: str, file_name: str, source: str = "") -> tuple[list[Record], list[ReadWarning]]:
    """The records and warnings of one chunk of a file (see `FileReader.chunks`).

    Raises `InputFileError` (file:line) exactly where reading the whole file would.
    """
    context = ReadContext(file_name=file_name, source=source, format=fmt)
    records = list(READERS[fmt].read(io.StringIO(chunk.text), context, chunk))
    return records, context.warnings


def read_file(path: str | Path, source: str = "", fmt: str | None = None, display_name: str | None = None) -> FileReader:
    """Open an export for reading: `with read_file(p) as reader: for rec in reader: ...`."""
    path = Path(path)
    name = display_name or path.name
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise UserError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{name}: is a directory, not an export file") from None
    except PermissionError:
        raise UserError(f"{name}: permission denied") from None
    return FileReader(raw, name, source=source, fmt=fmt)


def read_text(text: str, fmt: str | None = None, file_name: str = "<text>", source: str = "") -> list[Record]:
    """All records of an export held in memory (tests, pasted text, web uploads of small files)."""
    with FileReader(io.BytesIO(text.encode("utf-8")), file_name, source=source, fmt=fmt) as reader:
        return list(reader)


def write_records(records: Iterable[Record], fmt: str, out: TextIO) -> None:
    """Write records as ris | bibtex | csv | asreview."""
    if fmt == "ris":
        ris.write(records, out)
    elif fmt == "bibtex":
        bibtex.write(records, out)
    elif fmt == "csv":
        csvfile.write(records, out)
    elif fmt == "asreview":
        csvfile.write_asreview(records, out)
    else:
        raise UserError(f"unknown export format {fmt!r}; choose one of: {', '.join(WRITER_NAMES)}")
