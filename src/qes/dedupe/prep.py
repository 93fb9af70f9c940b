"""Step 1 of de-duplication: a canonical `Record` → the compact comparison keys of a `Prepared`.

Everything here is about making two exports of the same paper look alike and two different
papers stay apart: case, accents, punctuation and translated-title markers go; numbers in the
title, the kind of publication (erratum, comment, protocol, conference abstract) stay as facts.
Pure functions; no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from qes.records.model import Record

# Trailing notes databases add to titles: "[Chinese]", "[Article in German]", "(author's transl)".
_LANGUAGES = (
    "chinese|japanese|korean|german|french|spanish|portuguese|italian|russian|polish|dutch|czech|"
    "hungarian|turkish|swedish|danish|norwegian|finnish|greek|hebrew|persian|arabic|croatian|"
    "serbian|slovak|slovenian|romanian|bulgarian|ukrainian|lithuanian|estonian|latvian|english|afrikaans"
)
# Any bracketed note at the end ("[Review] [45 refs]", "[Erratum appears in ...", cut off or not),
# and the parenthesised notes some databases add ("(Provisional abstract)", "(author's transl)").
_PAREN_NOTE = (
    r"\s*\((?:(?:article|text) in |in )?(?:(?:" + _LANGUAGES + r")[ ,;/and]*)+(?: abstract| with english abstract)?\)\s*\.?$"
    r"|\s*\((?:author'?s'? transl\.?|provisional abstract|structured abstract|abstract|review|editorial|letter|comment)\)\s*\.?$"
)


@lru_cache(maxsize=1)
def _paren_note() -> re.Pattern[str]:
    """Compiled at the first title that ends in ')': the language list makes it a fifth of qes's
    own import time, and most runs on small files never need it."""
    return re.compile(_PAREN_NOTE, re.IGNORECASE)


def _drop_paren_note(title: str) -> str:
    if not title.rstrip().rstrip(".").rstrip().endswith(")"):
        return title  # what the note pattern ends with: ')', then white space and one '.' at most
    return _paren_note().sub("", title)


_RETRACTED_PREFIX = re.compile(r"^\s*(?:retracted( article)?|withdrawn)\s*[:.\-]\s*", re.IGNORECASE)

# Kinds of publication that share a title (or most of one) with the paper they concern.
_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "erratum",
        re.compile(
            r"^(?:erratum|errata|corrigendum|correction|corrections)\b|\b(?:erratum|corrigendum)\b|^correction (?:to|of)\b"
        ),
    ),
    ("retraction", re.compile(r"^(?:notice of )?retraction\b|\bretraction (?:notice|of|note)\b|^expression of concern\b")),
    (
        "comment",
        re.compile(
            r"^(?:re|comment|comments|commentary|reply|in reply|in response|response to|authors? reply|letter|a reply"
            r"|a comment)\b"
            r"|\b(?:comment on|commentary on|reply to|letter to the editor|authors reply|rebuttal)\b"
        ),
    ),
    ("protocol", re.compile(r"\bprotocol\b")),
)
# A conference abstract, by its publication type or its container. A supplement issue alone is not
# one (journals print articles in supplements), nor is "Dissertation Abstracts".
_CONFERENCE = re.compile(
    r"conference abstract|meeting abstract|congress|(?<!dissertation )\babstracts?\b|poster|proceedings|symposium|annual meeting",
    re.IGNORECASE,
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_NUMBERED = frozenset(
    [
        "part",
        "phase",
        "type",
        "stage",
        "grade",
        "class",
        "study",
        "trial",
        "volume",
        "vol",
        "book",
        "chapter",
        "series",
        "section",
        "report",
    ]
)
_WORDS = frozenset(
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "first", "second", "third", "fourth", "fifth"]
)
_PARTICLES = frozenset(
    ["van", "der", "den", "de", "la", "le", "von", "da", "dos", "das", "del", "della", "di", "du", "ten", "ter", "el", "al"]
)
_JOURNAL_STOP = frozenset(["the", "of", "and", "for", "in", "on", "de", "la", "le", "du", "des", "der", "die", "und", "a", "an"])
_NOT_ALNUM = re.compile(r"[^\w]+|_+")
_DIGITS = re.compile(r"\d+")
# A footnote mark after the title ("... Arbeitsorganisationen **"); a cut-off "(Structured a".
_FOOTNOTE = re.compile(r"\s*\*+$|\s*\((?:structured|provisional) a[a-z ]*$", re.IGNORECASE)
# "(Clinical research ed.)", "[Electronic Resource]": additions some databases make to journal names.
_JOURNAL_EXTRAS = re.compile(r"\s*[(\[][^)\]]*[)\]]")
_THOUSANDS = re.compile(r"(\d) (\d{3})\b")  # "10 000" (and "10,000" once folded) is one number
PAGE_SLACK = 5
_CLEAN_PAGE = re.compile(r"^[a-z]?\d+[a-z]?$")


@dataclass(slots=True)
class Prepared:
    """The comparison keys of one record (`index` = its position in the list being de-duplicated)."""

    index: int
    title: str  # folded words joined by single spaces
    title_key: str  # the same without spaces: robust to hyphenation and spacing
    numbers: frozenset[str]  # numbers in the title ("2", roman "ii" after "part" → "2", "second")
    kind: str  # "" | erratum | retraction | comment | protocol
    conference: bool  # a conference abstract / supplement / proceedings item
    families: tuple[str, ...]  # author family names, folded letters only, in order
    initials: tuple[str, ...]  # first initial of each author ("" when unknown)
    given_names: tuple[str, ...]  # first given name of each author, folded: for names parsed back to front
    year: int | None
    journal: tuple[str, ...]  # folded journal words without stop words
    volume: str
    issue: str
    page: str  # first page, folded ("e0123", "s12", "288")
    last_page: str  # last page when given as a plain number ("" otherwise)
    doi: str
    pmid: str
    abstract: str  # folded, first 400 characters
    cochrane: bool


def fold_words(text: str) -> str:
    """Lower case, accents off (any script kept), punctuation → single spaces."""
    if not text:
        return ""
    if text.isascii():
        lowered = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        lowered = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(_NOT_ALNUM.sub(" ", lowered).split())


def _drop_trailing_bracket(title: str) -> str:
    """Remove a final '[...]' note, nested ('[Erratum ... [added]]') or cut off ('[Erratum appears in B')."""
    text = title.rstrip(" .")
    if text.endswith("]"):
        depth = 0
        for k in range(len(text) - 1, -1, -1):
            depth += {"]": 1, "[": -1}.get(text[k], 0)
            if depth == 0:
                return text[:k] if k > 0 else title  # a title wholly in brackets is handled elsewhere
        return title
    opened = text.rfind("[")
    if opened > 0 and "]" not in text[opened:]:
        return text[:opened]
    return title


def strip_title_notes(title: str) -> str:
    """Drop the notes databases add to titles ('[Chinese]', '[Review] [45 refs]', '(Provisional abstract)').

    A title wholly in brackets is Medline's mark of a translation: the brackets go, the words stay.
    """
    title = title.strip()
    previous = None
    while previous != title:
        previous = title
        title = _drop_paren_note(_drop_trailing_bracket(title)).strip()
        if title.startswith("["):
            close = title.find("]")
            if close > 0.6 * len(title) or close == -1:
                title = ((title[1:close] + title[close + 1 :]) if close > 0 else title[1:]).strip()
    title = _FOOTNOTE.sub("", title)
    return _RETRACTED_PREFIX.sub("", title)


def title_numbers(words: list[str]) -> frozenset[str]:
    """Numbers that tell papers apart: every run of digits ('HPV16', 'p16(INK4a)' alike: 16 and 4),
    and roman numerals or number words after 'part', 'phase', 'type' ...."""
    found = {str(int(run)) for run in _DIGITS.findall(_THOUSANDS.sub(r"\1\2", " ".join(words)))}
    previous = ""
    for word in words:
        if previous in _NUMBERED:
            if word in _ROMAN:
                found.add(str(_ROMAN[word]))
            elif word in _WORDS:
                found.add(word)
        previous = word
    return frozenset(found)


def publication_kind(title_words: str) -> str:
    """What the title says the item is. (Not the publication type: databases disagree on it for
    one and the same paper, "Letter" in one, "Journal Article" in the next.)"""
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(title_words):
            return kind
    return ""


@lru_cache(maxsize=1 << 16)
def _family_key(family: str) -> str:
    """'van der Graaf' and 'Graaf' alike: particles are placed and parsed inconsistently."""
    words = fold_words(family).split()
    kept = [w for w in words if w not in _PARTICLES] or words
    return "".join(kept)


@lru_cache(maxsize=1 << 16)
def _given_words(given: str) -> tuple[str, ...]:
    return tuple(fold_words(given).split())


def _page_key(page: str) -> str:
    """'0288' → '288', 'S109' → 's109', 'e12724'; anything else is no page at all.

    Exports mangle page fields ('Suppl-12', 't-20'), and page 1 is an e-journal's placeholder as
    often as not: neither can prove two records different, so neither is kept.
    """
    key = page.strip().lower().removesuffix("+")  # Web of Science's "448+": from page 448 on
    if not _CLEAN_PAGE.match(key):
        return ""
    digits_from = 1 if key[0].isalpha() else 0
    key = key[:digits_from] + (key[digits_from:].lstrip("0") or "0")
    return "" if key == "1" else key


def pages_conflict(a: str, b: str) -> bool:
    """Both first pages known and different, and of one kind: a page (288) is not comparable with
    an article number (e12724, a1754), which some databases give in its place."""
    if not a or not b or a == b:
        return False
    if a[1:].isdigit() and b[1:].isdigit() and a[0] == b[0] and a[0].isalpha():
        a, b = a[1:], b[1:]  # e3 / e8: as for plain pages below
    if a.isdigit() and b.isdigit():
        # Databases disagree by a page or two (the first page of the article, of its abstract, a
        # typo); different papers by the same authors under the same title are told apart elsewhere.
        return abs(int(a) - int(b)) > PAGE_SLACK
    return a[0].isalpha() == b[0].isalpha() and (not a[0].isalpha() or a[0] == b[0])


def _first_number(value: str) -> str:
    """'35 Suppl 1' → '35', '3-B' → '3', '007' → '7': the number, not what databases add to it."""
    match = _DIGITS.search(value)
    return str(int(match.group())) if match else ""


def _volume_key(volume: str, year: int | None) -> str:
    """The volume's number, or '' when it is only the year again ('2016', '2015-April'): some
    databases fill the volume of a magazine or proceedings with the year, others the real volume."""
    number = _first_number(volume)
    return "" if year is not None and number == str(year) else number


def prepare(record: Record, index: int) -> Prepared:
    title_text = strip_title_notes(record.title)
    title = fold_words(title_text)
    words = title.split()
    journal_text = fold_words(_JOURNAL_EXTRAS.sub("", record.journal).split(":")[0])
    last_page = record.page_end.strip().lstrip("0")
    families = tuple(_family_key(a.family) for a in record.authors if a.family)
    givens = [_given_words(a.given) for a in record.authors if a.family]
    initials = tuple(g[0][:1] if g else "" for g in givens)
    conference_text = " ".join((record.pub_type, record.journal, record.volume, record.issue))
    return Prepared(
        index=index,
        title=title,
        title_key=title.replace(" ", ""),
        numbers=title_numbers(words),
        kind=publication_kind(title),
        conference=bool(_CONFERENCE.search(conference_text)),
        families=families,
        initials=initials,
        given_names=tuple(g[0] for g in givens if g and len(g[0]) > 1),
        year=record.year,
        # Numbers in a venue's name are years and volume ranges ("2007 International Conference on
        # ...", "..., VOLS 1-3"), spelt by one database and not the next.
        journal=tuple(w for w in journal_text.split() if w not in _JOURNAL_STOP and not w.isdigit()),
        volume=_volume_key(record.volume, record.year),
        issue=_first_number(record.issue),
        page=_page_key(record.page_start),
        last_page=last_page if last_page.isdigit() else "",
        doi=record.doi,
        pmid=record.pmid,
        abstract=fold_words(record.abstract[:500])[:400],
        cochrane="cochrane" in journal_text,
    )
