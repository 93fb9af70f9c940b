"""The translation grid: marks, rows, per-concept summaries."""

from __future__ import annotations

import pytest

from qes.synthesis.grid import Cell, Concept, check_relation, grid_rows, summarise

CONCEPTS = [Concept(1, "Trust", "To know and to trust"), Concept(2, "Know", "To know and to trust")]


def test_relations() -> None:
    assert check_relation(" Reciprocal ") == "reciprocal"
    assert check_relation("") == ""
    with pytest.raises(ValueError):
        check_relation("opposite")


def test_rows_put_each_cell_under_its_study_with_its_mark() -> None:
    cells = [Cell(1, 20, "mutual trust", "reciprocal", (5,)), Cell(2, 10, "staff who know me", "refutational")]
    rows = grid_rows(CONCEPTS, [10, 20], cells)
    assert rows == [
        ["To know and to trust", "Trust", "", "(R) mutual trust"],
        ["To know and to trust", "Know", "(X) staff who know me", ""],
    ]


def test_summaries() -> None:
    cells = [
        Cell(1, 10, "a", "reciprocal"),
        Cell(1, 20, "b", "reciprocal"),
        Cell(2, 10, "c", "reciprocal"),
        Cell(2, 20, "d", "refutational"),
    ]
    by_concept = {s.concept_id: s for s in summarise(CONCEPTS + [Concept(3, "Empty")], cells)}
    assert by_concept[1].translation == "reciprocal"
    assert by_concept[2].translation == "reciprocal, with refutations"
    assert by_concept[3].translation == "no studies"
    assert (by_concept[2].studies, by_concept[2].refutational) == (2, 1)
