"""The HTML pages through the real app: sign-in redirects, CSRF, roles, HTMX fragments, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qes.web.app import create_app
from qes.web.auth import safe_next
from support import FIXTURES, OWNER, VIEWER


def _token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def _sign_in(client: TestClient, who: tuple[str, str], next_page: str = "/") -> None:
    token = _token(client.get("/login").text)
    r = client.post(
        "/login", data={"email": who[0], "password": who[1], "csrf": token, "next": next_page}, follow_redirects=False
    )
    assert r.status_code == 303, r.text


def test_page_forms_need_csrf(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        r = client.post("/login", data={"email": OWNER[0], "password": OWNER[1]}, follow_redirects=False)
        assert r.status_code == 403
        page = client.get("/login").text
        token = page.split('name="csrf" value="')[1].split('"')[0]
        r = client.post("/login", data={"email": OWNER[0], "password": OWNER[1], "csrf": token}, follow_redirects=False)
        assert r.status_code == 303
        assert client.get("/").status_code == 200


def test_pages_send_strangers_to_login_and_back(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        r = client.get("/records?q=trust", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/records%3Fq%3Dtrust"
        token = _token(client.get(r.headers["location"]).text)
        r = client.post(
            "/login",
            data={"email": OWNER[0], "password": OWNER[1], "csrf": token, "next": "/records?q=trust"},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/records?q=trust"


def test_htmx_requests_without_session_are_redirected_by_htmx(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        r = client.get("/import/jobs/1", headers={"HX-Request": "true"}, follow_redirects=False)
        assert r.status_code == 401 and r.headers["hx-redirect"].startswith("/login?next=")


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "/\t/evil.example", "https://evil.example/", "records"])
def test_sign_in_never_redirects_off_the_site(target: str) -> None:
    assert safe_next(target) == "/"


def test_sign_in_keeps_local_paths() -> None:
    assert safe_next("/records/12?x=1") == "/records/12?x=1"


def test_login_with_foreign_next_lands_on_the_project_page(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        token = _token(client.get("/login").text)
        r = client.post(
            "/login",
            data={"email": OWNER[0], "password": OWNER[1], "csrf": token, "next": "//evil.example/"},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/"


def test_wrong_password_shows_the_form_again(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        token = _token(client.get("/login").text)
        r = client.post("/login", data={"email": OWNER[0], "password": "not-the-password", "csrf": token})
        assert r.status_code == 401 and "Wrong e-mail or password" in r.text
        assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_form_and_its_token(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        _sign_in(client, OWNER)
        page = client.get("/logout")
        assert page.status_code == 200 and 'action="/logout"' in page.text
        assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
        assert client.get("/", follow_redirects=False).status_code == 200  # still signed in
        r = client.post("/logout", data={"csrf": _token(page.text)}, follow_redirects=False)
        assert r.status_code == 303
        assert client.get("/", follow_redirects=False).status_code == 303


def test_project_page_shows_counts_and_role(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        _sign_in(client, VIEWER)
        page = client.get("/").text
        assert "Reciprocity review" in page and 'id="record-count">0<' in page and "your role: viewer" in page


def test_viewer_cannot_post_the_import_form(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        _sign_in(client, VIEWER)
        token = _token(client.get("/import").text)
        with (FIXTURES / "import" / "small.ris").open("rb") as fh:
            r = client.post("/import", files={"file": ("small.ris", fh)}, data={"source": "X", "csrf": token})
        assert r.status_code == 403 and "viewer" in r.text
        assert 'id="record-count">0<' in client.get("/").text


def test_import_form_needs_the_csrf_token(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        _sign_in(client, OWNER)
        with (FIXTURES / "import" / "small.ris").open("rb") as fh:
            r = client.post("/import", files={"file": ("small.ris", fh)}, data={"source": "X"}, headers={"HX-Request": "true"})
        assert r.status_code == 403
        assert r.text.startswith('<p class="error"') and "CSRF" in r.text  # a fragment for the page, not a whole page


def test_missing_record_and_unknown_page_are_404_pages(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        _sign_in(client, OWNER)
        r = client.get("/records/999")
        assert r.status_code == 404 and "no record 999" in r.text and "Sign out" in r.text
        assert client.get("/no-such-page").status_code == 404
        assert client.get("/api/records/999").json() == {"detail": "no record 999 in this project"}
