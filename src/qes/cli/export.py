"""`qes export qdpx|qdc|audit --out FILE` and `qes export included --format ris|bibtex|csv --out FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from qes.cli.common import AsOpt, DbOpt, ProjectOpt, console, handle_errors
from qes.cli.report import write_output
from qes.errors import UserError
from qes.reporting.audit import FORMATS as AUDIT_FORMATS
from qes.services.audit import export_audit
from qes.services.project import opened
from qes.services.report import INCLUDED_FORMATS, export_included, export_refi

export_app = typer.Typer(
    help="Exports: REFI-QDA project and codebook, the audit trail, the included studies.", no_args_is_help=True
)
OutFile = Annotated[Path, typer.Option("--out", help="Write to this file.")]


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")


@export_app.command("qdpx")
@handle_errors
def qdpx(out: OutFile, project: ProjectOpt = None, db: DbOpt = None) -> None:
    """A REFI-QDA project (.qdpx): documents, codebook, coded segments (NVivo, ATLAS.ti, MAXQDA, QualCoder)."""
    with opened(project, db=db) as p:
        export_refi(p, "qdpx", out)
    console.print(f"REFI-QDA project written to {out}")


@export_app.command("qdc")
@handle_errors
def qdc(out: OutFile, project: ProjectOpt = None, db: DbOpt = None) -> None:
    """The codebook as REFI-QDA codebook (.qdc)."""
    with opened(project, db=db) as p:
        export_refi(p, "qdc", out)
    console.print(f"REFI-QDA codebook written to {out}")


@export_app.command("audit")
@handle_errors
def audit(
    out: OutFile,
    fmt: Annotated[str | None, typer.Option("--format", help="csv or jsonl (default: from the file name, else csv).")] = None,
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
) -> None:
    """Every event (who, when, action, entity, data, why), through the blind rule of screening."""
    fmt = fmt or ("jsonl" if out.suffix.lower() in (".jsonl", ".ndjson") else "csv")
    if fmt not in AUDIT_FORMATS:
        raise UserError(f"--format {fmt!r}: the audit trail is written as {', '.join(AUDIT_FORMATS)}")
    written = 0
    with opened(project, db=db, actor=as_) as p:

        def write(stream: Any) -> None:
            nonlocal written
            written = export_audit(p, fmt, stream, viewer=p.actor)

        write_output(out, False, write)
    console.print(f"{written} events written to {out}")


@export_app.command("included")
@handle_errors
def included(
    out: OutFile,
    fmt: Annotated[str, typer.Option("--format", help="ris, bibtex or csv.")] = "ris",
    project: ProjectOpt = None,
    db: DbOpt = None,
) -> None:
    """The included studies' records as RIS, BibTeX or CSV."""
    if fmt not in INCLUDED_FORMATS:
        raise UserError(f"--format {fmt!r}: included studies are written as {', '.join(INCLUDED_FORMATS)}")
    written = 0
    with opened(project, db=db) as p:

        def write(stream: Any) -> None:
            nonlocal written
            written = export_included(p, fmt, stream)

        write_output(out, False, write)
    console.print(f"{written} included records written to {out}")
