"""RIS: Ovid, EBSCO, ProQuest, Scopus, WoS, Embase, EndNote, Zotero, Rayyan, Covidence ...

The tag table is rispy's (the field's reference list of RIS tags); the line reader is ours
because real exports break the RIS rules rispy expects:

* Ovid writes a record number (`1.`) before `TY` and a 'Link to the Ovid Full Text' line after
  `ER`: text outside a record is ignored;
* EndNote/WoS continue long values on untagged lines: appended to the previous tag's value;
* Rayyan writes two tags on one line (`UR  - http://...     U2  - L2029`): split when the second
  is a known tag;
* WoS hides tags behind lone CRs: handled by universal newlines in `textio`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TextIO

import rispy

from qes.formats.base import Chunk, ReadContext
from qes.formats.tagged import FieldMap, build_record
from qes.records.model import Record

NAME = "ris"
LABEL = "RIS (Ovid, EBSCO, ProQuest, Scopus, WoS, Embase, EndNote, Zotero, Rayyan, Covidence)"

# Tags of the RIS specification and its common extensions (numbered families U1-U5, C1-C8 ...).
KNOWN_TAGS: frozenset[str] = (
    frozenset(rispy.TAG_KEY_MAPPING)
    | {
        f"{p}{i}"
        for p, n in (("A", 4), ("C", 8), ("J", 2), ("L", 4), ("M", 3), ("N", 2), ("T", 3), ("U", 5), ("Y", 2))
        for i in range(1, n + 1)
    }
    | {"MH", "PM", "DI", "PU", "CP", "BN", "NS", "PG", "PD", "DB", "DP", "LK", "RN", "AN", "ST", "ET", "CY"}
)

FIELDS = FieldMap(
    title=("TI", "T1", "CT", "BT"),
    abstract=("AB", "N2"),
    authors=("AU", "A1"),
    year=("PY", "Y1", "DA", "Y2"),
    date=("DA", "Y1"),
    journal=("JF", "T2", "JO", "JA", "J2", "J1", "JI", "J9", "BT", "T3"),
    volume=("VL",),
    issue=("IS", "CP"),
    page_start=("SP",),
    page_end=("EP",),
    doi=("DO", "DI", "L3", "UR", "L2", "LK"),
    pmid=("PM",),
    pmcid=("C2",),
    issn=("SN",),
    isbn=("BN",),
    language=("LA",),
    pub_type=("M3", "TY"),
    publisher=("PB", "PU"),
    keywords=("KW",),
    headings=("MH",),
    urls=("UR", "L1", "L2", "LK", "L4"),
    accession_numbers=("AN",),
    source_id=("ID", "AN"),
    database=("DB", "DP"),
)

_TAG_LINE = re.compile(r"([A-Z][A-Z0-9]) {1,2}-(?: (.*)|\s*)$")
_INLINE_TAG = re.compile(r"\s{3,}([A-Z][A-Z0-9])  - ")
_CLASS_CODE = re.compile(r"\[\d+\]")
_PUBMED_DB = re.compile(r"pubmed|medline|nlm", re.IGNORECASE)


def sniff(head: str) -> int:
    lines = head.split("\n", 400)[:400]
    tagged = sum(1 for ln in lines if _TAG_LINE.match(ln))
    if not any(ln.startswith("TY  -") or ln.startswith("TY -") for ln in lines):
        return 0
    return 95 if tagged >= 3 else 60


def _split_inline(tag: str, value: str) -> list[tuple[str, str]]:
    """Rayyan's 'two tags on one line' → separate pairs (only for known second tags)."""
    pairs: list[tuple[str, str]] = []
    while True:
        m = _INLINE_TAG.search(value)
        if not m or m.group(1) not in KNOWN_TAGS:
            pairs.append((tag, value))
            return pairs
        pairs.append((tag, value[: m.start()]))
        tag, value = m.group(1), value[m.end() :]


_RECORD_TAGS = frozenset({"TI", "T1", "AU", "A1"})
_MAX_STRAY = 3


_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Every two-character tag the RIS line syntax allows (what `_TAG_LINE` accepts): one set lookup
# per line instead of five string tests.
_TAGS: frozenset[str] = frozenset(a + b for a in _UPPER for b in _UPPER + "0123456789")


