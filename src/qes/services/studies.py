"""Studies: what the review includes and tabulates. A study has one or more reports (records).

Every report of a study is a `study_reports` row, its main report (`studies.record_id`) included,
so PRISMA's "studies included (reports of included studies)" is two counts of this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from qes.errors import Conflict, NotFound, PermissionDenied, UserError
from qes.extraction.citation import short_citation, unique_label
from qes.services.project import Project
from qes.services.screening import SCREENING_ROLES, require_role, role_in
from qes.store import extraction as store
from qes.store.events import log_event
from qes.store.records import get_record_row
from qes.store.schema import RecordRow, utcnow
from qes.store.schema_synthesis import Study, StudyReport

WRITING_ROLES = SCREENING_ROLES  # owner, reviewer, adjudicator


@dataclass(frozen=True)
class StudyInfo:
    id: int
    label: str
    number: int | None
    position: int
    record_id: int | None
    reports: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _info(row: Study, reports: list[int]) -> StudyInfo:
    return StudyInfo(row.id, row.label, row.number, row.position, row.record_id, reports)


def record_citation(record: RecordRow, number: int | None = None) -> str:
    """The short citation of a record: "Goodman et al. (2014)"."""
    families = [str(a.get("family") or a.get("literal") or "") for a in record.authors or []]
    return short_citation(families, record.year, number)


def find_study(session: Session, project_id: int, ref: str | int) -> Study:
    """A study by label, by "[21]"/"21" (its number) or by "#id"."""
    text = str(ref).strip()
    row: Study | None = None
    if text.startswith("#") and text[1:].isdigit():
        row = store.get_study_by_id(session, project_id, int(text[1:]))
    else:
        row = store.get_study(session, project_id, text)
        number = text.strip("[]")
        if row is None and number.isdigit():
            row = store.get_study_by_number(session, project_id, int(number))
    if row is None:
        raise NotFound(f"no study {text!r} (qes study list shows the labels)")
    return row


def _link(session: Session, project: Project, study: Study, record_id: int, actor: str) -> None:
    if get_record_row(session, project.id, record_id) is None:
        raise NotFound(f"no record {record_id}")
    other = store.study_of_record(session, project.id, record_id)
    if other is not None:
        if other.id == study.id:
            return
        raise Conflict(f"record {record_id} is already a report of {other.label!r}")
    session.add(StudyReport(project_id=project.id, study_id=study.id, record_id=record_id))
    session.flush()
    log_event(
        session,
        project_id=project.id,
        actor=actor,
        action="study.link",
        entity="study",
        entity_id=study.id,
        data={"label": study.label, "record": record_id},
    )


def _add(session: Session, project: Project, label: str, record_id: int | None, number: int | None, actor: str) -> Study:
    label = " ".join(label.split())
    if not label:
        raise UserError("a study needs a label (its short citation, e.g. 'Beeber and Caldwell (1996)')")
    if len(label) > 300:
        raise UserError(f"study label too long ({len(label)} characters; at most 300)")
    if store.get_study(session, project.id, label) is not None:
        raise Conflict(f"there is already a study {label!r}")
    if number is not None and store.get_study_by_number(session, project.id, number) is not None:
        raise Conflict(f"study number {number} is taken")
    if record_id is not None and get_record_row(session, project.id, record_id) is None:
        raise NotFound(f"no record {record_id}")
    row = Study(
        project_id=project.id,
        record_id=record_id,
        label=label,
        number=number,
        position=store.next_study_position(session, project.id),
        created_by=actor,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    log_event(
        session,
        project_id=project.id,
        actor=actor,
        action="study.add",
        entity="study",
        entity_id=row.id,
        data={"label": label, "record": record_id, "number": number},
    )
    if record_id is not None:
        _link(session, project, row, record_id, actor)
    return row


def add_study(
    project: Project, label: str, record_id: int | None = None, number: int | None = None, *, actor: str | None = None
) -> StudyInfo:
    """Add a study (placed after the others); `record_id` is its main report."""
    who = actor or project.actor
    with project.store.transaction() as session:
        require_role(session, project.id, who, WRITING_ROLES, "add studies")
        row = _add(session, project, label, record_id, number, who)
        return _info(row, [record_id] if record_id is not None else [])


def link_report(project: Project, study: str | int, record_id: int, *, actor: str | None = None) -> StudyInfo:
    """Add a further report (record) to a study."""
    who = actor or project.actor
    with project.store.transaction() as session:
        require_role(session, project.id, who, WRITING_ROLES, "link reports")
        row = find_study(session, project.id, study)
        _link(session, project, row, record_id, who)
        return _info(row, store.reports_of(session, [row.id])[row.id])


def list_studies(project: Project, *, viewer: str | None = None) -> list[StudyInfo]:
    who = viewer or project.actor
    with project.store.read() as session:
        if role_in(session, project.id, who) is None:
            raise PermissionDenied(f"{who} is not a member of this project")
        rows = store.list_studies(session, project.id)
        reports = store.reports_of(session, [r.id for r in rows])
        return [_info(r, reports[r.id]) for r in rows]


def include_studies_from_screening(project: Project, *, actor: str | None = None) -> list[StudyInfo]:
    """One study per record resolved include at the last stage, labelled by its short citation.

    Records already a report are skipped; a study added by hand under the same citation and
    without a report takes the record as its report; a citation taken otherwise gets a letter
    ("Smith et al. (2010b)"). Returns the studies added or given their report.
    """
    who = actor or project.actor
    added: list[StudyInfo] = []
    with project.store.transaction() as session:
        require_role(session, project.id, who, WRITING_ROLES, "add studies")
        taken = store.study_labels(session, project.id)
        for record_id in store.included_at_last_stage(session, project.id):
            if store.study_of_record(session, project.id, record_id) is not None:
                continue
            record = get_record_row(session, project.id, record_id)
            assert record is not None  # an outcome's record, in the same project
            citation = record_citation(record)
            same = store.get_study(session, project.id, citation)
            if same is not None and same.record_id is None and not store.reports_of(session, [same.id])[same.id]:
                # A study added by hand under this citation, no report yet: this record is its report.
                same.record_id = record_id
                _link(session, project, same, record_id, who)
                added.append(_info(same, [record_id]))
                continue
            label = unique_label(citation, taken)
            taken.add(label)
            row = _add(session, project, label, record_id, None, who)
            added.append(_info(row, [record_id]))
    return added
