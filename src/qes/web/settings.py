"""How one server is run: cookies, proxy, single-user mode, session lifetime, upload limits.

`qes serve` builds a `WebSettings` from its flags; with several workers each worker process
builds the app from environment variables instead (`from_env`, used by `qes.web.app.app_from_env`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qes.web.uploads import MB, UploadLimits

ENV_PREFIX = "QES_SERVE_"


@dataclass(frozen=True)
class WebSettings:
    secure_cookies: bool = False  # always mark cookies Secure (the server is reached over HTTPS only)
    proxy_headers: bool = False  # trust X-Forwarded-Proto/-For from `forwarded_allow_ips` (a reverse proxy)
    forwarded_allow_ips: str = "127.0.0.1"
    single_user: str | None = None  # e-mail of the one person every request acts as (no sign-in)
    session_lifetime: dt.timedelta = dt.timedelta(hours=12)
    limits: UploadLimits = field(default_factory=UploadLimits)
    refresh_process: bool = False  # fit ranking models in a child process (qes serve), not in the server's threads
    job_wait: float = 20.0  # seconds a request waits for its background job before answering 202 (poll the job)

    def to_env(self, project: Path | None, db: str | None) -> dict[str, str]:
        env = {
            "PROJECT": str(project.resolve()) if project else "",
            "DB": db or "",
            "SECURE_COOKIES": "1" if self.secure_cookies else "",
            "PROXY_HEADERS": "1" if self.proxy_headers else "",
            "FORWARDED_ALLOW_IPS": self.forwarded_allow_ips,
            "SINGLE_USER": self.single_user or "",
            "SESSION_HOURS": str(self.session_lifetime.total_seconds() / 3600),
            "MAX_IMPORT_MB": str(self.limits.imports // MB),
            "MAX_PDF_MB": str(self.limits.pdfs // MB),
            "REFRESH_PROCESS": "1" if self.refresh_process else "",
            "JOB_WAIT": str(self.job_wait),
        }
        return {ENV_PREFIX + k: v for k, v in env.items()}


def from_env(environ: dict[str, str] | None = None) -> tuple[Path | None, str | None, WebSettings]:
    """(project folder, database URL, settings) as `WebSettings.to_env` wrote them."""
    env = os.environ if environ is None else environ

    def get(key: str) -> str:
        return env.get(ENV_PREFIX + key, "")

    settings = WebSettings(
        secure_cookies=bool(get("SECURE_COOKIES")),
        proxy_headers=bool(get("PROXY_HEADERS")),
        forwarded_allow_ips=get("FORWARDED_ALLOW_IPS") or "127.0.0.1",
        single_user=get("SINGLE_USER") or None,
        session_lifetime=dt.timedelta(hours=float(get("SESSION_HOURS") or 12)),
        limits=UploadLimits(imports=int(get("MAX_IMPORT_MB") or 200) * MB, pdfs=int(get("MAX_PDF_MB") or 100) * MB),
        refresh_process=bool(get("REFRESH_PROCESS")),
        job_wait=float(get("JOB_WAIT") or 20.0),
    )
    return (Path(get("PROJECT")) if get("PROJECT") else None), (get("DB") or None), settings


# Sent with every response: no MIME sniffing, no framing by other sites, no referrer to other sites.
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", b"frame-ancestors 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"),
]


class SecureResponses:
    """Security headers on every response; `Secure` on cookies when the request came over HTTPS
    (as seen through a trusted proxy with --proxy-headers) or always with --secure-cookies."""

    def __init__(self, app: ASGIApp, *, always_secure: bool) -> None:
        self.app, self.always_secure = app, always_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = self.always_secure or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                for name, value in message.get("headers", []):
                    if secure and name.lower() == b"set-cookie" and b"; secure" not in value.lower():
                        value += b"; Secure"
                    headers.append((name, value))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
