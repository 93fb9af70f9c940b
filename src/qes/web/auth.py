"""Sessions, the signed-in user, roles and CSRF: what every page and API route checks."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, Request

from qes.services.project import Project
from qes.services.users import active_user, role_of

# Roles that may change the project (import, screen ...); viewers only read.
WRITE_ROLES = frozenset({"owner", "reviewer", "adjudicator"})


@dataclass(frozen=True)
class SignedIn:
    id: int
    email: str
    name: str
    role: str
    project: Project  # the project opened as this user (their e-mail is the actor in the event log)

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES


def session_secret(root: Path) -> str:
    """The cookie-signing key, created once per project folder (kept out of qes.toml)."""
    path = root / ".qes" / "secret"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    header = request.headers.get("x-csrf-token")
    if not expected or not secrets.compare_digest(str(expected), str(submitted or header or "")):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another host.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so a path with
    either could leave the site as "//host" does: all of them fall back to "/".
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 or c == "\x7f" for c in target):
        return "/"
    return target


def signed_in(request: Request) -> SignedIn | None:
    project: Project = request.app.state.project
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None
    user = active_user(project.store, user_id)
    role = role_of(project.store, project.id, user_id) if user else None
    if user is None or role is None:
        return None
    return SignedIn(user.id, user.email, user.name, role, dataclasses.replace(project, actor=user.email))


def require_api_user(request: Request) -> SignedIn:
    user = signed_in(request)
    if user is None:
        raise HTTPException(401, "sign in first: POST /api/login")
    return user


def require_writer(user: SignedIn) -> None:
    if not user.can_write:
        raise HTTPException(403, f"your role in this project is {user.role}: it cannot change the project")
