"""Blocking, clustering and merging: the pipeline around the pairwise rules."""

from __future__ import annotations

from dedupe_cases import record
from qes.dedupe.block import MAX_BLOCK, candidate_pairs
from qes.dedupe.cluster import cluster
from qes.dedupe.merge import merge_records
from qes.dedupe.pipeline import find_duplicates, prepare_all

ARTICLE = {
    "title": "Reciprocity in therapeutic relationships: a conceptual review",
    "authors": ["Sandhu, Sima", "Arcidiacono, E.", "Priebe, S."],
    "year": 2015,
    "journal": "International Journal of Mental Health Nursing",
    "volume": "24",
    "issue": "6",
    "pages": "460-470",
}


def test_blocking_pairs_only_records_sharing_a_key() -> None:
    other = {"title": "A wholly different paper on crisis care", "authors": ["Jones, P."], "year": 2001}
    prepared = prepare_all([record(ARTICLE), record(other), record({**ARTICLE, "journal": "Int J Ment Health Nurs"})])
    pairs, skipped = candidate_pairs(prepared)
    assert pairs == [(0, 2)] and skipped == 0


def test_oversized_blocks_are_split_by_year_not_compared_all_pairs() -> None:
    editorials = [record({"title": "Editorial: the year in review", "year": 1900 + (i % 100)}) for i in range(MAX_BLOCK * 4)]
    pairs, skipped = candidate_pairs(prepare_all(editorials))
    assert skipped == 0
    assert len(pairs) < len(editorials) * 10  # 100 year-blocks of 10, not 1000 * 999 / 2


def test_a_chain_does_not_join_records_a_guard_keeps_apart() -> None:
    # b is alike to both a and c; a and c carry different DOIs: a = b and b = c must not make a = c
    a = record({**ARTICLE, "doi": "10.1111/inm.12160"})
    b = record(ARTICLE)
    c = record({**ARTICLE, "doi": "10.1111/inm.99999"})
    result = find_duplicates(prepare_all([a, b, c]))
    assert all(not {0, 2} <= set(g) for g in result.groups)
    assert len(result.groups) == 1


def test_cluster_refuses_unions_that_conflict_and_reports_them() -> None:
    prepared = prepare_all(
        [record({**ARTICLE, "doi": "10.1111/a.1"}), record(ARTICLE), record({**ARTICLE, "doi": "10.1111/b.2"})]
    )
    groups, refused = cluster(prepared, [(0, 1, "rule"), (1, 2, "rule")])
    assert groups == [[0, 1]] and refused == [(1, 2, "rule")]


def test_decided_groups_are_kept_and_different_pairs_never_grouped() -> None:
    prepared = prepare_all([record(ARTICLE), record(ARTICLE), record({"title": "Another paper entirely"})])
    assert find_duplicates(prepared, different=[(0, 1)]).groups == []
    assert find_duplicates(prepared, same=[[0, 2]]).groups == [[0, 1, 2]]


def test_maybe_pairs_are_not_in_groups_and_come_most_alike_first() -> None:
    near = {**ARTICLE, "journal": "", "volume": "", "issue": "", "pages": "", "year": 2016}
    result = find_duplicates(prepare_all([record(ARTICLE), record(near)]))
    assert result.groups == []
    assert [(m.first, m.second) for m in result.maybe] == [(0, 1)]
    assert result.maybe[0].rule == "similar-title"


def test_merge_keeps_the_best_value_of_each_field() -> None:
    a = record({**ARTICLE, "title": ARTICLE["title"] + " [Review]", "authors": ["Sandhu S", "Arcidiacono E", "Priebe S"]})
    a.keywords = ["reciprocity"]
    b = record(
        {**ARTICLE, "journal": "Int J Ment Health Nurs", "doi": "10.1111/inm.12160", "abstract": "Background: reciprocity ..."}
    )
    b.keywords = ["therapeutic relationship", "reciprocity"]
    merged = merge_records([a, b])
    assert merged.title == ARTICLE["title"]
    assert merged.doi == "10.1111/inm.12160"
    assert merged.journal == "International Journal of Mental Health Nursing"
    assert merged.abstract.startswith("Background")
    assert [x.given for x in merged.authors][0] == "Sima"
    assert merged.keywords == ["reciprocity", "therapeutic relationship"]
    assert (merged.page_start, merged.page_end) == ("460", "470")
