"""Web sessions kept in the database: signing in starts one, signing out (or a new password) ends it.

The browser's cookie is signed (Starlette) and carries only a random token; the `web_sessions` row
holds its SHA-256, the user, the project and when it expires. A stolen copy of a cookie stops
working the moment its session is revoked, on every worker process alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from qes.services.users import UserInfo
from qes.store import Store
from qes.store import team as team_store
from qes.store.schema import utcnow

DEFAULT_LIFETIME = dt.timedelta(hours=12)  # a working day; then sign in again


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    store: Store, user_id: int, project_id: int, *, address: str = "", lifetime: dt.timedelta = DEFAULT_LIFETIME
) -> str:
    """A new session for the user in the project; returns the token the cookie carries."""
    token = secrets.token_urlsafe(32)
    with store.transaction() as session:
        team_store.add_session(
            session, token_hash(token), user_id=user_id, project_id=project_id, expires_at=utcnow() + lifetime, address=address
        )
    return token


def session_user(store: Store, token: str, project_id: int) -> tuple[UserInfo, str] | None:
    """The signed-in user and their role, or None once the session is revoked or expired or the member removed."""
    with store.read() as session:
        found = team_store.session_member(session, token_hash(token), project_id, utcnow())
    if found is None:
        return None
    user, role = found
    return UserInfo(user.id, user.email, user.name), role


def end_session(store: Store, token: str) -> None:
    with store.transaction() as session:
        team_store.revoke_sessions(session, utcnow(), token_hash=token_hash(token))


def end_all_sessions(store: Store, user_id: int) -> int:
    """Sign the user out everywhere (every browser, every worker); returns how many sessions ended."""
    with store.transaction() as session:
        return team_store.revoke_sessions(session, utcnow(), user_id=user_id)
