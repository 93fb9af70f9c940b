"""The project's team: invitations (one-time links with a role), roles changed, members removed.

An invitation's token is shown once (to the owner who invites) and stored only as its SHA-256.
Accepting it creates the account (or sets the password of an account without one), makes the
person a member with the role, and uses the invitation up, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from qes.errors import Conflict, NotFound, UserError
from qes.services.project import Project
from qes.services.sessions import end_all_sessions, token_hash
from qes.services.users import _check_email, hash_password
from qes.store import Store
from qes.store import team as team_store
from qes.store import users as user_store
from qes.store.events import log_event
from qes.store.schema import ROLES, utcnow
from qes.store.schema_team import Invitation

DEFAULT_EXPIRY = dt.timedelta(days=7)
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> dt.timedelta:
    """'7d', '12h', '30m', '2w' → a timedelta."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise UserError(f"--expires {text!r}: give a number and a unit, e.g. 7d, 12h, 30m or 2w")
    return dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@dataclass(frozen=True)
class InvitationInfo:
    id: int
    email: str
    role: str
    invited_by: str
    created_at: str
    expires_at: str

    @classmethod
    def of(cls, row: Invitation) -> InvitationInfo:
        return cls(row.id, row.email, row.role, row.invited_by, row.created_at.isoformat(), row.expires_at.isoformat())


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    return role


def invite(project: Project, email: str, *, role: str, expires: dt.timedelta = DEFAULT_EXPIRY) -> tuple[InvitationInfo, str]:
    """A one-time invitation to the project; returns it and the token (shown once, never stored)."""
    email, role = _check_email(email), _check_role(role)
    token = secrets.token_urlsafe(32)
    with project.store.transaction() as session:
        user = user_store.get_user(session, email)
        if user is not None and user_store.get_membership(session, project.id, user.id) is not None:
            raise Conflict(f"{email} is already a member of this project (change their role instead)")
        row = team_store.add_invitation(
            session,
            project_id=project.id,
            email=email,
            role=role,
            token_hash=token_hash(token),
            invited_by=project.actor,
            expires_at=utcnow() + expires,
        )
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action="member.invite",
            entity="invitation",
            entity_id=row.id,
            data={"email": email, "role": role, "expires_at": row.expires_at.isoformat()},
        )
        return InvitationInfo.of(row), token


def _usable(row: Invitation | None, project_id: int) -> Invitation:
    if row is None or row.project_id != project_id:
        raise NotFound("this invitation link is not valid: ask the project's owner for a new one")
    if row.revoked_at is not None:
        raise Conflict("this invitation was withdrawn: ask the project's owner for a new one")
    if row.accepted_at is not None:
        raise Conflict("this invitation has been used already: sign in instead")
    if row.expires_at <= utcnow():
        raise Conflict("this invitation has expired: ask the project's owner for a new one")
    return row


def invitation_for(store: Store, project_id: int, token: str) -> InvitationInfo:
    """The invitation behind a link, if it can still be accepted (else NotFound / Conflict saying why)."""
    with store.read() as session:
        return InvitationInfo.of(_usable(team_store.invitation_by_token(session, token_hash(token)), project_id))


def accept(store: Store, project_id: int, token: str, *, name: str, password: str) -> InvitationInfo:
    """Join the project with the invitation's role: account created (or its password set), invitation used up."""
    hashed = hash_password(password)
    if not name.strip():
        raise UserError("give your name as the team should see it")
    with store.transaction() as session:
        row = _usable(team_store.invitation_by_token(session, token_hash(token), for_update=True), project_id)
        user = user_store.get_user(session, row.email)
        if user is None:
            user = user_store.add_user(session, row.email, name=name.strip(), password_hash=hashed)
        elif user.password_hash:
            raise Conflict(f"{row.email} already has an account: sign in, and ask the owner to add you to the project")
        else:
            user.password_hash, user.name = hashed, name.strip()
        user_store.set_membership(session, project_id, user.id, row.role)
        row.accepted_at = utcnow()
        log_event(
            session,
            project_id=project_id,
            actor=row.email,
            action="member.join",
            entity="user",
            entity_id=user.id,
            data={"email": row.email, "role": row.role, "invitation": row.id},
        )
        return InvitationInfo.of(row)


