"""`qes search add|show|list|versions`, `qes search log [add|link]`, `qes search online`: strategies in the project.

Registered on `qes.cli.search.search_app` (the syntax commands translate, lint, run live there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qes.cli.common import DbOpt, JsonOpt, ProjectOpt, console, err_console, handle_errors, print_json, progress_bar
from qes.cli.search import search_app
from qes.errors import UserError
from qes.services import search_log as log_service
from qes.services import strategies as service
from qes.services.project import opened
from qes.services.search_online import APIS, prepare_online_search, run_online_search

log_app = typer.Typer(help="The search log (PRISMA-S): every search as run, per database.", invoke_without_command=True)
search_app.add_typer(log_app, name="log")

SyntaxOpt = Annotated[str, typer.Option("--syntax", help="pubmed, ovid, ebsco, proquest, wos, scopus, cochrane or openalex.")]


def _print_messages(messages: list[dict[str, object]]) -> None:
    for m in messages:
        err_console.print(f"{m['severity']}: {m['code']} {m['text']}", highlight=False, soft_wrap=True)


@search_app.command("add")
@handle_errors
def add(
    name: Annotated[str, typer.Argument(help="The strategy's name in the project, e.g. main.")],
    syntax: SyntaxOpt,
    query: Annotated[str | None, typer.Option("--query", help="The strategy text.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the strategy from a file (e.g. Ovid's numbered lines).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why this version (kept with it).")] = "",
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Save a strategy (a new version when the text changed; nothing is overwritten)."""
    if (query is None) == (file is None):
        raise UserError("give the strategy as --query 'TEXT' or --file FILE (one of them)")
    if file is not None:
        try:
            query = file.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise UserError(f"{file}: cannot read: {exc.strerror}") from None
    with opened(project, db=db) as p:
        saved = service.save_strategy(p, name, query or "", syntax, note)
    _print_messages(saved.messages)
    if json_out:
        print_json(saved.to_json())
    elif saved.changed:
        console.print(f"Saved {saved.name} version {saved.version} ({saved.syntax}).", highlight=False)
    else:
        console.print(f"{saved.name} version {saved.version} already has this text: nothing saved.", highlight=False)


