"""Uploads are limited in size (configurable) and checked by content before any job is queued."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from pdf_maker import make_pdf
from qes.services.jobs import recent_jobs, wait_for
from qes.services.project import opened
from qes.web.app import create_app
from qes.web.settings import WebSettings
from qes.web.uploads import MB, UploadLimits
from support import FIXTURES, OWNER

SMALL = (FIXTURES / "import" / "small.ris").read_bytes()


def _client(root: Path, **limits: int) -> TestClient:
    settings = WebSettings(limits=UploadLimits(**limits)) if limits else WebSettings()
    client = TestClient(create_app(root, settings=settings))
    client.__enter__()
    assert client.post("/api/login", json={"email": OWNER[0], "password": OWNER[1]}).status_code == 200
    return client


def _jobs(root: Path) -> int:
    with opened(root) as p:
        return len(recent_jobs(p))


def test_a_file_no_reader_knows_is_refused_at_once(web_project: Path) -> None:
    client = _client(web_project)
    for name, data in (("picture.ris", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8), ("paper.pdf", make_pdf(["text"]))):
        r = client.post("/api/imports", files={"file": (name, data)}, data={"source": "Scopus"})
        assert r.status_code == 415 and r.json()["detail"].startswith(f"{name}:"), r.text
        assert "not a bibliographic export" in r.json()["detail"]
    assert _jobs(web_project) == 0
    assert list((web_project / "files" / "uploads").iterdir()) == []  # nothing left behind
    client.__exit__(None, None, None)


def test_imports_over_the_limit_are_refused(web_project: Path) -> None:
    client = _client(web_project, imports=1 * MB, pdfs=1 * MB)
    padding = SMALL + b"\n" * (MB + 10)  # a readable RIS file, just too big
    r = client.post("/api/imports", files={"file": ("big.ris", padding)}, data={"source": "Scopus"})
    assert r.status_code == 413 and "over the 1 MB limit for an import" in r.json()["detail"]
    huge = SMALL + b"\n" * (3 * MB)  # over the whole request's limit: refused before the form is parsed
    r = client.post("/api/imports", files={"file": ("huge.ris", huge)}, data={"source": "Scopus"})
    assert r.status_code == 413 and "over the 2 MB limit" in r.json()["detail"]
    ok = client.post("/api/imports", files={"file": ("small.ris", SMALL)}, data={"source": "Scopus"})
    assert ok.status_code == 200 and _jobs(web_project) == 1
    client.__exit__(None, None, None)


def test_full_texts_over_the_limit_are_refused(web_project: Path) -> None:
    client = _client(web_project, imports=1 * MB, pdfs=1 * MB)
    queued = client.post("/api/imports", files={"file": ("small.ris", SMALL)}, data={"source": "Scopus"})
    with opened(web_project) as p:  # the import is a background job: record 1 exists once it is done
        assert wait_for(p, queued.json()["job"]).status == "done"
    big = make_pdf(["x"]) + b"%" * (MB + 1)
    r = client.post("/api/fulltexts/1", files={"file": ("big.pdf", big, "application/pdf")})
    assert r.status_code == 413 and "over the 1 MB limit for a full text" in r.json()["detail"]
    client.__exit__(None, None, None)