def pending(project: Project) -> list[InvitationInfo]:
    with project.store.read() as session:
        return [InvitationInfo.of(r) for r in team_store.pending_invitations(session, project.id, utcnow())]


def revoke_invitation(project: Project, invitation_id: int) -> InvitationInfo:
    with project.store.transaction() as session:
        row = team_store.get_invitation(session, project.id, invitation_id)
        if row is None:
            raise NotFound(f"no invitation {invitation_id} in this project")
        _usable(row, project.id)
        row.revoked_at = utcnow()
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action="member.uninvite",
            entity="invitation",
            entity_id=row.id,
            data={"email": row.email, "role": row.role},
        )
        return InvitationInfo.of(row)


def _member_row(session: Any, project: Project, user_id: int) -> Any:
    member = user_store.get_membership(session, project.id, user_id)
    if member is None:
        raise NotFound(f"no member {user_id} in this project")
    return member


def _keep_an_owner(session: Any, project: Project, user_id: int) -> None:
    owners = [u.id for u, m in user_store.project_members(session, project.id) if m.role == "owner"]
    if owners == [user_id]:
        raise Conflict("the project needs an owner: make someone else owner first")


def set_role(project: Project, user_id: int, role: str) -> dict[str, Any]:
    role = _check_role(role)
    with project.store.transaction() as session:
        member = _member_row(session, project, user_id)
        if member.role == "owner" and role != "owner":
            _keep_an_owner(session, project, user_id)
        before, member.role = member.role, role
        user = user_store.get_user_by_id(session, user_id)
        assert user is not None  # a membership has its user (foreign key)
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action="member.role",
            entity="user",
            entity_id=user_id,
            data={"email": user.email, "from": before, "to": role},
        )
        return {"id": user_id, "email": user.email, "role": role}


def remove_member(project: Project, user_id: int) -> dict[str, Any]:
    """Take the person out of the project; their sessions here end at once, their past work stays."""
    with project.store.transaction() as session:
        member = _member_row(session, project, user_id)
        if member.role == "owner":
            _keep_an_owner(session, project, user_id)
        user = user_store.get_user_by_id(session, user_id)
        assert user is not None
        session.delete(member)
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action="member.remove",
            entity="user",
            entity_id=user_id,
            data={"email": user.email, "role": member.role},
        )
        email = user.email
    end_all_sessions(project.store, user_id)
    return {"id": user_id, "email": email, "removed": True}


def team(project: Project) -> dict[str, Any]:
    """Members (with ids, for changing roles) and pending invitations."""
    with project.store.read() as session:
        members = [
            {"id": u.id, "email": u.email, "name": u.name, "role": m.role, "can_sign_in": bool(u.password_hash)}
            for u, m in user_store.project_members(session, project.id)
        ]
    return {"members": members, "invitations": [i.__dict__ for i in pending(project)], "roles": list(ROLES)}


def single_user_email(project: Project, as_email: str | None) -> str:
    """Who single-user mode acts as: the member named, or the project's first owner (created for a new project)."""
    with project.store.read() as session:
        members = user_store.project_members(session, project.id)
    if as_email:
        email = _check_email(as_email)
        if not any(u.email == email for u, _ in members):
            raise UserError(f"--as {email}: not a member of this project (qes reviewer add {email} --role owner)")
        return email
    owner = next((u.email for u, m in members if m.role == "owner"), None)
    if owner:
        return owner
    from qes.services.users import add_member

    return add_member(project, project.actor if "@" in project.actor else f"{project.actor}@localhost", role="owner").email
