"""EndNote XML library exports (File > Export > XML), read with lxml's streaming iterparse.

Every value is wrapped in `<style>` elements; several values packed into one element are
separated by carriage returns (`&#xD;`), which EndNote uses for authors, keywords and ISBNs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from qes.formats.base import ReadContext
from qes.formats.tagged import FieldMap, build_record
from qes.records.model import Record

if TYPE_CHECKING:
    from lxml import etree

NAME = "endnote_xml"
LABEL = "EndNote XML library export"

FIELDS = FieldMap(
    title=("title", "translated-title", "short-title"),
    abstract=("abstract",),
    authors=("author",),
    year=("year", "date"),
    date=("date",),
    journal=("full-title", "secondary-title", "abbr-1", "alt-title", "tertiary-title"),
    volume=("volume",),
    issue=("number", "issue"),
    page_start=("pages",),
    doi=("electronic-resource-num", "url", "notes"),
    pmid=("pmid",),
    pmcid=("custom2",),
    issn=("isbn",),
    language=("language",),
    pub_type=("ref-type", "work-type"),
    publisher=("publisher",),
    keywords=("keyword",),
    urls=("url",),
    accession_numbers=("accession-num",),
    source_id=("rec-number",),
    database=("remote-database-name", "remote-database-provider"),
)

# Elements whose text is one value per line (EndNote separates multiple values with CR).
_MULTI = frozenset({"author", "keyword", "url", "isbn", "accession-num"})
# Containers: their children carry the values.
_CONTAINERS = frozenset(
    {
        "contributors",
        "authors",
        "secondary-authors",
        "tertiary-authors",
        "subsidiary-authors",
        "titles",
        "periodical",
        "keywords",
        "dates",
        "pub-dates",
        "urls",
        "related-urls",
        "pdf-urls",
        "web-urls",
        "foreign-keys",
    }
)
_PMID_NOTE = re.compile(r"PMID:\s*(?:NLM)?(\d{1,9})")


def sniff(head: str) -> int:
    if re.search(r"<xml>\s*<records>\s*<record>", head) or ("<record>" in head and "<ref-type" in head):
        return 95
    return 0


class _Utf8Bytes:
    """Text stream → bytes for lxml (the text layer has already decoded the file)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size if size and size > 0 else -1).encode("utf-8")


def _text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _pairs(record: etree._Element) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for child in record.iter():
        if child is record or not isinstance(child.tag, str):
            continue
        tag = child.tag
        if tag in _CONTAINERS or tag == "style":
            continue
        parent = child.getparent()
        if parent is not None and parent.tag not in _CONTAINERS and parent is not record:
            continue  # nested inside a value element (e.g. <style>): already in its text
        if tag == "ref-type":
            pairs.append((tag, child.get("name") or _text(child)))
            continue
        value = _text(child)
        if tag in _MULTI:
            pairs.extend((tag, v.strip()) for v in re.split(r"[\r\n]+", value) if v.strip())
        elif value.strip():
            pairs.append((tag, value.strip()))
    return pairs


def read(stream: TextIO, ctx: ReadContext) -> Iterator[Record]:
    from lxml import etree  # loaded on first use: most runs read no XML

    parser = etree.iterparse(
        _Utf8Bytes(stream),
        events=("end",),
        tag="record",
        encoding="utf-8",
        recover=False,
        huge_tree=True,
        resolve_entities=False,
        no_network=True,
    )
    position = 0
    try:
        for _event, el in parser:
            position += 1
            pairs = _pairs(el)
            rec = build_record(pairs, FIELDS, ctx, el.sourceline or 0, position)
            if not rec.pmid:
                for tag, value in pairs:
                    m = _PMID_NOTE.search(value) if tag in ("notes", "accession-num", "custom1") else None
                    if m:
                        rec.pmid = m.group(1)
                        rec.note_tag("pmid", tag)
                        break
            yield rec
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise ctx.fail(f"malformed XML: {exc.msg}", line=exc.lineno or 0, record=position + 1) from None
