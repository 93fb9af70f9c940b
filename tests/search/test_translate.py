"""Translations as string pairs for every source → target pair, review 000's strategy for its five
databases, and the printed translation parsing back in the target."""

from __future__ import annotations

import json

import pytest

from qes import search
from qes.search.engine import Index
from qes.search.model import TIABKW, Block, Heading, Limits, Strategy, Term
from support import FIXTURES

CASES = json.loads((FIXTURES / "search" / "translations.json").read_text(encoding="utf-8"))["cases"]
DOCS = {
    "1": {"title": "Reciprocity and mental illness", "abstract": "Care of the patient.", "headings": ["Mental Disorders"]},
    "2": {"title": "Reciprocal care", "abstract": "Mental health of nurses; patient and care", "keywords": ["mental health"]},
    "3": {"title": "Psychiatry and reciprocity", "abstract": "mental and social illness", "year": 2005},
    "4": {"title": "Reciprocity", "abstract": "", "headings": ["Mental Disorders, Severe"], "year": 2020},
}


def test_every_pair_is_covered() -> None:
    pairs = {(c["from"], c["to"]) for c in CASES}
    assert pairs == {(a, b) for a in search.SYNTAXES for b in search.SYNTAXES if a != b}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['from']}-{c['to']}" for c in CASES])
def test_translation_pair(case: dict[str, object]) -> None:
    written = search.translate(str(case["query"]), str(case["from"]), str(case["to"]))
    assert written.text == case["expected"]
    assert sorted({m.code for m in written.messages}) == case["codes"]
    back = search.parse(written.text, str(case["to"]))  # what is printed parses in the target
    if not any(m.effect for m in written.messages):  # no message: the same records locally
        index = Index(DOCS)
        assert index.search(back) == index.search(search.parse(str(case["query"]), str(case["from"])))


def review000(thesaurus: str, heading: str) -> Strategy:
    """Review 000: recipr* AND (psychiatr* OR mental* OR ... OR schizophren*), ti/ab/kw + a heading, adults."""
    words = ["psychiatr*", "mental*", "mental health", "mental disorder", "mental illness", "mental disease", "depress*",
             "schizophren*"]  # fmt: skip
    mental = tuple(Term(w, " " in w, TIABKW) for w in words) + (Heading(thesaurus, heading),)
    return Strategy(
        blocks=(Block("reciprocity", (Term("recipr*", False, TIABKW),)), Block("mental illness", mental)),
        limits=Limits(age_groups=("adult",)),
    )


MENTAL = '"mental health" OR "mental disorder" OR "mental illness" OR "mental disease"'


def test_review000_medline_via_proquest() -> None:
    written = search.write(review000("mesh", "Mental Disorders").to_query(), "proquest")
    assert written.text == (
        "ti,ab,if(recipr*) AND (ti,ab,if(psychiatr* OR mental* OR "
        f'{MENTAL} OR depress* OR schizophren*) OR MESH.EXACT.EXPLODE("Mental Disorders"))'
    )
    assert "Q301" in {m.code for m in written.messages}  # the adult limit is set in ProQuest's interface


def test_review000_cinahl_via_ebsco() -> None:
    written = search.write(review000("cinahl", "Mental Disorders").to_query(), "ebsco")
    inner = f"psychiatr* OR mental* OR {MENTAL} OR depress* OR schizophren*"
    assert written.text == (
        "S1 TI recipr* OR AB recipr* OR KW recipr*\n"
        f"S2 TI ( {inner} ) OR AB ( {inner} ) OR KW ( {inner} )\n"
        'S3 (MH "Mental Disorders+")\n'
        "S4 S2 OR S3\n"
        "S5 S1 AND S4"
    )
    assert {m.code for m in written.messages} == {"Q301"}


@pytest.mark.parametrize(
    ("database", "thesaurus", "heading", "age"),
    [
        ("PsycINFO", "apa", "Mental Disorders", "adulthood <18+ years>"),
        ("Embase", "emtree", "mental disease", "adult <18 to 64 years>"),
        ("AMED", "amed", "Mental disorders", None),  # AMED has no age limit: said, not hidden
    ],
)
def test_review000_via_ovid(database: str, thesaurus: str, heading: str, age: str | None) -> None:
    written = search.write(review000(thesaurus, heading).to_query(), "ovid")
    assert written.text == (
        "1 recipr*.ti,ab,kw.\n"
        "2 (psychiatr* or mental* or mental health or mental disorder or mental illness or mental disease or depress* "
        "or schizophren*).ti,ab,kw.\n"
        f"3 exp {heading}/\n"
        "4 2 or 3\n"
        "5 1 and 4" + (f"\n6 limit 5 to {age}" if age else "")
    )
    if age is None:
        assert any(m.code == "Q302" and m.effect == "broader" for m in written.messages)
    back = search.syntax_module("ovid").parse_with_messages(written.text, thesaurus)  # Ovid: the database says which
    assert search.write(back.query, "ovid").text == written.text


def test_translation_says_what_it_cannot_keep() -> None:
    written = search.translate('"care patient"[tiab:~3] AND "Mental Disorders"[mh]', "pubmed", "openalex")
    codes = {m.code: m for m in written.messages}
    assert codes["Q101"].effect == "broader" and "proximity" in codes["Q101"].text
    assert codes["Q201"].effect == "changed" and "Mental Disorders" in codes["Q201"].text


def test_unknown_syntax_is_a_user_error() -> None:
    with pytest.raises(search.QuerySyntaxError, match="unknown syntax 'embase'"):
        search.translate("a", "embase", "ovid")


def test_broader_inside_not_is_reported_as_narrower() -> None:
    written = search.translate('mental[ti] NOT "care patient"[tiab:~2]', "pubmed", "openalex")
    q101 = next(m for m in written.messages if m.code == "Q101")
    assert q101.effect == "narrower" and "inside NOT" in q101.text


def test_a_number_is_a_word_outside_ovid_combination_lines() -> None:
    tree = search.parse("1 (covid 19 or sars).ti.\n2 exp Mental Disorders/\n3 1 and 2", "ovid")
    assert search.write(tree, "pubmed").text == '("covid 19"[ti] OR sars[ti]) AND "Mental Disorders"[mh]'
