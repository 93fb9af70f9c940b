"""`qes records list | show ID | export`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qes.cli.common import DbOpt, JsonOpt, ProjectOpt, console, handle_errors, print_json
from qes.services.project import opened
from qes.services.records import export_records, get_record, list_records

records_app = typer.Typer(help="List, show and export the project's records.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(records_app, name="records")


@records_app.command("list")
@handle_errors
def list_(
    query: Annotated[
        str, typer.Option("--query", "-q", help="Words that must all occur (title, authors, journal, DOI, id, year).")
    ] = "",
    limit: Annotated[int, typer.Option(min=1, max=100000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List records (with --query to search)."""
    with opened(project, db=db) as p:
        result = list_records(p, query=query, limit=limit, offset=offset)
    if json_out:
        print_json({"total": result.total, "records": [r.__dict__ for r in result.records]})
        return
    table = Table("id", "first author", "year", "title", "source", title=f"{result.total} records")
    for r in result.records:
        table.add_row(str(r.id), r.first_author, str(r.year or ""), r.title[:90], r.source)
    console.print(table)


@records_app.command("show")
@handle_errors
def show(
    record_id: Annotated[str, typer.Argument(help="Record id, as shown by 'qes records list'.")],
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """One record: canonical fields and provenance (file, source, tag of each field, raw record)."""
    with opened(project, db=db) as p:
        detail = get_record(p, record_id)
    data = detail.to_json()
    if json_out:
        print_json(data)
        return
    rec = detail.record
    console.print(f"[bold]Record {detail.id}[/] ({detail.status})")
    console.print(f"[bold]{rec.title}[/]", highlight=False)
    console.print("; ".join(a.display() for a in rec.authors), highlight=False)
    table = Table("field", "value", "from tag", show_header=True)
    for name, value in data.items():
        if name in {"provenance", "title", "authors", "id", "status"} or value in ("", None, []):
            continue
        shown = "; ".join(value) if isinstance(value, list) else str(value)
        table.add_row(name, shown[:300], ", ".join(detail.provenance.field_tags.get(name, [])))
    console.print(table)
    prov = detail.provenance
    console.print(
        f"From {prov.file} (source '{prov.source}', {prov.format}, record {prov.position}, "
        f"line {prov.line}, id {prov.source_record_id or '-'})"
    )
    console.print(f"Raw record: {len(prov.raw)} tags (use --json to see them all)")


@records_app.command("export")
@handle_errors
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="ris | bibtex | csv | asreview")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")] = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Export every record of the project."""
    with opened(project, db=db) as p:
        if out is None:
            n = export_records(p, fmt, sys.stdout)
        else:
            tmp = out.with_name(out.name + ".part")
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                n = export_records(p, fmt, fh)
            tmp.replace(out)  # never leave a half-written export under the real name
    if json_out:
        print_json({"exported": n, "format": fmt, "out": str(out) if out else None})
    elif out is not None:
        console.print(f"Exported {n} records to {out} ({fmt}).")
