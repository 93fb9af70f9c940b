"""The de-duplication pipeline: prepare → block → compare → cluster. Merging is the caller's choice.

`find_duplicates` works on any list of canonical records (a project's, or files on disk) and
returns groups of indexes, the review queue and counts per rule: plain data, no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from qes.dedupe.block import candidate_pairs
from qes.dedupe.cluster import cluster
from qes.dedupe.match import DISTINCT, DUPLICATE, MAYBE, compare
from qes.dedupe.prep import Prepared, prepare
from qes.records.model import Record

Progress = Callable[[str, int, int], None]  # (step, done, total)
_PROGRESS_EVERY = 5000
# Distinct decisions that are facts, not just "not alike enough": they also forbid a group.
_SOFT_DISTINCT = frozenset({"not-alike"})


@dataclass(frozen=True, slots=True)
class MaybePair:
    first: int
    second: int
    rule: str
    score: float


@dataclass(slots=True)
class DedupeResult:
    groups: list[list[int]]  # indexes of records that are one paper (size ≥ 2)
    group_rules: list[str]  # for each group, the strongest rule that joined it
    maybe: list[MaybePair]  # pairs for a person to decide, most alike first
    compared: int = 0
    skipped_in_large_blocks: int = 0
    rules: Counter[str] = field(default_factory=Counter)  # "duplicate:same-doi" → pairs

    @property
    def duplicates_removed(self) -> int:
        return sum(len(g) - 1 for g in self.groups)


def _noop(step: str, done: int, total: int) -> None:
    return None


def prepare_all(records: Iterable[Record], progress: Progress = _noop, total: int = 0) -> list[Prepared]:
    prepared: list[Prepared] = []
    for index, record in enumerate(records):
        prepared.append(prepare(record, index))
        if index % _PROGRESS_EVERY == 0:
            progress("prepare", index, total)
    progress("prepare", len(prepared), total or len(prepared))
    return prepared


def find_duplicates(
    prepared: Sequence[Prepared],
    *,
    progress: Progress = _noop,
    same: Iterable[Iterable[int]] = (),
    different: Iterable[tuple[int, int]] = (),
) -> DedupeResult:
    """Groups and review queue for `prepared` (see `prepare_all`).

    `same`: groups already decided (kept, never split); `different`: pairs a person said are
    different papers (never grouped, never asked again).
    """
    items = list(prepared)
    pairs, skipped = candidate_pairs(items)
    decided_apart = {(min(i, j), max(i, j)) for i, j in different}
    duplicates: list[tuple[int, int, str]] = []
    cannot_link: list[tuple[int, int]] = list(decided_apart)
    maybe: list[MaybePair] = []
    rules: Counter[str] = Counter()
    total = len(pairs)
    for done, (i, j) in enumerate(pairs):
        if done % _PROGRESS_EVERY == 0:
            progress("compare", done, total)
        if (i, j) in decided_apart:
            continue
        decision = compare(items[i], items[j])
        rules[f"{decision.kind}:{decision.rule}"] += 1
        if decision.kind == DUPLICATE:
            duplicates.append((i, j, decision.rule))
        elif decision.kind == MAYBE:
            maybe.append(MaybePair(i, j, decision.rule, decision.score))
        elif decision.kind == DISTINCT and decision.rule not in _SOFT_DISTINCT:
            cannot_link.append((i, j))
    progress("compare", total, total)
    groups, refused = cluster(items, duplicates, fixed_groups=same, cannot_link=cannot_link)
    for i, j, rule in refused:
        maybe.append(MaybePair(i, j, f"{rule} (conflicts with its group)", 100.0))
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    maybe = [m for m in maybe if group_of.get(m.first, -1) != group_of.get(m.second, -2)]
    maybe.sort(key=lambda m: (-m.score, m.first, m.second))
    strongest: dict[int, str] = {}
    for i, _j, rule in duplicates:
        g = group_of.get(i)
        if g is not None and (g not in strongest or rule.startswith("same-")):
            strongest.setdefault(g, rule) if not rule.startswith("same-") else strongest.__setitem__(g, rule)
    group_rules = [strongest.get(g, "decided") for g in range(len(groups))]
    return DedupeResult(groups, group_rules, maybe, compared=total, skipped_in_large_blocks=skipped, rules=rules)
