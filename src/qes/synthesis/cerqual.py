"""GRADE-CERQual: how much confidence a review finding deserves (Lewin et al. 2018, Implementation Science 13(Suppl 1)).

Four components, each judged as a level of concern with an explanation: methodological
limitations, coherence, adequacy of data, relevance. The overall assessment starts at high
confidence ("the finding is a reasonable representation of the phenomenon") and is downgraded
for concerns. CERQual leaves the step to judgement; qes suggests one and holds the team to two
rules:

- every component with more than no-or-very-minor concerns carries its explanation;
- the overall assessment always carries a reason, except a high assessment over four components
  with no or very minor concerns (CERQual asks for an explanation of every assessment; a finding
  at high with no concerns explains itself).

The suggestion: one level down per component with moderate concerns, two per serious concern,
and one for each pair of minor concerns; never below very low.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from qes.reporting.tables import Table

COMPONENTS = ("methodological_limitations", "coherence", "adequacy", "relevance")
COMPONENT_LABELS = {
    "methodological_limitations": "Methodological limitations",
    "coherence": "Coherence",
    "adequacy": "Adequacy",
    "relevance": "Relevance",
}
CONCERNS = ("no_or_very_minor", "minor", "moderate", "serious")
CONCERN_LABELS = {
    "no_or_very_minor": "No or very minor concerns",
    "minor": "Minor concerns",
    "moderate": "Moderate concerns",
    "serious": "Serious concerns",
}
LEVELS = ("high", "moderate", "low", "very_low")
LEVEL_LABELS = {
    "high": "High confidence",
    "moderate": "Moderate confidence",
    "low": "Low confidence",
    "very_low": "Very low confidence",
}
_ALIASES = {"none": "no_or_very_minor", "no": "no_or_very_minor", "very_minor": "no_or_very_minor", "very-low": "very_low"}


@dataclass(frozen=True)
class Component:
    concern: str
    explanation: str = ""


class AssessmentError(ValueError):
    """An assessment CERQual would not accept (the message says which rule)."""


def normalise_concern(value: str) -> str:
    value = value.strip().lower().replace(" ", "_").replace("-", "_")
    value = _ALIASES.get(value, value)
    if value not in CONCERNS:
        raise AssessmentError(f"concern {value!r}: use one of {', '.join(CONCERNS)}")
    return value


def normalise_level(value: str) -> str:
    value = value.strip().lower().replace(" ", "_").replace("-", "_")
    if value not in LEVELS:
        raise AssessmentError(f"confidence {value!r}: use one of {', '.join(LEVELS)}")
    return value


def check_components(components: Mapping[str, Component]) -> dict[str, Component]:
    out: dict[str, Component] = {}
    for name, component in components.items():
        if name not in COMPONENTS:
            raise AssessmentError(f"component {name!r}: use one of {', '.join(COMPONENTS)}")
        concern = normalise_concern(component.concern)
        explanation = component.explanation.strip()
        if concern != "no_or_very_minor" and not explanation:
            raise AssessmentError(f"{COMPONENT_LABELS[name]}: {CONCERN_LABELS[concern].lower()} need an explanation")
        out[name] = Component(concern, explanation)
    return out


def suggested_overall(components: Mapping[str, Component]) -> str:
    """Start at high; down one per moderate, two per serious, one per pair of minor concerns."""
    concerns = [normalise_concern(c.concern) for c in components.values()]
    steps = 2 * concerns.count("serious") + concerns.count("moderate") + concerns.count("minor") // 2
    return LEVELS[min(steps, len(LEVELS) - 1)]


def check_assessment(components: Mapping[str, Component], overall: str, why: str) -> tuple[dict[str, Component], str, str]:
    """Components, overall level and reason as stored; raises AssessmentError when a rule is broken."""
    checked = check_components(components)
    if not overall:
        return checked, "", why.strip()
    level = normalise_level(overall)
    missing = [COMPONENT_LABELS[c] for c in COMPONENTS if c not in checked]
    if missing:
        raise AssessmentError(f"an overall assessment needs all four components; missing: {', '.join(missing)}")
    no_concerns = all(c.concern == "no_or_very_minor" for c in checked.values())
    if not why.strip() and not (level == "high" and no_concerns):
        raise AssessmentError(f"{LEVEL_LABELS[level].lower()}: say why (downgraded from high for which concerns?)")
    return checked, level, why.strip()


def component_text(component: Component | None) -> str:
    if component is None:
        return "Not assessed"
    label = CONCERN_LABELS[component.concern]
    return f"{label}: {component.explanation}" if component.explanation else label


@dataclass(frozen=True)
class FindingView:
    """A finding as the two CERQual tables show it."""

    number: int
    statement: str
    studies: tuple[str, ...]  # labels of the contributing studies
    components: Mapping[str, Component]
    overall: str
    why: str


def soqf_table(findings: list[FindingView], title: str = "Summary of Qualitative Findings") -> Table:
    rows = tuple(
        (
            str(f.number),
            f.statement,
            LEVEL_LABELS.get(f.overall, "Not assessed"),
            f.why,
            "; ".join(f.studies),
        )
        for f in findings
    )
    columns = (
        "#",
        "Summary of review finding",
        "GRADE-CERQual assessment of confidence",
        "Explanation of assessment",
        "Studies contributing",
    )
    return Table(title, columns, rows, notes=(_NOTE,), key="soqf")


def evidence_profile_table(findings: list[FindingView], title: str = "GRADE-CERQual Evidence Profile") -> Table:
    rows = tuple(
        (
            str(f.number),
            f.statement,
            "; ".join(f.studies),
            *(component_text(f.components.get(c)) for c in COMPONENTS),
            LEVEL_LABELS.get(f.overall, "Not assessed"),
            f.why,
        )
        for f in findings
    )
    columns = (
        "#",
        "Summary of review finding",
        "Studies contributing",
        *(COMPONENT_LABELS[c] for c in COMPONENTS),
        "GRADE-CERQual assessment of confidence",
        "Explanation of assessment",
    )
    return Table(title, columns, rows, notes=(_NOTE,), key="evidence-profile")


_NOTE = "GRADE-CERQual (Lewin et al. 2018): confidence starts at high and is downgraded for concerns about the four components."
