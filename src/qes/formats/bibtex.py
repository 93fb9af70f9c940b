"""BibTeX / BibLaTeX: Scopus, Web of Science, Zotero, Google Scholar, JabRef ...

Parsed by bibtexparser 2, one entry at a time (the file is cut at lines starting with `@`, so a
large file streams and an error names the line of the entry). Scopus repeats field names
(`funding_details`): the entry is kept and the repetition warned about. LaTeX markup is decoded
with pylatexenc, except in fields where it would corrupt identifiers (pages, DOI, URLs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, TextIO

from qes.formats.base import ReadContext
from qes.formats.tagged import FieldMap, build_record
from qes.records.model import Author, Record

if TYPE_CHECKING:
    from bibtexparser.model import Entry


@cache
def _lib() -> SimpleNamespace:
    """bibtexparser and pylatexenc, loaded on first use: most runs of qes read no BibTeX at all."""
    import bibtexparser
    from bibtexparser import model
    from pylatexenc.latex2text import LatexNodes2Text

    return SimpleNamespace(bibtexparser=bibtexparser, model=model, latex=LatexNodes2Text())


NAME = "bibtex"
LABEL = "BibTeX / BibLaTeX (Scopus, Web of Science, Zotero, Google Scholar)"

FIELDS = FieldMap(
    title=("title",),
    abstract=("abstract",),
    year=("year", "date"),
    date=("date",),
    journal=("journal", "journaltitle", "booktitle", "series", "source_title"),
    volume=("volume",),
    issue=("number", "issue"),
    page_start=("pages", "art_number", "article-number", "eid"),
    doi=("doi", "url"),
    pmid=("pmid", "pubmed_id", "pubmed-id"),
    pmcid=("pmcid",),
    issn=("issn", "eissn"),
    isbn=("isbn",),
    language=("language", "langid"),
    pub_type=("document_type", "type", "@type"),
    publisher=("publisher",),
    keywords=("keywords", "author_keywords", "keywords-plus", "author-keywords"),
    headings=("mesh", "mesh-terms", "mesh_terms", "index_keywords"),
    urls=("url", "link"),
    accession_numbers=("unique-id", "eid", "accession", "accession_number"),
    source_id=("@key",),
    database=("database", "source"),
)

_RAW_FIELDS = frozenset({"pages", "doi", "url", "link", "eid", "unique-id", "issn", "isbn", "file"})
_ENTRY_START = re.compile(r"\s*@\s*([A-Za-z]+)\s*[{(]")


def sniff(head: str) -> int:
    entries = re.findall(r"^\s*@\s*([A-Za-z]+)\s*[{(]", head, re.MULTILINE)
    real = [e for e in entries if e.lower() not in ("comment", "string", "preamble")]
    return 95 if real else 0


def _decode(name: str, value: str) -> str:
    if name in _RAW_FIELDS or not ("\\" in value or "{" in value or "$" in value):
        return value
    # pylatexenc renders \textasciicircum as U+02C6; a private-use placeholder keeps a plain '^'.
    protected = value.replace(r"\textasciicircum{}", "\ue000")
    try:
        return _lib().latex.latex_to_text(protected).replace("\ue000", "^")
    except Exception:  # pylatexenc gives up on malformed markup: keep the value as written
        return value


def _chunks(stream: TextIO) -> Iterator[tuple[int, str]]:
    """(first line, text) of each '@...' block; lines before the first '@' are ignored."""
    buf: list[str] = []
    start = 0
    for lineno, line in enumerate(stream, 1):
        if line.lstrip().startswith("@") and _ENTRY_START.match(line):
            if buf:
                yield start, "".join(buf)
            buf, start = [line], lineno
        elif buf:
            buf.append(line)
    if buf:
        yield start, "".join(buf)


def read(stream: TextIO, ctx: ReadContext) -> Iterator[Record]:
    strings: list[str] = []  # @string macros, prepended to every later entry
    position = 0
    for line, text in _chunks(stream):
        kind = _ENTRY_START.match(text)
        kind_name = kind.group(1).lower() if kind else ""
        if kind_name in ("comment", "preamble"):
            continue
        if kind_name == "string":
            strings.append(text)
            continue
        position += 1
        library = _lib().bibtexparser.parse_string("".join(strings) + text)
        entries = list(library.entries)
        for block in library.failed_blocks:
            if isinstance(block, _lib().model.DuplicateFieldKeyBlock):
                ctx.warn(f"entry repeats a field name ({block.error}); all values kept in the raw record", line, position)
                entries.append(block.ignore_error_block)
            elif isinstance(block, _lib().model.ParsingFailedBlock):
                raise ctx.fail(f"cannot parse BibTeX entry: {block.error}", line=line, record=position)
        if not entries:
            raise ctx.fail("cannot parse BibTeX entry (unbalanced braces or quotes?)", line=line, record=position)
        for entry in entries:
            yield _record(entry, ctx, line, position)


def _record(entry: Entry, ctx: ReadContext, line: int, position: int) -> Record:
    pairs: list[tuple[str, str]] = [("@type", entry.entry_type), ("@key", entry.key.strip())]
    for fld in entry.fields:
        name = fld.key.strip().lower().replace(" ", "_").replace("\xa0", "_")
        value = fld.value if isinstance(fld.value, str) else str(fld.value)
        pairs.append((name, _decode(name, value)))
    rec = build_record(pairs, FIELDS, ctx, line, position)
    authors = [v for k, v in pairs if k == "author"]
    if authors:
        rec.authors = _authors(authors[0])
        rec.note_tag("authors", "author")
    for attr in ("keywords", "headings"):
        terms = getattr(rec, attr)
        if len(terms) == 1 and "," in terms[0]:
            setattr(rec, attr, [t.strip() for t in terms[0].split(",") if t.strip()])
    rec.urls = [u for u in rec.urls if u.startswith(("http", "www", "ftp"))] or rec.urls
    return rec


def _authors(value: str) -> list[Author]:
    from qes.records.normalise import clean_text, parse_author

    out: list[Author] = []
    for name in re.split(r"\s+and\s+", value.strip()):
        name = clean_text(name)
        if not name:
            continue
        if name.startswith("{") and name.endswith("}"):
            out.append(Author(family=name[1:-1], literal=name[1:-1], corporate=True))
            continue
        author = parse_author(name.replace("{", "").replace("}", ""))
        if author is not None:
            out.append(author)
    return out


# --- writer ----------------------------------------------------------------------------------

_ENTRY_TYPES = (
    ("chap", "incollection"),
    ("book", "book"),
    ("conf", "inproceedings"),
    ("proceed", "inproceedings"),
    ("thes", "phdthesis"),
    ("dissert", "phdthesis"),
    ("report", "techreport"),
    ("rprt", "techreport"),
)
_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "$": r"\$",
        "%": r"\%",
        "&": r"\&",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)


def entry_type(rec: Record) -> str:
    lowered = rec.pub_type.lower()
    for word, kind in _ENTRY_TYPES:
        if word in lowered:
            return kind
    return "article" if rec.journal or not rec.pub_type else "misc"


def _escape(value: str) -> str:
    # '-{}-' keeps a literal '--' from being read back as an en dash.
    return value.translate(_ESCAPES).replace("--", "-{}-")


def _author_field(authors: list[Author]) -> str:
    names = []
    for a in authors:
        names.append("{" + _escape(a.family) + "}" if a.corporate else _escape(a.display()))
    return " and ".join(names)


def write(records: Iterable[Record], out: TextIO) -> None:
    used: set[str] = set()
    for n, rec in enumerate(records, 1):
        key = _key(rec, n, used)
        fields = [
            ("author", _author_field(rec.authors)),
            ("title", _escape(rec.title)),
            ("journal", _escape(rec.journal)),
            ("year", str(rec.year) if rec.year is not None else ""),
            ("date", _escape(rec.date)),
            ("volume", _escape(rec.volume)),
            ("number", _escape(rec.issue)),
            (
                "pages",
                "--".join(p for p in (rec.page_start, rec.page_end) if p) if rec.page_end != rec.page_start else rec.page_start,
            ),
            ("doi", rec.doi),
            ("pmid", rec.pmid),
            ("pmcid", rec.pmcid),
            ("issn", rec.issn),
            ("isbn", rec.isbn),
            ("language", _escape(rec.language)),
            ("type", _escape(rec.pub_type)),
            ("publisher", _escape(rec.publisher)),
            ("database", _escape(rec.database)),
            ("abstract", _escape(rec.abstract)),
            ("keywords", "; ".join(_escape(k) for k in rec.keywords)),
            ("mesh", "; ".join(_escape(h) for h in rec.headings)),
            ("url", " ".join(rec.urls)),
            ("accession", "; ".join(rec.accession_numbers)),
        ]
        lib = _lib()
        entry = lib.model.Entry(entry_type(rec), key, [lib.model.Field(k, v) for k, v in fields if v])
        out.write(lib.bibtexparser.write_string(lib.bibtexparser.Library([entry])))
        out.write("\n")


def _key(rec: Record, n: int, used: set[str]) -> str:
    key = re.sub(r"[^\w:.\-]", "", rec.source_id) if rec.source_id else ""
    if not key:
        family = re.sub(r"\W", "", rec.authors[0].family) if rec.authors else "anon"
        key = f"{family or 'anon'}{rec.year or ''}"
    base, i = key, 1
    while key in used:
        i += 1
        key = f"{base}_{i}"
    used.add(key)
    return key
