"""The little HTTP both API clients need: GET with a polite rate, retries on 429/503, one-line errors.

Standard library only (`urllib.request`): no dependency for two GET endpoints. Every failure is a
`OnlineSearchError` (a `UserError`) naming the URL — with any API key masked — and the reason.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from qes import __version__
from qes.errors import UserError

USER_AGENT = f"qes/{__version__} (systematic review workbench)"
_SECRET_PARAMS = re.compile(r"((?:api_key|api-key)=)[^&]*", re.IGNORECASE)


class OnlineSearchError(UserError):
    """The API could not be reached or refused the request. Nothing was imported."""


def masked(url: str) -> str:
    return _SECRET_PARAMS.sub(r"\1***", url)


class Throttle:
    """At most `per_second` requests per second from this client (the APIs' published limits)."""

    def __init__(self, per_second: float):
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            if now < self._next:
                time.sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


def build_url(base: str, path: str, params: Mapping[str, Any]) -> str:
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v not in (None, "")}, safe="*:,")
    return f"{base.rstrip('/')}/{path.lstrip('/')}?{query}"


def _reason(exc: urllib.error.HTTPError) -> str:
    """The API's own words where it gives them (JSON `error`/`message`, or the first line of text)."""
    try:
        body = exc.read(4000).decode("utf-8", "replace")
    except OSError:
        body = ""
    detail = ""
    try:
        data = json.loads(body)
        if isinstance(data, dict):
            parts = [str(data[k]) for k in ("error", "message", "ERROR") if data.get(k)]
            detail = ": ".join(parts)
    except ValueError:
        detail = re.sub(r"<[^>]+>", " ", body).strip().splitlines()[0][:200] if body.strip() else ""
    return f"HTTP {exc.code} {exc.reason}" + (f" ({detail})" if detail else "")


class HttpClient:
    """GET requests to one API: throttled, retried on 429/503 (honouring Retry-After), with a timeout."""

    def __init__(self, *, per_second: float, timeout: float = 60.0, retries: int = 3, backoff: float = 1.0):
        self.throttle = Throttle(per_second)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def get(self, url: str, *, form: Mapping[str, Any] | None = None) -> bytes:
        """GET `url`, or POST `form` to it (url-encoded) where the query is too long for a URL."""
        body = urllib.parse.urlencode({k: v for k, v in form.items() if v not in (None, "")}).encode() if form else None
        headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        attempt = 0
        while True:
            self.throttle.wait()
            request = urllib.request.Request(url, data=body, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return bytes(response.read())
            except urllib.error.HTTPError as exc:
                if exc.code in (429, 503) and attempt < self.retries:
                    attempt += 1
                    time.sleep(_retry_after(exc, self.backoff * attempt))
                    exc.close()
                    continue
                reason = _reason(exc)
                exc.close()
                raise OnlineSearchError(f"{masked(url)}: {reason}") from None
            except urllib.error.URLError as exc:
                raise OnlineSearchError(f"{masked(url)}: cannot connect ({exc.reason})") from None
            except (TimeoutError, OSError) as exc:
                raise OnlineSearchError(f"{masked(url)}: {type(exc).__name__}: {exc}") from None

    def get_json(self, url: str, *, form: Mapping[str, Any] | None = None) -> Any:
        body = self.get(url, form=form)
        try:
            return json.loads(body)
        except ValueError:
            raise OnlineSearchError(f"{masked(url)}: the answer is not JSON ({body[:80]!r})") from None


def _retry_after(exc: urllib.error.HTTPError, default: float) -> float:
    value = exc.headers.get("Retry-After", "") if exc.headers else ""
    try:
        return min(max(float(value), 0.0), 30.0)
    except ValueError:
        return default
