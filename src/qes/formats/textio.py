"""Bytes → text for every reader: encoding detection, BOMs, newlines, binary refusal.

Real exports arrive as UTF-8 with or without BOM, UTF-16 (EndNote, some Windows tools) or
cp1252 (older Ovid/EBSCO downloads). Detection looks at the first 64 KiB only, so a 1 GB file
is never read twice; the rest is decoded as a stream. A stray byte that is not valid in the
detected encoding later in the file is decoded as cp1252 rather than aborting the import (the
usual cause is one record pasted from a Windows tool), and counted so the import can warn.

Newlines: CRLF and lone CR become LF (universal newlines; WoS RIS exports hide tags behind lone
CRs). U+2028/U+2029 are *not* line breaks here: they occur inside abstracts and must stay in the
field (clean_text turns them into spaces later).
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass
from typing import BinaryIO

from qes.errors import InputFileError

HEAD_BYTES = 64 * 1024
_FALLBACK_ERRORS = "qes-cp1252-fallback"


class _FallbackCounter:
    """Counts bytes decoded by the cp1252 fallback (per process; read by `DecodedText`)."""

    count = 0


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    _FallbackCounter.count += 1
    return bytes(bad).decode("cp1252", errors="replace"), exc.end


codecs.register_error(_FALLBACK_ERRORS, _cp1252_fallback)


@dataclass(frozen=True)
class Encoding:
    name: str  # Python codec name
    bom: bool


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head:
        return True
    # Control characters other than tab/newlines/form feed are rare in text exports.
    controls = sum(1 for b in head[:4096] if b < 32 and b not in (9, 10, 12, 13, 26))
    return controls > max(8, len(head[:4096]) // 50)


def _valid_utf8_prefix(head: bytes) -> bool:
    """True if `head` is UTF-8, allowing a multi-byte sequence cut at the end of the sample."""
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"


def detect_encoding(head: bytes, file_name: str) -> Encoding:
    """The encoding of a file whose first bytes are `head`; InputFileError for binary files."""
    if head.startswith(codecs.BOM_UTF8):
        return Encoding("utf-8", True)
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return Encoding("utf-16", True)
    # UTF-16 without BOM: every other byte zero in ASCII-heavy text.
    sample = head[:2048]
    if len(sample) >= 4:
        even_zero = sample[1::2].count(0) / max(1, len(sample[1::2]))
        odd_zero = sample[0::2].count(0) / max(1, len(sample[0::2]))
        if even_zero > 0.4 and odd_zero < 0.05:
            return Encoding("utf-16-le", False)
        if odd_zero > 0.4 and even_zero < 0.05:
            return Encoding("utf-16-be", False)
    if _looks_binary(head):
        raise InputFileError(file_name, "binary file, not a bibliographic export (is it a PDF, ZIP or Word file?)")
    if _valid_utf8_prefix(head):
        return Encoding("utf-8", False)
    return Encoding(_guess_single_byte(head), False)


def _guess_single_byte(head: bytes) -> str:
    from charset_normalizer import from_bytes  # only for the rare non-UTF-8 file

    best = from_bytes(head[:HEAD_BYTES], cp_isolation=["cp1252", "latin_1", "mac_roman", "cp1250", "iso8859_15"]).best()
    if best is None or best.encoding in ("latin_1", "iso8859_15"):
        return "cp1252"  # superset of latin-1 for printable text; what Windows tools write
    return best.encoding


class DecodedText:
    """A binary stream decoded as text, newline-normalised, with the head available for sniffing."""

    def __init__(self, raw: BinaryIO, file_name: str) -> None:
        head = raw.read(HEAD_BYTES)
        if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
            raise InputFileError(file_name, "empty file: no records")
        self.encoding = detect_encoding(head, file_name)
        self._fallback_start = _FallbackCounter.count
        stream = io.BufferedReader(_Prefixed(head, raw))  # type: ignore[arg-type]
        codec = "utf-8-sig" if self.encoding.name == "utf-8" else self.encoding.name
        errors = _FALLBACK_ERRORS if self.encoding.name.startswith("utf-8") else "replace"
        self.stream = io.TextIOWrapper(stream, encoding=codec, errors=errors, newline=None)
        self.head = _decode_head(head, codec)

    @property
    def fallback_bytes(self) -> int:
        """How many undecodable byte runs were read as cp1252 so far."""
        return _FallbackCounter.count - self._fallback_start

    def close(self) -> None:
        self.stream.close()


def _decode_head(head: bytes, codec: str) -> str:
    text = head.decode(codec, errors=_FALLBACK_ERRORS if codec.startswith("utf-8") else "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


class _Prefixed(io.RawIOBase):
    """A raw stream that yields `prefix` then the rest of `raw` (so the head is read only once)."""

    def __init__(self, prefix: bytes, raw: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if len(self._prefix):
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()
