"""`qes report prisma --format json [--out FILE]`: reports derived from the project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from qes.cli.common import DbOpt, ProjectOpt, console, handle_errors, print_json
from qes.errors import UserError
from qes.services.prisma import prisma_counts
from qes.services.project import opened

report_app = typer.Typer(help="Reports derived from the project (PRISMA 2020 flow counts).", no_args_is_help=True)
FORMATS = ("json",)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


@report_app.command("prisma")
@handle_errors
def prisma(
    fmt: Annotated[str, typer.Option("--format", help="json (data names of the PRISMA2020 R package).")] = "json",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file (default: print).")] = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
) -> None:
    """PRISMA 2020 flow counts: identified, duplicates, screened, excluded, sought, assessed, excluded with reasons, included."""
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt!r}: this version writes {', '.join(FORMATS)}")
    with opened(project, db=db) as p:
        counts = prisma_counts(p)
    if out is None:
        print_json(counts)
        return
    try:
        out.write_text(json.dumps(counts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{out}: cannot write: {exc.strerror}") from None
    console.print(f"PRISMA counts written to {out}")
