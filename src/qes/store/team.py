"""Queries of the team workbench: web sessions, login failures, invitations and the job queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qes.store.schema import Member, User, utcnow
from qes.store.schema_team import Invitation, Job, LoginFailure, WebSession

# --- sessions ------------------------------------------------------------------------------------


def add_session(
    session: Session, token_hash: str, *, user_id: int, project_id: int, expires_at: dt.datetime, address: str
) -> WebSession:
    row = WebSession(token_hash=token_hash, user_id=user_id, project_id=project_id, expires_at=expires_at, address=address[:100])
    session.add(row)
    session.flush()
    return row


def session_member(session: Session, token_hash: str, project_id: int, now: dt.datetime) -> tuple[User, str] | None:
    """The active user and their role behind a live session of this project (one query per request)."""
    stmt = (
        select(User, Member.role)
        .join(WebSession, WebSession.user_id == User.id)
        .join(Member, and_(Member.user_id == User.id, Member.project_id == WebSession.project_id))
        .where(
            WebSession.token_hash == token_hash,
            WebSession.project_id == project_id,
            WebSession.revoked_at.is_(None),
            WebSession.expires_at > now,
            User.is_active.is_(True),
        )
    )
    row = session.execute(stmt).first()
    return (row[0], row[1]) if row else None


def revoke_sessions(session: Session, now: dt.datetime, *, token_hash: str | None = None, user_id: int | None = None) -> int:
    """Revoke one session (by its token) or every session of a user; returns how many."""
    stmt = update(WebSession).where(WebSession.revoked_at.is_(None)).values(revoked_at=now)
    if token_hash is not None:
        stmt = stmt.where(WebSession.token_hash == token_hash)
    if user_id is not None:
        stmt = stmt.where(WebSession.user_id == user_id)
    return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


# --- login failures ------------------------------------------------------------------------------


def login_failures(session: Session, keys: list[str]) -> list[LoginFailure]:
    return list(session.scalars(select(LoginFailure).where(LoginFailure.key.in_(keys))))


def login_failure_for_update(session: Session, key: str, now: dt.datetime) -> LoginFailure:
    """The key's row, locked until the transaction ends (created if new; two workers may race to create it)."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(LoginFailure).values(key=key, failures=0, last_at=now).on_conflict_do_nothing(index_elements=["key"]))
    row = session.scalar(select(LoginFailure).where(LoginFailure.key == key).with_for_update())
    assert row is not None  # inserted above or already there
    return row


def forget_login_failures(session: Session, keys: list[str]) -> None:
    for row in login_failures(session, keys):
        session.delete(row)
    session.flush()


# --- invitations ---------------------------------------------------------------------------------


def add_invitation(
    session: Session, *, project_id: int, email: str, role: str, token_hash: str, invited_by: str, expires_at: dt.datetime
) -> Invitation:
    row = Invitation(
        project_id=project_id, email=email, role=role, token_hash=token_hash, invited_by=invited_by, expires_at=expires_at
    )
    session.add(row)
    session.flush()
    return row


def invitation_by_token(session: Session, token_hash: str, *, for_update: bool = False) -> Invitation | None:
    stmt = select(Invitation).where(Invitation.token_hash == token_hash)
    return session.scalar(stmt.with_for_update() if for_update else stmt)


def get_invitation(session: Session, project_id: int, invitation_id: int) -> Invitation | None:
    return session.scalar(select(Invitation).where(Invitation.id == invitation_id, Invitation.project_id == project_id))


def pending_invitations(session: Session, project_id: int, now: dt.datetime) -> list[Invitation]:
    stmt = (
        select(Invitation)
        .where(
            Invitation.project_id == project_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.id)
    )
    return list(session.scalars(stmt))


# --- jobs ----------------------------------------------------------------------------------------


def add_job(session: Session, *, project_id: int, kind: str, args: dict[str, Any], created_by: str) -> Job:
    job = Job(project_id=project_id, kind=kind, args=args, status="queued", created_by=created_by, error="", worker="")
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, project_id: int, job_id: int) -> Job | None:
    return session.scalar(select(Job).where(Job.id == job_id, Job.project_id == project_id))


