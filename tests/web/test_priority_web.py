"""Prioritised screening on the web: the ranking refreshed after each decision, the stopping API, the panel on the
screening page and the stop form (owner and adjudicator only), through the real app and a real Chromium.

Set QES_SHOTS=/some/folder to keep screenshots of the panel as the reviewer and the owner see it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qes.services import jobs, priority
from qes.services.importing import import_file
from qes.services.jobs import JobInfo
from qes.services.prisma import prisma_counts
from qes.services.project import opened
from qes.services.protocol import add_criterion, add_stage
from qes.services.stopping import stopping_status
from qes.services.users import add_member, add_user
from qes.web.app import create_app
from qes.web.jobs import WebJobs
from screening_setup import ADA, ANA, TA
from support import OWNER, VIEWER, sign_in

HX = {"HX-Request": "true"}
RECORDS = 30
RELEVANT = {1, 3, 8, 15, 22}  # on reciprocity: included; every other record is a drug trial, excluded


def _title(record: int) -> str:
    if record in RELEVANT:
        return f"Reciprocity and gift exchange among nurses on hospital wards ({record})"
    return f"Blood pressure drug dosage in a randomised cohort trial ({record})"


def _decision_for(title: str) -> str:
    return "include" if "Reciprocity" in title else "exclude"


@pytest.fixture
def project(web_project: Path, tmp_path: Path) -> Path:
    """One reviewer per record (a decision resolves the record), thirty records, the owner, Ana reviewing, Ada adjudicating."""
    rows = ["title,authors,year,journal,abstract"]
    for i in range(1, RECORDS + 1):
        abstract = "Interviews about reciprocal help and exchange." if i in RELEVANT else "A trial of antihypertensive drugs."
        rows.append(f'{_title(i)},"Author{i}, Jo",{1990 + i},Journal {i},{abstract}')
    csv = tmp_path / "records.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with opened(web_project) as p:
        for (email, password), role in ((ANA, "reviewer"), (ADA, "adjudicator")):
            add_user(p.store, email, password=password, name=email.split("@")[0].title())
            add_member(p, email, role=role)
        add_criterion(p, "E1", "Not about reciprocity", inclusion=False)
        add_stage(p, TA, kind="title-abstract", reviewers=1, reason_required=False)
        import_file(p, csv, source="Scopus")
    return web_project


def _login(client: TestClient, who: tuple[str, str]) -> None:
    r = client.post("/api/login", json={"email": who[0], "password": who[1]})
    assert r.status_code == 200, r.text


@pytest.fixture
def clients(project: Path):  # type: ignore[no-untyped-def]
    app = create_app(project)
    with TestClient(app) as ana, TestClient(app) as ada, TestClient(app) as owner, TestClient(app) as viewer:
        for client, who in ((ana, ANA), (ada, ADA), (owner, OWNER), (viewer, VIEWER)):
            _login(client, who)
        yield {"ana": ana, "ada": ada, "owner": owner, "viewer": viewer}
    priority.wait_idle()


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[JobInfo]:
    """The ranking refreshes the web app queues (real jobs, run by the app's own runner), so a test can wait for them."""
    queued: list[JobInfo] = []
    real = WebJobs.refresh_ranking

    def recording(self: WebJobs, *args: Any, **kwargs: Any) -> JobInfo:
        info = real(self, *args, **kwargs)
        queued.append(info)
        return info

    monkeypatch.setattr(WebJobs, "refresh_ranking", recording)
    return queued


def _settle(project: Path, queued: list[JobInfo]) -> list[JobInfo]:
    with opened(project) as p:
        return [jobs.wait_for(p, info.id) for info in list(queued)]


def _decide(client: TestClient, record: int, decision: str) -> None:
    r = client.post(f"/api/screening/{TA}/records/{record}", json={"decision": decision})
    assert r.status_code == 200, r.text


# --- the JSON API ---------------------------------------------------------------------------------------


def test_stopping_routes_need_a_session(project: Path) -> None:
    with TestClient(create_app(project)) as client:
        for method, url in (("GET", "stopping"), ("POST", "stopping"), ("POST", "stop")):
            assert client.request(method, f"/api/screening/{TA}/{url}").status_code == 401, url


def test_every_member_reads_the_stopping_status(clients: dict[str, TestClient]) -> None:
    for who in ("viewer", "ana"):
        r = clients[who].get(f"/api/screening/{TA}/stopping")
        assert r.status_code == 200, r.text
        status = r.json()
        assert status["stage"] == TA and status["order"] == "priority" and status["stopped"] is None
        assert status["rule"]["rule"] == "ranked" and "Callaghan" in status["rule"]["description"]
        assert (status["screened"], status["found"], status["remaining"]) == (0, 0, RECORDS)
        assert status["safe"] is False and status["recall_estimate"] is None
    assert clients["ana"].get("/api/screening/no-such-stage/stopping").status_code == 404


def test_a_decision_refreshes_the_reviewers_ranking_in_the_background(
    clients: dict[str, TestClient], project: Path, refreshes: list[JobInfo]
) -> None:
    ana = clients["ana"]
    _decide(ana, 1, "include")
    assert len(refreshes) == 1
    _settle(project, refreshes)
    with opened(project) as p:
        assert priority.ranking_info(p, TA, ANA[0]) is None  # one class only: nothing to learn yet
    _decide(ana, 2, "exclude")
    assert len(refreshes) == 2
    _settle(project, refreshes)
    with opened(project) as p:
        mine = priority.ranking_info(p, TA, ANA[0])
        team = priority.ranking_info(p, TA, "")
        assert mine is not None and (mine.labelled, mine.included) == (2, 1)
        assert team is not None and team.labelled == 2
        first = priority.top_records(p, TA, ANA[0], 1)[0]["record_id"]
    # The next record served is the ranking's first: relevant records float up.
    served = ana.get(f"/api/screening/{TA}/next").json()
    assert served["record_id"] == first and first in RELEVANT


def test_a_failing_refresh_never_fails_the_decision(
    clients: dict[str, TestClient], project: Path, refreshes: list[JobInfo], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("model exploded")

    monkeypatch.setattr(priority, "refresh_ranking", broken)
    _decide(clients["ana"], 1, "include")  # the decision is saved and answered although its refresh fails
    [job] = _settle(project, refreshes)
    assert (job.kind, job.status, job.args) == ("rank", "failed", {"stage": TA, "reviewer": ANA[0]})
    assert "RuntimeError: model exploded" in job.error
    with opened(project) as p:
        assert stopping_status(p, TA, OWNER[0])["screened"] == 1


def test_refreshes_keep_one_job_row_per_ranking(clients: dict[str, TestClient], project: Path, refreshes: list[JobInfo]) -> None:
    """A refresh after every decision must not grow the jobs table by a row a decision."""
    for record in (1, 2, 3):
        _decide(clients["ana"], record, "include" if record == 1 else "exclude")
        _settle(project, refreshes)
    assert len(refreshes) == 3 and len({info.id for info in refreshes}) == 1
    with opened(project) as p:
        rank_jobs = [job for job in jobs.recent_jobs(p, 50) if job.kind == "rank"]
        ranking = priority.ranking_info(p, TA, ANA[0])
    assert len(rank_jobs) == 1 and rank_jobs[0].status == "done"
    assert rank_jobs[0].result is not None and rank_jobs[0].result["reviewer"]["labelled"] == 3
    assert ranking is not None and ranking.labelled == 3


def test_owner_configures_reviewer_and_viewer_may_not(clients: dict[str, TestClient]) -> None:
    owner = clients["owner"]
    r = owner.post(f"/api/screening/{TA}/stopping", json={"rule": "consecutive", "consecutive": 3, "order": "file"})
    assert r.status_code == 200, r.text
    assert r.json() | {"sample_from": None} == {
        "stage": TA,
        "preset": "qes",
        "order": "file",
        "sample_from": None,
        "rule": "consecutive",
        "target": 0.95,
        "confidence": 0.95,
        "consecutive": 3,
    }
    # A form body too; blank fields keep their value.
    r = clients["ada"].post(f"/api/screening/{TA}/stopping", data={"rule": "ranked", "target": "0.8", "consecutive": ""})
    assert r.status_code == 200, r.text
    status = owner.get(f"/api/screening/{TA}/stopping").json()
    assert status["order"] == "file" and status["rule"] | {"description": ""} == {
        "rule": "ranked",
        "target": 0.8,
        "confidence": 0.95,
        "consecutive": 3,
        "description": "",
    }
    for who in ("ana", "viewer"):
        r = clients[who].post(f"/api/screening/{TA}/stopping", json={"order": "random"})
        assert r.status_code == 403, (who, r.text)
        assert clients[who].post(f"/api/screening/{TA}/stop", json={"force": True}).status_code == 403
    for bad in ({"order": "sideways"}, {"target": 1.5}, {"consecutive": "many"}, {"consecutive": 2.5}, {"rule": "vibes"}):
        r = owner.post(f"/api/screening/{TA}/stopping", json=bad)
        assert r.status_code == 400 and r.json()["detail"], bad
    assert owner.get(f"/api/screening/{TA}/stopping").json()["order"] == "file"  # nothing changed by a refusal


def test_stop_is_refused_while_unsafe_and_forced_it_excludes_the_rest(clients: dict[str, TestClient], project: Path) -> None:
    ana, owner = clients["ana"], clients["owner"]
    for record in (1, 2, 3, 4):
        _decide(ana, record, "include" if record in RELEVANT else "exclude")
    r = owner.post(f"/api/screening/{TA}/stop", json={"note": "let us stop"})
    assert r.status_code == 409 and "does not allow stopping yet" in r.json()["detail"]
    status = owner.get(f"/api/screening/{TA}/stopping").json()
    assert status["safe"] is False and status["stopped"] is None and status["remaining"] == RECORDS - 4
    with opened(project) as p:
        assert prisma_counts(p)["excluded_automatic"] == 0

    r = owner.post(f"/api/screening/{TA}/stop", data={"note": "deadline", "force": "on"})
    assert r.status_code == 200, r.text
    stopped = r.json()
    assert stopped["excluded"] == RECORDS - 4 and stopped["verdict"]["forced"] is True
    with opened(project) as p:
        assert prisma_counts(p)["excluded_automatic"] == stopped["excluded"]
    status = ana.get(f"/api/screening/{TA}/stopping").json()
    assert status["stopped"]["by"] == OWNER[0] and status["stopped"]["excluded"] == RECORDS - 4
    assert status["stopped"]["note"] == "deadline" and status["screened"] == 4  # the verdict reads human decisions only
    assert ana.get(f"/api/screening/{TA}/next").json() == {"done": True}
    assert owner.post(f"/api/screening/{TA}/stop", json={"force": True}).status_code == 409  # stopped once only
    assert owner.post(f"/api/screening/{TA}/stopping", json={"order": "random"}).status_code == 409


def test_stop_by_the_rule_needs_no_force(clients: dict[str, TestClient], project: Path) -> None:
    ada = clients["ada"]
    assert ada.post(f"/api/screening/{TA}/stopping", json={"rule": "consecutive", "consecutive": 3}).status_code == 200
    for record, decision in ((1, "include"), (2, "exclude"), (4, "exclude")):
        _decide(clients["ana"], record, decision)
    assert ada.post(f"/api/screening/{TA}/stop", json={}).status_code == 409  # two excluded in a row, not three
    _decide(clients["ana"], 5, "exclude")
    assert ada.get(f"/api/screening/{TA}/stopping").json()["safe"] is True
    r = ada.post(f"/api/screening/{TA}/stop", json={})
    assert r.status_code == 200 and r.json()["excluded"] == RECORDS - 4 and r.json()["verdict"]["forced"] is False
    with opened(project) as p:
        assert prisma_counts(p)["excluded_automatic"] == RECORDS - 4


# --- the pages (HTML, HTMX) -------------------------------------------------------------------------------


def _token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def _page_sign_in(client: TestClient, who: tuple[str, str]) -> str:
    token = _token(client.get("/login").text)
    r = client.post("/login", data={"email": who[0], "password": who[1], "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return _token(client.get(f"/screening/{TA}").text)


def test_panel_on_the_page_and_after_each_htmx_decision(project: Path) -> None:
    with TestClient(create_app(project)) as client:
        token = _page_sign_in(client, ANA)
        page = client.get(f"/screening/{TA}").text
        assert 'id="priority-panel"' in page and "Prioritised screening" in page
        assert "No recall estimate yet" in page and "Keep screening" in page
        assert 'id="stop-form"' not in page and 'id="stopping-form"' not in page  # a reviewer has no settings, no stop
        r = client.post(f"/screening/{TA}/1", data={"decision": "include"}, headers=HX | {"X-CSRF-Token": token})
        assert r.status_code == 200
        panel = '<section id="priority-panel" class="priority-panel" aria-labelledby="priority-heading" hx-swap-oob="true">'
        assert panel in r.text  # the panel comes back out of band with the next record
        with opened(project) as p:
            expected = stopping_status(p, TA, ANA[0])
        assert expected["found"] == 1
        estimate, lower = expected["recall_estimate"] * 100, expected["recall_lower"] * 100
        assert f"Estimated recall <strong>{estimate:.0f}%</strong> (≥ {lower:.0f}% with 95% confidence)" in r.text
        # A reviewer posting the owner's forms gets a refusal, and nothing changes.
        for url, data in (("stopping", {"order": "random"}), ("stop", {"confirm": "1", "force": "1", "note": "x"})):
            r = client.post(f"/screening/{TA}/{url}", data=data | {"csrf": token}, follow_redirects=False)
            assert r.status_code == 403, url
    with opened(project) as p:
        assert stopping_status(p, TA, ANA[0])["order"] == "priority" and stopping_status(p, TA, ANA[0])["stopped"] is None


def test_owner_sets_the_rule_in_percent_on_the_page(project: Path) -> None:
    with TestClient(create_app(project)) as client:
        token = _page_sign_in(client, OWNER)
        page = client.get(f"/screening/{TA}").text
        assert 'id="stopping-form"' in page and 'id="stop-form"' in page
        data = {"order": "random", "rule": "sample", "target": "90", "confidence": "99", "consecutive": "50", "csrf": token}
        r = client.post(f"/screening/{TA}/stopping", data=data, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/screening/{TA}#priority-panel"
        page = client.get(f"/screening/{TA}").text
        assert "Saved the order and stopping rule." in page and "recall ≥ 90% with 99% confidence" in page
        assert 'value="random" selected' in page and 'value="sample" selected' in page
        r = client.post(f"/screening/{TA}/stopping", data=data | {"target": "150"}, follow_redirects=False)
        page = client.get(r.headers["location"]).text
        assert 'id="stopping-error"' in page and "between 0% and 100%" in page
        # Stopping without ticking the confirmation does nothing.
        r = client.post(f"/screening/{TA}/stop", data={"csrf": token, "force": "1", "note": "x"}, follow_redirects=False)
        assert "tick the confirmation first" in client.get(r.headers["location"]).text
    with opened(project) as p:
        status = stopping_status(p, TA, OWNER[0])
        assert (status["order"], status["rule"]["target"], status["rule"]["confidence"]) == ("random", 0.9, 0.99)
        assert status["stopped"] is None


# --- a real browser ---------------------------------------------------------------------------------------


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("QES_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_reviewer_sees_the_panel_owner_stops_the_stage(project: Path, page, refreshes: list[JobInfo]) -> None:  # type: ignore[no-untyped-def]
    playwright_api = pytest.importorskip("playwright.sync_api")
    expect = playwright_api.expect
    sign_in(page, ANA)
    page.get_by_role("link", name="Screening", exact=True).click()
    page.wait_for_url(f"**/screening/{TA}")
    panel = page.locator("#priority-panel")
    expect(panel.get_by_role("heading", name="Prioritised screening")).to_be_visible()
    expect(panel.locator("#priority-order")).to_contain_text("Order: priority")
    expect(panel.locator("#priority-recall")).to_contain_text("No recall estimate yet")
    expect(panel.locator("#priority-verdict")).to_contain_text("Keep screening")
    expect(page.locator("#stop-form")).to_have_count(0)  # a reviewer: no settings, no stop
    expect(page.locator("#stopping-form")).to_have_count(0)
    expect(page.get_by_text("Stop this stage")).to_have_count(0)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.stillTheSamePage = true")

    item = page.locator("#screening-item")
    decided = []
    for _ in range(5):
        title = item.locator("#item-heading").inner_text()
        record = int(re.findall(r"\((\d+)\)", title)[-1])
        decision = _decision_for(title)
        item.get_by_role("button", name=re.compile(decision.title())).click()
        expect(item.locator("#last-decision")).to_contain_text(f"record #{record} {decision}")
        decided.append(record)
        if decision == "include":  # the panel came back with the decision: a recall estimate now
            expect(panel.locator("#priority-recall")).to_contain_text("Estimated recall")
    assert page.evaluate("window.stillTheSamePage") is True  # decisions swapped in place, the panel too
    assert len(set(decided)) == 5 and decided[0] == 1

    with opened(project) as p:
        status = stopping_status(p, TA, ANA[0])
    assert status["screened"] == 5 and status["found"] >= 1 and status["safe"] is False
    estimate, lower = status["recall_estimate"] * 100, status["recall_lower"] * 100
    recall = f"Estimated recall {estimate:.0f}% (≥ {lower:.0f}% with 95% confidence)"
    expect(panel.locator("#priority-recall")).to_contain_text(recall)
    expect(panel.locator("#priority-verdict")).to_contain_text(f"Keep screening — {status['reason']}")

    assert len(refreshes) == 5  # one background refresh per decision
    _settle(project, refreshes)
    with opened(project) as p:
        ranking = priority.ranking_info(p, TA, ANA[0])
    assert ranking is not None and ranking.labelled == 5
    page.reload()
    expect(page.locator("#priority-ranking")).to_contain_text("Ranking learned from 5 decided records")
    _shot(page, "priority-reviewer")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    sign_in(page, OWNER)
    page.goto(f"/screening/{TA}")
    panel = page.locator("#priority-panel")
    expect(panel.locator("#priority-recall")).to_contain_text(recall)
    panel.locator("#priority-stop summary").click()  # opens the stop form
    stop = panel.locator("#stop-form")
    expect(stop.locator('input[name="force"]')).to_have_count(0)
    stop.get_by_role("button", name="Stop this stage").click()  # the confirmation is not ticked: the browser holds it
    assert "#priority-panel" not in page.url
    stop.get_by_label("Yes, stop screening").check()
    stop.get_by_role("button", name="Stop this stage").click()
    page.wait_for_url(f"**/screening/{TA}#priority-panel")
    expect(stop.locator("#stop-error")).to_contain_text("does not allow stopping yet")
    panel.locator("#priority-settings summary").click()
    _shot(page, "priority-owner-refused")
    stop.get_by_role("textbox", name=re.compile("^Note")).fill("Deadline: the rest looks like drug trials")
    stop.get_by_label("Stop anyway").check()
    stop.get_by_label("Yes, stop screening").check()
    stop.get_by_role("button", name="Stop this stage").click()
    excluded = RECORDS - 5
    expect(panel.locator("#priority-stopped")).to_contain_text(f"by {OWNER[0]}: {excluded} records excluded by automation")
    expect(panel.locator("#priority-stopped")).to_contain_text("Deadline: the rest looks like drug trials")
    expect(panel.locator("#priority-notice")).to_contain_text(f"{excluded} records excluded by automation")
    expect(page.locator("#stop-form")).to_have_count(0)  # stopped once: no stop form any more
    _shot(page, "priority-stopped")
    with opened(project) as p:
        assert prisma_counts(p)["excluded_automatic"] == excluded
        assert stopping_status(p, TA, OWNER[0])["stopped"]["by"] == OWNER[0]  # type: ignore[index]
