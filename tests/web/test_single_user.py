"""`qes serve --single-user`: no sign-in, acts as the owner (or --as EMAIL), and listens on localhost only."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qes.cli.serve import is_local
from qes.services.project import init_project
from qes.web.app import create_app
from qes.web.settings import WebSettings
from serve_process import ServeProcess, free_port
from support import OWNER, VIEWER, run_qes


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("review.example.org", False),
    ],
)
def test_what_counts_as_this_machine(host: str, local: bool) -> None:
    assert is_local(host) is local


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.7", "review.example.org"])
def test_single_user_refuses_any_other_interface(web_project: Path, host: str) -> None:
    done = run_qes("serve", "--single-user", "--host", host, "--project", str(web_project))
    assert done.returncode == 2 and "only listens on this machine" in done.stderr and "Traceback" not in done.stderr


def test_as_must_name_a_member(web_project: Path) -> None:
    done = run_qes("serve", "--single-user", "--as", "nobody@example.org", "--project", str(web_project))
    assert done.returncode == 2 and "not a member of this project" in done.stderr


def test_every_page_and_the_api_act_as_the_named_person(web_project: Path) -> None:
    with TestClient(create_app(web_project, settings=WebSettings(single_user=VIEWER[0]))) as client:
        assert client.get("/api/me").json()["email"] == VIEWER[0]
        assert client.get("/login", follow_redirects=False).headers["location"] == "/"
        page = client.get("/")
        assert page.status_code == 200 and "Viewer · viewer" in page.text
        assert client.post("/api/dedupe/run").status_code == 403  # still the viewer's role


def test_qes_serve_single_user_needs_no_sign_in(web_project: Path) -> None:
    server = ServeProcess(web_project, free_port(), "--single-user")
    try:
        import httpx2 as httpx

        me = httpx.get(server.url + "/api/me", timeout=10).json()
        assert me["email"] == OWNER[0] and me["role"] == "owner"
    finally:
        server.stop()
    assert "single-user as owner@example.org" in server.output


def test_a_new_project_gets_a_local_owner(tmp_path: Path) -> None:
    init_project(tmp_path / "solo", name="Solo").close()
    server = ServeProcess(tmp_path / "solo", free_port(), "--single-user")
    try:
        import httpx2 as httpx

        assert httpx.get(server.url + "/api/me", timeout=10).json()["role"] == "owner"
    finally:
        server.stop()
