"""parse → write → parse returns the same tree, in every syntax, for random trees the syntax can
express exactly (and the writer then reports no change of meaning)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qes import search
from qes.search.model import ALL, TIAB, TIABKW, And, Heading, Near, Not, Or, Query, Term, from_dict, normalise, to_dict

RESERVED = {"and", "or", "not", "near", "next", "adj", "pre", "same", "exp", "limit", "to", "with"}
T, A, K, H = (frozenset({f}) for f in ("title", "abstract", "keywords", "headings"))

# What each syntax says exactly: field sets, wildcards, proximity, headings.
CAN: dict[str, dict[str, Any]] = {
    "pubmed": dict(fields=[T, TIABKW, ALL], wild="*", near=[T, TIABKW], near_plain=True, ordered=False, thesaurus="mesh",
                   major=True),
    "ovid": dict(fields=[T, A, K, TIAB, TIABKW, H, ALL], wild="*?#", near=[T, TIAB, TIABKW], or_operands=True, ordered=False,
                 thesaurus="mesh", major=True),
    "ebsco": dict(fields=[T, A, K, TIAB, TIABKW, ALL], wild="*?#", near=[T, A, TIAB], or_operands=True, ordered=True,
                  thesaurus="cinahl", major=True),
    "proquest": dict(fields=[T, A, K, TIAB, TIABKW, ALL], wild="*?", near=[T, TIAB], ordered=True, thesaurus="mesh", major=True),
    "wos": dict(fields=[T, A, K, TIAB, TIABKW, ALL], wild="*?#", near=[T, TIABKW], ordered=False, thesaurus=None),
    "scopus": dict(fields=[T, A, K, TIAB, TIABKW, ALL], wild="*?", near=[T, A, TIAB], ordered=True, thesaurus=None),
    "cochrane": dict(fields=[T, A, TIAB, ALL], wild="*?", near=[T, TIAB], ordered=False, thesaurus="mesh", major=False),
    "openalex": dict(fields=[T, A, TIAB, ALL], wild="", near=[], ordered=False, thesaurus=None, single_field=True),
}  # fmt: skip


def words() -> st.SearchStrategy[str]:
    return st.from_regex(r"[a-zé]{3,9}", fullmatch=True).filter(lambda w: w not in RESERVED)


def term(can: dict[str, Any], fields: st.SearchStrategy[frozenset[str]], plain: bool = False) -> st.SearchStrategy[Query]:
    def make(w: str, w2: str, kind: int, f: frozenset[str], wild: str) -> Term:
        if plain or kind == 0 or not can["wild"]:
            return Term(w, False, f)
        if kind == 1:
            return Term(w + wild if wild == "*" else w[:2] + wild + w[2:], False, f)
        return Term(f"{w} {w2}", True, f)

    return st.builds(make, words(), words(), st.integers(0, 2), fields, st.sampled_from(list(can["wild"]) or ["*"]))


def trees(name: str) -> st.SearchStrategy[Query]:
    can = CAN[name]
    if can.get("single_field"):
        return st.sampled_from(can["fields"]).flatmap(lambda f: _trees(can, st.just(f)))
    return _trees(can, st.sampled_from(can["fields"]))


def _trees(can: dict[str, Any], fields: st.SearchStrategy[frozenset[str]]) -> st.SearchStrategy[Query]:
    leaves = [term(can, fields)]
    if can["near"]:

        def near(f: frozenset[str], a: Query, b: Query, extra: Query | None, d: int, ordered: bool) -> Near:
            left = Or((a, extra)) if extra is not None and can.get("or_operands") else a
            return Near(left, b, d, ordered and can["ordered"] and d > 0)

        def with_fields(f: frozenset[str]) -> st.SearchStrategy[Query]:
            one = term(can, st.just(f), plain=can.get("near_plain", False)).filter(
                lambda t: isinstance(t, Term) and not t.is_phrase or not can.get("near_plain")
            )
            return st.builds(near, st.just(f), one, one, st.none() | one, st.integers(0, 5), st.booleans())

        leaves.append(st.sampled_from(can["near"]).flatmap(with_fields))
    if can["thesaurus"]:
        leaves.append(
            st.builds(
                Heading,
                st.just(can["thesaurus"]),
                st.sampled_from(["Mental Disorders", "Interpersonal Relations", "Depression", "Aged"]),
                st.booleans(),
                st.booleans() if can.get("major") else st.just(False),
            )
        )
    return st.recursive(
        st.one_of(*leaves),
        lambda kids: st.one_of(
            st.lists(kids, min_size=2, max_size=3).map(lambda c: And(tuple(c))),
            st.lists(kids, min_size=2, max_size=3).map(lambda c: Or(tuple(c))),
            st.tuples(kids, kids).map(lambda p: Not(*p)),
        ),
        max_leaves=6,
    )


@pytest.mark.parametrize("name", list(CAN))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_parse_write_parse_is_the_same_tree(name: str, data: st.DataObject) -> None:
    tree = data.draw(trees(name))
    written = search.write(tree, name)
    assert [m for m in written.messages if m.effect] == [], written.text
    back = search.parse(written.text, name)
    assert normalise(back) == normalise(tree), written.text
    # and writing again gives the same text
    assert search.write(back, name).text == written.text


@settings(max_examples=100, deadline=None)
@given(tree=trees("ovid"))
def test_to_dict_from_dict_round_trip(tree: Query) -> None:
    assert from_dict(to_dict(tree)) == tree
