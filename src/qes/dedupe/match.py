"""Step 3: compare two prepared records and decide duplicate / maybe / distinct, naming the rule.

The order is the policy. First the guards: facts that make two records different papers however
alike their titles (an erratum and its article, Part I and Part II, different DOIs or PMIDs,
pages, volumes or years, different authors, a conference abstract and the journal article).
Then the positive rules, strongest evidence first. Anything left that still looks alike is a
"maybe" for a person; everything else is distinct. Guards about where a text appeared (DOI,
pages, volume, issue) give way only to the same title, author list and long abstract. A false
merge loses a study from a review, a missed duplicate costs one extra screening decision: the
rules are written in that spirit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qes.dedupe.prep import Prepared, pages_conflict
from qes.dedupe.similarity import indel_similarity as _similar

DUPLICATE, MAYBE, DISTINCT = "duplicate", "maybe", "distinct"
SAME_TEXT = "same-title+authors+abstract"  # the one rule that joins records with different DOIs
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "from",
        "by",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "its",
        "their",
        "this",
        "that",
        "these",
        "those",
        "among",
        "between",
        "into",
        "over",
        "under",
        "via",
        "vs",
        "versus",
        "study",
    ]
)


# Items a conference or journal prints every year under one title by the same people (compiled
# by `re` at first use: a rare branch, and start-up counts).
_RECURRING = (
    r"(?:introduction to|editorial|preface|foreword|welcome|message from|chairs?|keynote|panel|workshop)\b"
    r"|.*\b(?:minitrack|mini track|track|special issue|proceedings)\b"
)


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str  # duplicate | maybe | distinct
    rule: str  # the rule that decided, e.g. "same-doi", "title-numbers-differ"
    score: float  # title similarity 0–100 (for ordering the review queue)


def title_similarity(a: Prepared, b: Prepared) -> float:
    if not a.title_key or not b.title_key:
        return 0.0
    if a.title_key == b.title_key:
        return 100.0
    return _similar(a.title_key, b.title_key)


def _variant(x: str, y: str) -> bool:
    """Two words that are one word spelt two ways (behaviour/behavior, a typo, a plural)."""
    if len(x) < 4 or len(y) < 4 or abs(len(x) - len(y)) > 0.4 * max(len(x), len(y)):
        return False
    return _similar(x, y) >= 80.0


def _explained(word: str, others: set[str], other_key: str, rejoined: set[str]) -> bool:
    """A word of one title accounted for in the other: spelt differently, or split/joined
    differently ('hpv16' / 'hpv 16': `rejoined` holds the words on either side of such a split)."""
    if word in rejoined:
        return True
    return any(_variant(word, v) for v in others) or (len(word) >= 6 and word in other_key)


def _rejoined(own: list[str], other: set[str]) -> set[str]:
    """Neighbouring words of `own` that `other` writes as one word: both parts and the whole."""
    found: set[str] = set()
    for x, y in zip(own, own[1:], strict=False):
        if x + y in other:
            found.update((x, y, x + y))
    return found


def substantive_word_change(a: Prepared, b: Prepared) -> bool:
    """True when the titles swap a meaningful word (vivo/vitro, men/women, adults/children).

    Words only one title has (a subtitle, an article) are not a swap; a word replaced by a
    spelling variant is not either.
    """
    if a.title_key == b.title_key:
        return False  # only the spacing differs: "p16(INK4a)" / "p16INK4a", "CO 2" / "CO2"
    words_a, words_b = a.title.split(), b.title.split()
    wa = set(words_a) - _STOP
    wb = set(words_b) - _STOP
    only_a, only_b = wa - wb, wb - wa
    if not only_a or not only_b:
        return False
    rejoined = _rejoined(words_a, only_b) | _rejoined(words_b, only_a)
    unmatched_a = [w for w in only_a if not _explained(w, only_b, b.title_key, rejoined)]
    unmatched_b = [w for w in only_b if not _explained(w, only_a, a.title_key, rejoined)]
    return bool(unmatched_a) and bool(unmatched_b)


def _family_match(x: str, y: str) -> bool:
    if x == y:
        return True
    if len(x) >= 4 and len(y) >= 4 and (x in y or y in x):
        return True  # compound names: "garciamarquez" / "marquez"
    return len(x) >= 5 and _similar(x, y) >= 85.0  # transliteration, a typo


def author_agreement(a: Prepared, b: Prepared) -> str:
    """'same' | 'compatible' | 'different' | 'unknown' (one side has no authors)."""
    if not a.families or not b.families:
        return "unknown"
    first = _family_match(a.families[0], b.families[0])
    shorter, longer = (a.families, b.families) if len(a.families) <= len(b.families) else (b.families, a.families)
    pool = set(longer)
    unmatched = [f for f in shorter if f not in pool]
    found = len(shorter) - len(unmatched)
    if unmatched and found / len(shorter) < 0.6:
        found += sum(1 for f in unmatched if any(_family_match(f, g) for g in longer))
    overlap = found / len(shorter)
    if first and overlap >= 0.6:
        return "same"
    if first or overlap >= 0.6:
        return "compatible"
    if _names_reversed(a, b) or _names_reversed(b, a):
        return "compatible"
    return "different"


def _names_reversed(a: Prepared, b: Prepared) -> bool:
    """'Andrea Carignani' read as family 'Andrea' by one database: a's family names are b's given names."""
    if not b.given_names:
        return False
    given = set(b.given_names)
    return sum(1 for f in a.families if f in given) >= 0.6 * len(a.families)


def journal_agreement(a: Prepared, b: Prepared) -> bool:
    """Same journal, allowing abbreviations ('J Cereb Blood Flow Metab')."""
    if not a.journal or not b.journal:
        return False
    if a.journal == b.journal:
        return True
    short, long_ = (a.journal, b.journal) if len(a.journal) <= len(b.journal) else (b.journal, a.journal)
    if len(short) == 1 and len(short[0]) >= 3 and len(long_) >= 3 and short[0] == "".join(w[0] for w in long_):
        return True  # the acronym of a conference: "ICIS" / "International Conference on Information Systems"
    k = 0
    for word in short:
        while k < len(long_) and not long_[k].startswith(word) and not word.startswith(long_[k]):
            k += 1
        if k == len(long_):
            return False
        k += 1
    return len(short) >= 1 and (len(short) >= 2 or len(long_) == 1)


def _abstracts_agree(a: Prepared, b: Prepared) -> bool:
    return len(a.abstract) >= 100 and len(b.abstract) >= 100 and _similar(a.abstract, b.abstract) >= 90.0


def _title_contained(a: Prepared, b: Prepared) -> bool:
    """One title is the other's main title: 'Diminished control in crowdsourcing' (+ ': an investigation ...')."""
    short, long_ = (a.title, b.title) if len(a.title) <= len(b.title) else (b.title, a.title)
    return len(short) >= 15 and short.count(" ") >= 2 and long_.startswith(short + " ")


