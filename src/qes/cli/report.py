"""`qes report prisma|studies|matrix|grid|soqf|search-log|excluded|review --format FORMAT --out FILE`."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from qes.cli.common import AsOpt, DbOpt, ProjectOpt, console, handle_errors, print_json
from qes.errors import PermissionDenied, UserError
from qes.reporting.methods import WRITTEN
from qes.reporting.render import FORMATS as TABLE_FORMATS
from qes.reporting.render import render
from qes.services.prisma import RECORDABLE_LISTS, prisma_counts, record_prisma_numbers
from qes.services.project import opened
from qes.services.report import PRISMA_FORMATS, report_table, write_prisma
from qes.services.review import REVIEW_FORMATS, set_report_text, write_review

report_app = typer.Typer(
    help="Reports derived from the project: the PRISMA 2020 diagram, manuscript tables, the review report.", no_args_is_help=True
)
BINARY = {"png", "pdf", "docx"}
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write to this file.")]
TableFormat = Annotated[str, typer.Option("--format", help=f"One of {', '.join(TABLE_FORMATS)}.")]
TABLES = {
    "studies": "Table 1: characteristics of the included studies.",
    "matrix": "Table 2: themes × studies (✓, ✓ (in part)), with frequency words.",
    "grid": "The meta-ethnography translation grid (concepts × studies).",
    "soqf": "GRADE-CERQual Summary of Qualitative Findings.",
    "evidence-profile": "GRADE-CERQual Evidence Profile.",
    "search-log": "The search log (PRISMA-S): database, interface, date, strategy, hits, records imported.",
    "excluded": "Full texts excluded, with reasons.",
}


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


def write_output(out: Path, binary: bool, write: Callable[[IO[Any]], None]) -> None:
    """Write through a temporary file beside `out`, renamed into place: never a half-written file."""
    folder = out.parent if str(out.parent) else Path(".")
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=folder)
    except OSError as exc:
        raise UserError(f"{out}: cannot write: {exc.strerror}") from None
    try:
        stream: IO[Any] = os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8", newline="")
        with stream:
            write(stream)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@report_app.command("prisma")
@handle_errors
def prisma(
    fmt: Annotated[str, typer.Option("--format", help="json (PRISMA2020 R package data names), svg, png or pdf.")] = "json",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file (json: default prints).")] = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
) -> None:
    """The PRISMA 2020 flow: identified, removed, screened, excluded, sought, assessed, excluded with reasons, included."""
    if fmt not in PRISMA_FORMATS:
        raise UserError(f"--format {fmt!r}: the PRISMA report is written as {', '.join(PRISMA_FORMATS)}")
    with opened(project, db=db) as p:
        if out is None:
            if fmt != "json":
                raise UserError(f"--format {fmt} needs --out FILE")
            print_json(prisma_counts(p))
            return
        write_output(out, fmt in BINARY, lambda stream: write_prisma(p, fmt, stream))
    console.print(f"PRISMA {'counts' if fmt == 'json' else 'flow diagram'} written to {out}")


@report_app.command("prisma-record")
@handle_errors
def prisma_record(
    numbers: Annotated[
        list[str], typer.Argument(help="KEY=N pairs (PRISMA2020 data names, e.g. database_results=5587); KEY= forgets.")
    ],
    note: Annotated[str, typer.Option("--note", help="Where the numbers come from (required).")] = "",
    clear: Annotated[bool, typer.Option("--clear", help="Forget every recorded number first.")] = False,
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
) -> None:
    """Record PRISMA numbers for steps done outside qes (or the previous version of an updated review)."""
    values: dict[str, Any] = {}
    for pair in numbers:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UserError(f"{pair!r}: expected KEY=N")
        key = key.strip()
        if not value.strip():
            values[key] = None
        elif key in RECORDABLE_LISTS:
            try:
                values[key] = json.loads(value)
            except json.JSONDecodeError:
                raise UserError(f'{key}: expected JSON, e.g. \'[{{"reason": "Wrong population", "n": 35}}]\'') from None
        else:
            values[key] = value
    with opened(project, db=db, actor=as_) as p:
        recorded = record_prisma_numbers(p, values, note=note, clear=clear)
    print_json(recorded)


def _as_member(error: PermissionDenied) -> UserError:
    return UserError(f"{error} (say who you are: --as EMAIL, or set QES_USER)")


def _table_command(name: str, help_text: str) -> None:
    @handle_errors
    def command(
        fmt: TableFormat = "md",
        out: OutOpt = None,
        as_: AsOpt = None,
        project: ProjectOpt = None,
        db: DbOpt = None,
    ) -> None:
        if fmt not in TABLE_FORMATS:
            raise UserError(f"--format {fmt!r}: tables are written as {', '.join(TABLE_FORMATS)}")
        with opened(project, db=db, actor=as_) as p:
            try:
                table = report_table(p, name, viewer=p.actor)
            except PermissionDenied as exc:
                raise _as_member(exc) from None
        if out is None:
            if fmt == "docx":
                raise UserError("--format docx needs --out FILE")
            render(table, fmt, typer.get_text_stream("stdout"))
            return
        write_output(out, fmt in BINARY, lambda stream: render(table, fmt, stream))
        console.print(f"{table.title or name}: {len(table.rows)} rows written to {out}")

    command.__doc__ = help_text + " Formats: " + ", ".join(TABLE_FORMATS) + " (prints to stdout without --out)."
    report_app.command(name)(command)


for _name, _help in TABLES.items():
    _table_command(_name, _help)


@report_app.command("review")
@handle_errors
def review(
    out: Annotated[Path, typer.Option("--out", help="Write to this file.")],
    fmt: Annotated[str, typer.Option("--format", help="html or docx.")] = "html",
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
) -> None:
    """The review report: methods written from the project's facts, the PRISMA diagram, the tables, ENTREQ and eMERGe."""
    if fmt not in REVIEW_FORMATS:
        raise UserError(f"--format {fmt!r}: the review report is written as {', '.join(REVIEW_FORMATS)}")
    with opened(project, db=db, actor=as_) as p:
        try:
            write_output(out, fmt == "docx", lambda stream: write_review(p, fmt, stream))
        except PermissionDenied as exc:
            raise _as_member(exc) from None
    console.print(f"Review report written to {out}")


@report_app.command("text")
@handle_errors
def text(
    key: Annotated[str, typer.Argument(help=f"One of {', '.join(WRITTEN)}.")],
    passage: Annotated[str, typer.Argument(help="The text ('' removes it); '-' reads it from stdin.")],
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
) -> None:
    """Write a passage only the authors can write (rationale, limitations ...): the report prints it, the checklists count it."""
    if passage == "-":
        passage = typer.get_text_stream("stdin").read()
    with opened(project, db=db, actor=as_) as p:
        print_json(set_report_text(p, key, passage))
