"""Studies, their reports, forms, entries and final records in the database (queries only; the
rules live in `qes.extraction` and `qes.services.extraction`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qes.store.schema import ScreeningOutcome, Stage
from qes.store.schema_synthesis import Form, FormEntry, FormFinal, Study, StudyReport

# --- studies ------------------------------------------------------------------------------------


def list_studies(session: Session, project_id: int) -> list[Study]:
    return list(session.scalars(select(Study).where(Study.project_id == project_id).order_by(Study.position, Study.id)))


def get_study(session: Session, project_id: int, label: str) -> Study | None:
    return session.scalar(select(Study).where(Study.project_id == project_id, Study.label == label))


def lock_study(session: Session, study_id: int) -> None:
    """Serialise writers on one study's entries (PostgreSQL row lock; SQLite already holds the write lock)."""
    session.execute(select(Study.id).where(Study.id == study_id).with_for_update())


def get_study_by_id(session: Session, project_id: int, study_id: int) -> Study | None:
    return session.scalar(select(Study).where(Study.project_id == project_id, Study.id == study_id))


def get_study_by_number(session: Session, project_id: int, number: int) -> Study | None:
    return session.scalar(select(Study).where(Study.project_id == project_id, Study.number == number))


def next_study_position(session: Session, project_id: int) -> int:
    return int(session.scalar(select(func.max(Study.position)).where(Study.project_id == project_id)) or 0) + 1


def study_labels(session: Session, project_id: int) -> set[str]:
    return set(session.scalars(select(Study.label).where(Study.project_id == project_id)))


def reports_of(session: Session, study_ids: Iterable[int]) -> dict[int, list[int]]:
    """study id → the record ids of its reports (the main report first)."""
    ids = list(study_ids)
    found: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = session.execute(
        select(StudyReport.study_id, StudyReport.record_id).where(StudyReport.study_id.in_(ids)).order_by(StudyReport.id)
    )
    for study_id, record_id in rows:
        found[study_id].append(record_id)
    return found


def study_of_record(session: Session, project_id: int, record_id: int) -> Study | None:
    return session.scalar(
        select(Study)
        .join(StudyReport, StudyReport.study_id == Study.id)
        .where(Study.project_id == project_id, StudyReport.record_id == record_id)
    )


def included_at_last_stage(session: Session, project_id: int) -> list[int]:
    """Record ids resolved include at the project's last screening stage, in record order."""
    last = session.scalar(select(Stage).where(Stage.project_id == project_id).order_by(Stage.position.desc()).limit(1))
    if last is None:
        return []
    return list(
        session.scalars(
            select(ScreeningOutcome.record_id)
            .where(ScreeningOutcome.stage_id == last.id, ScreeningOutcome.decision == "include")
            .order_by(ScreeningOutcome.record_id)
        )
    )


# --- forms, entries, finals ---------------------------------------------------------------------------


def list_forms(session: Session, project_id: int, kind: str | None = None) -> list[Form]:
    stmt = select(Form).where(Form.project_id == project_id).order_by(Form.id)
    if kind is not None:
        stmt = stmt.where(Form.kind == kind)
    return list(session.scalars(stmt))


def get_form(session: Session, project_id: int, name: str) -> Form | None:
    return session.scalar(select(Form).where(Form.project_id == project_id, Form.name == name))


def entries_for(session: Session, form_id: int, study_id: int) -> list[FormEntry]:
    return list(
        session.scalars(
            select(FormEntry).where(FormEntry.form_id == form_id, FormEntry.study_id == study_id).order_by(FormEntry.id)
        )
    )


def entries_of_form(session: Session, form_id: int) -> list[FormEntry]:
    return list(session.scalars(select(FormEntry).where(FormEntry.form_id == form_id).order_by(FormEntry.id)))


def get_entry(session: Session, form_id: int, study_id: int, person: str) -> FormEntry | None:
    return session.scalar(
        select(FormEntry).where(FormEntry.form_id == form_id, FormEntry.study_id == study_id, FormEntry.person == person)
    )


def get_final(session: Session, form_id: int, study_id: int) -> FormFinal | None:
    return session.scalar(select(FormFinal).where(FormFinal.form_id == form_id, FormFinal.study_id == study_id))


def finals_of_form(session: Session, form_id: int) -> dict[int, FormFinal]:
    """study id → final record."""
    return {f.study_id: f for f in session.scalars(select(FormFinal).where(FormFinal.form_id == form_id))}
