"""The contract every format module fulfils.

A format module (`qes.formats.ris`, `...medline`, ...) exposes

* ``sniff(head: str) -> int``: confidence 0–100 that decoded text starting with `head` (up to
  64 KiB, BOM removed, newlines normalised to \\n) is this format; detection is by content only;
* ``read(stream: TextIO, ctx: ReadContext) -> Iterator[Record]``: records in file order, lazily
  (a 1 GB file streams; memory stays bounded). Recoverable problems go to ``ctx.warn``; a file
  that cannot be read raises `qes.errors.InputFileError` naming file and line;
* optionally ``write(records: Iterable[Record], out: TextIO) -> None``;
* optionally ``split(stream: TextIO, lines: int) -> Iterator[Chunk]`` with ``read`` taking a
  third argument ``start: Chunk | None``: the file cut into whole records that can be read one
  by one, in other processes, with the same records, warnings and errors as the whole file.

Readers fill the canonical fields through `qes.records.normalise`, note the source tag of each
field with ``Record.note_tag``, keep every (tag, value) pair in ``Record.raw`` and set
``Record.origin`` from ``ctx.origin(line, position)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol, TextIO

from qes.errors import InputFileError
from qes.records.model import Origin, ReadWarning, Record


@dataclass
class ReadContext:
    """What a reader knows about the file it reads, and where its warnings go."""

    file_name: str
    source: str = ""
    format: str = ""
    detail: str = ""  # what the reader learned about the file, e.g. the CSV layout ("Scopus layout")
    warnings: list[ReadWarning] = field(default_factory=list)
    on_warning: Callable[[ReadWarning], None] | None = None

    def warn(self, message: str, line: int = 0, record: int = 0) -> None:
        w = ReadWarning(self.file_name, line, record, message)
        self.warnings.append(w)
        if self.on_warning is not None:
            self.on_warning(w)

    def fail(self, message: str, line: int = 0, record: int = 0) -> InputFileError:
        """The error to raise for an unreadable file (`raise ctx.fail(...)`)."""
        return InputFileError(self.file_name, message, line=line, record=record)

    def origin(self, line: int, position: int) -> Origin:
        return Origin(file_name=self.file_name, source=self.source, format=self.format, line=line, position=position)


class Chunk(NamedTuple):
    """A run of whole records cut from a file: its text, where it starts, and whether it is the end."""

    text: str
    line: int  # line number (1-based) of its first line in the file
    position: int  # how many records come before it in the file
    last: bool


class FormatModule(Protocol):
    NAME: str
    LABEL: str

    def sniff(self, head: str) -> int: ...

    def read(self, stream: TextIO, ctx: ReadContext) -> Iterator[Record]: ...


Writer = Callable[[Iterable[Record], TextIO], None]
