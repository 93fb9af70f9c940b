"""`qes serve`: the workbench in the browser, on the same project and service layer as the CLI."""

from __future__ import annotations

import sys

import typer

from qes.cli.common import DbOpt, ProjectOpt, console, handle_errors


def browser_url(host: str, port: int) -> str:
    """The address to open: a wildcard interface is reached through localhost; IPv6 needs brackets."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def register(app: typer.Typer) -> None:
    @app.command()
    @handle_errors
    def serve(
        project: ProjectOpt = None,
        db: DbOpt = None,
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (0.0.0.0 for the team's network)."),
        port: int = typer.Option(8000, "--port", help="Port to listen on."),
    ) -> None:
        """Serve the workbench (pages and the /api/) for a project."""
        import uvicorn

        from qes.web.app import create_app

        web = create_app(project, db=db)
        name = web.state.project.config.name
        # One unwrapped line, flushed now: scripts and `make run` read the URL from it.
        console.print(
            f"qes workbench for {name}: {browser_url(host, port)}  (Ctrl+C stops)", soft_wrap=True, highlight=False, markup=False
        )
        sys.stdout.flush()
        uvicorn.run(web, host=host, port=port, log_level="warning")
