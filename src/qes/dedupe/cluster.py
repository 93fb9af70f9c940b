"""Step 4: duplicate pairs → groups, without chaining two different papers through a third.

Union-find over the duplicate pairs, strongest rules first. Each group remembers its DOIs,
PMIDs, years and first pages; a union that would put two DOIs, two PMIDs, two first pages or
years more than one apart into one group is refused and the pair goes to the review queue
instead ("A = B" and "B = C" must not make "A = C" when A and C plainly differ). The one
exception is a pair with the same title, authors and abstract (`SAME_TEXT`): one text registered
under two DOIs, whose identifiers and pages differ by definition; years still may not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from qes.dedupe.match import SAME_TEXT
from qes.dedupe.prep import Prepared, pages_conflict

# Order in which duplicate rules are applied: identifiers first.
RULE_STRENGTH = {"same-doi": 0, "same-pmid": 1}


@dataclass(slots=True)
class _Facts:
    dois: set[str] = field(default_factory=set)
    pmids: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)

    def absorb(self, other: _Facts) -> None:
        self.dois |= other.dois
        self.pmids |= other.pmids
        self.pages |= other.pages
        self.years |= other.years

    def conflicts(self, other: _Facts, identifiers_only: bool = False, same_text: bool = False) -> bool:
        if same_text:  # one text registered twice: its DOIs and pages differ by definition
            years = self.years | other.years
            return bool(years) and max(years) - min(years) > 1
        if self.dois and other.dois and not (self.dois & other.dois):
            return True
        if self.pmids and other.pmids and not (self.pmids & other.pmids):
            return True
        if identifiers_only:
            return False  # a shared DOI outweighs a page or year one database got wrong
        if self.pages and other.pages and all(pages_conflict(x, y) for x in self.pages for y in other.pages):
            return True
        years = self.years | other.years
        return bool(years) and max(years) - min(years) > 1


def _facts(p: Prepared) -> _Facts:
    return _Facts(
        dois={p.doi} if p.doi else set(),
        pmids={p.pmid} if p.pmid else set(),
        pages={p.page} if p.page else set(),
        years={p.year} if p.year else set(),
    )


def cluster(
    prepared: list[Prepared],
    duplicate_pairs: Iterable[tuple[int, int, str]],
    fixed_groups: Iterable[Iterable[int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
) -> tuple[list[list[int]], list[tuple[int, int, str]]]:
    """Groups (each sorted, size ≥ 2, ordered by first member) and the pairs refused as conflicting.

    `fixed_groups` are groups already decided (earlier runs, a person's decisions): they are
    united first and never split. `cannot_link` pairs (a guard said "different papers", or a
    person did) never end up in one group.
    """
    parent = list(range(len(prepared)))
    facts: dict[int, _Facts] = {}
    members: dict[int, list[int]] = {}
    cannot: dict[int, list[int]] = {}
    for i, j in cannot_link:
        cannot.setdefault(i, []).append(j)
        cannot.setdefault(j, []).append(i)

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def facts_of(root: int) -> _Facts:
        f = facts.get(root)
        if f is None:
            f = facts[root] = _facts(prepared[root])
        return f

    def linked_apart(ri: int, rj: int) -> bool:
        small = members.get(ri, [ri])
        other = rj
        if len(small) > len(members.get(rj, [rj])):
            small, other = members.get(rj, [rj]), ri
        return any(find(x) == other for m in small for x in cannot.get(m, ()))

    def union(i: int, j: int, force: bool, rule: str = "") -> bool:
        ri, rj = find(i), find(j)
        if ri == rj:
            return True
        fi, fj = facts_of(ri), facts_of(rj)
        refuse = fi.conflicts(fj, identifiers_only=rule in RULE_STRENGTH, same_text=rule == SAME_TEXT)
        if not force and (refuse or linked_apart(ri, rj)):
            return False
        if ri > rj:
            ri, rj, fi, fj = rj, ri, fj, fi
        parent[rj] = ri
        fi.absorb(fj)
        facts.pop(rj, None)
        members[ri] = members.get(ri, [ri]) + members.pop(rj, [rj])
        return True

    for group in fixed_groups:
        fixed = list(group)
        for other in fixed[1:]:
            union(fixed[0], other, force=True)
    refused: list[tuple[int, int, str]] = []
    for i, j, rule in sorted(duplicate_pairs, key=lambda t: RULE_STRENGTH.get(t[2], 9)):
        if not union(i, j, force=False, rule=rule):
            refused.append((i, j, rule))
    members_of: dict[int, list[int]] = {}
    for i in range(len(prepared)):
        if parent[i] != i or i in facts:  # only records that were ever united can be in a group
            members_of.setdefault(find(i), []).append(i)
    groups = [m for m in members_of.values() if len(m) >= 2]
    groups.sort(key=lambda g: g[0])
    return groups, refused
