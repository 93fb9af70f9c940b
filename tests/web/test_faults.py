"""A `qes serve` process killed with SIGKILL mid-import or mid-decision leaves the project consistent
(no half import, every answered decision kept, events agreeing with the data) and the work resumable."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import func, select

from qes.services.project import opened
from qes.store.schema import Event, Import, RecordRow, ScreeningDecision
from qes.store.schema_team import Job
from screening_setup import ANA, BEN, TA, screening_team
from serve_process import ServeProcess, free_port
from support import OWNER


def _count(root: Path, what: object, *where: object) -> int:
    with opened(root) as p, p.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(what).where(*where)) or 0)  # type: ignore[arg-type]


def _job(root: Path, job_id: int) -> Job:
    with opened(root) as p, p.store.read() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_an_import_killed_midway_leaves_nothing_and_a_restarted_server_finishes_it(
    web_project: Path, many_records_ris: Path
) -> None:
    expected = many_records_ris.read_text(encoding="utf-8").count("TY  - ")
    server = ServeProcess(web_project, free_port())
    try:
        client = server.client(OWNER)
        with many_records_ris.open("rb") as fh:
            job = client.post("/api/imports", files={"file": ("many.ris", fh)}, data={"source": "Scopus"}).json()
        deadline = time.time() + 60
        while True:
            seen = client.get(f"/api/jobs/{job['job']}").json()
            if seen["status"] == "running" and 0 < seen["records_read"] < expected:
                break  # mid-import: rows written inside the open transaction, nothing committed
            assert seen["state"] == "running" and time.time() < deadline, seen
            time.sleep(0.01)
    finally:
        server.kill()
    # Nothing of the file is in the project, and the job still says running (its worker is gone).
    assert _count(web_project, RecordRow) == 0 and _count(web_project, Import) == 0
    assert _count(web_project, Event, Event.action.startswith("import")) == 0
    assert _job(web_project, job["job"]).status == "running"

    restarted = ServeProcess(web_project, free_port())
    try:
        client = restarted.client(OWNER)
        deadline = time.time() + 120
        while (seen := client.get(f"/api/jobs/{job['job']}").json())["state"] == "running":
            assert time.time() < deadline, seen
            time.sleep(0.2)
        assert seen["status"] == "done" and seen["result"]["imported"] == expected and seen["attempts"] == 2, seen
    finally:
        restarted.stop()
    assert _count(web_project, RecordRow) == expected and _count(web_project, Import) == 1
    assert _count(web_project, Event, Event.action.startswith("import")) == 1


RECORDS = "title,authors,year\n" + "".join(f'Record number {i},"Doe, Jane",2001\n' for i in range(1, 401))


def test_decisions_answered_before_a_kill_are_all_kept_and_match_the_events(web_project: Path, tmp_path: Path) -> None:
    screening_team(web_project, RECORDS, tmp_path)
    server = ServeProcess(web_project, free_port())
    answered: dict[str, list[int]] = {ANA[0]: [], BEN[0]: []}
    stop = threading.Event()

    def screen(who: tuple[str, str]) -> None:
        client = server.client(who)
        try:
            for record in range(1, 401):
                if stop.is_set():
                    return
                r = client.post(f"/api/screening/{TA}/records/{record}", json={"decision": "include"})
                if r.status_code == 200:
                    answered[who[0]].append(record)
        except httpx.TransportError:
            return  # the server died under us: this decision was never answered

    threads = [threading.Thread(target=screen, args=(who,)) for who in (ANA, BEN)]
    for t in threads:
        t.start()
    deadline = time.time() + 60
    while min(len(a) for a in answered.values()) < 20 and time.time() < deadline:
        time.sleep(0.02)
    server.kill()
    stop.set()
    for t in threads:
        t.join(30)
    assert min(len(a) for a in answered.values()) >= 20

    votes = _count(web_project, ScreeningDecision)
    events = _count(web_project, Event, Event.action == "screen.decide")
    assert votes == events  # each vote and its event committed together, or neither
    for email, records in answered.items():
        with opened(web_project) as p, p.store.read() as session:
            kept = set(session.scalars(select(ScreeningDecision.record_id).where(ScreeningDecision.reviewer == email)))
        assert set(records) <= kept, f"{email}: answered decisions lost"
        assert len(kept) - len(records) <= 1  # at most the one in flight when the server died

    restarted = ServeProcess(web_project, free_port())
    try:
        client = restarted.client(ANA)
        item = client.get(f"/api/screening/{TA}/next").json()
        assert item["record_id"] not in answered[ANA[0]]  # screening resumes where it stopped
        assert (
            client.post(
                f"/api/screening/{TA}/records/{item['record_id']}", json={"decision": "exclude", "reasons": ["E1"]}
            ).status_code
            == 200
        )
    finally:
        restarted.stop()
