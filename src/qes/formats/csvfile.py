"""CSV / TSV exports: Scopus, Embase, CINAHL, IEEE, Lens, OpenAlex, Covidence, Rayyan, Abstrackr,
Zotero, ASReview, SYNERGY, CoLRev/ASySD, WoS tab-delimited.

Columns are mapped to canonical fields by name (`csv_layouts.ALIASES`, data). Real screening
exports are ragged: short rows are padded, extra cells kept in the raw record with a warning, a
one-cell separator row (Abstrackr's 'citations that are not yet labeled') is skipped with a
warning. A file with no recognisable title column is refused: guessing would import garbage.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from qes.formats import wos
from qes.formats.base import ReadContext
from qes.formats.csv_layouts import ALIASES, EMPTY_VALUES, layout_name, normalise_header
from qes.formats.tagged import FieldMap, build_record
from qes.records.model import Record
from qes.records.normalise import clean_text, parse_year, split_pages

NAME = "csv"
LABEL = "CSV / TSV (Scopus, Embase, CINAHL, IEEE, Lens, OpenAlex, Covidence, Rayyan, Abstrackr, Zotero, ASReview)"

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_KNOWN = frozenset(a for aliases in ALIASES.values() for a in aliases)
# Embase 'Source': 'Cancer (2004) 102:4 (253-258). Date of Publication: 25 Aug 2004'
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?)\s*\((?P<year>\d{4})\)\s*(?P<volume>[^:\s(]+)?(?::(?P<issue>[^\s(]+))?\s*(?:\((?P<pages>[^)]*)\))?"
)
_COMMA_OUTSIDE_PARENS = re.compile(r",(?![^()]*\))")
_AUTHOR_ID = re.compile(r"\s*\(\d{5,}\)")


def _delimiter(head: str) -> str:
    first = head.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def sniff(head: str) -> int:
    first = head.split("\n", 1)[0]
    delimiter = _delimiter(head)
    cells = next(csv.reader([first], delimiter=delimiter), [])
    if len(cells) < 2:
        return 0
    known = sum(1 for c in cells if normalise_header(c) in _KNOWN)
    return 50 if known >= 2 else 15


def field_map(headers: list[str]) -> FieldMap:
    """For each canonical field, the file's own column names that feed it, best first."""
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(normalise_header(h), h)
    chosen = {field: tuple(by_norm[a] for a in aliases if a in by_norm) for field, aliases in ALIASES.items()}
    return FieldMap(**chosen)  # type: ignore[arg-type]  # every key of ALIASES is a tuple field of FieldMap


def read(stream: TextIO, ctx: ReadContext) -> Iterator[Record]:
    first = stream.readline()
    if not first.strip():
        raise ctx.fail("empty file: no header row", line=1)
    delimiter = _delimiter(first)
    headers = [h.strip().lstrip("\ufeff") for h in next(csv.reader([first], delimiter=delimiter))]
    layout = layout_name(headers)
    fm = wos.FIELDS if layout == "Web of Science tab-delimited" else field_map(headers)
    if not fm.title:
        shown = ", ".join(headers[:12]) + (" ..." if len(headers) > 12 else "")
        raise ctx.fail(f"unknown CSV layout: no title column among: {shown}", line=1)
    ctx.detail = f"{layout} layout" if layout != "generic" else "generic layout"
    reader = csv.reader(stream, delimiter=delimiter)
    position = 0
    line = 2
    for row in reader:
        start, line = line, reader.line_num + 2  # +1 header, +1 to point past this row
        if not any(cell.strip() for cell in row):
            continue
        if len(row) == 1 and len(headers) > 2:
            ctx.warn(f"skipped a one-cell row that is not a record: {row[0][:60]!r}", line=start)
            continue
        position += 1
        if len(row) > len(headers):
            ctx.warn(
                f"row has {len(row)} cells but the header has {len(headers)}; extra cells kept in the raw record", start, position
            )
        pairs = [(headers[i] if i < len(headers) else f"column {i + 1}", cell) for i, cell in enumerate(row)]
        yield _record(pairs, fm, layout, ctx, start, position)


