"""`qes grid set|show`, `qes synthesis set|show`, `qes finding add|set|list` (tables: `qes report matrix|grid|soqf`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from qes.cli.common import DbOpt, JsonOpt, ProjectOpt, console, handle_errors, print_json
from qes.errors import UserError
from qes.services import synthesis as service
from qes.services.project import opened

grid_app = typer.Typer(help="The meta-ethnography translation grid: concepts × studies.", no_args_is_help=True)
synthesis_app = typer.Typer(
    help="Lines of argument, third-order constructs, narrative synthesis; the matrix.", no_args_is_help=True
)
finding_app = typer.Typer(help="Review findings and their GRADE-CERQual assessment.", no_args_is_help=True)

ComponentOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--component",
        "-c",
        help="COMPONENT=CONCERN:EXPLANATION, e.g. coherence=minor:'two studies disagree'. Components: "
        "methodological_limitations, coherence, adequacy, relevance; concerns: no_or_very_minor, minor, moderate, serious.",
    ),
]


def register(app: typer.Typer) -> None:
    app.add_typer(grid_app, name="grid")
    app.add_typer(synthesis_app, name="synthesis")
    app.add_typer(finding_app, name="finding")


@grid_app.command("set")
@handle_errors
def grid_set(
    concept: Annotated[str, typer.Argument(help="The concept: its name, or 'Theme > Concept' when names repeat.")],
    study: Annotated[str, typer.Argument(help="The study: its label, '[21]' or '#id'.")],
    text: Annotated[str, typer.Option("--text", help="The study's own term, metaphor or quote for the concept.")],
    reciprocal: Annotated[bool, typer.Option("--reciprocal", help="Mark: translates into the other studies' accounts.")] = False,
    refutational: Annotated[bool, typer.Option("--refutational", help="Mark: contradicts the other studies' accounts.")] = False,
    segment: Annotated[
        list[int] | None, typer.Option("--segment", help="A coded segment the cell comes from (repeatable).")
    ] = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write one cell of the translation grid."""
    if reciprocal and refutational:
        raise UserError("a cell is --reciprocal or --refutational, not both")
    relation = "reciprocal" if reciprocal else "refutational" if refutational else ""
    with opened(project, db=db) as p:
        cell = service.set_grid_cell(p, concept, study, text=text, relation=relation, segment_ids=segment or [])
    if json_out:
        print_json(cell.to_json())
        return
    mark = f" ({cell.relation})" if cell.relation else ""
    console.print(f"{cell.concept} × {cell.study}{mark}: {cell.text}", highlight=False)


