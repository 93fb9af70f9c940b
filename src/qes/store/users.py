"""Users and project membership (roles)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qes.store.schema import Member, Project, User


def get_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def add_user(session: Session, email: str, *, name: str = "", password_hash: str | None = None) -> User:
    user = User(email=email.strip().lower(), name=name, password_hash=password_hash, is_active=True)
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def get_membership(session: Session, project_id: int, user_id: int) -> Member | None:
    return session.scalar(select(Member).where(Member.project_id == project_id, Member.user_id == user_id))


def role_of(session: Session, project_id: int, email: str) -> str | None:
    """The person's role in the project (None: not a member, or no such person), in one query."""
    stmt = (
        select(Member.role)
        .join(User, User.id == Member.user_id)
        .where(Member.project_id == project_id, User.email == email.strip().lower())
    )
    return session.scalar(stmt)


def set_membership(session: Session, project_id: int, user_id: int, role: str) -> Member:
    member = get_membership(session, project_id, user_id)
    if member is None:
        member = Member(project_id=project_id, user_id=user_id, role=role)
        session.add(member)
    else:
        member.role = role
    session.flush()
    return member


def project_members(session: Session, project_id: int) -> list[tuple[User, Member]]:
    stmt = select(User, Member).join(Member, Member.user_id == User.id).where(Member.project_id == project_id).order_by(Member.id)
    return [tuple(r) for r in session.execute(stmt)]  # type: ignore[misc]


def user_projects(session: Session, user_id: int) -> list[tuple[Project, Member]]:
    stmt = (
        select(Project, Member)
        .join(Member, Member.project_id == Project.id)
        .where(Member.user_id == user_id)
        .order_by(Project.id)
    )
    return [tuple(r) for r in session.execute(stmt)]  # type: ignore[misc]


def get_user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)
