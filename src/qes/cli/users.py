"""`qes user add`, `qes reviewer add | list`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from qes.cli.common import DbOpt, JsonOpt, ProjectOpt, console, handle_errors, print_json
from qes.errors import UserError
from qes.services.project import opened
from qes.services.users import add_member, add_user, list_members
from qes.store.schema import ROLES

user_app = typer.Typer(help="Accounts (for the web workbench).", no_args_is_help=True)
reviewer_app = typer.Typer(help="People in this project and their roles.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.add_typer(reviewer_app, name="reviewer")


@user_app.command("add")
@handle_errors
def user_add(
    email: Annotated[str, typer.Argument(help="Login e-mail address.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (first line).")
    ] = False,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Create an account (or reset its password) in the project's database."""
    password = None
    if password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise UserError("no password on standard input")
    with opened(project, db=db) as p:
        info = add_user(p.store, email, password=password, name=name, actor=p.actor, project_id=p.id)
    if json_out:
        print_json(info.__dict__)
    else:
        console.print(f"User {info.email} ready" + (" (no password: cannot log in yet)" if password is None else "") + ".")


@reviewer_app.command("add")
@handle_errors
def reviewer_add(
    email: Annotated[str, typer.Argument(help="E-mail address of the person.")],
    name: Annotated[str, typer.Option("--name", help="Display name, e.g. initials used in the paper.")] = "",
    role: Annotated[str, typer.Option("--role", help=" | ".join(ROLES))] = "reviewer",
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Give a person a role in this project (owner, reviewer, adjudicator, viewer)."""
    with opened(project, db=db) as p:
        info = add_member(p, email, role=role, name=name)
    if json_out:
        print_json(info.__dict__)
    else:
        console.print(f"{info.name or info.email} is now {info.role} in this project.")


@reviewer_app.command("list")
@handle_errors
def reviewer_list(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """People in this project and their roles."""
    with opened(project, db=db) as p:
        members = list_members(p)
    if json_out:
        print_json([m.__dict__ for m in members])
        return
    table = Table("e-mail", "name", "role")
    for m in members:
        table.add_row(m.email, m.name, m.role)
    console.print(table)