def _record(pairs: list[tuple[str, str]], fm: FieldMap, layout: str, ctx: ReadContext, line: int, position: int) -> Record:
    kept = [(k, v) for k, v in pairs if v.strip() not in EMPTY_VALUES]
    for i, (k, v) in enumerate(kept):
        if v.startswith('="') and v.endswith('"'):  # Excel-protected cells from EBSCO: ="19326203"
            kept[i] = (k, v[2:-1])
        elif k in fm.authors:
            kept[i] = (k, _AUTHOR_ID.sub("", v))
    rec = build_record(kept, fm, ctx, line, position)
    rec.raw = pairs
    for attr in ("keywords", "headings"):
        terms = getattr(rec, attr)
        if len(terms) == 1 and "," in terms[0]:
            # Embase and Abstrackr separate terms with commas (but not inside '(diagnosis, surgery)').
            setattr(rec, attr, [t.strip() for t in _COMMA_OUTSIDE_PARENS.split(terms[0]) if t.strip()])
    if layout == "Embase":
        _embase_source(rec, kept)
    return rec


def _embase_source(rec: Record, pairs: list[tuple[str, str]]) -> None:
    source = next((v for k, v in pairs if normalise_header(k) == "source"), "")
    m = _EMBASE_SOURCE.match(clean_text(source))
    if not m:
        return
    rec.journal = clean_text(m.group("journal"))
    rec.year = rec.year or parse_year(m.group("year"))
    rec.volume = rec.volume or (m.group("volume") or "")
    rec.issue = rec.issue or (m.group("issue") or "")
    if m.group("pages") and not rec.page_start:
        rec.page_start, rec.page_end = split_pages(m.group("pages"))
    for name in ("journal", "year", "volume", "issue", "page_start"):
        rec.note_tag(name, "Source")


# --- writers ---------------------------------------------------------------------------------

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "page_start",
    "page_end",
    "doi",
    "pmid",
    "pmcid",
    "issn",
    "isbn",
    "language",
    "pub_type",
    "publisher",
    "date",
    "database",
    "abstract",
    "keywords",
    "headings",
    "urls",
    "accession_numbers",
)


def _row(rec: Record) -> dict[str, str]:
    return {
        "id": rec.source_id,
        "title": rec.title,
        "authors": "; ".join(a.display() for a in rec.authors),
        "year": "" if rec.year is None else str(rec.year),
        "journal": rec.journal,
        "volume": rec.volume,
        "issue": rec.issue,
        "page_start": rec.page_start,
        "page_end": rec.page_end,
        "doi": rec.doi,
        "pmid": rec.pmid,
        "pmcid": rec.pmcid,
        "issn": rec.issn,
        "isbn": rec.isbn,
        "language": rec.language,
        "pub_type": rec.pub_type,
        "publisher": rec.publisher,
        "date": rec.date,
        "database": rec.database,
        "abstract": rec.abstract,
        "keywords": "; ".join(rec.keywords),
        "headings": "; ".join(rec.headings),
        "urls": " ".join(rec.urls),
        "accession_numbers": "; ".join(rec.accession_numbers),
    }


def write(records: Iterable[Record], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for rec in records:
        writer.writerow(_row(rec))


ASREVIEW_COLUMNS: tuple[str, ...] = (
    "record_id",
    "title",
    "abstract",
    "authors",
    "keywords",
    "year",
    "journal",
    "doi",
    "pmid",
    "url",
    "included",
)


def write_asreview(records: Iterable[Record], out: TextIO, labels: dict[str, int] | None = None) -> None:
    """ASReview LAB's import layout; `included` holds 1/0 for screened records (by source id), empty otherwise."""
    writer = csv.DictWriter(out, fieldnames=ASREVIEW_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for n, rec in enumerate(records, 1):
        label = (labels or {}).get(rec.source_id)
        writer.writerow(
            {
                "record_id": rec.source_id or str(n),
                "title": rec.title,
                "abstract": rec.abstract,
                "authors": "; ".join(a.display() for a in rec.authors),
                "keywords": "; ".join(rec.keywords),
                "year": "" if rec.year is None else str(rec.year),
                "journal": rec.journal,
                "doi": rec.doi,
                "pmid": rec.pmid,
                "url": rec.urls[0] if rec.urls else "",
                "included": "" if label is None else str(label),
            }
        )
