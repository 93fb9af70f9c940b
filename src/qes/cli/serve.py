"""`qes serve`: the workbench in the browser, on the same project and service layer as the CLI.

One process by default; `--workers N` runs N uvicorn worker processes, each building the app from
QES_SERVE_* environment variables (`qes.web.app.app_from_env`) and each running background jobs.
`--single-user` needs no sign-in and therefore listens on this machine only.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import sys

import typer

from qes.cli.common import DbOpt, ProjectOpt, console, handle_errors
from qes.errors import UserError
from qes.web.uploads import MB, UploadLimits

LOCAL_NAMES = ("localhost",)


def browser_url(host: str, port: int) -> str:
    """The address to open: a wildcard interface is reached through localhost; IPv6 needs brackets."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def is_local(host: str) -> bool:
    """Only this machine can reach it: localhost, 127.0.0.0/8 or ::1."""
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    @app.command()
    @handle_errors
    def serve(
        project: ProjectOpt = None,
        db: DbOpt = None,
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (0.0.0.0 for the team's network)."),
        port: int = typer.Option(8000, "--port", help="Port to listen on."),
        workers: int = typer.Option(1, "--workers", min=1, help="Worker processes (a team server: about one per CPU core)."),
        secure_cookies: bool = typer.Option(False, "--secure-cookies", help="Mark cookies Secure (served over HTTPS)."),
        proxy_headers: bool = typer.Option(
            False, "--proxy-headers", help="Behind a reverse proxy: trust its X-Forwarded-Proto/-For (cookies Secure over HTTPS)."
        ),
        forwarded_allow_ips: str = typer.Option(
            "127.0.0.1", "--forwarded-allow-ips", help="Addresses of the proxy whose forwarded headers are trusted."
        ),
        single_user: bool = typer.Option(False, "--single-user", help="No sign-in: act as the owner (localhost only)."),
        as_email: str = typer.Option("", "--as", help="With --single-user: the member to act as (default: the owner)."),
        session_hours: float = typer.Option(12.0, "--session-hours", help="Sessions end after this many hours."),
        max_import_mb: int = typer.Option(UploadLimits.imports // MB, "--max-import-mb", help="Largest import upload."),
        max_pdf_mb: int = typer.Option(UploadLimits.pdfs // MB, "--max-pdf-mb", help="Largest PDF upload."),
    ) -> None:
        """Serve the workbench (pages and the /api/) for a project."""
        import uvicorn

        from qes.services import team
        from qes.services.project import opened
        from qes.web.app import create_app
        from qes.web.settings import WebSettings

        if single_user and not is_local(host):
            raise UserError(
                f"--single-user needs no sign-in, so it only listens on this machine: use --host 127.0.0.1, not {host}"
            )
        if as_email and not single_user:
            raise UserError("--as is for --single-user")
        with opened(project, db=db) as p:  # migrates once, before any worker starts
            name = p.config.name
            acting = team.single_user_email(p, as_email or None) if single_user else None
        settings = WebSettings(
            secure_cookies=secure_cookies,
            proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded_allow_ips,
            single_user=acting,
            session_lifetime=dt.timedelta(hours=session_hours),
            limits=UploadLimits(imports=max_import_mb * MB, pdfs=max_pdf_mb * MB),
            refresh_process=True,
        )
        mode = f"{workers} worker{'s' if workers > 1 else ''}" + (f", single-user as {acting}" if acting else "")
        # One unwrapped line, flushed now: scripts and `make run` read the URL from it.
        console.print(
            f"qes workbench for {name}: {browser_url(host, port)}  ({mode}; Ctrl+C stops)",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )
        sys.stdout.flush()
        options = {"host": host, "port": port, "log_level": "warning", "proxy_headers": proxy_headers}
        if workers == 1:
            web = create_app(project, db=db, settings=settings)
            uvicorn.run(web, forwarded_allow_ips=forwarded_allow_ips, **options)  # type: ignore[arg-type]
            return
        os.environ.update(settings.to_env(project, db))
        target = "qes.web.app:app_from_env"
        uvicorn.run(target, factory=True, workers=workers, forwarded_allow_ips=forwarded_allow_ips, **options)  # type: ignore[arg-type]
