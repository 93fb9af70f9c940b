"""Queries of the reporting stage: recorded PRISMA numbers (project settings), the search log,
excluded and included records, and the event log for the audit export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qes.errors import NotFound
from qes.store.schema import Event, Import, Project, RecordRow, ScreeningDecision, ScreeningOutcome, Source, Stage
from qes.store.schema_synthesis import (
    Code,
    Document,
    Finding,
    Form,
    FormEntry,
    FormFinal,
    GridCell,
    Memo,
    Segment,
    Study,
    StudyReport,
    Synthesis,
)


def project_setting(session: Session, project_id: int, key: str) -> Any:
    settings = session.scalar(select(Project.settings).where(Project.id == project_id))
    return (settings or {}).get(key)


def set_project_setting(session: Session, project_id: int, key: str, value: Any) -> None:
    """Replace one key of the project's settings JSON (a new dict, so the ORM sees the change)."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project {project_id}")
    project.settings = {**(project.settings or {}), key: value}
    session.flush()


def sources_with_records(session: Session, project_id: int) -> list[tuple[Source, int]]:
    """Every source (database as searched) with the records imported from it, in the order added."""
    imported = (
        select(Import.source_id, func.count(RecordRow.id).label("n"))
        .join(RecordRow, RecordRow.import_id == Import.id)
        .where(Import.project_id == project_id)
        .group_by(Import.source_id)
        .subquery()
    )
    rows = session.execute(
        select(Source, func.coalesce(imported.c.n, 0))
        .outerjoin(imported, imported.c.source_id == Source.id)
        .where(Source.project_id == project_id)
        .order_by(Source.id)
    )
    return [(source, int(n)) for source, n in rows]


def outcomes_with_records(session: Session, stage_ids: Sequence[int], decision: str) -> list[tuple[RecordRow, ScreeningOutcome]]:
    """Outcomes of one decision at the given stages, with their records, in record order."""
    if not stage_ids:
        return []
    rows = session.execute(
        select(RecordRow, ScreeningOutcome)
        .join(ScreeningOutcome, ScreeningOutcome.record_id == RecordRow.id)
        .where(ScreeningOutcome.stage_id.in_(list(stage_ids)), ScreeningOutcome.decision == decision)
        .order_by(RecordRow.id)
    )
    return [(record, outcome) for record, outcome in rows]


def records_with_status(session: Session, project_id: int, status: str) -> list[RecordRow]:
    return list(
        session.scalars(
            select(RecordRow).where(RecordRow.project_id == project_id, RecordRow.status == status).order_by(RecordRow.id)
        )
    )


def event_page(
    session: Session,
    project_id: int,
    *,
    action_prefix: str = "",
    actor: str = "",
    entity: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, list[Event]]:
    """Events of a project, oldest first, filtered; the total that match and one page of them."""
    where = [Event.project_id == project_id]
    if action_prefix:
        where.append(Event.action.startswith(action_prefix))
    if actor:
        where.append(Event.actor == actor)
    if entity:
        where.append(Event.entity == entity)
    total = session.scalar(select(func.count()).select_from(Event).where(*where)) or 0
    stmt = select(Event).where(*where).order_by(Event.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return int(total), list(session.scalars(stmt))


def iter_events(session: Session, project_id: int, batch: int = 2000) -> Iterator[Event]:
    stmt = select(Event).where(Event.project_id == project_id).order_by(Event.id).execution_options(yield_per=batch)
    yield from session.scalars(stmt)


def unresolved_blind_records(session: Session, project_id: int) -> dict[int, set[int]]:
    """Per blind stage id, the records with votes but no outcome there (whose votes are still hidden)."""
    voted = session.execute(
        select(ScreeningDecision.stage_id, ScreeningDecision.record_id)
        .join(Stage, Stage.id == ScreeningDecision.stage_id)
        .outerjoin(
            ScreeningOutcome,
            (ScreeningOutcome.stage_id == ScreeningDecision.stage_id)
            & (ScreeningOutcome.record_id == ScreeningDecision.record_id),
        )
        .where(Stage.project_id == project_id, Stage.blind.is_(True), ScreeningOutcome.id.is_(None))
        .distinct()
    )
    out: dict[int, set[int]] = {}
    for stage_id, record_id in voted:
        out.setdefault(stage_id, set()).add(record_id)
    return out


def study_record_ids(session: Session, project_id: int) -> list[int]:
    """Records that report an included study (main report first), in the studies' table order."""
    out: list[int] = []
    for study_id, record_id in session.execute(
        select(Study.id, Study.record_id).where(Study.project_id == project_id).order_by(Study.position, Study.id)
    ):
        ids = [record_id] if record_id else []
        ids += list(
            session.scalars(select(StudyReport.record_id).where(StudyReport.study_id == study_id).order_by(StudyReport.id))
        )
        out += [i for i in dict.fromkeys(ids) if i not in out]
    return out


def count_studies(session: Session, project_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Study).where(Study.project_id == project_id)) or 0)


