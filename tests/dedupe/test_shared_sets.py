"""The real de-duplication benchmark sets in ../shared: no false merge, most duplicates found, a small queue."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

from qes.services.dedupe_files import find_duplicates_in_files
from support import SHARED, shared_path

SETS = sorted(p.name for p in (SHARED / "data" / "dedupe").glob("*") if (p / "records_pre_merged.csv").exists()) or ["(none)"]


def _pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {pair for group in groups for pair in itertools.combinations(sorted(group), 2)}


@pytest.mark.parametrize("name", SETS)
def test_no_false_merges_and_high_recall(name: str, tmp_path: Path) -> None:
    folder = shared_path("data", "dedupe", name)
    summary = find_duplicates_in_files([folder / "records_pre_merged.csv"], tmp_path)
    with (folder / "merged_record_ids.csv").open(newline="", encoding="utf-8") as fh:
        truth = _pairs([row[0].split(";") for row in list(csv.reader(fh))[1:] if row])
    predicted: dict[str, list[str]] = {}
    with (tmp_path / "groups.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            predicted.setdefault(row["group_id"], []).append(row["record_id"])
    found = _pairs(list(predicted.values()))
    assert found - truth == set(), "false merges"
    assert len(found & truth) >= 0.95 * len(truth)
    assert summary.maybe <= max(3, 0.01 * summary.records)
