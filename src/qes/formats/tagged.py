"""Tagged records (RIS, MEDLINE, WoS) → canonical `Record`, driven by a field map (data).

The three tagged formats differ in line syntax but not in meaning: each record is an ordered
list of (tag, value) pairs and a `FieldMap` says which tags feed which canonical field, in
priority order. `build_record` applies the map; the format modules only split lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qes.formats.base import ReadContext
from qes.records.model import Record
from qes.records.normalise import (
    clean_text,
    is_copyright_boilerplate,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    normalise_title,
    parse_authors,
    parse_year,
    split_pages,
)


@dataclass(frozen=True)
class FieldMap:
    """For each canonical field, the source tags that feed it, best first."""

    title: tuple[str, ...] = ()
    abstract: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()  # the first tag present wins (full names before initials)
    year: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    journal: tuple[str, ...] = ()
    volume: tuple[str, ...] = ()
    issue: tuple[str, ...] = ()
    page_start: tuple[str, ...] = ()  # may hold a whole range ('157-64')
    page_end: tuple[str, ...] = ()
    doi: tuple[str, ...] = ()  # values searched for a DOI (URLs and '[doi]' suffixes allowed)
    pmid: tuple[str, ...] = ()
    pmcid: tuple[str, ...] = ()
    issn: tuple[str, ...] = ()  # values that may hold ISSN or ISBN: classified by digit count
    isbn: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    pub_type: tuple[str, ...] = ()
    publisher: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    accession_numbers: tuple[str, ...] = ()
    source_id: tuple[str, ...] = ()
    database: tuple[str, ...] = ()
    list_separator: str = ";"  # splits keyword/heading values that hold several terms


Grouped = dict[str, list[str]]


def group(pairs: Sequence[tuple[str, str]]) -> Grouped:
    grouped: Grouped = {}
    for tag, value in pairs:
        values = grouped.get(tag)
        if values is None:
            grouped[tag] = [value]  # no throwaway list per pair, as setdefault would build
        else:
            values.append(value)
    return grouped


def _first(rec: Record, grouped: Grouped, tags: tuple[str, ...], field: str) -> str:
    for tag in tags:
        for value in grouped.get(tag, ()):
            text = clean_text(value)
            if text:
                rec.note_tag(field, tag)
                return text
    return ""


def _abstract(rec: Record, grouped: Grouped, tags: tuple[str, ...]) -> str:
    for tag in tags:
        parts = [clean_text(v) for v in grouped.get(tag, ())]
        # EBSCO repeats AB with 'Copyright of X is the property of ...': not part of the abstract.
        kept = [p for p in parts if p and not (len(parts) > 1 and is_copyright_boilerplate(p))]
        if kept:
            rec.note_tag("abstract", tag)
            return " ".join(dict.fromkeys(kept))
    return ""


def _add_terms(terms: dict[str, None], values: list[str], sep: str) -> None:
    """Add the cleaned terms of `values` to `terms` (a dict: ordered, no repeats, no list scans)."""
    for value in values:
        if sep in value:
            for piece in value.split(sep):
                if term := clean_text(piece):
                    terms[term] = None
        elif term := clean_text(value):
            terms[term] = None


def _collect(rec: Record, grouped: Grouped, tags: tuple[str, ...], field: str, sep: str) -> list[str]:
    out: dict[str, None] = {}
    for tag in tags:
        values = grouped.get(tag)
        if values:
            rec.note_tag(field, tag)
            _add_terms(out, values, sep)
    return list(out)


_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)


def _urls(rec: Record, grouped: Grouped, tags: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        for value in grouped.get(tag, ()):
            found = _URL.findall(value) or ([text] if (text := clean_text(value)) else [])
            for url in found:
                if url not in out:
                    out.append(url)
                    rec.note_tag("urls", tag)
    return out


def _doi(rec: Record, grouped: Grouped, tags: tuple[str, ...]) -> str:
    for tag in tags:
        for value in grouped.get(tag, ()):
            doi = normalise_doi(value)
            if doi:
                rec.note_tag("doi", tag)
                return doi
    return ""


_PARENTHESES = re.compile(r"\([^)]*\)")  # '1234-5678 (Print)': the note is not a number
_ID_SEPARATOR = re.compile(r"[;,/\s]+")
_NOT_ID_CHAR = re.compile(r"[^\dXx]")


def _identifiers(rec: Record, grouped: Grouped, fm: FieldMap) -> None:
    """ISSN and ISBN share tags in most formats (RIS SN): told apart by their digit count."""
    issns: list[str] = []
    isbns: list[str] = []
    for tag in dict.fromkeys((*fm.issn, *fm.isbn)):
        for value in grouped.get(tag, ()):
            for token in _ID_SEPARATOR.split(_PARENTHESES.sub(" ", value) if "(" in value else value):
                digits = _NOT_ID_CHAR.sub("", token).upper()
                if len(digits) == 8:
                    issn = f"{digits[:4]}-{digits[4:]}"
                    if issn not in issns:
                        issns.append(issn)
                        rec.note_tag("issn", tag)
                elif len(digits) in (10, 13) and digits not in isbns:
                    isbns.append(digits)
                    rec.note_tag("isbn", tag)
    rec.issn = "; ".join(issns)
    rec.isbn = "; ".join(isbns)


def build_record(
    pairs: list[tuple[str, str]],
    fm: FieldMap,
    ctx: ReadContext,
    line: int,
    position: int,
) -> Record:
    """A canonical `Record` from one record's (tag, value) pairs; `raw` keeps the pairs as read."""
    grouped = group(pairs)
    rec = Record(raw=pairs, origin=ctx.origin(line, position))
    title = _first(rec, grouped, fm.title, "title")
    rec.title = normalise_title(title)
    rec.abstract = _abstract(rec, grouped, fm.abstract)
    for tag in fm.authors:
        if grouped.get(tag):
            values = grouped[tag]
            # One value may hold the whole list ('Liu R., Adler D.G.', 'A | B'): split it.
            rec.authors = parse_authors(values[0] if len(values) == 1 else values)
            rec.note_tag("authors", tag)
            break
    for tag in fm.year:
        for value in grouped.get(tag, ()):
            year = parse_year(value)
            if year is not None:
                rec.year = year
                rec.note_tag("year", tag)
                break
        if rec.year is not None:
            break
    rec.date = _first(rec, grouped, fm.date, "date")
    rec.journal = normalise_title(_first(rec, grouped, fm.journal, "journal"))
    rec.volume = _first(rec, grouped, fm.volume, "volume")
    rec.issue = _first(rec, grouped, fm.issue, "issue")
    start = _first(rec, grouped, fm.page_start, "page_start")
    end = _first(rec, grouped, fm.page_end, "page_end")
    if start or end:
        rec.page_start, rec.page_end = split_pages(f"{start}-{end}" if start and end and "-" not in start else start or end)
    rec.doi = _doi(rec, grouped, fm.doi)
    rec.pmid = normalise_pmid(_first(rec, grouped, fm.pmid, "pmid"))
    rec.pmcid = normalise_pmcid(_first(rec, grouped, fm.pmcid, "pmcid"))
    _identifiers(rec, grouped, fm)
    rec.language = _first(rec, grouped, fm.language, "language")
    rec.pub_type = _first(rec, grouped, fm.pub_type, "pub_type")
    rec.publisher = _first(rec, grouped, fm.publisher, "publisher")
    rec.keywords = _collect(rec, grouped, fm.keywords, "keywords", fm.list_separator)
    rec.headings = _collect(rec, grouped, fm.headings, "headings", fm.list_separator)
    rec.urls = _urls(rec, grouped, fm.urls)
    rec.accession_numbers = _collect(rec, grouped, fm.accession_numbers, "accession_numbers", fm.list_separator)
    rec.source_id = _first(rec, grouped, fm.source_id, "source_id")
    rec.database = _first(rec, grouped, fm.database, "database")
    if not rec.title:
        ctx.warn("record has no title", line=line, record=position)
    return rec
