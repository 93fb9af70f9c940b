"""Meaning kept: random PubMed strategies, translated to every syntax and back to PubMed, retrieve
exactly the same SYNERGY records — or, where a message says the target is broader (narrower),
a superset (subset) of them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qes import search
from qes.search.engine import Index
from qes.search.model import Message
from search_trees import pubmed_trees, synergy_documents, vocabulary
from support import shared_path

TARGETS = [s for s in search.SYNTAXES if s != "pubmed"]
EXACT = {"ovid", "ebsco", "proquest", "wos", "scopus"}  # say PubMed's [ti]/[tiab] words, phrases and ~N exactly
_CACHE: list[tuple[Index, list[str]]] = []


def _synergy() -> tuple[Index, list[str]]:
    if not _CACHE:
        docs = synergy_documents(shared_path("data", "synergy"))
        _CACHE.append((Index(docs), vocabulary(docs, 300)))
    return _CACHE[0]


def _effects(messages: tuple[Message, ...]) -> set[str]:
    return {m.effect for m in messages if m.effect}


@pytest.mark.shared
@pytest.mark.parametrize("target", TARGETS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_pubmed_to_target_and_back_retrieves_the_same_records(target: str, data: st.DataObject) -> None:
    index, words = _synergy()
    original = data.draw(pubmed_trees(words))
    text = search.write(original, "pubmed").text
    there = search.translate(text, "pubmed", target)
    back = search.translate(there.text, target, "pubmed")
    effects = _effects(there.messages) | _effects(back.messages)
    if target in EXACT:
        assert not effects, there.text
    before = set(index.search(search.parse(text, "pubmed")))
    after = set(index.search(search.parse(back.text, "pubmed")))
    if not effects:
        assert after == before, (text, there.text, back.text)
    elif effects == {"broader"}:
        assert after >= before, (text, there.text, back.text)
    elif effects == {"narrower"}:
        assert after <= before, (text, there.text, back.text)