@search_app.command("show")
@handle_errors
def show(
    name: Annotated[str, typer.Argument(help="A saved strategy.")],
    as_syntax: Annotated[str | None, typer.Option("--as", help="Write it in this syntax (default: as written).")] = None,
    version: Annotated[int | None, typer.Option("--version", help="This version (default: the latest).")] = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Print a strategy, translated with --as; what the target cannot say exactly goes to stderr."""
    with opened(project, db=db) as p:
        shown = service.show_strategy(p, name, as_syntax, version)
    if json_out:
        print_json(shown.to_json())
        return
    _print_messages(shown.messages)
    typer.echo(shown.text)


@search_app.command("list")
@handle_errors
def list_(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """The project's strategies: latest version, syntax, searches logged with each."""
    with opened(project, db=db) as p:
        rows = service.list_strategies(p)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table = Table("name", "version", "syntax", "searches", "saved", "note")
    for r in rows:
        table.add_row(r.name, str(r.versions), r.syntax, str(r.runs), f"{r.updated_at:%Y-%m-%d} {r.updated_by}", r.note)
    console.print(table)


@search_app.command("versions")
@handle_errors
def versions(
    name: Annotated[str, typer.Argument(help="A saved strategy.")],
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Every version of a strategy, oldest first."""
    with opened(project, db=db) as p:
        rows = service.list_versions(p, name)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    for r in rows:
        console.print(
            f"[bold]version {r.version}[/] {r.syntax} · {r.created_at:%Y-%m-%d %H:%M} · {r.created_by}", highlight=False
        )
        if r.note:
            console.print(f"  note: {r.note}", highlight=False)
        console.print(r.text, highlight=False, markup=False)


@log_app.callback()
@handle_errors
def log(
    ctx: typer.Context,
    appendix: Annotated[bool, typer.Option("--appendix", help="The PRISMA-S appendix (Markdown): each strategy as run.")] = False,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The search log: database, interface, date, strategy as run, limits, hits, records imported, file."""
    if ctx.invoked_subcommand is not None:
        return
    with opened(project, db=db) as p:
        if appendix:
            typer.echo(log_service.prisma_s_appendix(p), nl=False)
            return
        runs = log_service.search_log(p)
    table = log_service.table_of(runs)
    if json_out:
        print_json([r.to_json() for r in runs])
        return
    grid = Table("#", *table.columns)
    for run, row in zip(runs, table.rows, strict=True):
        first = row[3].splitlines()[0] if row[3] else ""
        short = first[:60] + ("…" if len(first) > 60 or "\n" in row[3] else "")  # in full: --appendix or --json
        grid.add_row(str(run.id), *row[:3], short, *row[4:])
    console.print(grid)


@log_app.command("add")
@handle_errors
def log_add(
    database: Annotated[str, typer.Option("--database", help="The database searched, e.g. PsycINFO.")],
    interface: Annotated[str, typer.Option("--interface", help="The platform, e.g. Ovid, EBSCOhost, ProQuest.")],
    date: Annotated[str, typer.Option("--date", help="The day it was run, YYYY-MM-DD.")],
    hits: Annotated[int, typer.Option("--hits", help="Records the database reported.")],
    strategy: Annotated[str | None, typer.Option("--strategy", help="A saved strategy, NAME or NAME@VERSION.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="The strategy exactly as run (typed by hand).")] = None,
    syntax: Annotated[str | None, typer.Option("--syntax", help="Its syntax (with --strategy: write it in this one).")] = None,
    import_id: Annotated[int | None, typer.Option("--import-id", help="The import (file) this search produced.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Import this export now, as this search's file.")] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="With --file: the source name (default 'DATABASE (INTERFACE)').")
    ] = None,
    limits: Annotated[str, typer.Option("--limits", help="Limits and filters applied, e.g. 'English; 2000-2015'.")] = "",
    notes: Annotated[str, typer.Option("--notes", help="Anything else a reader needs (PRISMA-S).")] = "",
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Log a search as run (and import its export with --file, in the same transaction)."""
    with opened(project, db=db) as p, progress_bar("Importing", None, enabled=file is not None and not json_out) as advance:
        run, imported = log_service.log_search(
            p, database=database, interface=interface, run_on=date, hits=hits, strategy=strategy, text=text,
            syntax=syntax, limits=limits, notes=notes, import_id=import_id, file=file, source=source, on_progress=advance,
        )  # fmt: skip
    if json_out:
        print_json({"search": run.to_json(), "import": imported.to_json() if imported else None})
        return
    what = f", file {run.file} ({run.records_imported:,} records)" if run.file else ""
    console.print(f"Logged search {run.id}: {run.database} via {run.interface} on {run.date}{what}.", highlight=False)


@log_app.command("link")
@handle_errors
def log_link(
    run_id: Annotated[int, typer.Argument(metavar="SEARCH", help="The search's number in the log.")],
    import_id: Annotated[int, typer.Argument(metavar="IMPORT", help="The import (file) it produced.")],
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Attach the file a logged search produced, imported later with `qes import`."""
    with opened(project, db=db) as p:
        run = log_service.link_import(p, run_id, import_id)
    print_json(run.to_json()) if json_out else console.print(f"Search {run.id} ← import {run.import_id} ({run.file}).")


@search_app.command("online")
@handle_errors
def online(
    query: Annotated[str, typer.Argument(metavar="NAME|QUERY", help="A saved strategy (NAME[@VERSION]) or the query as typed.")],
    api: Annotated[str, typer.Option("--api", help=f"One of {', '.join(APIS)}.")],
    max_records: Annotated[int | None, typer.Option("--max", help="Fetch at most N records.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="The source name the records import under.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Your e-mail: NCBI's 'email', OpenAlex's 'mailto'.")] = None,
    api_key: Annotated[str | None, typer.Option("--api-key", envvar="QES_API_KEY", help="An NCBI or OpenAlex API key.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Another address for the API (a mirror).")] = None,
    again: Annotated[bool, typer.Option("--again", help="Import even if the same records were imported before.")] = False,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Run a search through PubMed's E-utilities or the OpenAlex API, import the records and log it."""
    with opened(project, db=db) as p:
        prepared = prepare_online_search(p, query, api, email=email, api_key=api_key, base_url=base_url)
        _print_messages(prepared.messages)
        total = prepared.hits if max_records is None else min(prepared.hits, max_records)
        if not json_out:
            err_console.print(f"{APIS[api][1]} reports {prepared.hits:,} records; fetching {total:,}.", highlight=False)
        with progress_bar(f"Fetching from {APIS[api][1]}", total, enabled=not json_out) as advance:
            run, imported = run_online_search(
                p, prepared, max_records=max_records, source=source, again=again, on_progress=advance
            )
    if json_out:
        print_json({"search": run.to_json(), "import": imported.to_json() if imported else None})
        return
    got = f"imported {imported.imported:,} records from {imported.file}" if imported else "nothing to import"
    console.print(f"Logged search {run.id} ({run.hits_reported:,} hits): {got}.", highlight=False)
