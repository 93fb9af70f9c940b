"""`qes demo quickstart --project DIR`: a ready project to explore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from qes.cli.common import JsonOpt, console, handle_errors, print_json
from qes.demo.quickstart import build_quickstart

demo_app = typer.Typer(help="Build demo projects.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(demo_app, name="demo")


@demo_app.command("quickstart")
@handle_errors
def quickstart(
    project: Annotated[Path, typer.Option("--project", "-p", help="Folder for the demo project.")] = Path("demo-project"),
    if_missing: Annotated[bool, typer.Option("--if-missing", help="Reuse the folder if it is already a project.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Review 000's reference list as a project, with an owner account to log in with."""
    info = build_quickstart(project, if_missing=if_missing)
    if json_out:
        print_json(info.__dict__)
        return
    verb = "Created" if info.created else "Using"
    console.print(f"{verb} demo project in {info.root}" + (f" ({info.records} records)" if info.created else ""))
    console.print(f"Log in as [bold]{info.email}[/] with password [bold]{info.password}[/]")


@demo_app.command("review000")
@handle_errors
def review000(
    project: Annotated[Path, typer.Option("--project", "-p", help="Folder for the demo project.")] = Path("review000"),
    password: Annotated[
        str | None, typer.Option("--password", help="Let EA (ea@review000.demo) sign in to the workbench with this password.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Review 000's screening replayed in numbers: 5,188 records, its decisions imported stage by stage."""
    from qes.demo.review000 import build_review000
    from qes.services.prisma import prisma_counts
    from qes.services.project import opened

    demo = build_review000(project, password=password)
    with opened(demo.root) as p:
        counts = prisma_counts(p)
    if json_out:
        print_json({"root": str(demo.root), "decisions_file": str(demo.decisions_file), "prisma": counts})
        return
    console.print(
        f"Review 000 replay in {demo.root}: {counts['records_screened']} records screened, "
        f"{counts['records_excluded']} excluded on titles and abstracts, {counts['dbr_assessed']} full texts assessed, "
        f"{counts['new_studies']} studies included."
    )


@demo_app.command("reciprocity")
@handle_errors
def reciprocity(
    project: Annotated[Path, typer.Option("--project", "-p", help="Folder for the demo project.")] = Path("reciprocity"),
    if_missing: Annotated[bool, typer.Option("--if-missing", help="Reuse the folder if it is already a project.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Review 000 rebuilt: screening in numbers, 11 studies, Table 1, the reciprocity codebook and coding (Table 2)."""
    from qes.demo.reciprocity import build_reciprocity

    demo = build_reciprocity(project, if_missing=if_missing)
    _report_demo(demo, json_out, "Review 000 (reciprocity)")


@demo_app.command("helpful-relationships")
@handle_errors
def helpful_relationships(
    project: Annotated[Path, typer.Option("--project", "-p", help="Folder for the demo project.")] = Path(
        "helpful-relationships"
    ),
    if_missing: Annotated[bool, typer.Option("--if-missing", help="Reuse the folder if it is already a project.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Review 001 rebuilt: screening in numbers, 21 studies, Table 1, ten themes, coding, grid, line of argument."""
    from qes.demo.helpful_relationships import build_helpful_relationships

    demo = build_helpful_relationships(project, if_missing=if_missing)
    _report_demo(demo, json_out, "Review 001 (helpful relationships)")


def _report_demo(demo: Any, json_out: bool, name: str) -> None:
    if json_out:
        print_json({k: str(v) if isinstance(v, Path) else v for k, v in demo.__dict__.items()})
        return
    if demo.created:
        console.print(
            f"{name} in {demo.root}: {demo.studies} studies, {demo.documents} documents, {demo.segments} coded segments.",
            highlight=False,
        )
    else:
        console.print(f"Using demo project in {demo.root}", highlight=False)
    console.print(f"Log in as [bold]{demo.email}[/] with password [bold]{demo.password}[/]")
