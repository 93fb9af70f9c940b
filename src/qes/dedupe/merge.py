"""Step 5: one group of duplicate records → one record with the best value of each field.

Nothing is thrown away: the source records stay as they are (the store keeps them, with their
provenance); the merged record is a view chosen field by field:

* identifiers (DOI, PMID, PMCID) and the year: the value most records agree on;
* title: the most common title among those not marked as a translation, the longest on a tie;
* abstract: the longest; authors: the fullest list (most authors, then most given names);
* journal, volume, issue, pages and the other scalars: the value most records agree on, the
  longest spelling of it (full journal name over abbreviation) on a tie;
* keywords, headings, URLs, accession numbers: the union, in first-seen order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from qes.dedupe.prep import fold_words, strip_title_notes
from qes.records.model import LIST_FIELDS, SCALAR_FIELDS, Author, Record

_MAJORITY = ("doi", "pmid", "pmcid", "year", "volume", "issue", "page_start", "page_end", "language")


def _majority(values: list[str]) -> str:
    present = [v for v in values if v not in ("", None)]
    if not present:
        return values[0] if values else ""
    counts = Counter(present)
    best = max(counts.values())
    return next(v for v in present if counts[v] == best)


def _agreed_longest(values: list[str]) -> str:
    """The value most records agree on (compared folded), written out in its longest form."""
    present = [v for v in values if v]
    if not present:
        return ""
    if len(set(present)) == 1:
        return present[0]
    keys = [fold_words(v) for v in present]
    counts = Counter(keys)
    best = max(counts.values())
    return max((v for v, k in zip(present, keys, strict=True) if counts[k] == best), key=len)


def _best_title(titles: list[str]) -> str:
    present = [t for t in titles if t]
    if not present:
        return ""
    untranslated = [t for t in present if strip_title_notes(t) == t.strip()] or present
    counts = Counter(fold_words(t) for t in untranslated)
    best = max(counts.values())
    return max((t for t in untranslated if counts[fold_words(t)] == best), key=len)


def _author_score(authors: Sequence[Author]) -> tuple[int, int, int]:
    return (
        len(authors),
        sum(1 for a in authors if len(a.given.replace(".", "").replace(" ", "")) > 1),
        sum(1 for a in authors if a.given),
    )


def merge_records(records: Sequence[Record]) -> Record:
    """The merged view of a group (the first record lends origin and raw fields)."""
    if len(records) == 1:
        return records[0]
    values: dict[str, object] = {}
    for name in SCALAR_FIELDS:
        column = [getattr(r, name) for r in records]
        if name == "title":
            values[name] = _best_title(column)
        elif name == "abstract":
            values[name] = max(column, key=len)
        elif name == "year":
            years = [y for y in column if y]
            values[name] = Counter(years).most_common(1)[0][0] if years else None
        elif name in _MAJORITY:
            values[name] = _majority(column)
        else:
            values[name] = _agreed_longest(column)
    if values["page_start"]:
        # pages travel together: take the end page from a record with the chosen start page
        values["page_end"] = _majority([r.page_end for r in records if r.page_start == values["page_start"]])
    values["authors"] = list(max(records, key=lambda r: _author_score(r.authors)).authors)
    for name in LIST_FIELDS:
        seen: dict[str, None] = {}
        for r in records:
            for item in getattr(r, name):
                seen.setdefault(item, None)
        values[name] = list(seen)
    return replace(records[0], **values)  # type: ignore[arg-type]
