"""The canonical bibliographic record every reader produces and every stage consumes.

Plain dataclasses, no I/O. A `Record` keeps three layers:

* canonical fields (title, authors, DOI ...), already normalised by `qes.records.normalise`;
* `field_tags`: for each canonical field, the tag(s) of the source file it was read from
  (field-level provenance: together with `origin` it says file, database and tag);
* `raw`: every (tag, value) pair exactly as read, in file order, so nothing is ever lost, including
  tags qes has no canonical place for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Canonical scalar fields, in the order writers and tables show them.
SCALAR_FIELDS: tuple[str, ...] = (
    "title",
    "abstract",
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
)
# Canonical list fields.
LIST_FIELDS: tuple[str, ...] = ("keywords", "headings", "urls", "accession_numbers")
CANONICAL_FIELDS: tuple[str, ...] = ("authors", *SCALAR_FIELDS, *LIST_FIELDS)


@dataclass(frozen=True, slots=True)
class Author:
    """One author, as ordered in the source. `family`/`given` parsed; `literal` as written.

    Corporate authors ("WHO Collaborating Group") have `family` set and `given` empty and
    `corporate=True`, so they are never split into initials.
    """

    family: str
    given: str = ""
    literal: str = ""
    corporate: bool = False

    def display(self) -> str:
        """'Family, Given' (the RIS/BibTeX convention), or the family name alone."""
        if self.given:
            return f"{self.family}, {self.given}"
        return self.family

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"family": self.family}
        if self.given:
            d["given"] = self.given
        if self.literal and self.literal != self.display():
            d["literal"] = self.literal
        if self.corporate:
            d["corporate"] = True
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Author:
        return cls(
            family=d.get("family", ""),
            given=d.get("given", ""),
            literal=d.get("literal", ""),
            corporate=bool(d.get("corporate", False)),
        )


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from: the file, the database/source name, and its place in the file."""

    file_name: str = ""
    source: str = ""  # database as the reviewer named it, e.g. "PsycINFO (Ovid)"
    format: str = ""  # reader that parsed it: ris, medline, wos, bibtex, endnote_xml, csv, openalex
    line: int = 0  # first line of the record in the file (1-based; 0 = not line-based)
    position: int = 0  # 1-based ordinal of the record in the file


@dataclass(slots=True)
class Record:
    """One bibliographic record in canonical form (see module docstring)."""

    title: str = ""
    abstract: str = ""
    authors: list[Author] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    page_start: str = ""
    page_end: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    issn: str = ""  # one or more ISSNs, normalised NNNN-NNNN, joined by "; "
    isbn: str = ""
    language: str = ""
    pub_type: str = ""  # the source's own type (RIS TY, BibTeX entry type, PT...), as given
    publisher: str = ""
    date: str = ""  # fuller publication date as given, when the source has one
    keywords: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)  # MeSH, Emtree, CINAHL headings, APA terms
    urls: list[str] = field(default_factory=list)
    accession_numbers: list[str] = field(default_factory=list)
    source_id: str = ""  # the record's identifier in its source file (RIS ID/AN, CSV id, PMID ...)
    database: str = ""  # database named inside the record (RIS DB, WoS/Scopus source), if any
    origin: Origin = field(default_factory=Origin)
    field_tags: dict[str, list[str]] = field(default_factory=dict)
    raw: list[tuple[str, str]] = field(default_factory=list)

    @property
    def pages(self) -> str:
        if self.page_start and self.page_end and self.page_end != self.page_start:
            return f"{self.page_start}-{self.page_end}"
        return self.page_start or self.page_end

    def canonical(self) -> dict[str, Any]:
        """The canonical fields as plain data (what round trips must preserve)."""
        out: dict[str, Any] = {"authors": [a.to_json() for a in self.authors]}
        for name in SCALAR_FIELDS:
            out[name] = getattr(self, name)
        for name in LIST_FIELDS:
            out[name] = list(getattr(self, name))
        return out

    def note_tag(self, canonical_field: str, tag: str) -> None:
        """Record that `canonical_field` was (partly) read from source tag `tag`."""
        tags = self.field_tags.get(canonical_field)
        if tags is None:
            self.field_tags[canonical_field] = [tag]
        elif tag not in tags:
            tags.append(tag)


@dataclass(frozen=True, slots=True)
class ReadWarning:
    """A recoverable problem in one record: imported, but listed by `qes import --report`."""

    file_name: str
    line: int
    record: int  # 1-based position of the record in the file (0 = the file as a whole)
    message: str

    def __str__(self) -> str:
        where = f"{self.file_name}:{self.line}" if self.line else self.file_name
        rec = f" (record {self.record})" if self.record else ""
        return f"{where}{rec}: {self.message}"
