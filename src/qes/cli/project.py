"""`qes init`, `qes status`, `qes import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qes.cli.common import DbOpt, JsonOpt, ProjectOpt, console, err_console, handle_errors, print_json, progress_bar
from qes.services.importing import import_file, import_reports
from qes.services.project import init_project, opened


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)
    app.command("import")(import_)


@handle_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the project in.")],
    name: Annotated[str | None, typer.Option(help="Project name (default: the folder's name).")] = None,
    db: DbOpt = None,
    project: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Create a project folder: qes.toml and the project store (SQLite by default)."""
    target = (project / directory) if project and not directory.is_absolute() else directory
    p = init_project(target, name=name, database=db)
    try:
        if json_out:
            print_json({"project": p.config.name, "root": str(p.root), "database": p.store.dialect})
        else:
            console.print(f"Created project [bold]{p.config.name}[/] in {p.root} ({p.store.dialect}).")
            console.print(f"Next: cd {p.root} && qes import FILE --source 'DATABASE (INTERFACE)'")
    finally:
        p.close()


@handle_errors
def status(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Records per source and per stage."""
    from qes.services.status import project_status  # loads the screening stages: not for `qes import`

    with opened(project, db=db) as p:
        st = project_status(p)
    if json_out:
        print_json(st.to_json())
        return
    console.print(f"[bold]{st.project}[/] — {st.records} records ({st.database})")
    table = Table("source", "searched", "files", "records", "hits reported", "duplicates removed")
    for s in st.sources:
        table.add_row(
            s["source"],
            s["searched"] or "",
            str(s["files"]),
            str(s["records"]),
            "" if s["hits_reported"] is None else str(s["hits_reported"]),
            str(s["duplicates_removed"]),
        )
    console.print(table)
    if st.dedupe["duplicates_removed"] or st.dedupe["pairs_to_review"]:
        console.print(
            f"{st.dedupe['unique']} unique records after removing {st.dedupe['duplicates_removed']} duplicates; "
            f"{st.dedupe['pairs_to_review']} pairs to review (`qes dedupe review`)"
        )
    for s in st.screening:
        console.print(
            f"stage {s['stage']} ({s['kind']}): {s['records']} records, {s['resolved']} resolved "
            f"({s['include']} include, {s['exclude']} exclude, {s['maybe']} maybe), {s['conflicts']} in conflict",
            highlight=False,
        )
    if st.stages:
        console.print("by status: " + ", ".join(f"{k} {v}" for k, v in sorted(st.stages.items())))


@handle_errors
def import_(
    file: Annotated[
        Path | None, typer.Argument(help="The export file (RIS, PubMed/MEDLINE, WoS, BibTeX, EndNote XML, CSV, OpenAlex JSON).")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", "-s", help="Database as searched, e.g. 'PsycINFO (Ovid)'.")] = None,
    searched: Annotated[str | None, typer.Option(help="Date the search was run (YYYY-MM-DD).")] = None,
    again: Annotated[bool, typer.Option("--again", help="Import a file whose contents were imported before.")] = False,
    fmt: Annotated[str | None, typer.Option("--format", help="Skip detection and read as this format.")] = None,
    report: Annotated[
        bool, typer.Option("--report", help="List the per-record warnings (of this import, or of every import when no FILE).")
    ] = False,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import one database export: every record or, on any unreadable record, none."""
    with opened(project, db=db) as p:
        if file is None:
            if not report:
                raise typer.BadParameter("give the FILE to import (or --report to list earlier imports' warnings)")
            reports = import_reports(p)
            if json_out:
                print_json([r.__dict__ for r in reports])
            else:
                for r in reports:
                    console.print(
                        f"[bold]import {r.import_id}[/] {r.file} ({r.source}, {r.format}): "
                        f"{r.records} records, {len(r.warnings)} warnings"
                    )
                    for w in r.warnings:
                        console.print(f"  {w}", highlight=False)
            return
        if not source:
            raise typer.BadParameter("--source is required: name the database as searched, e.g. 'PsycINFO (Ovid)'")
        with progress_bar(f"Importing {file.name}", None, enabled=not json_out) as advance:
            result = import_file(p, file, source=source, searched=searched, again=again, fmt=fmt, on_progress=advance)
    if json_out:
        print_json(result.to_json())
        return
    console.print(
        f"Imported [bold]{result.imported}[/] records from {result.file} "
        f"({result.format}, {result.encoding}) as '{result.source}'."
    )
    if result.warnings:
        console.print(f"[yellow]{len(result.warnings)} warnings[/]" + ("" if report else " (see qes import --report)"))
        if report:
            for w in result.warnings:
                err_console.print(f"  {w}", highlight=False)