@grid_app.command("show")
@handle_errors
def grid_show(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Every filled cell, concept by concept, with its mark and segments."""
    with opened(project, db=db) as p:
        view = service.grid_view(p)
    if json_out:
        print_json(view.to_json())
        return
    table = Table("concept", "study", "relation", "text", "segments", title="Translation grid")
    order = {c.id: n for n, c in enumerate(view.concepts)}
    for cell in sorted(view.cells, key=lambda c: (order.get(c.concept_id, 0), c.study)):
        table.add_row(cell.concept, cell.study, cell.relation, cell.text, ", ".join(map(str, cell.segment_ids)))
    console.print(table)


@synthesis_app.command("set")
@handle_errors
def synthesis_set(
    kind: Annotated[str, typer.Argument(help="line_of_argument, third_order, overarching or narrative.")],
    title: Annotated[str, typer.Argument(help="Its title (setting the same kind and title again rewrites it).")],
    text: Annotated[str, typer.Option("--text", help="The synthesis itself.")],
    concept: Annotated[list[str] | None, typer.Option("--concept", help="A concept it synthesises (repeatable).")] = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a line of argument or a third-order construct, linked to the concepts it synthesises."""
    with opened(project, db=db) as p:
        info = service.set_synthesis(p, kind, title, text=text, concepts=concept or [])
    if json_out:
        print_json(info.to_json())
        return
    console.print(f"{info.kind} {info.title!r} saved ({len(info.concepts)} concept(s)).", highlight=False)


@synthesis_app.command("show")
@handle_errors
def synthesis_show(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """The matrix's frequency words and every line of argument / third-order construct."""
    with opened(project, db=db) as p:
        words = service.frequency_words(p)
        texts = service.list_syntheses(p)
    if json_out:
        print_json({"frequency": words, "syntheses": [t.to_json() for t in texts]})
        return
    for w in words:
        console.print(f"{w['theme']}: {w['word']} ({w['studies']} of {w['of']} studies)", highlight=False)
    for t in texts:
        console.print(
            f"\n[bold]{t.title}[/] ({t.kind}; {', '.join(t.concepts) or 'no concepts linked'})\n{t.text}", highlight=False
        )


@synthesis_app.command("tabulate")
@handle_errors
def synthesis_tabulate(
    field: Annotated[str, typer.Argument(help="An extraction field's key: country, design, context ...")],
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Studies counted by one study characteristic (the extraction's final values)."""
    with opened(project, db=db) as p:
        table = service.characteristics_table(p, field)
    if json_out:
        print_json({"title": table.title, "rows": table.as_dicts(), "notes": list(table.notes)})
        return
    shown = Table(*table.columns, title=table.title)
    for row in table.rows:
        shown.add_row(*row)
    console.print(shown)
    for note in table.notes:
        console.print(note, style="dim", highlight=False)


def _components(values: list[str] | None) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for value in values or []:
        name, sep, rest = value.partition("=")
        if not sep or not name.strip() or not rest.strip():
            raise UserError(f"--component {value!r}: write COMPONENT=CONCERN:EXPLANATION, e.g. coherence=minor:'...'")
        concern, _, explanation = rest.partition(":")
        out[name.strip()] = (concern.strip(), explanation.strip())
    return out


def _print_finding(info: service.FindingInfo) -> None:
    console.print(f"[bold]{info.number}.[/] {info.statement}", highlight=False)
    for name, part in info.components.items():
        console.print(f"   {name}: {part['concern']}  {part['explanation']}", highlight=False)
    overall = info.overall or "not assessed"
    console.print(f"   overall: {overall} (suggested {info.suggested})  {info.why}", highlight=False)
    if info.studies:
        console.print(f"   studies: {'; '.join(info.studies)}", highlight=False)


def _finding_options(
    number: int | None,
    statement: str | None,
    concept: str | None,
    study: list[str] | None,
    segment: list[int] | None,
    component: list[str] | None,
    overall: str | None,
    why: str | None,
    project: ProjectOpt,
    db: DbOpt,
    json_out: bool,
) -> None:
    with opened(project, db=db) as p:
        info = service.set_finding(
            p,
            number,
            statement=statement,
            concept=concept,
            studies=study,
            segment_ids=segment,
            components=_components(component),
            overall=overall,
            why=why,
        )
    print_json(info.to_json()) if json_out else _print_finding(info)


StatementOpt = Annotated[str | None, typer.Option("--statement", help="The review finding, as the SoQF table states it.")]
ConceptOpt = Annotated[str | None, typer.Option("--concept", help="The theme or concept the finding summarises.")]
StudyOpt = Annotated[list[str] | None, typer.Option("--study", help="A contributing study (repeatable).")]
SegmentOpt = Annotated[list[int] | None, typer.Option("--segment", help="A segment behind the finding (repeatable).")]
OverallOpt = Annotated[str | None, typer.Option("--overall", help="high, moderate, low or very_low.")]
WhyOpt = Annotated[str | None, typer.Option("--why", help="Why this overall confidence (required below high).")]


@finding_app.command("add")
@handle_errors
def finding_add(
    statement: StatementOpt = None,
    concept: ConceptOpt = None,
    study: StudyOpt = None,
    segment: SegmentOpt = None,
    component: ComponentOpt = None,
    overall: OverallOpt = None,
    why: WhyOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a finding (numbered after the others), optionally assessed at once."""
    _finding_options(None, statement, concept, study, segment, component, overall, why, project, db, json_out)


@finding_app.command("set")
@handle_errors
def finding_set(
    number: Annotated[int, typer.Argument(metavar="N", help="The finding's number.")],
    statement: StatementOpt = None,
    concept: ConceptOpt = None,
    study: StudyOpt = None,
    segment: SegmentOpt = None,
    component: ComponentOpt = None,
    overall: OverallOpt = None,
    why: WhyOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Change finding N: what is given replaces what was there (components one by one)."""
    _finding_options(number, statement, concept, study, segment, component, overall, why, project, db, json_out)


@finding_app.command("list")
@handle_errors
def finding_list(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Every finding with its CERQual components and overall confidence."""
    with opened(project, db=db) as p:
        findings = service.list_findings(p)
    if json_out:
        print_json([f.to_json() for f in findings])
        return
    if not findings:
        console.print("No findings yet (qes finding add --statement ...).")
    for info in findings:
        _print_finding(info)
