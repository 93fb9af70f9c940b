"""`qes protocol show|set`, `qes criterion add|list`, `qes stage add|list`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from qes.cli.common import DbOpt, JsonOpt, ProjectOpt, console, handle_errors, print_json
from qes.screening.highlight import parse_terms
from qes.services import protocol as service
from qes.services.project import opened

protocol_app = typer.Typer(help="The review question and the terms highlighted while screening.", no_args_is_help=True)
criterion_app = typer.Typer(
    help="Inclusion and exclusion criteria (the checklist, and the reasons to exclude).", no_args_is_help=True
)
stage_app = typer.Typer(help="Screening stages, run in the order added.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(protocol_app, name="protocol")
    app.add_typer(criterion_app, name="criterion")
    app.add_typer(stage_app, name="stage")


@protocol_app.command("show")
@handle_errors
def protocol_show(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Question, criteria, stages and highlighted terms."""
    with opened(project, db=db) as p:
        data = service.protocol(p)
    if json_out:
        print_json(data)
        return
    console.print(f"[bold]Question:[/] {data['question'] or '(not set: qes protocol set --question ...)'}", highlight=False)
    for c in data["criteria"]:
        console.print(
            f"  {c['code']:>6} [{'green' if c['kind'] == 'inclusion' else 'red'}]{c['kind']}[/]  {c['text']}", highlight=False
        )
    for s in data["stages"]:
        mode = "blind" if s["blind"] else "open"
        console.print(
            f"  stage {s['position'] + 1}: {s['name']} ({s['kind']}, {s['reviewers']} reviewer(s), {mode})", highlight=False
        )
    terms = data["terms"]
    if terms["include"] or terms["exclude"]:
        console.print(f"  terms: +{', '.join(terms['include'])}  -{', '.join(terms['exclude'])}", highlight=False)


@protocol_app.command("set")
@handle_errors
def protocol_set(
    question: Annotated[str | None, typer.Option("--question", help="The review question.")] = None,
    terms: Annotated[
        str | None, typer.Option("--terms", help="Terms to highlight as relevant, e.g. 'recipr*, mental health'.")
    ] = None,
    exclude_terms: Annotated[str | None, typer.Option("--exclude-terms", help="Terms to highlight as signs to exclude.")] = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Set the question and the highlighted terms (truncation with *, phrases with spaces)."""
    with opened(project, db=db) as p:
        data = service.set_protocol(
            p,
            question=question,
            include_terms=None if terms is None else list(parse_terms(terms)),
            exclude_terms=None if exclude_terms is None else list(parse_terms(exclude_terms)),
        )
    print_json(data) if json_out else console.print("Protocol updated.")


@criterion_app.command("add")
@handle_errors
def criterion_add(
    code: Annotated[str, typer.Argument(metavar="ID", help="Short id reviewers use, e.g. E1.")],
    text: Annotated[str, typer.Argument(help="The criterion as worded in the protocol.")],
    inclusion: Annotated[bool, typer.Option("--inclusion/--exclusion", help="An inclusion or an exclusion criterion.")] = False,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add (or reword) a criterion. Protocol order is the order reasons are applied in."""
    with opened(project, db=db) as p:
        info = service.add_criterion(p, code, text, inclusion=inclusion)
    print_json(info.__dict__) if json_out else console.print(f"{info.kind} criterion {info.code}: {info.text}", highlight=False)


@criterion_app.command("list")
@handle_errors
def criterion_list(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """The protocol's criteria."""
    with opened(project, db=db) as p:
        rows = service.list_criteria(p)
    if json_out:
        print_json([c.__dict__ for c in rows])
        return
    table = Table("id", "kind", "text")
    for c in rows:
        table.add_row(c.code, c.kind, c.text)
    console.print(table)


@stage_app.command("add")
@handle_errors
def stage_add(
    name: Annotated[str, typer.Argument(help="Stage name, e.g. titles, abstracts, fulltext.")],
    kind: Annotated[str, typer.Option("--kind", help="titles | abstracts | title-abstract | fulltext")],
    reviewers: Annotated[int, typer.Option("--reviewers", min=1, max=3, help="Reviewers per record (1-3).")] = 2,
    blind: Annotated[
        bool, typer.Option("--blind/--open", help="Reviewers cannot see each other's decisions until resolved.")
    ] = True,
    maybe: Annotated[
        bool | None, typer.Option("--maybe/--no-maybe", help="Allow 'maybe' (default: yes, except at full text).")
    ] = None,
    maybe_advances: Annotated[
        bool | None,
        typer.Option("--maybe-advances/--maybe-needs-decision", help="Whether an agreed 'maybe' goes on to the next stage."),
    ] = None,
    reason_required: Annotated[
        bool | None,
        typer.Option("--reason-required/--reason-optional", help="Excluding needs a criterion (default: at full text)."),
    ] = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a stage after the existing ones."""
    with opened(project, db=db) as p:
        info = service.add_stage(
            p,
            name,
            kind=kind,
            reviewers=reviewers,
            blind=blind,
            allow_maybe=maybe,
            maybe_advances=maybe_advances,
            reason_required=reason_required,
        )
    if json_out:
        print_json(info.__dict__)
    else:
        console.print(
            f"Stage {info.position + 1}: {info.name} ({info.kind}), {info.reviewers} reviewer(s) per record, "
            f"{'blind' if info.blind else 'open'}",
            highlight=False,
        )


@stage_app.command("list")
@handle_errors
def stage_list(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Stages in order, with their rules."""
    with opened(project, db=db) as p:
        stages = service.list_stages(p)
    if json_out:
        print_json([s.__dict__ for s in stages])
        return
    table = Table("#", "name", "kind", "reviewers", "blind", "maybe", "maybe advances", "reason required")
    for s in stages:
        table.add_row(
            str(s.position + 1),
            s.name,
            s.kind,
            str(s.reviewers),
            *(("yes" if v else "no") for v in (s.blind, s.allow_maybe, s.maybe_advances, s.reason_required)),
        )
    console.print(table)
