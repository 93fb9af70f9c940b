"""The append-only event log: every stage records who did what, when and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qes.store.schema import Event, utcnow


def log_event(
    session: Session,
    *,
    project_id: int | None,
    actor: str,
    action: str,
    entity: str = "",
    entity_id: str | int = "",
    data: dict[str, Any] | None = None,
    why: str = "",
) -> Event:
    """Append one event inside the caller's transaction (so it commits or rolls back with the change)."""
    event = Event(
        project_id=project_id,
        at=utcnow(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        data=data or {},
        why=why,
    )
    session.add(event)
    session.flush()
    return event


def list_events(session: Session, project_id: int, *, action_prefix: str = "", limit: int | None = None) -> Sequence[Event]:
    stmt = select(Event).where(Event.project_id == project_id).order_by(Event.id)
    if action_prefix:
        stmt = stmt.where(Event.action.startswith(action_prefix))
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))
