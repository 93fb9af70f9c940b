"""Accounts and project roles. Passwords are hashed with argon2 (argon2-cffi's defaults)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from qes.errors import NotFound, UserError
from qes.services.project import Project
from qes.store import Store
from qes.store import team as team_store
from qes.store import users as user_store
from qes.store.events import log_event
from qes.store.schema import ROLES, utcnow

_HASHER = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    name: str


@dataclass(frozen=True)
class MemberInfo:
    email: str
    name: str
    role: str


def _check_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise UserError(f"{email!r} is not an e-mail address")
    return email


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password too short: use at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def add_user(
    store: Store, email: str, *, password: str | None, name: str = "", actor: str = "", project_id: int | None = None
) -> UserInfo:
    """Create an account, or set the password/name of an existing one."""
    email = _check_email(email)
    hashed = hash_password(password) if password is not None else None
    with store.transaction() as session:
        user = user_store.get_user(session, email)
        if user is None:
            user = user_store.add_user(session, email, name=name, password_hash=hashed)
            action = "user.add"
        else:
            if hashed:
                user.password_hash = hashed
                # A new password ends every session: whoever knew the old one is signed out everywhere.
                team_store.revoke_sessions(session, utcnow(), user_id=user.id)
            if name:
                user.name = name
            action = "user.update"
        log_event(
            session,
            project_id=project_id,
            actor=actor or email,
            action=action,
            entity="user",
            entity_id=user.id,
            data={"email": email, "password_set": hashed is not None},
        )
        return UserInfo(user.id, user.email, user.name)


def authenticate(store: Store, email: str, password: str) -> UserInfo | None:
    """The user if the password matches, else None (same answer for unknown users)."""
    with store.read() as session:
        user = user_store.get_user(session, email)
        stored = user.password_hash if user is not None and user.is_active else None
        info = UserInfo(user.id, user.email, user.name) if user is not None else None
    if stored is None:
        # Hash anyway so an unknown address takes as long as a wrong password.
        _HASHER.hash(password or "x")
        return None
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return info


def add_member(project: Project, email: str, *, role: str, name: str = "") -> MemberInfo:
    """Give a person a role in the project, creating the account (without password) if needed."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    email = _check_email(email)
    with project.store.transaction() as session:
        user = user_store.get_user(session, email)
        if user is None:
            user = user_store.add_user(session, email, name=name)
        elif name:
            user.name = name
        user_store.set_membership(session, project.id, user.id, role)
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action="member.set",
            entity="user",
            entity_id=user.id,
            data={"email": email, "role": role, "name": user.name},
        )
        return MemberInfo(user.email, user.name, role)


def list_members(project: Project) -> list[MemberInfo]:
    with project.store.read() as session:
        return [MemberInfo(u.email, u.name, m.role) for u, m in user_store.project_members(session, project.id)]


def role_of(store: Store, project_id: int, user_id: int) -> str | None:
    with store.read() as session:
        member = user_store.get_membership(session, project_id, user_id)
        return member.role if member else None


def require_user(store: Store, email: str) -> UserInfo:
    with store.read() as session:
        user = user_store.get_user(session, email)
        if user is None:
            raise NotFound(f"no user {email!r}")
        return UserInfo(user.id, user.email, user.name)


def active_user(store: Store, user_id: int) -> UserInfo | None:
    """The account with this id if it exists and is active (sessions hold only the id)."""
    with store.read() as session:
        user = user_store.get_user_by_id(session, user_id)
        if user is None or not user.is_active:
            return None
        return UserInfo(user.id, user.email, user.name)
