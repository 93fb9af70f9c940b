"""Team journeys in headless Chromium: join by invitation, find your way by keyboard, and every page of
the workbench opened as the owner (a screenshot each, no script from imported text ever runs)."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from qes.web.app import create_app
from qes.web.policy import POLICY, PUBLIC
from serve_process import free_port
from support import OWNER, sign_in
from team_setup import QUERY, Seeded, two_projects
from web.conftest import CHROMIUM

PARAM = re.compile(r"{(\w+)}")


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Seeded, Seeded]:
    return two_projects(tmp_path)


@pytest.fixture
def team_server(seeded: tuple[Seeded, Seeded]) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(seeded[0].root), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started:
        assert time.time() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser(team_server: str) -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is required for the browser tests (.ci/run installs it)")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _page(browser, base_url: str):  # type: ignore[no-untyped-def]
    page = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    return page


def test_an_invited_person_joins_from_the_link(browser, team_server: str) -> None:  # type: ignore[no-untyped-def]
    owner = _page(browser, team_server)
    sign_in(owner, OWNER)
    owner.locator("header").get_by_role("link", name="Team").click()
    owner.get_by_label("E-mail").fill("newcomer@example.org")
    owner.get_by_label("Role", exact=True).select_option("reviewer")
    owner.get_by_role("button", name="Create invitation link").click()
    link = owner.get_by_label("Invitation link").input_value()
    assert "/invite/" in link and "newcomer@example.org" in owner.locator("table").nth(1).inner_text()

    newcomer = _page(browser, team_server)
    newcomer.goto(link)
    assert "You are invited as reviewer" in newcomer.inner_text("main")
    newcomer.get_by_label("Your name").fill("Nia Newcomer")
    newcomer.get_by_label("Password").fill("newcomer-password")
    newcomer.get_by_role("button", name="Join the project").click()
    newcomer.wait_for_url(re.compile(r"/$"))
    assert "Nia Newcomer · reviewer" in newcomer.inner_text("header")
    newcomer.goto(link)
    assert "used already" in newcomer.inner_text("main")


def test_keyboard_reaches_the_content_and_the_nav_says_where_you_are(browser, team_server: str) -> None:  # type: ignore[no-untyped-def]
    page = _page(browser, team_server)
    sign_in(page, OWNER)
    page.goto("/records")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the page's content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    current = page.locator('nav a[aria-current="page"]')
    assert current.count() == 1 and current.inner_text() == "Records"
    page.goto("/records/1")
    assert page.locator('nav a[aria-current="page"]').inner_text() == "Records"


def _fill(path: str, values: dict[str, str]) -> str:
    return PARAM.sub(lambda m: values[m.group(1)], path) + QUERY.get(path, "")


def _page_urls(seeded: Seeded) -> list[str]:
    app = create_app(seeded.root)
    urls = []
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if isinstance(context.original_route, Mount) or path.startswith("/api/") or "GET" not in (context.methods or ()):
            continue
        if POLICY.get(f"GET {path}") == PUBLIC and "{" not in path and path not in ("/login",):
            continue  # the API's own docs pages and sign-out
        urls.append(_fill(path, seeded.values(path)))
    return urls


def test_every_page_opens_for_the_owner_and_imported_text_never_runs(
    browser, team_server: str, seeded: tuple[Seeded, Seeded], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    shots = Path(os.environ.get("QES_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    page = _page(browser, team_server)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    anonymous = _page(browser, team_server)
    anonymous.goto("/login")
    anonymous.screenshot(path=str(shots / "login.png"), full_page=True)
    sign_in(page, OWNER)
    urls = _page_urls(seeded[0])
    assert "/" in urls and "/team" in urls and len(urls) >= 10
    for url in urls:
        fetched = page.request.get(url)  # the browser's cookies
        if fetched.headers.get("content-disposition", "").startswith("attachment"):
            assert fetched.ok, (url, fetched.status)
            continue  # a download (a report, an export), not a page: nothing to see or screenshot
        response = page.goto(url)
        assert response is not None and response.status < 400, (url, response.status if response else None)
        if fetched.text().lstrip().lower().startswith("<!doctype html"):  # not a fragment a page swaps in (HTMX)
            assert page.locator("h1").count() >= 1, f"{url} has no heading"
        name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "dashboard"
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert dialogs == [], f"a script from imported text ran: {dialogs}"
