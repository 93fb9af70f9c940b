"""A study's appraisal at a glance: how many Yes / No / Can't tell, which questions were No, and
the overall judgement (a checklist's `overall` field, e.g. JBI's include / exclude / seek info)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qes.extraction.fields import Field, display, is_empty

OVERALL_KEY = "overall"


@dataclass(frozen=True)
class AppraisalSummary:
    counts: dict[str, int]  # answer → how many questions got it, in the checklist's answer order
    answered_no: list[str]  # labels of the questions answered No
    unanswered: list[str]  # labels of questions with no answer
    overall: str  # the overall judgement, or '' when the checklist has none or it is not given
    questions: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def line(self) -> str:
        """'Yes 7 · No 2 · Can't tell 1' (+ overall)."""
        parts = [f"{answer} {count}" for answer, count in self.counts.items()]
        return " · ".join(parts) + (f" — {self.overall}" if self.overall else "")


def _is_question(field: Field) -> bool:
    return field.key != OVERALL_KEY and field.type in ("choice", "yes_no_unclear") and "No" in field.options


def summarise(fields: Sequence[Field], values: Mapping[str, Any]) -> AppraisalSummary:
    questions = [f for f in fields if _is_question(f)]
    answers: list[str] = []
    for field in questions:
        for option in field.options:
            if option not in answers:
                answers.append(option)
    counts = dict.fromkeys(answers, 0)
    answered_no: list[str] = []
    unanswered: list[str] = []
    for field in questions:
        value = values.get(field.key)
        if is_empty(value):
            unanswered.append(field.label)
            continue
        answer = str(value)
        counts[answer] = counts.get(answer, 0) + 1
        if answer == "No":
            answered_no.append(field.label)
    overall = display(values.get(OVERALL_KEY)) if any(f.key == OVERALL_KEY for f in fields) else ""
    return AppraisalSummary(counts, answered_no, unanswered, overall, len(questions))
