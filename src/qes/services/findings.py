"""GRADE-CERQual review findings: statements linked to the studies and segments behind them, the four
components with their concerns, the overall confidence and why (rules in `qes.synthesis.cerqual`).
Each write is one transaction with its `finding.set` event; a refused assessment writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qes.errors import NotFound, PermissionDenied, UserError
from qes.reporting.tables import Table
from qes.services.codebook import resolve_code
from qes.services.project import Project
from qes.services.screening import SCREENING_ROLES, require_role, role_in
from qes.services.studies import find_study
from qes.store import synthesis as store
from qes.store.events import log_event
from qes.store.schema import utcnow
from qes.store.schema_synthesis import Finding
from qes.synthesis import cerqual

WRITING_ROLES = SCREENING_ROLES


def _require_member(project: Project, session: Any, who: str) -> None:
    if role_in(session, project.id, who) is None:
        raise PermissionDenied(f"{who} is not a member of this project")


@dataclass(frozen=True)
class FindingInfo:
    number: int
    statement: str
    concept: str
    studies: list[str]
    segment_ids: list[int]
    components: dict[str, dict[str, str]]
    overall: str
    why: str
    suggested: str
    updated_by: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def view(self) -> cerqual.FindingView:
        parts = {k: cerqual.Component(v["concern"], v.get("explanation", "")) for k, v in self.components.items()}
        return cerqual.FindingView(self.number, self.statement, tuple(self.studies), parts, self.overall, self.why)


def _finding_info(row: Finding, names: Mapping[int, str], labels: Mapping[int, str]) -> FindingInfo:
    stored = row.components or {}
    components = {  # in CERQual's order, whatever order they were assessed in
        k: {"concern": stored[k]["concern"], "explanation": stored[k].get("explanation", "")}
        for k in cerqual.COMPONENTS
        if k in stored
    }
    parts = {k: cerqual.Component(v["concern"]) for k, v in components.items()}
    return FindingInfo(
        row.position,
        row.statement,
        names.get(row.code_id, "") if row.code_id else "",
        [labels.get(int(i), f"#{i}") for i in row.study_ids or []],
        [int(i) for i in row.segment_ids or []],
        components,
        row.overall,
        row.overall_why,
        cerqual.suggested_overall(parts),
        row.updated_by,
    )


def set_finding(
    project: Project,
    number: int | None = None,
    *,
    statement: str | None = None,
    concept: str | int | None = None,
    studies: Sequence[str | int] | None = None,
    segment_ids: Sequence[int] | None = None,
    components: Mapping[str, tuple[str, str]] | None = None,
    overall: str | None = None,
    why: str | None = None,
    actor: str | None = None,
) -> FindingInfo:
    """Add a finding (`number` None) or change finding `number`; unset arguments keep their values.

    Components are merged: `{"coherence": ("minor", "why")}` changes coherence only. Studies behind
    the finding's segments are added to its contributing studies.
    """
    who = actor or project.actor
    with project.store.transaction() as session:
        require_role(session, project.id, who, WRITING_ROLES, "assess findings")
        if number is None:
            row = Finding(project_id=project.id, position=store.next_finding_position(session, project.id), components={})
            session.add(row)
            if not (statement or "").strip():
                raise UserError("a finding needs its statement (--statement)")
        else:
            found = store.get_finding(session, project.id, number)
            if found is None:
                raise NotFound(f"no finding {number} (qes finding list)")
            row = found
        if statement is not None:
            if not statement.strip():
                raise UserError("a finding's statement cannot be empty")
            row.statement = statement.strip()
        if concept is not None:
            row.code_id = resolve_code(session, project.id, concept).id if str(concept).strip() else None
        study_ids = list(row.study_ids or []) if studies is None else [find_study(session, project.id, s).id for s in studies]
        if segment_ids is not None:
            owners = store.segment_studies(session, project.id, list(segment_ids))
            missing = [s for s in segment_ids if s not in owners]
            if missing:
                raise NotFound(f"no segment {missing[0]}")
            row.segment_ids = sorted(set(int(s) for s in segment_ids))
            study_ids += [sid for sid in owners.values() if sid is not None]
        row.study_ids = list(dict.fromkeys(study_ids))
        merged = {k: cerqual.Component(v["concern"], v.get("explanation", "")) for k, v in (row.components or {}).items()}
        merged.update({k: cerqual.Component(c, e) for k, (c, e) in (components or {}).items()})
        try:
            checked, level, reason = cerqual.check_assessment(
                merged, row.overall if overall is None else overall, row.overall_why if why is None else why
            )
        except cerqual.AssessmentError as exc:
            raise UserError(f"finding {row.position}: {exc}") from None
        row.components = {k: {"concern": c.concern, "explanation": c.explanation} for k, c in checked.items()}
        row.overall, row.overall_why = level, reason
        row.updated_by, row.updated_at = who, utcnow()
        session.flush()
        log_event(
            session,
            project_id=project.id,
            actor=who,
            action="finding.set",
            entity="finding",
            entity_id=row.position,
            data={"statement": row.statement, "components": row.components, "overall": level, "studies": row.study_ids},
            why=reason,
        )
        names = {c.id: c.name for c in store.code_nodes(session, project.id)}
        labels = {s.id: s.label for s in store.study_refs(session, project.id)}
        return _finding_info(row, names, labels)


def list_findings(project: Project, *, viewer: str | None = None) -> list[FindingInfo]:
    with project.store.read() as session:
        _require_member(project, session, viewer or project.actor)
        names = {c.id: c.name for c in store.code_nodes(session, project.id)}
        labels = {s.id: s.label for s in store.study_refs(session, project.id)}
        return [_finding_info(r, names, labels) for r in store.list_findings(session, project.id)]


def soqf_table(project: Project, *, viewer: str | None = None) -> Table:
    """The CERQual Summary of Qualitative Findings table."""
    return cerqual.soqf_table([f.view() for f in list_findings(project, viewer=viewer)])


def evidence_profile_table(project: Project, *, viewer: str | None = None) -> Table:
    """The CERQual Evidence Profile: each component's concern and explanation per finding."""
    return cerqual.evidence_profile_table([f.view() for f in list_findings(project, viewer=viewer)])
