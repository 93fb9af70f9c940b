"""Invitations: `qes invite` and the /team page make a one-time link; /invite/{token} sets name and password
and joins with the role. Owners change roles and remove members; the project always keeps an owner."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient

from qes.services.project import opened
from qes.store.schema_team import Invitation
from qes.web.app import create_app
from support import OWNER, VIEWER, run_qes


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _api_login(client: TestClient, who: tuple[str, str]) -> None:
    assert client.post("/api/login", json={"email": who[0], "password": who[1]}).status_code == 200


def test_qes_invite_prints_a_link_that_joins_once(web_project: Path) -> None:
    done = run_qes("invite", "New.Person@Example.org", "--role", "adjudicator", "--expires", "1d", "--project", str(web_project))
    assert done.returncode == 0, done.stderr
    link = re.search(r"http://127\.0\.0\.1:8000/invite/(\S+)", done.stdout)
    assert link and "new.person@example.org as adjudicator" in done.stdout
    token = link.group(1)
    with TestClient(create_app(web_project)) as client:
        page = client.get(f"/invite/{token}")
        assert page.status_code == 200 and "adjudicator" in page.text and "new.person@example.org" in page.text
        short = client.post(f"/invite/{token}", data={"name": "New", "password": "short", "csrf": _csrf(page.text)})
        assert short.status_code == 400 and "password too short" in short.text  # the link still works
        joined = client.post(
            f"/invite/{token}",
            data={"name": "New Person", "password": "a-long-password", "csrf": _csrf(page.text)},
            follow_redirects=False,
        )
        assert joined.status_code == 303 and joined.headers["location"] == "/"
        assert client.get("/api/me").json() == {"email": "new.person@example.org", "name": "New Person", "role": "adjudicator"}
    with TestClient(create_app(web_project)) as again:
        used = again.get(f"/invite/{token}")
        assert used.status_code == 410 and "used already" in used.text
        assert again.get("/invite/not-a-token").status_code == 404
        _api_login(again, ("new.person@example.org", "a-long-password"))
    listed = run_qes("reviewer", "list", "--json", "--project", str(web_project))
    assert '"role": "adjudicator"' in listed.stdout


def test_bad_invitations_are_refused_on_the_command_line(web_project: Path) -> None:
    for args, message in (
        (("someone@example.org", "--role", "boss"), "unknown role 'boss'"),
        (("someone@example.org", "--expires", "soon"), "--expires 'soon'"),
        (("not-an-email",), "is not an e-mail address"),
        ((VIEWER[0],), "already a member"),
    ):
        done = run_qes("invite", *args, "--project", str(web_project))
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_owners_invite_and_withdraw_through_the_api_and_others_may_not(web_project: Path) -> None:
    app = create_app(web_project)
    with TestClient(app) as owner, TestClient(app) as viewer, TestClient(app) as stranger:
        _api_login(owner, OWNER)
        _api_login(viewer, VIEWER)
        made = owner.post("/api/team/invitations", json={"email": "rev@example.org", "role": "reviewer", "expires": "2h"}).json()
        assert made["link"] == f"http://testserver/invite/{made['token']}" and made["role"] == "reviewer"
        assert [i["email"] for i in owner.get("/api/team").json()["invitations"]] == ["rev@example.org"]
        assert viewer.get("/api/team").json()["invitations"] == []  # only owners see who is invited
        assert viewer.post("/api/team/invitations", json={"email": "x@example.org"}).status_code == 403
        assert stranger.get(f"/api/invitations/{made['token']}").json()["role"] == "reviewer"
        assert owner.post(f"/api/team/invitations/{made['id']}/revoke").status_code == 200
        refused = stranger.post(f"/api/invitations/{made['token']}", json={"name": "Rev", "password": "long-enough"})
        assert refused.status_code == 409 and "withdrawn" in refused.json()["detail"]
        assert owner.get("/api/team").json()["invitations"] == []


def test_an_expired_invitation_cannot_be_used(web_project: Path) -> None:
    app = create_app(web_project)
    with TestClient(app) as owner, TestClient(app) as stranger:
        _api_login(owner, OWNER)
        made = owner.post("/api/team/invitations", json={"email": "late@example.org", "expires": "30m"}).json()
        with opened(web_project) as p, p.store.transaction() as session:
            row = session.get(Invitation, made["id"])
            assert row is not None
            row.expires_at -= dt.timedelta(minutes=31)
        r = stranger.post(f"/api/invitations/{made['token']}", json={"name": "Late", "password": "long-enough"})
        assert r.status_code == 409 and "expired" in r.json()["detail"]


def test_the_team_page_changes_roles_removes_members_and_keeps_an_owner(web_project: Path) -> None:
    app = create_app(web_project)
    with TestClient(app) as owner, TestClient(app) as viewer:
        _api_login(owner, OWNER)
        _api_login(viewer, VIEWER)
        members = {m["email"]: m["id"] for m in owner.get("/api/team").json()["members"]}
        page = owner.get("/team")
        assert page.status_code == 200 and "Invite someone" in page.text
        token = _csrf(page.text)
        made = owner.post(
            "/team/invitations", data={"email": "guest@example.org", "role": "viewer", "expires": "1d", "csrf": token}
        )
        link = re.search(r'value="(http://testserver/invite/[^"]+)"', made.text)
        assert link and "Shown once" in made.text and "guest@example.org" in made.text
        assert "Invite someone" not in viewer.get("/team").text  # viewers see the team, not its management
        r = owner.post(f"/team/members/{members[VIEWER[0]]}/role", data={"role": "reviewer", "csrf": token})
        assert "viewer@example.org is now reviewer." in r.text
        assert viewer.get("/api/me").json()["role"] == "reviewer"  # at once, on the next request
        r = owner.post(f"/team/members/{members[OWNER[0]]}/role", data={"role": "viewer", "csrf": token})
        assert "the project needs an owner" in r.text
        r = owner.post(f"/team/members/{members[VIEWER[0]]}/remove", data={"csrf": token})
        assert "no longer in this project" in r.text
        assert viewer.get("/api/me").status_code == 401  # removed: the session ends
        assert owner.post(f"/team/members/{members[VIEWER[0]]}/remove", data={"csrf": token}).status_code == 404
