"""The meta-ethnography translation grid: concepts × studies.

Each cell holds a study's own term, metaphor or quote for a concept (Noblit and Hare's second-order
constructs, laid side by side), linked to the coded segments it comes from, and a mark saying how
the study's account relates to the concept across studies: `reciprocal` (it translates into the
others' accounts) or `refutational` (it contradicts them). An unmarked cell is not yet translated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

RECIPROCAL = "reciprocal"
REFUTATIONAL = "refutational"
RELATIONS = ("", RECIPROCAL, REFUTATIONAL)
MARKS = {RECIPROCAL: "(R)", REFUTATIONAL: "(X)", "": ""}
MARK_KEY = "(R) reciprocal translation; (X) refutational translation; an empty cell: the study does not speak to the concept."


@dataclass(frozen=True)
class Concept:
    id: int
    name: str
    theme: str = ""  # the top-level theme it sits under ('' when it is one)


@dataclass(frozen=True)
class Cell:
    concept_id: int
    study_id: int
    text: str
    relation: str = ""
    segment_ids: tuple[int, ...] = field(default_factory=tuple)


def check_relation(relation: str) -> str:
    relation = (relation or "").strip().lower()
    if relation not in RELATIONS:
        raise ValueError(f"relation {relation!r}: use reciprocal, refutational or nothing")
    return relation


def cell_text(cell: Cell | None) -> str:
    if cell is None:
        return ""
    mark = MARKS[cell.relation]
    return f"{mark} {cell.text}".strip() if mark else cell.text


def grid_rows(concepts: Sequence[Concept], study_ids: Sequence[int], cells: Iterable[Cell]) -> list[list[str]]:
    """One row per concept (its theme, its name, then one cell per study in `study_ids` order)."""
    by_key = {(c.concept_id, c.study_id): c for c in cells}
    return [[c.theme, c.name, *(cell_text(by_key.get((c.id, s))) for s in study_ids)] for c in concepts]


@dataclass(frozen=True)
class ConceptSummary:
    concept_id: int
    studies: int
    reciprocal: int
    refutational: int

    @property
    def translation(self) -> str:
        """How the concept translates across the studies that speak to it."""
        if self.studies == 0:
            return "no studies"
        if self.refutational and self.reciprocal:
            return "reciprocal, with refutations"
        if self.refutational:
            return "refutational"
        if self.reciprocal == self.studies:
            return "reciprocal"
        return "partly translated" if self.reciprocal else "not yet translated"


def summarise(concepts: Sequence[Concept], cells: Iterable[Cell]) -> list[ConceptSummary]:
    counts: dict[int, list[int]] = {c.id: [0, 0, 0] for c in concepts}
    for cell in cells:
        if cell.concept_id not in counts:
            continue
        tally = counts[cell.concept_id]
        tally[0] += 1
        tally[1] += cell.relation == RECIPROCAL
        tally[2] += cell.relation == REFUTATIONAL
    return [ConceptSummary(cid, *tally) for cid, tally in counts.items()]
