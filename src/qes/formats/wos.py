"""Web of Science plain text (.ciw, savedrecs.txt), incl. Zoological Record and older WoK files.

Two-letter tags, a space, the value; continuation lines start with three spaces. For name and
reference tags (AU, AF, CR ...) each continuation line is a further value; for text tags it
continues the value. `ER` ends a record, `EF` the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from qes.formats.base import ReadContext
from qes.formats.tagged import FieldMap, build_record
from qes.records.model import Record

NAME = "wos"
LABEL = "Web of Science plain text (.ciw, savedrecs.txt)"

FIELDS = FieldMap(
    title=("TI",),
    abstract=("AB",),
    authors=("AF", "AU", "CA"),
    year=("PY", "PD", "EA"),
    date=("PD",),
    journal=("SO", "SE", "J9", "JI"),
    volume=("VL",),
    issue=("IS",),
    page_start=("BP", "AR"),
    page_end=("EP",),
    doi=("DI", "D2"),
    pmid=("PM",),
    issn=("SN", "EI"),
    isbn=("BN",),
    language=("LA",),
    pub_type=("DT", "PT"),
    publisher=("PU",),
    keywords=("DE", "ID"),
    urls=("UR",),
    accession_numbers=("UT", "AN"),
    source_id=("UT", "AN"),
)

# Tags whose continuation lines are separate values.
MULTI_LINE_VALUES = frozenset({"AU", "AF", "BA", "BF", "CA", "BE", "CR", "C1", "RP", "EM", "RI", "OI", "GP"})
_TAG_LINE = re.compile(r"([A-Z][A-Z0-9])(?: (.*))?$")


def sniff(head: str) -> int:
    lines = head.split("\n", 200)[:200]
    if lines and re.match(r"FN (Clarivate|Thomson|ISI)", lines[0]):
        return 98
    has_pt = any(re.match(r"PT [A-Z]\s*$", ln) for ln in lines)
    has_er = any(ln.strip() == "ER" for ln in head.split("\n"))
    return 90 if has_pt and has_er else 0


def read(stream: TextIO, ctx: ReadContext) -> Iterator[Record]:
    pairs: list[tuple[str, str]] | None = None
    start = position = lineno = 0
    for lineno, line in enumerate(stream, 1):
        line = line.rstrip("\n").lstrip("\ufeff")
        if not line.strip():
            continue
        if line.startswith("  "):
            if pairs:
                tag, value = pairs[-1]
                if tag in MULTI_LINE_VALUES:
                    pairs.append((tag, line.strip()))
                else:
                    pairs[-1] = (tag, f"{value} {line.strip()}")
            continue
        m = _TAG_LINE.match(line)
        if m is None:
            raise ctx.fail(f"not a Web of Science tag line: {line[:40]!r}", line=lineno, record=position + 1)
        tag, value = m.group(1), (m.group(2) or "").strip()
        if tag in ("FN", "VR", "EF") and pairs is None:
            continue
        if tag == "ER":
            if pairs is not None:
                position += 1
                yield build_record(pairs, FIELDS, ctx, start, position)
            pairs = None
            continue
        if pairs is None:
            pairs, start = [], lineno
        pairs.append((tag, value))
    if pairs:
        raise ctx.fail(
            f"file ends inside record {position + 1} (started at line {start}) without an ER line: truncated file?",
            line=lineno,
            record=position + 1,
        )