def records_by_id(session: Session, record_ids: Sequence[int]) -> list[RecordRow]:
    rows = {r.id: r for r in session.scalars(select(RecordRow).where(RecordRow.id.in_(list(record_ids))))} if record_ids else {}
    return [rows[i] for i in record_ids if i in rows]


def synthesis_facts(session: Session, project_id: int) -> dict[str, Any]:
    """Counts the methods text and the checklists need from extraction, appraisal, coding and synthesis."""

    def count(model: Any, *where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(model.project_id == project_id, *where)) or 0)

    forms: list[dict[str, Any]] = [
        {"name": f.name, "kind": f.kind, "template": f.template, "fields": len(f.fields or [])}
        for f in session.scalars(select(Form).where(Form.project_id == project_id).order_by(Form.id))
    ]
    people_per_form: dict[str, int] = {}
    for name, n in session.execute(
        select(Form.name, func.count(func.distinct(FormEntry.person)))
        .join(FormEntry, FormEntry.form_id == Form.id)
        .where(Form.project_id == project_id)
        .group_by(Form.name)
    ):
        people_per_form[name] = int(n)
    finals_per_form = {
        name: int(n)
        for name, n in session.execute(
            select(Form.name, func.count(FormFinal.id))
            .join(FormFinal, FormFinal.form_id == Form.id)
            .where(Form.project_id == project_id)
            .group_by(Form.name)
        )
    }
    for form in forms:
        form["people"] = people_per_form.get(str(form["name"]), 0)
        form["reconciled"] = finals_per_form.get(str(form["name"]), 0)
    coders = sorted(c for c in session.scalars(select(func.distinct(Segment.coder)).where(Segment.project_id == project_id)) if c)
    frameworks = sorted(
        f for f in session.scalars(select(func.distinct(Code.framework)).where(Code.project_id == project_id)) if f
    )
    syntheses = {
        kind: int(n)
        for kind, n in session.execute(
            select(Synthesis.kind, func.count(Synthesis.id)).where(Synthesis.project_id == project_id).group_by(Synthesis.kind)
        )
    }
    return {
        "studies": count(Study),
        "forms": forms,
        "documents": count(Document),
        "document_kinds": sorted(set(session.scalars(select(Document.kind).where(Document.project_id == project_id)))),
        "codes": count(Code),
        "themes": count(Code, Code.parent_id.is_(None)),
        "frameworks": frameworks,
        "segments": count(Segment),
        "quotes": count(Segment, Segment.order == "first"),
        "interpretations": count(Segment, Segment.order == "second"),
        "coders": coders,
        "memos": count(Memo),
        "grid_cells": count(GridCell),
        "refutational": count(GridCell, GridCell.relation == "refutational"),
        "reciprocal": count(GridCell, GridCell.relation == "reciprocal"),
        "syntheses": syntheses,
        "findings": count(Finding),
        "findings_rated": count(Finding, Finding.overall != ""),
    }


def votes_per_reviewer(session: Session, project_id: int) -> list[tuple[int, str, int]]:
    """(stage id, reviewer, decisions made): how far each reviewer is, never what they decided."""
    rows = session.execute(
        select(ScreeningDecision.stage_id, ScreeningDecision.reviewer, func.count(ScreeningDecision.id))
        .where(ScreeningDecision.project_id == project_id)
        .group_by(ScreeningDecision.stage_id, ScreeningDecision.reviewer)
        .order_by(ScreeningDecision.stage_id, ScreeningDecision.reviewer)
    )
    return [(int(s), str(r), int(n)) for s, r, n in rows]


def count_codes(session: Session, project_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Code).where(Code.project_id == project_id)) or 0)
