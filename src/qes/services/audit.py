"""The audit trail for a viewer: every event, through the screening blind rule (see `qes.reporting.audit`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy.orm import Session

from qes.errors import UserError
from qes.reporting import audit as audit_format
from qes.reporting.audit import VOTE_ACTIONS, AuditEvent
from qes.services.project import Project
from qes.services.screening import _visible_votes, list_stages_in, role_in
from qes.store import reporting as reporting_store
from qes.store import screening as screen_store
from qes.store.schema import Event

PAGE_SIZE = 50


def _as_audit(event: Event) -> AuditEvent:
    return AuditEvent(
        id=event.id,
        at=event.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        actor=event.actor,
        action=event.action,
        entity=event.entity,
        entity_id=event.entity_id,
        data=dict(event.data or {}),
        why=event.why,
    )


def _visibility(session: Session, project: Project, viewer: str) -> Callable[[Event], bool]:
    """A predicate: may `viewer` see this event? Hidden: vote events the blind rule hides now."""
    role = role_in(session, project.id, viewer)
    stages = {s.id: s for s in list_stages_in(session, project)}
    by_name = {s.name: s for s in stages.values()}
    hidden_from: dict[tuple[str, str], set[str]] = {}  # (stage name, record id) → reviewers whose votes are hidden
    for stage_id, record_ids in reporting_store.unresolved_blind_records(session, project.id).items():
        stage = stages[stage_id]
        for record_id, votes in screen_store.votes_on(session, stage_id, record_ids).items():
            shown = {v.reviewer for v in _visible_votes(stage, votes, False, viewer, role)}
            hidden_from[(stage.name, str(record_id))] = {v.reviewer for v in votes} - shown

    def visible(event: Event) -> bool:
        if event.action not in VOTE_ACTIONS or not hidden_from:
            return True
        stage = by_name.get(str((event.data or {}).get("stage", "")))
        if stage is None or not stage.blind:
            return True
        return event.actor not in hidden_from.get((stage.name, event.entity_id), set())

    return visible


def iter_audit(project: Project, viewer: str) -> Iterator[AuditEvent]:
    """Every event `viewer` may see, oldest first."""
    with project.store.snapshot() as session:
        visible = _visibility(session, project, viewer)
        for event in reporting_store.iter_events(session, project.id):
            if visible(event):
                yield _as_audit(event)


def export_audit(project: Project, fmt: str, stream: IO[str], *, viewer: str) -> int:
    if fmt not in audit_format.FORMATS:
        raise UserError(f"--format {fmt!r}: the audit trail is written as {', '.join(audit_format.FORMATS)}")
    return audit_format.write(iter_audit(project, viewer), fmt, stream)


@dataclass(frozen=True)
class AuditPage:
    total: int  # events the viewer may see that match the filters
    page: int
    pages: int
    events: list[AuditEvent]

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "page": self.page, "pages": self.pages, "events": [e.to_json() for e in self.events]}


def audit_page(
    project: Project, viewer: str, *, action: str = "", actor: str = "", entity: str = "", page: int = 1, size: int = PAGE_SIZE
) -> AuditPage:
    """One page of the filtered log for the /audit page, through the same rule as the export.

    Hidden events are left out before paging (not shown as withheld: even a placeholder would tell
    a reviewer that a colleague has voted on a record).
    """
    page = max(1, page)
    start = (page - 1) * size
    events: list[AuditEvent] = []
    total = 0
    with project.store.read() as session:
        visible = _visibility(session, project, viewer)
        _, rows = reporting_store.event_page(session, project.id, action_prefix=action, actor=actor, entity=entity)
        for event in rows:
            if not visible(event):
                continue
            if start <= total < start + size:
                events.append(_as_audit(event))
            total += 1
    return AuditPage(total, page, max(1, -(-total // size)), events)
