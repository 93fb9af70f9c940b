"""PubMed MEDLINE text (.nbib, 'PubMed format' .txt) and PMC's MEDLARS display format.

Tags are up to four letters padded to four columns (`PMID- `, `TI  - `); long values continue on
lines indented by six spaces; records are separated by blank lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from qes.formats.base import ReadContext
from qes.formats.tagged import FieldMap, build_record
from qes.records.model import Record

NAME = "medline"
LABEL = "PubMed / MEDLINE text (.nbib, .txt)"

FIELDS = FieldMap(
    title=("TI", "BTI", "TT"),
    abstract=("AB", "OAB"),
    authors=("FAU", "AU", "CN"),
    year=("DP", "DEP", "DA"),
    date=("DP",),
    journal=("JT", "TA", "BTI"),
    volume=("VI",),
    issue=("IP",),
    page_start=("PG",),
    doi=("LID", "AID"),
    pmid=("PMID",),
    pmcid=("PMC",),
    issn=("IS",),
    isbn=("ISBN",),
    language=("LA",),
    pub_type=("PT",),
    publisher=("PB",),
    keywords=("OT",),
    headings=("MH",),
    accession_numbers=("PMID",),
    source_id=("PMID", "PMC"),
)

_TAG_LINE = re.compile(r"([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$")
_PMID_LINE = re.compile(r"^PMID- ?\d", re.MULTILINE)


def sniff(head: str) -> int:
    if _PMID_LINE.search(head) and re.search(r"^(TI|AU|DP|PT|SO)  - ", head, re.MULTILINE):
        return 95
    return 40 if _PMID_LINE.search(head) else 0


def read(stream: TextIO, ctx: ReadContext) -> Iterator[Record]:
    pairs: list[tuple[str, str]] = []
    start = position = 0
    for lineno, line in enumerate(stream, 1):
        line = line.rstrip("\n").lstrip("\ufeff")
        if not line.strip():
            if pairs:
                position += 1
                yield _finish(pairs, ctx, start, position)
                pairs = []
            continue
        if line[:1] == " ":
            if not pairs:
                raise ctx.fail("continuation line outside any record", line=lineno, record=position + 1)
            tag, value = pairs[-1]
            pairs[-1] = (tag, f"{value} {line.strip()}")
            continue
        m = _TAG_LINE.match(line)
        if m is None:
            raise ctx.fail(f"not a MEDLINE tag line: {line[:40]!r}", line=lineno, record=position + 1)
        if not pairs:
            start = lineno
        pairs.append((m.group(1), m.group(2).strip()))
    if pairs:
        position += 1
        yield _finish(pairs, ctx, start, position)


def _finish(pairs: list[tuple[str, str]], ctx: ReadContext, line: int, position: int) -> Record:
    if not any(tag == "PMID" or tag == "PMC" or tag == "TI" for tag, _ in pairs):
        raise ctx.fail("record has neither PMID nor TI: not a complete MEDLINE record", line=line, record=position)
    # Only DOIs marked '[doi]' are the article's own (AID/LID also carry '[pii]' identifiers).
    doi_pairs = [(t, v) for t, v in pairs if t not in ("LID", "AID") or "[doi]" in v]
    rec = build_record(doi_pairs, FIELDS, ctx, line, position)
    rec.raw = pairs
    return rec
