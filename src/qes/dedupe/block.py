"""Step 2: candidate pairs. Only records that share a blocking key are ever compared.

Each key catches duplicates the others miss: the DOI and PMID; the start and the end of the
title (a typo or a dropped subtitle spoils only one of them); first author + year + first page
and year + volume + first page (translated titles, missing DOIs). Work grows with the records,
never with their square: a key shared by more than `MAX_BLOCK` records (a generic title such as
"Editorial") is split by year, and what is still too large is left to the other keys.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from qes.dedupe.prep import Prepared

MAX_BLOCK = 250
TITLE_KEY_CHARS = 28
MIN_TITLE_KEY = 14


def blocking_keys(p: Prepared) -> Iterator[str]:
    if p.doi:
        yield "d" + p.doi
    if p.pmid:
        yield "p" + p.pmid
    key = p.title_key
    if len(key) >= MIN_TITLE_KEY:
        yield "t" + key[:TITLE_KEY_CHARS]
        if len(key) > TITLE_KEY_CHARS:
            yield "e" + key[-TITLE_KEY_CHARS:]
    year = str(p.year or "")
    if p.page and p.families:
        yield f"a{p.families[0]}|{year}|{p.page}"
    if p.page and p.volume and year:
        yield f"v{year}|{p.volume}|{p.page}"


def _split_by_year(members: list[int], prepared: list[Prepared]) -> Iterable[list[int]]:
    by_year: dict[int | None, list[int]] = defaultdict(list)
    for i in members:
        by_year[prepared[i].year].append(i)
    for group in by_year.values():
        if 1 < len(group) <= MAX_BLOCK:
            yield group


def candidate_pairs(prepared: list[Prepared]) -> tuple[list[tuple[int, int]], int]:
    """Pairs (i, j), i < j, of indexes into `prepared` sharing a key; and the records in blocks left out."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for p in prepared:
        for key in blocking_keys(p):
            blocks[key].append(p.index)
    seen: set[int] = set()
    n = len(prepared)
    skipped = 0
    for members in blocks.values():
        if len(members) < 2:
            continue
        groups: Iterable[list[int]]
        if len(members) > MAX_BLOCK:
            groups = list(_split_by_year(members, prepared))
            skipped += len(members) - sum(len(g) for g in groups)  # type: ignore[arg-type]
        else:
            groups = (members,)
        for group in groups:
            for x in range(len(group)):
                i = group[x]
                for y in range(x + 1, len(group)):
                    j = group[y]
                    seen.add(i * n + j if i < j else j * n + i)
    pairs = sorted(seen)
    return [(code // n, code % n) for code in pairs], skipped