def _tag_of(line: str) -> tuple[str, str] | None:
    """(tag, value) of a tagged line, or None for an untagged (continuation or blank) line."""
    if line[2:6] == "  - " and line[:2] in _TAGS:
        return line[:2], line[6:].strip()
    if (m := _TAG_LINE.match(line.rstrip("\n").lstrip("\ufeff"))) is not None:
        return m.group(1), (m.group(2) or "").strip()
    return None


def read(stream: TextIO, ctx: ReadContext, start: Chunk | None = None) -> Iterator[Record]:
    """Records of `stream`: a whole file, or one `Chunk` of it (`start` says where it lies)."""
    pairs: list[tuple[str, str]] | None = None  # None = between records
    done: tuple[list[tuple[str, str]], int, int] | None = None  # ended by ER, not yet yielded
    stray = 0  # tags after ER (Ovid writes `NL` there): they belong to the record just ended
    first_line, position, last = (start.line, start.position, start.last) if start else (1, 0, True)
    begin = 0
    lineno = first_line - 1
    for lineno, line in enumerate(stream, first_line):
        if line[2:6] == "  - " and (tag := line[:2]) in _TAGS:
            value = line[6:].strip()  # the common case, without a regex
        elif (tagged := _tag_of(line)) is not None:
            tag, value = tagged
        else:
            if pairs and line.strip():
                # Untagged continuation (EndNote, WoS): belongs to the previous tag's value.
                tag, value = pairs[-1]
                pairs[-1] = (tag, f"{value}\n{line.strip()}" if value else line.strip())
            continue
        if tag == "TY":
            if done is not None:
                yield _finish(*done, ctx)
                done = None
            if pairs is not None:
                ctx.warn(f"record {position} has no ER line; it ends where the next TY starts", line=lineno, record=position)
                yield _finish(pairs, begin, position, ctx)
            pairs, begin, position = [("TY", value)], lineno, position + 1
        elif tag == "ER":
            if pairs is not None:
                done, pairs, stray = (pairs, begin, position), None, 0
        elif pairs is not None:
            if "  - " in value:
                pairs.extend(_split_inline(tag, value))
            else:
                pairs.append((tag, value))
        elif done is not None and tag not in _RECORD_TAGS and stray < _MAX_STRAY:
            stray += 1
            done[0].append((tag, value))
        else:
            raise ctx.fail("record has no TY tag", line=lineno, record=position + 1)
    if done is not None:
        yield _finish(*done, ctx)
    if pairs is not None:
        if not last:  # a chunk ends where the next one's TY starts
            ctx.warn(f"record {position} has no ER line; it ends where the next TY starts", line=lineno + 1, record=position)
            yield _finish(pairs, begin, position, ctx)
            return
        raise ctx.fail(
            f"file ends inside record {position} (started at line {begin}) without an ER line: truncated file?",
            line=lineno,
            record=position,
        )


_MAX_CHUNK_CHARS = 64 << 20


def split(stream: TextIO, chars: int, ctx: ReadContext) -> Iterator[Chunk]:
    """The file as chunks of about `chars` characters, each cut just before a TY line.

    `read` of every chunk in turn gives the records, warnings and errors of `read` of the whole
    file (what a record does not finish in its chunk, the next TY would have finished anyway),
    so chunks can be read in other processes. Cuts are found and counted with string searches,
    line by line only where a TY line is written in an unusual way.
    """
    line, position, carry = 1, 0, ""
    while piece := stream.read(chars):
        text = carry + piece
        cut = _last_record_start(text)
        if cut <= 0:
            if len(text) > _MAX_CHUNK_CHARS:
                raise ctx.fail(
                    f"no record starts in the {_MAX_CHUNK_CHARS >> 20} MB after this line: not an RIS file?", line=line
                )
            carry = text
            continue
        chunk, carry = text[:cut], text[cut:]
        yield Chunk(chunk, line, position, last=False)
        line += chunk.count("\n")
        position += _count_records(chunk)
    yield Chunk(carry, line, position, last=True)


