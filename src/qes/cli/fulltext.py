"""`qes fulltext attach|not-retrieved|list|show`: reports sought, retrieved or not, and their text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qes.cli.common import AsOpt, DbOpt, JsonOpt, ProjectOpt, console, handle_errors, print_json, who_is
from qes.errors import NotFound
from qes.services import fulltext as service
from qes.services.project import opened

fulltext_app = typer.Typer(
    help="Full texts: attach PDFs, record reports not retrieved, read extracted text.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(fulltext_app, name="fulltext")


@fulltext_app.command("attach")
@handle_errors
def attach(
    record: Annotated[int, typer.Argument(help="qes record id.")],
    file: Annotated[Path, typer.Argument(help="The PDF.")],
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Attach a PDF: stored in the project (by SHA-256), its text kept page by page."""
    who = who_is(as_, "is screening")
    with opened(project, db=db, actor=who) as p:
        info = service.attach_file(p, record, file, actor=who)
    if json_out:
        print_json(info.__dict__)
    else:
        console.print(
            f"record {record}: {info.file_name} attached ({info.pages} pages, sha256 {info.sha256[:12]}…)", highlight=False
        )


@fulltext_app.command("not-retrieved")
@handle_errors
def not_retrieved(
    record: Annotated[int, typer.Argument(help="qes record id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the report could not be obtained.")],
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record that a report was sought but not retrieved (PRISMA), and why."""
    who = who_is(as_, "is screening")
    with opened(project, db=db, actor=who) as p:
        info = service.mark_not_retrieved(p, record, reason=reason, actor=who)
    print_json(info.__dict__) if json_out else console.print(f"record {record}: not retrieved ({info.reason})", highlight=False)


@fulltext_app.command("list")
@handle_errors
def list_(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Full texts attached or marked not retrieved."""
    with opened(project, db=db) as p:
        rows = service.list_fulltexts(p)
    if json_out:
        print_json(rows)
        return
    table = Table("record", "status", "file / reason", "pages", "title")
    for r in rows:
        detail = r["file_name"] if r["status"] == "retrieved" else r["reason"]
        table.add_row(str(r["record_id"]), r["status"], detail, str(r["pages"] or ""), r["title"][:70])
    console.print(table)


@fulltext_app.command("show")
@handle_errors
def show(
    record: Annotated[int, typer.Argument(help="qes record id.")],
    page: Annotated[int | None, typer.Option("--page", help="Only this page.")] = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The text extracted from a record's PDF, with page numbers."""
    with opened(project, db=db) as p:
        pages = service.fulltext_pages(p, record)
    if page is not None:
        pages = [x for x in pages if x["page"] == page]
        if not pages:
            raise NotFound(f"record {record}'s full text has no page {page}")
    if json_out:
        print_json(pages)
        return
    for x in pages:
        console.rule(f"page {x['page']}")
        console.print(x["text"], highlight=False, markup=False)
