"""GRADE-CERQual: components, the overall assessment's rules, and the two tables."""

from __future__ import annotations

import pytest

from qes.synthesis.cerqual import (
    AssessmentError,
    Component,
    FindingView,
    check_assessment,
    evidence_profile_table,
    soqf_table,
    suggested_overall,
)

NONE = Component("no_or_very_minor")
ALL_CLEAR = {"methodological_limitations": NONE, "coherence": NONE, "adequacy": NONE, "relevance": NONE}


def with_(**changes: Component) -> dict[str, Component]:
    return {**ALL_CLEAR, **changes}


@pytest.mark.parametrize(
    ("components", "level"),
    [
        (ALL_CLEAR, "high"),
        (with_(coherence=Component("minor", "x")), "high"),
        (with_(coherence=Component("minor", "x"), adequacy=Component("minor", "y")), "moderate"),
        (with_(adequacy=Component("moderate", "thin data")), "moderate"),
        (with_(adequacy=Component("serious", "one study")), "low"),
        (with_(adequacy=Component("serious", "a"), relevance=Component("serious", "b")), "very_low"),
    ],
)
def test_suggestion_starts_at_high_and_downgrades(components: dict[str, Component], level: str) -> None:
    assert suggested_overall(components) == level


def test_a_concern_needs_its_explanation() -> None:
    with pytest.raises(AssessmentError, match="Coherence: minor concerns need an explanation"):
        check_assessment(with_(coherence=Component("minor")), "high", "")


def test_below_high_needs_a_reason() -> None:
    with pytest.raises(AssessmentError, match="say why"):
        check_assessment(with_(adequacy=Component("moderate", "thin")), "moderate", "")
    checked, level, why = check_assessment(with_(adequacy=Component("moderate", "thin")), "moderate", "  thin data ")
    assert (level, why) == ("moderate", "thin data")
    assert checked["adequacy"] == Component("moderate", "thin")


def test_high_without_concerns_explains_itself() -> None:
    assert check_assessment(ALL_CLEAR, "High", "")[1] == "high"


def test_overall_needs_all_four_components() -> None:
    with pytest.raises(AssessmentError, match="missing: Relevance"):
        check_assessment({k: v for k, v in ALL_CLEAR.items() if k != "relevance"}, "high", "ok")


def test_unknown_names_are_refused() -> None:
    with pytest.raises(AssessmentError):
        check_assessment({"clarity": NONE}, "", "")
    with pytest.raises(AssessmentError):
        check_assessment(with_(coherence=Component("huge", "x")), "", "")
    with pytest.raises(AssessmentError):
        check_assessment(ALL_CLEAR, "certain", "x")


def test_tables() -> None:
    finding = FindingView(
        1,
        "Trust takes time",
        ("[27] Langley and Klopper (2005)",),
        with_(adequacy=Component("moderate", "two studies")),
        "moderate",
        "adequacy",
    )
    soqf = soqf_table([finding])
    assert soqf.key == "soqf"
    assert soqf.rows == (("1", "Trust takes time", "Moderate confidence", "adequacy", "[27] Langley and Klopper (2005)"),)
    profile = evidence_profile_table([finding])
    row = profile.as_dicts()[0]
    assert row["Adequacy"] == "Moderate concerns: two studies"
    assert row["Coherence"] == "No or very minor concerns"