def _is_ty_line(line: str) -> bool:
    return line.lstrip("\ufeff")[:2] == "TY" and (tagged := _tag_of(line)) is not None and tagged[0] == "TY"


def _last_record_start(text: str) -> int:
    """Offset of the last TY line of `text` after its first line (-1: none)."""
    at = text.rfind("\nTY  - ")
    if at >= 0:
        return at + 1
    # Rare: only TY lines written another way. The last piece may be a line cut short: never a cut.
    parts = text.split("\n")
    start = len(text) - len(parts[-1])
    for line in reversed(parts[1:-1]):
        start -= len(line) + 1
        if _is_ty_line(line):
            return start
    return -1


def _count_records(text: str) -> int:
    """How many TY lines `text` (whole lines) holds, as `read` recognises them."""
    plain = text.count("\nTY  - ") + text.startswith("TY  - ")
    if text.count("\nTY") + text.startswith("TY") == plain and "\ufeff" not in text:
        return plain
    return sum(1 for line in text.split("\n") if _is_ty_line(line))


def _finish(pairs: list[tuple[str, str]], line: int, position: int, ctx: ReadContext) -> Record:
    rec = build_record(pairs, FIELDS, ctx, line, position)
    if rec.field_tags.get("pub_type") == ["M3"] and (len(rec.pub_type) > 40 or _CLASS_CODE.search(rec.pub_type)):
        # Ovid PsycINFO puts a classification ('... [3300]') in M3: the reference type is TY.
        rec.pub_type = next((v for t, v in pairs if t == "TY"), rec.pub_type)
        rec.field_tags["pub_type"] = ["TY"]
    if not rec.pmid and rec.accession_numbers and _PUBMED_DB.search(rec.database):
        # Zotero/EndNote exports of PubMed records carry the PMID as AN with DB PubMed.
        first = rec.accession_numbers[0]
        if first.isdigit():
            rec.pmid = first
            rec.note_tag("pmid", "AN")
    return rec


# --- writer ----------------------------------------------------------------------------------

_RIS_TYPES = frozenset(rispy.TYPE_OF_REFERENCE_MAPPING)
_TYPE_WORDS = (
    ("chapter", "CHAP"),
    ("book", "BOOK"),
    ("conference", "CONF"),
    ("proceeding", "CONF"),
    ("thesis", "THES"),
    ("dissertation", "THES"),
    ("report", "RPRT"),
    ("preprint", "JOUR"),
    ("article", "JOUR"),
    ("review", "JOUR"),
    ("journal", "JOUR"),
)


def ris_type(rec: Record) -> str:
    code = rec.pub_type.strip().upper()
    if code in _RIS_TYPES:
        return code
    lowered = rec.pub_type.lower()
    for word, ris in _TYPE_WORDS:
        if word in lowered:
            return ris
    return "JOUR" if rec.journal else "GEN"


def _record_lines(rec: Record) -> Iterator[str]:
    yield f"TY  - {ris_type(rec)}"
    scalar = (
        ("ID", rec.source_id),
        ("TI", rec.title),
        *(("AU", a.display()) for a in rec.authors),
        ("PY", str(rec.year) if rec.year is not None else ""),
        ("DA", rec.date),
        ("T2", rec.journal),
        ("VL", rec.volume),
        ("IS", rec.issue),
        ("SP", rec.page_start),
        ("EP", rec.page_end),
        ("DO", rec.doi),
        ("PM", rec.pmid),
        ("C2", rec.pmcid),
        *(("SN", v) for v in _split(rec.issn)),
        *(("SN", v) for v in _split(rec.isbn)),
        ("LA", rec.language),
        ("M3", rec.pub_type),
        ("PB", rec.publisher),
        ("DB", rec.database),
        ("AB", rec.abstract),
        *(("KW", k) for k in rec.keywords),
        *(("MH", h) for h in rec.headings),
        *(("UR", u) for u in rec.urls),
        *(("AN", a) for a in rec.accession_numbers),
    )
    for tag, value in scalar:
        if value:
            yield f"{tag}  - {value}"
    yield "ER  - "


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def write(records: Iterable[Record], out: TextIO) -> None:
    for rec in records:
        out.write("\n".join(_record_lines(rec)))
        out.write("\n\n")
