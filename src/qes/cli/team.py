"""`qes invite EMAIL --role ROLE [--expires 7d]`: a one-time link to join the project in the browser."""

from __future__ import annotations

from typing import Annotated

import typer

from qes.cli.common import DbOpt, JsonOpt, ProjectOpt, console, handle_errors, print_json
from qes.services import team
from qes.services.project import opened
from qes.store.schema import ROLES


def register(app: typer.Typer) -> None:
    @app.command()
    @handle_errors
    def invite(
        email: Annotated[str, typer.Argument(help="E-mail address of the person to invite.")],
        role: Annotated[str, typer.Option("--role", help=" | ".join(ROLES))] = "reviewer",
        expires: Annotated[str, typer.Option("--expires", help="How long the link works: 30m, 12h, 7d, 2w.")] = "7d",
        base_url: Annotated[
            str, typer.Option("--url", help="The workbench's address as the person reaches it.")
        ] = "http://127.0.0.1:8000",
        project: ProjectOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Invite a person to the project with a role: prints a one-time link (shown once, never stored)."""
        with opened(project, db=db) as p:
            info, token = team.invite(p, email, role=role, expires=team.parse_duration(expires))
        link = f"{base_url.rstrip('/')}/invite/{token}"
        if json_out:
            print_json({**info.__dict__, "token": token, "link": link})
            return
        console.print(f"Invitation for {info.email} as {info.role}, valid until {info.expires_at[:16]} UTC:", highlight=False)
        console.print(link, soft_wrap=True, highlight=False, markup=False)