def queued_job_like(session: Session, project_id: int, kind: str, args: dict[str, Any]) -> Job | None:
    """A queued job of this kind with the same arguments (requests for the same refresh merge)."""
    stmt = select(Job).where(Job.project_id == project_id, Job.kind == kind, Job.status == "queued").order_by(Job.id)
    return next((job for job in session.scalars(stmt) if job.args == args), None)


def finished_job_like(session: Session, project_id: int, kind: str, args: dict[str, Any]) -> Job | None:
    """The most recent finished (done or failed) job of this kind with the same arguments."""
    stmt = (
        select(Job)
        .where(Job.project_id == project_id, Job.kind == kind, Job.status.in_(("done", "failed")))
        .order_by(Job.id.desc())
    )
    return next((job for job in session.scalars(stmt) if job.args == args), None)


def queue_again(session: Session, job: Job, created_by: str) -> Job:
    """Put a finished job back in the queue as a fresh request (a recurring job keeps one row, not one per request)."""
    job.status, job.worker, job.heartbeat, job.progress = "queued", "", None, 0
    job.result, job.error, job.finished_at, job.attempts, job.created_by = None, "", None, 0, created_by
    job.created_at = utcnow()
    session.flush()
    return job


def _of_kinds(kinds: tuple[str, ...] | None, besides: tuple[str, ...]) -> list[Any]:
    where = [Job.kind.in_(kinds)] if kinds is not None else []
    return where + ([Job.kind.not_in(besides)] if besides else [])


def has_queued_job(
    session: Session, project_id: int, *, kinds: tuple[str, ...] | None = None, besides: tuple[str, ...] = ()
) -> bool:
    stmt = select(Job.id).where(Job.project_id == project_id, Job.status == "queued", *_of_kinds(kinds, besides))
    return session.scalar(stmt.limit(1)) is not None


def claim_next_job(
    session: Session,
    project_id: int,
    worker: str,
    now: dt.datetime,
    *,
    kinds: tuple[str, ...] | None = None,
    besides: tuple[str, ...] = (),
) -> Job | None:
    """Take the oldest queued job (of `kinds`, not of `besides`) for `worker`, or None. Two workers never take the same job.

    PostgreSQL: `FOR UPDATE SKIP LOCKED` lets each worker pass over rows another is claiming.
    SQLite: the write transaction already serialises claims; the guarded UPDATE (status still
    'queued') makes the claim safe whatever the isolation.
    """
    stmt = (
        select(Job)
        .where(Job.project_id == project_id, Job.status == "queued", *_of_kinds(kinds, besides))
        .order_by(Job.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    job = session.scalar(stmt)
    if job is None:
        return None
    claimed = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.status == "queued")
        .values(status="running", worker=worker, heartbeat=now, attempts=Job.attempts + 1)
    ).rowcount  # type: ignore[attr-defined]
    if not claimed:
        return None
    session.refresh(job)
    return job


def beat(session: Session, job_id: int, worker: str, now: dt.datetime, progress: int | None) -> bool:
    """The worker is alive (and how far it got); False if the job is no longer this worker's."""
    values: dict[str, Any] = {"heartbeat": now}
    if progress is not None:
        values["progress"] = progress
    stmt = update(Job).where(Job.id == job_id, Job.worker == worker, Job.status == "running").values(**values)
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def finish_job(
    session: Session, job_id: int, worker: str, now: dt.datetime, *, status: str, result: dict[str, Any] | None, error: str
) -> bool:
    values: dict[str, Any] = {"status": status, "result": result, "error": error, "finished_at": now, "heartbeat": now}
    stmt = update(Job).where(Job.id == job_id, Job.worker == worker, Job.status == "running").values(**values)
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def running_jobs(session: Session, project_id: int) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.project_id == project_id, Job.status == "running").order_by(Job.id)))


def requeue(session: Session, job_id: int, worker: str) -> bool:
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.worker == worker, Job.status == "running")
        .values(status="queued", worker="", heartbeat=None)
    )
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def recent_jobs(session: Session, project_id: int, limit: int = 20) -> list[Job]:
    stmt = select(Job).where(Job.project_id == project_id).order_by(Job.id.desc()).limit(limit)
    return list(session.scalars(stmt))
