"""Each normalisation step of de-duplication: messy input → normal form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe_cases import record
from qes.dedupe.match import journal_agreement, substantive_word_change
from qes.dedupe.prep import (
    fold_words,
    pages_conflict,
    prepare,
    publication_kind,
    strip_title_notes,
    title_numbers,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Reciprocity: A Conceptual Review.", "reciprocity a conceptual review"),
        ("Müller–Lyer  illusion", "muller lyer illusion"),
        ("HPV-16/18 (non-HPV16)", "hpv 16 18 non hpv16"),
        ("ЗАЙНЯТІСТЬ І МОТИВАЦІЯ", "заинятість і мотивація"),
        ("", ""),
    ],
)
def test_fold_words(raw: str, folded: str) -> None:
    assert fold_words(raw) == folded


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Efficacy of batroxobin. [Chinese]", "Efficacy of batroxobin."),
        ("[Reciprocity in care]. [Article in German]", "Reciprocity in care."),
        ("[Reciprocity in care]", "Reciprocity in care"),
        ("HPV testing of CIN 3: review. [Review] [45 refs]", "HPV testing of CIN 3: review."),
        (
            "Outcome of memory training.[Erratum appears in Brain Inj. 2013;27(3):377 Note: Small, S [added]]",
            "Outcome of memory training.",
        ),
        ("Outcome of memory training [published erratum appears in Brain Inj", "Outcome of memory training"),
        ("HPV testing (Provisional abstract)", "HPV testing"),
        ("Clinical implications of CIN grade 1 (Structured a", "Clinical implications of CIN grade 1"),
        ("RETRACTED: Mindfulness for carers", "Mindfulness for carers"),
        ("Arbeiten in der Crowd **", "Arbeiten in der Crowd"),
        ("Results of Study 1", "Results of Study 1"),
        ("A title [with] a bracket inside", "A title [with] a bracket inside"),
    ],
)
def test_strip_title_notes(raw: str, clean: str) -> None:
    assert strip_title_notes(raw) == clean


@pytest.mark.parametrize(
    ("title", "numbers"),
    [
        ("recovery part ii a framework", {"2"}),
        ("recovery part 2 a framework", {"2"}),
        ("hpv16 and hpv 18", {"16", "18"}),
        ("p16 ink4a expression", {"16", "4"}),
        ("among 10 000 women", {"10000"}),
        ("phase three trial", {"three"}),
        ("what i learned", set()),
    ],
)
def test_title_numbers(title: str, numbers: set[str]) -> None:
    assert title_numbers(title.split()) == numbers


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("erratum ecologically oriented neurorehabilitation", "erratum"),
        ("correction to how do requirements evolve", "erratum"),
        ("notice of retraction mindfulness training", "retraction"),
        ("comment on reciprocity in the therapeutic relationship", "comment"),
        ("authors reply helpful relationships", "comment"),
        ("peer support protocol for a randomised trial", "protocol"),
        ("immune response to vaccination in older adults", ""),
        ("reciprocity in therapeutic relationships", ""),
    ],
)
def test_publication_kind(title: str, kind: str) -> None:
    assert publication_kind(title) == kind


@pytest.mark.parametrize(
    ("pages", "key"),
    [
        ("288-297", "288"),
        ("0288", "288"),
        ("S109-S112", "s109"),
        ("e12724", "e12724"),
        ("81A", "81a"),
        ("Suppl-12", ""),
        ("t-20", ""),
        ("1-7", ""),
        ("448+", "448"),  # Web of Science: from page 448 on
        ("", ""),
    ],
)
def test_page_key(pages: str, key: str) -> None:
    assert prepare(record({"title": "x", "pages": pages}), 0).page == key


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        ("288", "288", False),
        ("488", "487", False),
        ("125", "2", True),
        ("969", "a1754", False),
        ("e3", "e8", False),
        ("s78", "s3", True),
        ("", "12", False),
    ],
)
def test_pages_conflict(a: str, b: str, conflict: bool) -> None:
    assert pages_conflict(a, b) is conflict
    assert pages_conflict(b, a) is conflict


@pytest.mark.parametrize(
    ("volume", "issue", "key"),
    [("35 Suppl 1", "", ("35", "")), ("22", "3-B", ("22", "3")), ("007", "02", ("7", "2")), ("UNKNOWN", "", ("", ""))],
)
def test_volume_and_issue(volume: str, issue: str, key: tuple[str, str]) -> None:
    p = prepare(record({"title": "x", "volume": volume, "issue": issue}), 0)
    assert (p.volume, p.issue) == key


@pytest.mark.parametrize(
    ("volume", "year", "key"),
    [("2016", 2016, ""), ("2015-April", 2015, ""), ("2016", 2017, "2016"), ("94", 2016, "94"), ("2016", None, "2016")],
)
def test_volume_that_is_only_the_year_is_no_volume(volume: str, year: int | None, key: str) -> None:
    assert prepare(record({"title": "x", "volume": volume, "year": year}), 0).volume == key


@pytest.mark.parametrize(
    ("pages", "last"),
    [("44-53", "53"), ("945-8", "948"), ("S78-S89", ""), ("100A-101A", ""), ("288", ""), ("", "")],
)
def test_last_page_only_as_a_plain_number(pages: str, last: str) -> None:
    assert prepare(record({"title": "x", "pages": pages}), 0).last_page == last


@pytest.mark.parametrize(
    ("authors", "families"),
    [
        (["van der Graaf, Y."], ("graaf",)),
        (["Graaf, Y. van der"], ("graaf",)),
        (["Syrjänen, K."], ("syrjanen",)),
        (["Dell'Antonio, G."], ("dellantonio",)),
    ],
)
def test_family_keys(authors: list[str], families: tuple[str, ...]) -> None:
    assert prepare(record({"title": "x", "authors": authors}), 0).families == families


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        ("Journal of Cerebral Blood Flow and Metabolism", "J Cereb Blood Flow Metab", True),
        ("Obstetrics & Gynecology", "Obstetrics and Gynecology", True),
        ("BMJ", "BMJ (Clinical research ed.)", True),
        ("Stroke", "Canadian Journal of Neurological Sciences", False),
        ("", "Stroke", False),
        ("International Conference on Information Systems", "ICIS : Transforming Society with Digital Innovation", True),
        ("Journal of Information Systems", "ICIS", False),
        (
            "2007 International Conference on Service Systems and Service Management",
            "INTERNATIONAL CONFERENCE ON SERVICE SYSTEMS AND SERVICE MANAGEMENT, VOLS 1-3",
            True,
        ),
    ],
)
def test_journal_agreement(a: str, b: str, agree: bool) -> None:
    pa, pb = prepare(record({"title": "x", "journal": a}), 0), prepare(record({"title": "x", "journal": b}), 1)
    assert journal_agreement(pa, pb) is agree


@pytest.mark.parametrize(
    ("a", "b", "substantive"),
    [
        ("effects in vivo", "effects in vitro", True),
        ("help seeking among men", "help seeking among women", True),
        ("changing behaviour in care", "changing behavior in care", False),
        ("p16(INK4a) expression", "p16INK4a expression", False),
        ("diminished control in crowdsourcing", "diminished control in crowdsourcing: an investigation", False),
        ("new generation non-HPV16/18 prophylactic vaccines", "new generation non-HPV 16/18 prophylactic vaccines", False),
        ("new generation non-HPV16/18 vaccines", "new generation non-HPV 16/18 antibodies", True),
    ],
)
def test_substantive_word_change(a: str, b: str, substantive: bool) -> None:
    pa, pb = prepare(record({"title": a}), 0), prepare(record({"title": b}), 1)
    assert substantive_word_change(pa, pb) is substantive


@given(st.text(max_size=80))
def test_fold_words_is_idempotent_and_never_raises(text: str) -> None:
    once = fold_words(text)
    assert fold_words(once) == once
    assert "  " not in once


@given(st.text(max_size=120))
def test_strip_title_notes_only_shortens(text: str) -> None:
    assert len(strip_title_notes(text)) <= len(text.strip()) + 1