def _footnote_marker(a: Prepared, b: Prepared) -> bool:
    """One title is the other with one digit stuck on its end ('... employee representation 1').

    Some exports glue a footnote or affiliation marker to the title. It is taken for one only when
    the citation agrees in full (year, volume, issue and first page, all given), which two papers
    never share; a number inside a title (type 1 / type 2, Part I / Part II) still keeps them apart.
    """
    short, long_ = (a.title, b.title) if len(a.title) <= len(b.title) else (b.title, a.title)
    tail = long_[len(short) :]
    return (
        len(tail) == 2
        and tail[0] == " "
        and tail[1].isdigit()
        and long_.startswith(short)
        and a.year is not None
        and a.year == b.year
        and bool(a.volume and a.issue and a.page)
        and (a.volume, a.issue, a.page) == (b.volume, b.issue, b.page)
    )


def _same_authors(a: Prepared, b: Prepared) -> bool:
    """The same author list name for name (spelling aside; one list may add a group author)."""
    shorter, longer = (a.families, b.families) if len(a.families) <= len(b.families) else (b.families, a.families)
    if not shorter or len(longer) - len(shorter) > 1 or not _family_match(shorter[0], longer[0]):
        return False
    pool = set(longer)
    return all(f in pool or any(_family_match(f, g) for g in longer) for f in shorter)


def _same_full_citation(a: Prepared, b: Prepared) -> bool:
    """Same authors, year and venue, and the same first and last page of a paper several pages
    long: the one place in one volume, which two papers never share. (A one-page abstract can share
    its page with the team's next abstract; so can a paper with its page range unknown.)"""
    return (
        a.year is not None
        and a.year == b.year
        and a.page.isdigit()
        and a.page == b.page
        and a.last_page.isdigit()
        and a.last_page == b.last_page
        and int(a.last_page) - int(a.page) >= 2
        and a.volume == b.volume
        and journal_agreement(a, b)
        and _same_authors(a, b)
    )


def _guard(a: Prepared, b: Prepared, same_id: bool, sim: float) -> str:
    """The name of the fact that makes the two different papers, or ''."""
    if a.kind != b.kind:
        return "kind-differs"  # erratum vs article, comment vs paper, protocol vs results
    if a.title and b.title and a.numbers != b.numbers and not _footnote_marker(a, b):
        return "title-numbers-differ"  # Part I / Part II, 2019 / 2020 update, type 1 / type 2
    if a.doi and b.doi and a.doi != b.doi:
        return "doi-differs"
    if a.pmid and b.pmid and a.pmid != b.pmid:
        return "pmid-differs"
    if a.cochrane and b.cochrane and a.year != b.year:
        return "review-versions"  # successive versions of a Cochrane review
    if same_id:
        return ""
    if sim >= 80.0 and substantive_word_change(a, b) and not _same_full_citation(a, b):
        # in vivo / in vitro, men / women (below 80 no title rule would merge them anyway); but a
        # word changed at the same pages of the same venue is one paper's title exported two ways
        return "title-words-differ"
    if a.year and b.year and abs(a.year - b.year) > 1:
        return "years-differ"
    if pages_conflict(a.page, b.page):
        return "pages-differ"
    if a.volume and b.volume and a.volume != b.volume:
        return "volumes-differ"
    if a.issue and b.issue and a.issue != b.issue and not (a.page and a.page == b.page):
        return "issues-differ"  # a recurring column ("Editor's Comments") in every issue
    if a.conference != b.conference and not (a.page and a.page == b.page and a.volume == b.volume):
        return "abstract-vs-article"  # a conference abstract and the paper that followed it
    return ""


