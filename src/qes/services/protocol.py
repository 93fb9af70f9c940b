"""The protocol in the project: question, criteria (checklist and exclusion reasons), stages, terms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from qes.errors import Conflict, NotFound, UserError
from qes.screening.highlight import Terms
from qes.screening.resolve import StageRules, default_rules
from qes.services.project import Project
from qes.store import screening as screen_store
from qes.store.events import log_event
from qes.store.schema import Project as ProjectRow
from qes.store.schema import Stage

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,49}$")


@dataclass(frozen=True)
class CriterionInfo:
    code: str
    kind: str
    text: str


@dataclass(frozen=True)
class StageInfo:
    id: int
    name: str
    kind: str
    position: int
    reviewers: int
    blind: bool
    allow_maybe: bool
    maybe_advances: bool
    reason_required: bool

    @property
    def rules(self) -> StageRules:
        return StageRules(self.reviewers, self.blind, self.allow_maybe, self.maybe_advances, self.reason_required)


def stage_info(row: Stage) -> StageInfo:
    return StageInfo(
        row.id,
        row.name,
        row.kind,
        row.position,
        row.reviewers,
        row.blind,
        row.allow_maybe,
        row.maybe_advances,
        row.reason_required,
    )


def add_criterion(project: Project, code: str, text: str, *, inclusion: bool) -> CriterionInfo:
    code = code.strip()
    if not _CODE.match(code):
        raise UserError(f"criterion id {code!r}: use letters, digits, '.', '_' or '-' (e.g. E1), at most 50 characters")
    if not text.strip():
        raise UserError(f"criterion {code}: the text is empty")
    kind = "inclusion" if inclusion else "exclusion"
    with project.store.transaction() as session:
        row = screen_store.get_criterion(session, project.id, code)
        if row is None:
            row = screen_store.add_criterion(session, project.id, code, kind, text.strip())
            action = "criterion.add"
        else:
            row.kind, row.text = kind, text.strip()
            action = "criterion.update"
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action=action,
            entity="criterion",
            entity_id=code,
            data={"kind": kind, "text": row.text},
        )
        return CriterionInfo(row.code, row.kind, row.text)


def list_criteria(project: Project) -> list[CriterionInfo]:
    with project.store.read() as session:
        return [CriterionInfo(c.code, c.kind, c.text) for c in screen_store.list_criteria(session, project.id)]


def add_stage(
    project: Project,
    name: str,
    *,
    kind: str,
    reviewers: int = 2,
    blind: bool = True,
    allow_maybe: bool | None = None,
    maybe_advances: bool | None = None,
    reason_required: bool | None = None,
) -> StageInfo:
    """A new stage, after those already defined. Unset options take the kind's defaults."""
    name = name.strip()
    if not name or len(name) > 100:
        raise UserError("a stage needs a name of 1 to 100 characters")
    rules = default_rules(kind, reviewers, blind)
    fields = {
        "name": name,
        "kind": kind,
        "reviewers": reviewers,
        "blind": blind,
        "allow_maybe": rules.allow_maybe if allow_maybe is None else allow_maybe,
        "maybe_advances": rules.maybe_advances if maybe_advances is None else maybe_advances,
        "reason_required": rules.reason_required if reason_required is None else reason_required,
    }
    if not fields["allow_maybe"]:
        fields["maybe_advances"] = False
    with project.store.transaction() as session:
        stages = screen_store.list_stages(session, project.id)
        if any(s.name == name for s in stages):
            raise Conflict(f"there is already a stage named {name!r}")
        if stages and stages[-1].kind == "fulltext" and kind != "fulltext":
            raise UserError(f"stage {name!r} ({kind}) cannot come after the full-text stage {stages[-1].name!r}")
        row = screen_store.add_stage(session, project.id, **fields)
        log_event(
            session, project_id=project.id, actor=project.actor, action="stage.add", entity="stage", entity_id=row.id, data=fields
        )
        return stage_info(row)


def list_stages(project: Project) -> list[StageInfo]:
    with project.store.read() as session:
        return [stage_info(s) for s in screen_store.list_stages(session, project.id)]


def ensure_default_stages(project: Project) -> list[StageInfo]:
    """Title/abstract then full text, two blind reviewers each, when a project has no stages yet."""
    stages = list_stages(project)
    if not stages:
        add_stage(project, "title-abstract", kind="title-abstract")
        add_stage(project, "fulltext", kind="fulltext")
        stages = list_stages(project)
    return stages


def find_stage(stages: list[StageInfo], name: str | None) -> tuple[StageInfo, StageInfo | None]:
    """(the stage, the one before it). No name: the first stage with work (the caller decides)."""
    if not stages:
        raise UserError(
            "this project has no screening stages yet: qes stage add NAME --kind titles|abstracts|title-abstract|fulltext"
        )
    if name is None:
        return stages[0], None
    for i, stage in enumerate(stages):
        if stage.name == name:
            return stage, stages[i - 1] if i else None
    raise NotFound(f"no stage {name!r}; stages: {', '.join(s.name for s in stages)}")


def _settings(project: Project, session: Session | None = None) -> dict[str, Any]:
    """The project's question and settings, read in `session` if given (a second session would take a
    second pooled connection inside the caller's)."""
    if session is None:
        with project.store.read() as own:
            return _settings(project, own)
    row = session.get(ProjectRow, project.id)
    return {"question": row.question if row else "", **dict((row.settings if row else None) or {})}


def protocol(project: Project) -> dict[str, Any]:
    settings = _settings(project)
    return {
        "question": settings.get("question", ""),
        "terms": {"include": settings.get("terms_include", []), "exclude": settings.get("terms_exclude", [])},
        "criteria": [c.__dict__ for c in list_criteria(project)],
        "stages": [{**s.__dict__} for s in list_stages(project)],
    }


def highlight_terms(project: Project, session: Session | None = None) -> Terms:
    settings = _settings(project, session)
    return Terms(tuple(settings.get("terms_include", [])), tuple(settings.get("terms_exclude", [])))


def set_protocol(
    project: Project,
    *,
    question: str | None = None,
    include_terms: list[str] | None = None,
    exclude_terms: list[str] | None = None,
) -> dict[str, Any]:
    with project.store.transaction() as session:
        row = session.get(ProjectRow, project.id)
        if row is None:
            raise NotFound("project not found")
        settings = dict(row.settings or {})
        changed: dict[str, Any] = {}
        if question is not None:
            row.question = changed["question"] = question.strip()
        if include_terms is not None:
            settings["terms_include"] = changed["terms_include"] = include_terms
        if exclude_terms is not None:
            settings["terms_exclude"] = changed["terms_exclude"] = exclude_terms
        row.settings = settings
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action="protocol.set",
            entity="project",
            entity_id=project.id,
            data=changed,
        )
    return protocol(project)
