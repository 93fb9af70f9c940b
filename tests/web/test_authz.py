"""Authorisation over every route of the app, generated from `app.routes` (routes added later are covered).

Two projects share one database, SQLite and PostgreSQL (`team_setup.two_projects`). For every method × path:
anonymous → 401 (API) or a redirect to the sign-in page; each role → 403 exactly when the policy
table (`qes.web.policy.POLICY`, which must list every route) says its role is below the minimum;
the other project's ids → 404, never its data, and nothing changes in it; and no one but Ana sees
Ana's unresolved vote at the blind stage or her draft extraction, in any JSON or HTML body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from qes.services.project import opened
from qes.store.events import list_events
from qes.web.app import create_app
from qes.web.policy import LADDER, POLICY, PUBLIC, allows
from screening_setup import ADA, ANA, BEN
from support import OWNER, VIEWER
from team_setup import OTHER_SECRET, PEOPLE, QUERY, SECRET_NOTE, Seeded, two_projects

PARAM = re.compile(r"{(\w+)}")
DATA_TYPES = {"text/csv", "text/plain", "application/x-ndjson", "application/zip"}
SESSION_ENDING = ("/logout", "/api/logout", "/logout/everywhere", "/api/logout-everywhere")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Seeded, Seeded]:
    """Both projects in one SQLite file, or in one PostgreSQL database (the team server's case)."""
    database = request.getfixturevalue("postgres_server").new_database() if request.param == "postgresql" else None
    return two_projects(tmp_path_factory.mktemp("authz"), database)


@pytest.fixture(scope="module")
def app(seeded: tuple[Seeded, Seeded]) -> Iterator[FastAPI]:
    application = create_app(seeded[0].root)
    with TestClient(application):  # runs the lifespan (the job runner) once for the module
        yield application


def routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, declared path) the app answers, static files aside."""
    found = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount):
            continue
        assert context.path, context
        found += [(method, context.path) for method in sorted(context.methods or ()) if method != "HEAD"]
    return found


def fill(path: str, params: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in params, f"{path}: add a value for {{{name}}} to team_setup (seeded ids)"
        return params[name]

    return PARAM.sub(value, path) + QUERY.get(path, "")


def _token(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert found
    return found.group(1)


def sign_in(client: TestClient, who: tuple[str, str]) -> str:
    r = client.post("/api/login", json={"email": who[0], "password": who[1]})
    assert r.status_code == 200, r.text
    return _token_after_login(client)


def _token_after_login(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert found
    return found.group(1)


def call(client: TestClient, method: str, path: str, url: str, csrf: str | None) -> object:
    if method == "GET":
        return client.get(url, follow_redirects=False)
    if path.startswith("/api/"):
        return client.request(method, url, json={}, follow_redirects=False)
    return client.request(method, url, data={"csrf": csrf or ""}, follow_redirects=False)


def test_the_policy_lists_every_route_and_only_routes(app: FastAPI) -> None:
    declared = {f"{method} {path}" for method, path in routes(app)}
    missing = sorted(declared - set(POLICY))
    assert not missing, f"routes missing from qes.web.policy.POLICY: {missing}"
    assert not sorted(set(POLICY) - declared), "POLICY names routes the app does not have"
    assert set(POLICY.values()) <= {PUBLIC, *LADDER}


# Pages whose JSON twin is not at "/api" + the page's path; downloads and sign-in pages are not pages of data.
TWINS = {
    "/": "/api/status",
    "/import": "/api/jobs",
    "/import/jobs/{job_id}": "/api/jobs/{job_id}",
    "/screening/{stage}": "/api/screening/{stage}/next",
    "/dashboard/prisma": "/api/dashboard",
    "/search-log/appendix.md": "/api/search-log/appendix",
}
NOT_PAGES = ("/login", "/logout", "/invite/", "/openapi.json", "/docs", "/redoc", "/reports/")


def test_every_page_has_a_json_twin(app: FastAPI, seeded: tuple[Seeded, Seeded]) -> None:
    """What the workbench shows in the browser, a script can read from /api/ (issue 9)."""
    declared = {path for method, path in routes(app) if method == "GET"}
    pages = [p for p in declared if not p.startswith("/api/") and not p.startswith(NOT_PAGES)]
    assert len(pages) > 25, pages
    missing = [p for p in pages if TWINS.get(p, "/api" + p) not in declared]
    assert not missing, f"pages without a JSON twin under /api/: {sorted(missing)}"
    with TestClient(app) as client:
        sign_in(client, PEOPLE["owner"])
        for page in pages:
            twin = TWINS.get(page, "/api" + page)
            r = client.get(fill(twin, seeded[0].values(twin)))
            assert r.status_code == 200 and r.headers["content-type"].startswith("application/json"), (page, twin, r.text[:200])


def test_anonymous_callers_are_sent_to_sign_in(app: FastAPI, seeded: tuple[Seeded, Seeded]) -> None:
    with TestClient(app) as client:
        for method, path in routes(app):
            r = call(client, method, path, fill(path, seeded[0].values(path)), None)
            if POLICY[f"{method} {path}"] == PUBLIC:
                assert r.status_code < 500, (method, path, r.status_code)  # type: ignore[attr-defined]
            elif path.startswith("/api/"):
                assert r.status_code == 401, (method, path, r.status_code)  # type: ignore[attr-defined]
            else:
                assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), (method, path)  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", LADDER)
def test_each_role_is_refused_exactly_where_the_policy_says(app: FastAPI, seeded: tuple[Seeded, Seeded], role: str) -> None:
    wrong = []
    with TestClient(app) as client:
        csrf = sign_in(client, PEOPLE[role])
        for method, path in routes(app):
            minimum = POLICY[f"{method} {path}"]
            r = call(client, method, path, fill(path, seeded[0].values(path)), csrf)
            status = r.status_code  # type: ignore[attr-defined]
            refused = minimum != PUBLIC and not allows(role, minimum)
            if (status != 403) if refused else (status in (401, 403) or status >= 500):
                wrong.append((method, path, minimum, status, r.text[:200]))  # type: ignore[attr-defined]
            if path in SESSION_ENDING:
                csrf = sign_in(client, PEOPLE[role])
    assert not wrong, f"{role}: answers that disagree with the policy table: {wrong}"


def _events(root: Path) -> int:
    with opened(root) as p, p.store.read() as session:
        return len(list_events(session, p.id))


def test_another_projects_ids_are_not_found(app: FastAPI, seeded: tuple[Seeded, Seeded]) -> None:
    other = seeded[1]
    before = _events(other.root)
    wrong = []
    with TestClient(app) as client:
        csrf = sign_in(client, OWNER)
        for method, path in routes(app):
            url = fill(path, other.values(path))
            if url == fill(path, seeded[0].values(path)):
                continue  # no parameter, or only ones that name no project's data (SHARED in team_setup)
            r = call(client, method, path, url, csrf)
            status = r.status_code  # type: ignore[attr-defined]
            leaked = OTHER_SECRET in r.text  # type: ignore[attr-defined]
            # A page form that fails validation before it looks the id up goes back with a message (303):
            # it reveals nothing, and the events check below proves it changed nothing.
            allowed = (404,) if method == "GET" else (404, 422) if path.startswith("/api/") else (404, 422, 303)
            if leaked or status not in allowed:
                wrong.append((method, path, status, leaked, r.text[:200]))  # type: ignore[attr-defined]
    assert not wrong, f"another project's ids answered: {wrong}"
    assert _events(other.root) == before, "a route changed the other project"


@pytest.mark.parametrize("who", [BEN, ADA, VIEWER, OWNER], ids=["reviewer", "adjudicator", "viewer", "owner"])
def test_no_one_sees_an_unresolved_blind_vote_but_its_author(
    app: FastAPI, seeded: tuple[Seeded, Seeded], who: tuple[str, str]
) -> None:
    mine = seeded[0]
    with TestClient(app) as client:
        sign_in(client, who)
        for method, path in routes(app):
            if method != "GET":
                continue
            values = mine.values(path)
            blind = {"record_id": str(mine.blind_record), "study_id": str(mine.blind_study)}
            for url in {fill(path, values | blind), fill(path, values)}:
                r = client.get(url, follow_redirects=False)
                assert SECRET_NOTE not in r.text, (who[0], url)
    with TestClient(app) as ana:
        sign_in(ana, ANA)
        seen = ana.get(f"/api/screening/{mine.params['stage']}/records/{mine.blind_record}").json()
        assert seen["mine"]["note"] == SECRET_NOTE  # the check above can fail: the note is there to be found
        form = mine.values("/api/forms/{name}")["name"]
        drafted = ana.get(f"/api/extraction/{mine.blind_study}?form={form}").json()
        assert drafted["mine"]["values"]["aim"] == SECRET_NOTE  # and in her extraction draft


def test_imported_text_is_inert_on_every_page(app: FastAPI, seeded: tuple[Seeded, Seeded]) -> None:
    mine = seeded[0]
    with TestClient(app) as client:
        sign_in(client, OWNER)
        shown = 0
        for method, path in routes(app):
            if method != "GET" or path.startswith("/api/") or POLICY[f"{method} {path}"] == PUBLIC:
                continue
            r = client.get(fill(path, mine.values(path)), follow_redirects=True)
            if r.headers["content-type"].split(";")[0] in DATA_TYPES:
                continue  # a CSV, RIS, BibTeX, JSON-lines or zip download carries the text as written, by design
            assert "<script>alert" not in r.text and "<img src=x" not in r.text and "<b>Journal" not in r.text, path
            if "&lt;script&gt;alert(" in r.text:
                shown += 1
                assert "49 in a title" not in r.text and "{{7*7}} in a title" in r.text, path  # shown, never evaluated
        assert shown >= 3, "the record's title should show on several pages (records, record, full text...)"
