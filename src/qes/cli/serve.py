"""`qes serve`: the workbench in the browser, on the same project and service layer as the CLI."""

from __future__ import annotations

import typer

from qes.cli.common import DbOpt, ProjectOpt, console, handle_errors


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
        console.print(f"qes workbench for [bold]{web.state.project.config.name}[/]: http://{host}:{port}/  (Ctrl+C stops)")
        uvicorn.run(web, host=host, port=port, log_level="warning")
