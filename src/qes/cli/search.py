"""`qes search translate|lint|run`: a strategy in any database's syntax, checked and run locally.

The project-side commands (add, show, list, log, online) live in `cli/search_project.py` and
register themselves on `search_app`.
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer

from qes import search
from qes.cli.common import DbOpt, JsonOpt, ProjectOpt, console, err_console, handle_errors, print_json
from qes.search.model import Message
from qes.services.project import opened
from qes.services.search_run import run_query

search_app = typer.Typer(
    help="Search strategies: translate between databases, lint, run over the project's records.", no_args_is_help=True
)
SYNTAX_HELP = "pubmed, ovid, ebsco, proquest, wos, scopus, cochrane or openalex."
QueryArg = Annotated[str, typer.Argument(metavar="QUERY", help="The strategy (quote it; '-' reads standard input).")]


def register(app: typer.Typer) -> None:
    try:
        importlib.import_module("qes.cli.search_project")
    except ModuleNotFoundError as exc:
        if exc.name != "qes.cli.search_project":
            raise
    app.add_typer(search_app, name="search")


def _text(query: str) -> str:
    return sys.stdin.read() if query == "-" else query


def _messages(messages: list[Message] | tuple[Message, ...]) -> None:
    for m in messages:
        err_console.print(f"{m.severity}: {m}", highlight=False, soft_wrap=True)


@search_app.command("translate")
@handle_errors
def translate(
    query: QueryArg,
    source: Annotated[str, typer.Option("--from", help=f"Syntax of QUERY: {SYNTAX_HELP}")],
    target: Annotated[str, typer.Option("--to", help=f"Syntax to write: {SYNTAX_HELP}")],
    json_out: JsonOpt = False,
) -> None:
    """Translate a strategy; what the target cannot say exactly is reported (stderr), never hidden."""
    written = search.translate(_text(query), source, target)
    if json_out:
        print_json({"text": written.text, "messages": [m.to_dict() for m in written.messages]})
        return
    sys.stdout.write(written.text + "\n")
    _messages(written.messages)


@search_app.command("lint")
@handle_errors
def lint(
    query: QueryArg,
    syntax: Annotated[str, typer.Option("--syntax", help=SYNTAX_HELP)],
    strict: Annotated[bool, typer.Option("--strict", help="Exit 2 when any message is an error.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Coded messages about a strategy: syntax errors, precedence traps, unknown tags, truncation."""
    messages = search.lint(_text(query), syntax)
    if json_out:
        print_json({"messages": [m.to_dict() for m in messages]})
    elif not messages:
        console.print("no problems found", highlight=False)
    else:
        for m in messages:
            console.print(f"{m.severity}: {m}", highlight=False, soft_wrap=True)
    if strict and any(m.severity == "error" for m in messages):
        raise typer.Exit(2)


@search_app.command("run")
@handle_errors
def run(
    query: Annotated[str, typer.Argument(metavar="QUERY|NAME", help="The strategy's text, or a saved strategy's name.")],
    syntax: Annotated[str, typer.Option("--syntax", help=SYNTAX_HELP)] = "pubmed",
    limit: Annotated[int, typer.Option("--limit", help="Records to list (without --json).")] = 20,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Run a strategy over the project's records (duplicates once), with the databases' semantics."""
    with opened(project, db=db) as p:
        result = run_query(p, _text(query), syntax)
    if json_out:
        print_json({"hits": result.hits, "records": result.records, "strategy": result.strategy})
        return
    _messages(result.messages)
    console.print(f"{result.hits} record(s) match", highlight=False)
    for r in result.records[:limit]:
        console.print(f"  {r['id']:>6}  {r['year'] or '    '}  {r['title']}", highlight=False, soft_wrap=True)
