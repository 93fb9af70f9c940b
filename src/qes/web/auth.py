"""Sessions, the signed-in user, roles (the policy table) and CSRF: what every page and API route checks.

A session is a row in `web_sessions` (`qes.services.sessions`); the signed cookie carries its
token and the CSRF token. In single-user mode (`qes serve --single-user`, localhost only) there is
no sign-in: every request acts as the project's owner or the person named with `--as`.

CSRF. Every form POST carries the token (HTMX sends it as `X-CSRF-Token`). A change through
/api/ from a client holding a session cookie must either carry the same `X-CSRF-Token` header, or
come from no browser page of another site: a browser always sends `Origin` (and `Sec-Fetch-Site`)
with a cross-site POST, and such a request is refused unless its origin is this server. Scripts
(curl, httpx) send neither header and need no token; a web page elsewhere cannot forge one.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from qes.services import login_throttle
from qes.services.project import Project
from qes.services.sessions import end_session, session_user, start_session
from qes.services.users import UserInfo, authenticate, require_user, role_of
from qes.web.policy import PUBLIC, SAFE_METHODS, allows, minimum_role, refusal

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


class LoginRefused(Exception):
    """A sign-in that did not start a session: wrong credentials (401) or a lock in force (429)."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


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


def check_api_origin(request: Request) -> None:
    """The /api/ rule for changes (see the module's docstring)."""
    if request.method in SAFE_METHODS:
        return
    header = request.headers.get("x-csrf-token")
    if header is not None:
        check_csrf(request, header)
        return
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower():
        return  # a page of this server (same origin), e.g. fetch() from the workbench itself
    if origin or request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        raise HTTPException(403, "a change from another site's page needs the X-CSRF-Token header")


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


def client_address(request: Request) -> str:
    """The client's address (behind a trusted proxy with --proxy-headers: the one it forwarded)."""
    return request.client.host if request.client else ""


def _lookup(request: Request) -> SignedIn | None:
    project: Project = request.app.state.project
    single: str | None = request.app.state.settings.single_user
    if single is not None:
        user = require_user(project.store, single)
        role = role_of(project.store, project.id, user.id)
        if role is None:
            return None
        return SignedIn(user.id, user.email, user.name, role, dataclasses.replace(project, actor=user.email))
    token = request.session.get("sid")
    if not isinstance(token, str):
        return None
    found = session_user(project.store, token, project.id)
    if found is None:
        return None
    info, role = found
    return SignedIn(info.id, info.email, info.name, role, dataclasses.replace(project, actor=info.email))


def signed_in(request: Request) -> SignedIn | None:
    """The person behind this request (looked up once per request), or None."""
    if not hasattr(request.state, "signed_in"):
        request.state.signed_in = _lookup(request)
    user: SignedIn | None = request.state.signed_in
    return user


def _route_path(request: Request) -> str:
    route: Any = request.scope.get("route")
    return str(getattr(route, "path", request.url.path))


def authorise(request: Request, *, api: bool) -> SignedIn:
    """The signed-in user, allowed by the policy table to call this route; else 401 or 403."""
    user = signed_in(request)
    if user is None:
        raise HTTPException(401, "sign in first: POST /api/login" if api else "sign in first")
    if api:
        check_api_origin(request)
    path = _route_path(request)
    minimum = minimum_role(request.method, path)
    if minimum != PUBLIC and not allows(user.role, minimum):
        raise HTTPException(403, refusal(user.role, request.method, path))
    return user


def require_api_user(request: Request) -> SignedIn:
    return authorise(request, api=True)


def require_page_user(request: Request) -> SignedIn:
    return authorise(request, api=False)


def require_writer(user: SignedIn) -> None:
    if not user.can_write:
        raise HTTPException(403, f"your role in this project is {user.role}: it cannot change the project")


def sign_in(request: Request, email: str, password: str) -> tuple[UserInfo, str]:
    """Check the password (unless the account or address is locked) and start a session; LoginRefused if not."""
    project: Project = request.app.state.project
    email = email.strip().lower()
    address = client_address(request)
    lock = login_throttle.locked(project.store, email, address)
    if lock is not None:
        raise LoginRefused(429, lock.message(), lock.retry_after)
    user = authenticate(project.store, email, password)
    role = role_of(project.store, project.id, user.id) if user else None
    if user is None or role is None:
        lock = login_throttle.record_failure(project.store, email, address)
        if lock is not None:
            raise LoginRefused(429, lock.message(), lock.retry_after)
        raise LoginRefused(401, "wrong e-mail or password, or not a member of this project")
    login_throttle.record_success(project.store, email, address)
    sign_out(request)
    settings = request.app.state.settings
    request.session["sid"] = start_session(
        project.store, user.id, project.id, address=address, lifetime=settings.session_lifetime
    )
    return user, role


def sign_out(request: Request) -> None:
    """End this browser's session on the server (every copy of the cookie stops working) and forget it."""
    token = request.session.get("sid")
    if isinstance(token, str):
        end_session(request.app.state.project.store, token)
    request.session.clear()
