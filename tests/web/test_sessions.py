"""Sessions: HttpOnly + SameSite=Lax cookies, Secure over HTTPS (flag or trusted proxy), server-side revocation
(sign out, sign out everywhere, a new password, expiry), and CSRF on /api/ changes from another site's page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient

from qes.services.project import opened
from qes.services.users import add_user
from qes.store.schema_team import WebSession
from qes.web.app import create_app
from qes.web.settings import WebSettings
from support import OWNER, VIEWER


def _login(client: TestClient, who: tuple[str, str] = OWNER, **headers: str) -> object:
    r = client.post("/api/login", json={"email": who[0], "password": who[1]}, headers=headers)
    assert r.status_code == 200, r.text
    return r


def _copy(client: TestClient, app: object) -> TestClient:
    """A second client holding a copy of the first one's cookie (a stolen or second-tab cookie)."""
    copy = TestClient(app)  # type: ignore[arg-type]
    copy.cookies.set("session", client.cookies["session"])
    return copy


def test_cookie_flags(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        cookie = _login(client).headers["set-cookie"].lower()  # type: ignore[attr-defined]
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie and "max-age=43200" in cookie
    with TestClient(create_app(web_project, settings=WebSettings(secure_cookies=True))) as client:
        assert "; secure" in _login(client).headers["set-cookie"].lower()  # type: ignore[attr-defined]
    proxied = create_app(web_project, settings=WebSettings(proxy_headers=True, forwarded_allow_ips="*"))
    with TestClient(proxied) as client:
        assert "; secure" in _login(client, **{"X-Forwarded-Proto": "https"}).headers["set-cookie"].lower()  # type: ignore[attr-defined]
        assert "; secure" not in _login(client).headers["set-cookie"].lower()  # type: ignore[attr-defined]
        r = client.get("/login")
        assert (
            r.headers["x-content-type-options"] == "nosniff" and "frame-ancestors 'self'" in r.headers["content-security-policy"]
        )


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(web_project: Path) -> None:
    app = create_app(web_project)
    with TestClient(app) as client:
        _login(client)
        with _copy(client, app) as copy:
            assert copy.get("/api/me").status_code == 200
            assert client.post("/api/logout").json() == {"signed_out": True}
            assert copy.get("/api/me").status_code == 401


def test_sign_out_everywhere_and_a_new_password_end_all_sessions(web_project: Path) -> None:
    app = create_app(web_project)
    with TestClient(app) as laptop, TestClient(app) as phone, TestClient(app) as viewer:
        _login(laptop)
        _login(phone)
        _login(viewer, VIEWER)
        assert laptop.post("/api/logout-everywhere").json() == {"sessions_ended": 2}
        assert phone.get("/api/me").status_code == 401 and laptop.get("/api/me").status_code == 401
        assert viewer.get("/api/me").status_code == 200  # someone else's sessions are not touched
        with opened(web_project) as p:
            add_user(p.store, VIEWER[0], password="a-brand-new-password")
        assert viewer.get("/api/me").status_code == 401


def test_a_session_expires(web_project: Path) -> None:
    app = create_app(web_project)
    with TestClient(app) as client:
        _login(client)
        with opened(web_project) as p, p.store.transaction() as session:
            for row in session.query(WebSession):
                row.expires_at = row.created_at - dt.timedelta(seconds=1)
        assert client.get("/api/me").status_code == 401
        assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"


def test_api_changes_from_another_sites_page_need_the_csrf_header(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        _login(client)
        evil = {"Origin": "https://evil.example"}
        refused = client.post("/api/dedupe/run", headers=evil)
        assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
        assert client.post("/api/dedupe/run", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
        assert client.post("/api/dedupe/run", headers={"X-CSRF-Token": "forged"}).status_code == 403
        token = client.get("/").text.split('name="csrf" value="')[1].split('"')[0]
        assert client.post("/api/dedupe/run", headers={**evil, "X-CSRF-Token": token}).status_code == 200
        assert client.post("/api/dedupe/run", headers={"Origin": "http://testserver"}).status_code == 200  # same origin
        assert client.post("/api/dedupe/run").status_code == 200  # a script: no browser headers
        assert client.get("/api/status", headers=evil).status_code == 200  # reads are not changes
        login = client.post("/api/login", json={"email": OWNER[0], "password": OWNER[1]}, headers=evil)
        assert login.status_code == 403  # no signing a browser into an account from another site either
