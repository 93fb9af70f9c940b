"""`qes serve` as a user runs it: prints the URL, then serves the project's pages and API there."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import urlopen

import pytest

from qes.cli.serve import browser_url


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000/"),
        ("0.0.0.0", "http://127.0.0.1:8000/"),
        ("::1", "http://[::1]:8000/"),
        ("review.example.org", "http://review.example.org:8000/"),
    ],
)
def test_browser_url(host: str, url: str) -> None:
    assert browser_url(host, 8000) == url


def test_qes_serve_prints_its_url_and_serves_the_project(web_project: Path, unused_port: int, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "qes", "serve", "--project", str(web_project), "--port", str(unused_port)]
    server = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = f"http://127.0.0.1:{unused_port}/"
        assert url in line and "Reciprocity review" in line, line
        deadline = time.time() + 20
        while True:
            try:
                with urlopen(url + "login", timeout=5) as login:
                    assert login.status == 200 and "Sign in to Reciprocity review" in login.read().decode()
                break
            except URLError:  # not listening yet
                if time.time() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        with pytest.raises(HTTPError) as refused:
            urlopen(url + "api/status", timeout=5)
        assert refused.value.code == 401
    finally:
        server.terminate()
        server.communicate(timeout=15)
