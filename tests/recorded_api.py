"""A local HTTP server replaying recorded E-utilities and OpenAlex responses (tests/fixtures/search/).

    with recorded_api() as api:
        client = PubMedClient(base_url=api.url + "/eutils")
        ...
        api.requests   # every (path, query parameters) the client sent, in order

Routes choose a fixture by the request's parameters, as the real APIs' answers depend on them:
`esearch.fcgi` by `term`, `efetch.fcgi` slices one recorded result set by `retstart`/`retmax`,
`/works` by `cursor` (and `filter`).
`fail_next(n, status, file)` makes the next n requests fail with a recorded error body.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from support import FIXTURES

RECORDED = FIXTURES / "search"
FIRST_CURSOR_PAGE2 = "IlsxNi4wLCAnaHR0cHM6Ly9vcGVuYWxleC5vcmcvVzQwMDAwMDAwMDInXSI="
FIRST_CURSOR_PAGE3 = "IlsxMi4wLCAnaHR0cHM6Ly9vcGVuYWxleC5vcmcvVzQwMDAwMDAwMDMnXSI="


@dataclass
class RecordedApi:
    url: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)
    fail_on: dict[tuple[str, int], tuple[int, str]] = field(default_factory=dict)

    def fail_next(self, n: int, status: int, fixture: str) -> None:
        self.failures.extend([(status, fixture)] * n)

    def fail_request(self, path: str, number: int, status: int, fixture: str) -> None:
        """The `number`-th request (from 1) to a path ending in `path` fails."""
        self.fail_on[(path, number)] = (status, fixture)

    def sent(self, path: str) -> list[dict[str, str]]:
        return [params for p, params in self.requests if p.endswith(path)]


def _route(path: str, params: dict[str, str]) -> tuple[int, str, str]:
    """(status, fixture file, content type) for a request."""
    if path.endswith("/esearch.fcgi"):
        term = params.get("term", "")
        if "((" in term or term.count("(") != term.count(")"):
            return 200, "pubmed/esearch_error.json", "application/json"
        if "zzqxv" in term:
            return 200, "pubmed/esearch_none.json", "application/json"
        return 200, "pubmed/esearch.json", "application/json"
    if path.endswith("/efetch.fcgi"):
        if params.get("WebEnv") != "MCID_6750a1b2c3d4e5f60718293a" or params.get("rettype") != "medline":
            return 400, "pubmed/esearch_error.json", "application/json"
        return 200, "pubmed/efetch.txt", "text/plain; charset=UTF-8"
    if path.endswith("/works"):
        if "searchh" in params.get("filter", ""):
            return 400, "openalex/error.json", "application/json"
        if "zzqxv" in params.get("filter", "") + params.get("search", ""):
            return 200, "openalex/works_none.json", "application/json"
        page = {"*": 1, FIRST_CURSOR_PAGE2: 2, FIRST_CURSOR_PAGE3: 3}.get(params.get("cursor", ""))
        if page is None:
            return 400, "openalex/error.json", "application/json"
        return 200, f"openalex/works_page{page}.json", "application/json"
    return 404, "openalex/error.json", "application/json"


def _medline_slice(body: bytes, start: int, size: int) -> bytes:
    """Records start..start+size of the recorded result set, as EFetch pages it (a blank line first)."""
    records = body.decode("utf-8").strip("\n").split("\n\n")
    return ("\n" + "\n\n".join(records[start : start + size]) + "\n").encode("utf-8")


@contextmanager
def recorded_api() -> Iterator[RecordedApi]:
    state = RecordedApi(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length", "0"))
            self.do_GET(self.rfile.read(length).decode("utf-8"))

        def do_GET(self, form: str = "") -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            params |= {k: v[-1] for k, v in parse_qs(form).items()}
            if form:
                params["(method)"] = "POST"
            state.requests.append((parts.path, params))
            nth = [(p, n) for p, n in state.fail_on if parts.path.endswith(p) and n == len(state.sent(p))]
            if nth:
                status, name = state.fail_on.pop(nth[0])
                content_type = "application/json"
            elif state.failures:
                status, name = state.failures.pop(0)
                content_type = "application/json"
            else:
                status, name, content_type = _route(parts.path, params)
            path = RECORDED / name
            body = path.read_bytes() if path.exists() else b'{"error": "no such recorded page"}'
            if name == "pubmed/efetch.txt" and status == 200:
                body = _medline_slice(body, int(params.get("retstart", 0)), int(params.get("retmax", 20)))
            self.send_response(status if path.exists() else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if status == 429:
                self.send_header("Retry-After", "0")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # the test output stays quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def fixture_path(name: str) -> Path:
    return RECORDED / name
