"""Long work as durable background jobs: a deduplication run and a PDF's text extraction answer at once
when quick, or 202 with a job to poll when the server's wait runs out; a job left queued by a dead
server is finished by the next worker."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pdf_maker import make_pdf
from qes.services import fulltext, jobs
from qes.services.importing import import_file
from qes.services.jobs import JobRunner
from qes.services.project import opened
from qes.web.app import create_app
from qes.web.settings import WebSettings
from support import OWNER


def sign_in_form(client: TestClient, who: tuple[str, str], then: str) -> str:
    """Sign in through the form; the CSRF token of the page `then`."""
    token = re.findall(r'name="csrf" value="([^"]+)"', client.get("/login").text)[0]
    r = client.post("/login", data={"email": who[0], "password": who[1], "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(re.findall(r'name="csrf" value="([^"]+)"', client.get(then).text)[0])


def _poll(client: TestClient, job: dict[str, Any]) -> dict[str, Any]:
    assert job["poll"] == f"/api/jobs/{job['job']}"
    for _ in range(600):
        job = client.get(job["poll"]).json() | {"poll": job["poll"]}
        if job["state"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job['job']} did not finish")


@pytest.fixture
def imported(web_project: Path, duplicates_csv: Path) -> Path:
    with opened(web_project) as p:
        import_file(p, duplicates_csv, source="Scopus")
    return web_project


@contextmanager
def _owner(web_project: Path, wait: float) -> Iterator[TestClient]:
    """The owner signed in to a server that waits `wait` seconds for a job before answering 202."""
    with TestClient(create_app(web_project, settings=WebSettings(job_wait=wait))) as client:
        r = client.post("/api/login", json={"email": OWNER[0], "password": OWNER[1]})
        assert r.status_code == 200, r.text
        yield client


def test_a_dedupe_run_that_outlasts_the_wait_answers_202_then_its_job_holds_the_summary(imported: Path) -> None:
    with _owner(imported, wait=0) as client:
        r = client.post("/api/dedupe/run")
        assert r.status_code == 202, r.text
        assert r.json()["kind"] == "dedupe" and r.json()["state"] == "running"
        done = _poll(client, r.json())
        assert done["status"] == "done" and done["attempts"] == 1, done
        assert done["result"]["groups_created"] >= 1 and done["result"]["records"] > 0
        assert len(client.get("/api/dedupe/groups").json()) == done["result"]["groups_created"]


def test_a_quick_dedupe_run_answers_with_its_summary(imported: Path) -> None:
    with _owner(imported, wait=30) as client:
        r = client.post("/api/dedupe/run")
        assert r.status_code == 200, r.text
        assert r.json()["groups_created"] >= 1 and "job" not in r.json()


def test_a_pdf_s_text_is_extracted_by_a_job_and_a_broken_pdf_fails_it_with_its_name(imported: Path) -> None:
    with _owner(imported, wait=0) as client:
        pdf = make_pdf(["Reciprocity on the ward", "Findings on page two"])
        r = client.post("/api/fulltexts/1", files={"file": ("garcia 2020.pdf", pdf, "application/pdf")})
        assert r.status_code == 202, r.text
        done = _poll(client, r.json())
        assert done["kind"] == "fulltext" and done["status"] == "done", done
        assert (done["result"]["pages"], done["result"]["file_name"]) == (2, "garcia 2020.pdf")
        pages = client.get("/api/fulltexts/1").json()["pages"]
        assert [page["page"] for page in pages] == [1, 2] and "page two" in pages[1]["text"]

        broken = client.post("/api/fulltexts/2", files={"file": ("torn.pdf", b"%PDF-1.4\n garbage", "application/pdf")})
        assert broken.status_code == 202, broken.text
        failed = _poll(client, broken.json())
        assert failed["status"] == "failed" and failed["error"].startswith("torn.pdf"), failed
        assert client.get("/api/fulltexts/2").json()["status"] == "missing"  # nothing attached
        # Refused before any job: an unknown record, and a file that is not a PDF at all.
        assert client.post("/api/fulltexts/999", files={"file": ("x.pdf", pdf, "application/pdf")}).status_code == 404
        text = client.post("/api/fulltexts/2", files={"file": ("notes.pdf", b"just text", "application/pdf")})
        assert text.status_code == 400 and "not a PDF" in text.json()["detail"]
    with opened(imported) as p:
        assert not any(jobs.uploads_dir(p).iterdir())  # every upload went with its job


def test_a_pdf_job_queued_before_a_crash_is_finished_by_the_next_worker(imported: Path) -> None:
    with opened(imported, actor=OWNER[0]) as p:  # the job runs as the owner who uploaded
        upload = jobs.uploads_dir(p) / "left-behind.pdf"
        upload.write_bytes(make_pdf(["Kept across the restart"]))
        # What the server had done when it died: the upload saved and its job queued, nothing extracted.
        queued = jobs.enqueue(p, "fulltext", {"upload": upload.name, "file_name": "smith.pdf", "record_id": 3})
        assert fulltext.get_fulltext(p, 3) is None
        done = JobRunner(p, besides=("rank",)).run_one()  # the restarted server's worker
        assert done is not None and done.id == queued.id and done.status == "done", done
        info = fulltext.get_fulltext(p, 3)
        assert info is not None and (info.status, info.pages, info.file_name) == ("retrieved", 1, "smith.pdf")
        assert "Kept across the restart" in fulltext.fulltext_pages(p, 3)[0]["text"] and not upload.exists()


def _page_poll(client: TestClient, job_id: int) -> str:
    """What the page's progress fragment shows once the job has ended (it polls as HTMX would)."""
    for _ in range(600):
        fragment = client.get(f"/import/jobs/{job_id}", headers={"HX-Request": "true"}).text
        if "job running" not in fragment:
            return fragment
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def test_the_pages_follow_a_background_run_and_a_background_pdf(imported: Path) -> None:
    with TestClient(create_app(imported, settings=WebSettings(job_wait=0))) as client:
        csrf = sign_in_form(client, OWNER, "/dedupe")
        r = client.post("/dedupe/run", data={"csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/dedupe"
        page = client.get("/dedupe").text
        job_id = int(re.findall(r'id="job-(\d+)"', page)[0])
        assert "Waiting for a worker to find the duplicates" in page or "Finding duplicates" in page or "Checked" in page
        done = _page_poll(client, job_id)
        assert re.search(r"Checked \d+ records:</strong>\s+[1-9]\d* new group", done), done
        assert 'href="/dedupe">Show the groups' in done

        pdf = make_pdf(["Reciprocity on the ward"])
        files = {"file": ("garcia 2020.pdf", pdf, "application/pdf")}
        r = client.post("/fulltexts/1/attach", files=files, data={"csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303
        page = client.get(r.headers["location"]).text
        job_id = int(re.findall(r'id="job-(\d+)"', page)[0])
        done = _page_poll(client, job_id)
        assert "Attached garcia 2020.pdf</strong>\n  (1 page)" in done and 'href="/fulltexts/1"' in done
        assert "garcia 2020.pdf · 1 page" in client.get("/fulltexts/1").text
