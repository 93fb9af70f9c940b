"""The duplicates page through the real app: run, the pair side by side, HTMX decisions, undo, roles."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from qes.services.dedupe_project import run_dedupe
from qes.services.importing import import_file
from qes.services.project import opened
from qes.web.app import create_app
from qes.web.pages_dedupe import word_diff
from support import OWNER, VIEWER

HX = {"HX-Request": "true"}


def _token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def _sign_in(client: TestClient, who: tuple[str, str]) -> str:
    """Sign in through the form; returns the CSRF token of the new session (signing in starts afresh)."""
    token = _token(client.get("/login").text)
    r = client.post("/login", data={"email": who[0], "password": who[1], "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return _token(client.get("/dedupe").text)


def _imported(root: Path, csv: Path) -> Path:
    with opened(root) as project:
        import_file(project, csv, source="Scopus")
    return root


def _pair_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'action="/dedupe/pairs/(\d+)"', html)]


def _group_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'action="/dedupe/groups/(\d+)/undo"', html)]


def test_word_diff_marks_the_words_the_other_title_lacks() -> None:
    a, b = "Gift exchange among nurses on hospital wards", "Gift  exchange among NURSES in hospital wards today"
    assert word_diff(a, b) == [("Gift exchange among nurses", False), ("on", True), ("hospital wards", False)]
    assert word_diff(b, a) == [("Gift exchange among NURSES", False), ("in", True), ("hospital wards", False), ("today", True)]
    # Neighbouring changes (a replacement, then a deletion) are one marked run.
    assert word_diff("one two three four", "one 2 four") == [("one", False), ("two three", True), ("four", False)]
    assert word_diff("same words", "Same Words") == [("same words", False)]
    assert word_diff("", "anything") == []
    assert word_diff("all new", "") == [("all new", True)]


def test_strangers_are_sent_to_sign_in(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        r = client.get("/dedupe", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/dedupe"
        assert client.post("/dedupe/pairs/1", data={"decision": "same"}, headers=HX).status_code == 401


def test_page_before_any_run(web_project: Path, duplicates_csv: Path) -> None:
    with TestClient(create_app(_imported(web_project, duplicates_csv))) as client:
        _sign_in(client, OWNER)
        page = client.get("/dedupe").text
        assert '<a href="/dedupe" aria-current="page">Duplicates</a>' in page and "Find duplicates" in page
        assert "No pairs to review" in page and "No duplicate groups" in page
        assert 'id="duplicates-removed">0<' in page and "0 pairs left" in page


def test_run_shows_the_summary_the_pair_side_by_side_and_the_groups(web_project: Path, duplicates_csv: Path) -> None:
    with TestClient(create_app(_imported(web_project, duplicates_csv))) as client:
        token = _sign_in(client, OWNER)
        assert client.post("/dedupe/run", data={}, follow_redirects=False).status_code == 403  # no CSRF token
        r = client.post("/dedupe/run", data={"csrf": token}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/dedupe"
        page = client.get("/dedupe").text
        assert "Checked 7 records." in page
        removed = int(re.search(r'id="duplicates-removed">(\d+)<', page).group(1))  # type: ignore[union-attr]
        assert removed >= 1
        # Side by side: one row per field, a column per record, differing rows marked, the title diffed by word.
        table = page.split('<table class="pair">')[1].split("</table>")[0]
        assert "Record A" in table and "Record B" in table
        assert re.search(r'<tr class="differs"><th scope="row">title</th>', table)
        assert re.search(r'<tr><th scope="row">authors</th>', table)  # the same on both sides: not marked
        assert "<mark>" in table
        assert re.search(r"\d+ pairs? left", page) and len(_pair_ids(page)) == 1
        assert _group_ids(page), "the same-DOI records form a group with an Undo button"
        assert "Checked 7 records." not in client.get("/dedupe").text  # the summary is shown once


def test_htmx_decision_returns_the_panel_with_the_next_pair(web_project: Path, duplicates_csv: Path) -> None:
    with TestClient(create_app(_imported(web_project, duplicates_csv))) as client:
        token = _sign_in(client, OWNER)
        client.post("/dedupe/run", data={"csrf": token})
        page = client.get("/dedupe").text
        left = int(re.search(r"(\d+) pairs? left", page).group(1))  # type: ignore[union-attr]
        assert left == 2
        first = _pair_ids(page)[0]

        r = client.post(f"/dedupe/pairs/{first}", data={"decision": "different"}, headers=HX | {"X-CSRF-Token": token})
        assert r.status_code == 200
        fragment = r.text
        assert "<html" not in fragment  # the panel alone, for HTMX to swap in
        assert 'id="dedupe-pair"' in fragment and "1 pair left" in fragment
        following = _pair_ids(fragment)
        assert following and following[0] != first and '<table class="pair">' in fragment
        assert 'id="duplicates-removed" hx-swap-oob="true"' in fragment

        # The form field carries the token too (a plain post); without HTMX the answer is the page again.
        r = client.post(f"/dedupe/pairs/{following[0]}", data={"decision": "same", "csrf": token}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/dedupe"
        page = client.get("/dedupe").text
        assert "No pairs to review" in page and "0 pairs left" in page
        wrong = client.post(f"/dedupe/pairs/{first}", data={"decision": "maybe"}, headers=HX | {"X-CSRF-Token": token})
        assert wrong.status_code == 400 and "same" in wrong.text


def test_undo_form_splits_the_group(web_project: Path, duplicates_csv: Path) -> None:
    with TestClient(create_app(_imported(web_project, duplicates_csv))) as client:
        token = _sign_in(client, OWNER)
        client.post("/dedupe/run", data={"csrf": token})
        group = _group_ids(client.get("/dedupe").text)[0]
        r = client.post(f"/dedupe/groups/{group}/undo", data={"csrf": token}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/dedupe"
        page = client.get("/dedupe").text
        assert f"Group {group} undone" in page and group not in _group_ids(page)
        again = client.post(f"/dedupe/groups/{group}/undo", data={"csrf": token})
        assert again.status_code == 409 and "not active" in again.text and "Sign out" in again.text  # the error page


def test_viewer_sees_the_review_but_no_buttons(web_project: Path, duplicates_csv: Path) -> None:
    with opened(_imported(web_project, duplicates_csv)) as project:
        run_dedupe(project)
    with TestClient(create_app(web_project)) as client:
        token = _sign_in(client, VIEWER)
        page = client.get("/dedupe").text
        assert '<table class="pair">' in page and "Same paper" not in page and "Find duplicates" not in page
        assert not _group_ids(page)
        assert "Your role (viewer) can read the duplicates but not change them." in page
        assert client.post("/dedupe/run", data={"csrf": token}).status_code == 403
        r = client.post("/dedupe/pairs/1", data={"decision": "same", "csrf": token}, headers=HX)
        assert r.status_code == 403 and r.text.startswith('<p class="error"')
        assert client.post("/dedupe/groups/1/undo", data={"csrf": token}).status_code == 403
