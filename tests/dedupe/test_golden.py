"""Every golden case: pairs that must never be merged, and pairs that must be."""

from __future__ import annotations

from typing import Any

import pytest

from dedupe_cases import golden_cases, record
from qes.dedupe.match import DUPLICATE, compare
from qes.dedupe.pipeline import find_duplicates, prepare_all

CASES = golden_cases()


def test_every_case_says_why() -> None:
    assert len(CASES) >= 20
    for case in CASES:
        assert case["expect"] in ("duplicate", "distinct")
        assert len(case["note"]) > 20, case["name"]
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    records = [record(case["a"], "a"), record(case["b"], "b")]
    prepared = prepare_all(records)
    decision = compare(prepared[0], prepared[1])
    grouped = find_duplicates(prepared).groups
    if case["expect"] == "distinct":
        assert decision.kind != DUPLICATE, f"{case['name']}: merged by {decision.rule}"
        assert grouped == []
    else:
        assert decision.kind == DUPLICATE, f"{case['name']}: {decision.kind} by {decision.rule}"
        assert grouped == [[0, 1]]
    # the decision does not depend on which record comes first
    assert compare(prepared[1], prepared[0]).kind == decision.kind