def same_text(a: Prepared, b: Prepared) -> bool:
    """The same title, author list and abstract (a long one): one text, registered twice.

    A journal that printed a paper twice, an advance-online DOI next to the issue's, a co-publication:
    the DOIs, volumes and pages differ, the text does not. Still two papers when the kind, a title
    number or the conference/article status differs, or they are versions of a Cochrane review."""
    return (
        len(a.abstract) >= 300
        and a.abstract == b.abstract
        and a.title_key == b.title_key
        and a.title.count(" ") >= 3
        and a.kind == b.kind
        and a.numbers == b.numbers
        and a.conference == b.conference
        and not (a.cochrane or b.cochrane)
        and (a.year is None or b.year is None or abs(a.year - b.year) <= 1)
        and _same_authors(a, b)
    )


# Guards about where and under which identifier a text appeared, not about the text itself.
_CITATION_GUARDS = frozenset({"doi-differs", "pmid-differs", "pages-differ", "volumes-differ", "issues-differ"})


def compare(a: Prepared, b: Prepared) -> Decision:
    same_id = bool((a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid))
    sim = title_similarity(a, b)
    guard = _guard(a, b, same_id, sim)
    if guard:
        if guard in _CITATION_GUARDS and a.abstract and same_text(a, b):
            return Decision(DUPLICATE, SAME_TEXT, sim)
        return Decision(DISTINCT, guard, sim)
    authors = author_agreement(a, b)
    if same_id:
        rule = "same-doi" if a.doi and a.doi == b.doi else "same-pmid"
        if sim >= 70.0 or not a.title_key or not b.title_key or _title_contained(a, b):
            return Decision(DUPLICATE, rule, sim)
        if authors == "same" and a.year == b.year:
            return Decision(DUPLICATE, rule + "+authors+year", sim)  # a title and its translation
        return Decision(MAYBE, rule + "-titles-differ", sim)
    same_year = a.year is not None and a.year == b.year
    near_year = a.year is None or b.year is None or abs(a.year - b.year) <= 1
    same_pages = bool(a.page) and a.page == b.page
    same_volume = bool(a.volume) and a.volume == b.volume
    same_journal = journal_agreement(a, b)
    if sim >= 95.0 and same_year and same_pages and same_volume:
        # The same title at the same place in the same volume and year is one paper, however the
        # databases spelt (or mangled) its authors: group authors, particles, initials as names.
        return Decision(DUPLICATE, "title+year+volume+pages", sim)
    if authors == "different":
        return Decision(DISTINCT, "authors-differ", sim)
    if sim >= 90.0 and authors in ("same", "compatible") and near_year:
        venue = same_pages or (same_volume and same_journal) or same_journal or _abstracts_agree(a, b)
        if same_year and venue:
            return Decision(DUPLICATE, "title+authors+year+venue", sim)
        if same_pages and same_volume:
            return Decision(DUPLICATE, "title+authors+volume+pages", sim)
        if same_year and sim == 100.0 and authors == "same":
            return Decision(DUPLICATE, "title+authors+year", sim)
        if sim >= 97.0 and same_volume and same_journal and _same_authors(a, b):
            # a year apart: online first vs print, or the volume's year vs the issue's
            return Decision(DUPLICATE, "title+authors+journal+volume", sim)
        proceedings = sim == 100.0 and a.conference and b.conference and same_journal
        if proceedings and _same_authors(a, b) and not re.match(_RECURRING, a.title):
            # the year of the conference vs the year its proceedings appeared
            return Decision(DUPLICATE, "title+authors+conference", sim)
    same_issue = bool(a.issue) and a.issue == b.issue
    contained = _title_contained(a, b)
    if contained and authors == "same" and same_year and (same_pages or (same_volume and same_issue)):
        return Decision(DUPLICATE, "main-title+authors+year+citation", sim)
    if near_year and authors != "different" and (sim >= 85.0 or contained):
        if a.abstract and same_text(a, b):
            return Decision(DUPLICATE, SAME_TEXT, sim)
        return Decision(MAYBE, "similar-title", sim)
    if same_year and same_pages and same_volume and authors == "same":
        # Same authors, same year, volume and first page: the title is translated (or wrong). Not in
        # a conference supplement ('S12', '81A'), where one page holds several abstracts by one team.
        if not (a.conference or b.conference) and a.page.isdigit() and (same_issue or not (a.issue and b.issue)):
            return Decision(DUPLICATE, "authors+year+volume+pages", sim)
        return Decision(MAYBE, "same-citation-other-title", sim)
    return Decision(DISTINCT, "not-alike", sim)
