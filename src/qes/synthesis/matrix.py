"""The themes × studies matrix computed from the coding (review 000's Table 2 layout).

A study supports a top-level theme when any final segment of its documents carries the theme or
one of its descendant codes. It supports it only "in part" when every such segment-code is marked
`in_part`. Columns are the codebook's top-level themes in codebook order (the structural nodes of
kind `dimension` are an interpretation, not a theme, and are left out); rows are the studies in
their table order.

Which segments count is the coding service's rule (`qes.services.coding.final_segment_rows`):
per document its reconciled segments, or a lone coder's segments; the matrix is given only those.

Frequency words, for k supporting studies of n (thresholds chosen so that review 000's wording
comes out: 9/11 "most", 6/11 "over half", 5/11 "under half", 4/11 "four studies"):

=====================  =========================================
k == n                 "all"
k == 0                 "no studies"
3k > 2n                "most"            (more than two thirds)
2k > n                 "over half"
2k == n                "half"
k <= 4                 "one study", "two studies" … "four studies"
4k < n                 "a few"           (five or more, under a quarter)
otherwise              "under half"
=====================  =========================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FULL = "full"
PART = "part"
TICK = "✓"
TICK_IN_PART = "✓ (in part)"
# Top-level codes of these kinds are not themes (review 001's two dimensions are its overarching interpretation).
NOT_THEMES = frozenset({"dimension"})
_NUMBER_WORDS = ("no", "one", "two", "three", "four")


@dataclass(frozen=True)
class CodeNode:
    id: int
    parent_id: int | None
    name: str
    kind: str = "theme"
    position: int = 0


@dataclass(frozen=True)
class StudyRef:
    id: int
    label: str
    position: int = 0


@dataclass(frozen=True)
class AppliedCode:
    """One code on one segment: the unit the matrix counts."""

    study_id: int
    document_id: int
    segment_id: int
    code_id: int
    in_part: bool = False


@dataclass(frozen=True)
class Matrix:
    themes: tuple[CodeNode, ...]
    studies: tuple[StudyRef, ...]
    cells: dict[tuple[int, int], str]  # (study id, theme id) -> FULL | PART

    def support(self, study_id: int, theme_id: int) -> str:
        """'', FULL or PART."""
        return self.cells.get((study_id, theme_id), "")

    def count(self, theme_id: int) -> int:
        return sum(1 for (_, theme), _mark in self.cells.items() if theme == theme_id)

    def cell_text(self, study_id: int, theme_id: int) -> str:
        return {FULL: TICK, PART: TICK_IN_PART}.get(self.support(study_id, theme_id), "")


def ordered_tree(codes: Iterable[CodeNode]) -> list[CodeNode]:
    """Codes depth first, siblings by position then name (the codebook order)."""
    children: dict[int | None, list[CodeNode]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    out: list[CodeNode] = []

    def walk(parent: int | None) -> None:
        for code in sorted(children.get(parent, []), key=lambda c: (c.position, c.name.casefold(), c.id)):
            out.append(code)
            walk(code.id)

    walk(None)
    return out


def top_level_of(codes: Iterable[CodeNode]) -> dict[int, int]:
    """Each code's top-level ancestor (a top-level code maps to itself)."""
    by_id = {c.id: c for c in codes}
    top: dict[int, int] = {}
    for code in by_id.values():
        node, seen = code, set()
        while node.parent_id is not None and node.parent_id in by_id and node.id not in seen:
            seen.add(node.id)
            node = by_id[node.parent_id]
        top[code.id] = node.id
    return top


def themes(codes: Iterable[CodeNode]) -> list[CodeNode]:
    return [c for c in ordered_tree(codes) if c.parent_id is None and c.kind not in NOT_THEMES]


def build_matrix(codes: Sequence[CodeNode], studies: Sequence[StudyRef], applied: Iterable[AppliedCode]) -> Matrix:
    top = top_level_of(codes)
    columns = themes(codes)
    column_ids = {c.id for c in columns}
    study_ids = {s.id for s in studies}
    in_part: dict[tuple[int, int], bool] = {}
    for a in applied:
        theme = top.get(a.code_id)
        if theme not in column_ids or a.study_id not in study_ids:
            continue
        key = (a.study_id, theme)
        in_part[key] = in_part.get(key, True) and a.in_part
    cells = {key: PART if part else FULL for key, part in in_part.items()}
    ordered = tuple(sorted(studies, key=lambda s: (s.position, s.id)))
    return Matrix(tuple(columns), ordered, cells)


def frequency_word(k: int, n: int) -> str:
    """How review 000 words k of n studies (thresholds in the module docstring)."""
    if n <= 0 or k < 0 or k > n:
        raise ValueError(f"frequency_word: {k} of {n} studies")
    if k == n:
        return "all"
    if k == 0:
        return "no studies"
    if 3 * k > 2 * n:
        return "most"
    if 2 * k > n:
        return "over half"
    if 2 * k == n:
        return "half"
    if k <= 4:
        return f"{_NUMBER_WORDS[k]} {'study' if k == 1 else 'studies'}"
    if 4 * k < n:
        return "a few"
    return "under half"


def frequency_words(matrix: Matrix) -> list[tuple[str, int, int, str]]:
    """(theme, k, n, word) per theme, in column order."""
    n = len(matrix.studies)
    if n == 0:
        return [(t.name, 0, 0, "no studies") for t in matrix.themes]
    return [(t.name, matrix.count(t.id), n, frequency_word(matrix.count(t.id), n)) for t in matrix.themes]
