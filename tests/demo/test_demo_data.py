"""The demo data files say only what the papers say: every coded passage, Table 1 cell, reference
and search term is checked against the paper's text (through support.shared_path)."""

from __future__ import annotations

import json
import re

import pytest

from qes.demo.building import DATA
from qes.formats.registry import read_file
from support import shared_path


def _paper(number: str) -> str:
    text = next(shared_path("seeds").glob(f"{number}_*.txt")).read_text(encoding="utf-8")
    text = text.replace("*", "")  # italics markers (et al., journal names)
    return re.sub(r"\s+", " ", text)  # the papers break lines and pages inside sentences


GAP = 8000  # characters a page break with its running heads, a footnote or a table may put inside a passage


def _in_paper(passage: str, paper: str) -> bool:
    """In the paper as one run, or as two runs in order (a page break, a footnote or a table between)."""
    passage = " ".join(passage.split())
    if passage in paper:
        return True
    words = passage.split(" ")
    for cut in range(1, len(words)):
        left, right = " ".join(words[:cut]), " ".join(words[cut:])
        at = paper.find(left)
        if at >= 0 and paper.find(right, at + len(left), at + len(left) + GAP + len(right)) >= 0:
            return True
    return False


def _data(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("number", "name"), [("000", "reciprocity.json"), ("001", "helpful_relationships.json")])
def test_every_passage_and_table_1_cell_is_in_the_paper(number: str, name: str) -> None:
    paper, data = _paper(number), _data(name)
    for passage in data["passages"]:
        assert _in_paper(passage["text"], paper), passage["text"][:80]
        if "context" in passage:
            assert _in_paper(passage["context"], paper)
    for study in data["studies"]:
        for value in study["table1"].values():
            assert " ".join(value.split()) in paper, value[:80]


def test_review_000_search_terms_and_table_2_notes() -> None:
    paper, data = _paper("000"), _data("reciprocity.json")
    method = " ".join(next(shared_path("seeds").glob("000_*.txt")).read_text(encoding="utf-8").split())
    for block in data["strategy"]["blocks"]:
        for term in block["terms"]:
            assert term.strip('"') in method, term
    for search in data["searches"][:5]:
        assert search["coverage"] in paper
    assert {s["label"] for s in data["studies"]} == {line.split("\t")[0].replace("<i>et al.</i>", "et al.")
        for line in next(shared_path("seeds").glob("000_*.txt")).read_text(encoding="utf-8").splitlines()
        if re.match(r"^[A-Z][^\t]+ \(\d{4}\)\t", line)}  # fmt: skip


def test_review_001_references_are_the_papers() -> None:
    paper = _paper("001")
    with read_file(DATA / "helpful_relationships_references.ris") as reader:
        records = list(reader)
    assert len(records) == 21
    for record in records:
        assert record.title.rstrip('"') in paper, record.title
        assert f"{record.volume}:" in paper and str(record.year) in paper
