"""CSV column names → canonical fields, as data.

Headers are compared normalised (lower case, letters and digits only), so 'Author full names',
'author_full_names' and 'AUTHOR FULL NAMES' are one name. For each canonical field the aliases
are listed best first: when an export has several (Scopus 'Author full names' and 'Authors'),
the first present wins. Sources: the column sets of Scopus (2015 and 2024+), Embase, CINAHL
(EBSCO), IEEE Xplore, Lens.org, OpenAlex, Covidence, Rayyan, Abstrackr, Zotero, ASReview,
SYNERGY, EndNote/BibTeX-style CSV (ID, ENTRYTYPE, author ... as written by CoLRev and ASySD) and
WoS tab-delimited (two-letter tags).
"""

from __future__ import annotations

import re

ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "articletitle", "documenttitle", "primarytitle", "displayname", "ti", "titleoriginal"),
    "abstract": ("abstract", "abstractnote", "ab", "abstracttext", "description", "originalabstract"),
    "authors": (
        "authorfullnames",
        "authors",
        "author",
        "authornames",
        "authorsfullnames",
        "authorshipsrawauthorname",
        "authorshipsauthordisplayname",
        "af",
        "au",
        "creators",
        "firstauthor",
    ),
    "year": ("year", "publicationyear", "publishedyear", "py", "pubyear", "yearpublished", "date", "publicationdate"),
    "date": ("publicationdate", "datepublished", "date", "pd", "issuedate", "onlinedate"),
    "journal": (
        "journal",
        "sourcetitle",
        "journaltitle",
        "publicationtitle",
        "secondarytitle",
        "journalname",
        "so",
        "primarylocationsourcedisplayname",
        "containertitle",
        "booktitle",
        "journalbook",
        "source",
    ),
    "volume": ("volume", "vl", "bibliovolume"),
    "issue": ("issue", "number", "issuenumber", "is", "biblioissue"),
    "page_start": (
        "pagestart",
        "startpage",
        "firstpage",
        "bibliofirstpage",
        "bp",
        "pages",
        "page",
        "pg",
        "artno",
        "articlenumber",
    ),
    "page_end": ("pageend", "endpage", "lastpage", "bibliolastpage", "ep"),
    "doi": ("doi", "di", "doilink", "idsdoi", "doiurl", "linkattachments", "url", "link", "openurllink"),
    "pmid": ("pmid", "pubmedid", "idspmid", "pm", "pubmed"),
    "pmcid": ("pmcid", "idspmcid", "pmc"),
    "issn": ("issn", "issns", "eissn", "primarylocationsourceissn", "sn", "ei", "printissn", "electronicissn", "onlineissn"),
    "isbn": ("isbn", "isbns", "bn"),
    "language": ("language", "languageoforiginaldocument", "la", "lang"),
    "pub_type": ("pubtype", "documenttype", "publicationtype", "type", "itemtype", "doctype", "dt", "entrytype", "typecrossref"),
    "publisher": ("publisher", "pu", "primarylocationsourcehostorganizationname"),
    "keywords": ("keywords", "authorkeywords", "manualtags", "de", "kw", "keywordsplus", "authorsupplied"),
    "headings": (
        "headings",
        "meshterms",
        "mesh",
        "indexkeywords",
        "emtreemedicalindexterms",
        "emtreedrugindexterms",
        "emtreemedicalindextermsmajorfocus",
        "emtreedruginindextermsmajorfocus",
        "subjects",
        "subjectheadings",
        "ieeeterms",
        "inspeccontrolledterms",
        "mh",
        "majorsubjectheadings",
        "minorsubjectheadings",
        "apaterms",
    ),
    "urls": ("urls", "url", "link", "pdflink", "plink", "sourceurls", "externalurl", "primarylocationlandingpageurl", "ur"),
    "accession_numbers": (
        "accessionnumbers",
        "accessionnumber",
        "an",
        "eid",
        "lensid",
        "ut",
        "wosid",
        "openalexid",
        "accessionno",
    ),
    "source_id": (
        "id",
        "recordid",
        "key",
        "covidence",
        "refid",
        "internalid",
        "sourceid",
        "ut",
        "eid",
        "lensid",
        "openalexid",
        "referenceid",
        "citationid",
        "rayyanid",
    ),
    "database": ("database", "db", "archive", "librarycatalog", "dataprovider"),
}

# Values that mean "empty" in exports written by R, pandas or Excel.
EMPTY_VALUES = frozenset({"", "NA", "N/A", "nan", "NaN", "None", "NULL", "null", "[]"})

# Column sets that identify a tool, for the import report ("csv: Scopus"). Normalised names.
LAYOUT_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("Scopus", frozenset({"sourcetitle", "eid"})),
    ("Embase", frozenset({"authornames", "emtreemedicalindexterms"})),
    ("CINAHL (EBSCO)", frozenset({"articletitle", "plink"})),
    ("IEEE Xplore", frozenset({"documenttitle", "ieeeterms"})),
    ("Lens.org", frozenset({"lensid"})),
    ("OpenAlex", frozenset({"displayname", "publicationyear", "idsopenalex"})),
    ("Covidence", frozenset({"covidence"})),
    ("Rayyan", frozenset({"key", "pubmedid", "pmcid"})),
    ("Abstrackr", frozenset({"internalid", "sourceid"})),
    ("Zotero", frozenset({"itemtype", "abstractnote"})),
    ("ASReview", frozenset({"asreviewlabel"})),
    ("SYNERGY", frozenset({"recordid", "openalexid", "labelincluded"})),
    ("BibTeX-style (CoLRev, ASySD)", frozenset({"entrytype", "id"})),
    ("Web of Science tab-delimited", frozenset({"pt", "ut", "ti"})),
)

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_header(name: str) -> str:
    return _NON_ALNUM.sub("", name.lstrip("\ufeff").lower())


def layout_name(headers: list[str]) -> str:
    names = {normalise_header(h) for h in headers}
    for label, signature in LAYOUT_SIGNATURES:
        if signature <= names:
            return label
    return "generic"
