"""`qes screen` (one record at a time, single keys), `screen pilot|decide|import-decisions`,
`qes conflicts`, `qes resolve`, `qes agreement`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from qes.cli.common import AsOpt, DbOpt, JsonOpt, ProjectOpt, console, handle_errors, print_json, progress_bar, who_is
from qes.errors import UserError
from qes.services import priority, screening_stages, stopping
from qes.services import screening as service
from qes.services.agreement import agreement as agreement_of
from qes.services.project import Project, opened
from qes.services.protocol import list_criteria, list_stages
from qes.services.screening_import import import_decisions

screen_app = typer.Typer(
    help="Screen records one at a time (qes screen --stage NAME --as EMAIL), or manage screening.",
    invoke_without_command=True,
)

StageOpt = Annotated[str | None, typer.Option("--stage", help="Stage name (default: the first stage).")]
ReasonOpt = Annotated[list[str] | None, typer.Option("--reason", "-r", help="Criterion id (repeat for several).")]
NoteOpt = Annotated[str, typer.Option("--note", help="A note kept with the decision.")]
HL_STYLE = {"include": "bold black on green3", "exclude": "bold white on red3"}


def register(app: typer.Typer) -> None:
    app.add_typer(screen_app, name="screen")
    app.command("conflicts")(conflicts)
    app.command("resolve")(resolve)
    app.command("agreement")(agreement)


def _styled(segments: list[tuple[str, str]] | None) -> Text:
    text = Text()
    for part, kind in segments or []:
        text.append(part, style=HL_STYLE.get(kind, ""))
    return text


def _key(prompt: str) -> str:
    console.print(prompt, end="", highlight=False)
    if sys.stdin.isatty():
        import click

        key = click.getchar()
    else:
        key = sys.stdin.readline()[:1] or "q"
    console.print(key)
    return key.lower()


def _ask_line(prompt: str) -> str:
    console.print(prompt, end="", highlight=False)
    return sys.stdin.readline().strip()


def _show(item: service.ScreeningItem) -> None:
    progress = item.progress
    console.rule(
        f"{item.stage} · record {item.record_id} · {progress.get('mine', 0)} done by you, "
        f"{progress.get('records', 0) - progress.get('resolved', 0)} unresolved" + (" · PILOT" if item.pilot else "")
    )
    console.print(_styled(item.title), style="bold")
    console.print(escape(" · ".join(str(x) for x in (item.authors, item.year, item.journal) if x)), style="dim")
    if item.abstract is not None:
        console.print(_styled(item.abstract) if item.abstract else Text("(no abstract)", style="dim"))
    if item.keywords:
        console.print(escape("Keywords: " + "; ".join(item.keywords)), style="dim")
    if item.fulltext:
        console.print(f"Full text: {item.fulltext['status']} {escape(item.fulltext.get('file_name') or '')}", style="dim")
    if item.mine:
        console.print(f"Your decision so far: {item.mine.decision} {' '.join(item.mine.reasons)}")


def priority_line(v: dict[str, Any]) -> str:
    """One line: the order, the estimated recall and the stopping rule's verdict."""
    parts = [f"{v['order']} order"]
    if v.get("recall_estimate") is not None:
        parts.append(
            f"estimated recall {v['recall_estimate']:.0%} "
            f"(≥ {v['recall_lower']:.0%} with {v['rule']['confidence']:.0%} confidence)"
        )
    parts.append(("safe to stop: " if v["safe"] else "keep screening: ") + v["reason"])
    return " · ".join(parts)


def _interactive(p: Project, stage: str | None, who: str, limit: int) -> int:
    stages = list_stages(p)
    stage_info = next((s for s in stages if s.name == stage), stages[0] if stages else None)
    if stage_info is None:
        raise UserError("this project has no screening stages yet: qes stage add NAME --kind ...")
    criteria = [c for c in list_criteria(p) if c.kind == "exclusion"] or list_criteria(p)
    keys = "[bold]i[/] include  [bold]e[/] exclude" + ("  [bold]m[/] maybe" if stage_info.allow_maybe else "")
    keys += "  [bold]s[/] skip  [bold]q[/] quit: "
    decided, skipped = 0, list[int]()
    with console.status("ranking the records by predicted relevance"):
        priority.refresh_ranking(p, stage_info.name, who)
    while not limit or decided < limit:
        item = service.next_item(p, stage_info.name, who, skip=skipped)
        if item is None:
            console.print(f"Nothing left for you at stage {stage_info.name!r}.")
            break
        _show(item)
        console.print(escape(priority_line(stopping.stopping_status(p, stage_info.name, who))), style="cyan")
        key = _key(keys)
        if key == "q":
            break
        if key == "s":
            skipped.append(item.record_id)
            continue
        choice = {"i": "include", "e": "exclude", "m": "maybe"}.get(key)
        if choice is None:
            console.print("Press i, e" + (", m" if stage_info.allow_maybe else "") + ", s or q.")
            continue
        reasons: list[str] = []
        if choice == "exclude" and criteria:
            for n, c in enumerate(criteria, 1):
                console.print(f"  {n}. {escape(c.code)}: {escape(c.text)}")
            answer = _ask_line(
                "Reason numbers or ids (space-separated" + (", required" if stage_info.reason_required else "") + "): "
            )
            for token in answer.replace(",", " ").split():
                reasons.append(criteria[int(token) - 1].code if token.isdigit() and 0 < int(token) <= len(criteria) else token)
        try:
            result = service.decide(p, stage_info.name, item.record_id, who, choice, reasons)
        except UserError as exc:
            console.print(f"[red]{escape(str(exc))}[/]")
            continue
        decided += 1
        priority.schedule_refresh(p, stage_info.name, who)  # the next-but-one record comes from the new ranking
        if result["state"] == "conflict":
            console.print("[yellow]Your decision differs from another reviewer's: the record goes to the adjudicator.[/]")
    priority.wait_idle()
    console.print(f"{decided} decision(s) recorded.")
    return decided


@screen_app.callback()
@handle_errors
def screen(
    ctx: typer.Context,
    stage: StageOpt = None,
    as_: AsOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="Stop after this many decisions (0: no limit).")] = 0,
    project: ProjectOpt = None,
    db: DbOpt = None,
) -> None:
    """Screen one record at a time: i include, e exclude (+ reasons), m maybe, s skip, q quit."""
    if ctx.invoked_subcommand is not None:
        return
    who = who_is(as_, "is screening")
    with opened(project, db=db, actor=who) as p:
        _interactive(p, stage, who, limit)


@screen_app.command("decide")
@handle_errors
def decide(
    record: Annotated[int, typer.Argument(help="qes record id.")],
    decision: Annotated[str, typer.Argument(help="include | exclude | maybe")],
    stage: StageOpt = None,
    as_: AsOpt = None,
    reason: ReasonOpt = None,
    note: NoteOpt = "",
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record one decision (or change your own, until the record is resolved)."""
    who = who_is(as_, "is screening")
    with opened(project, db=db, actor=who) as p:
        result = service.decide(p, stage, record, who, decision, reason or [], note)
    print_json(result) if json_out else console.print(f"record {record}: {result['decision']} ({result['state']})")


@screen_app.command("pilot")
@handle_errors
def pilot(
    n: Annotated[int, typer.Option("--n", help="Records in the pilot sample.")] = 50,
    stage: StageOpt = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (default: a fresh one, recorded).")] = None,
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Draw a random pilot sample; every reviewer screens it first. Check it with `qes agreement --pilot`."""
    with opened(project, db=db) as p:
        result = screening_stages.create_pilot(p, stage, n, seed=seed, actor=who_is(as_, "is screening"))
    if json_out:
        print_json(result)
    else:
        console.print(
            f"Pilot of {result['n']} records at stage {result['stage']!r} (seed {result['seed']}); "
            "they come first in `qes screen`. Then: qes agreement --pilot"
        )


@screen_app.command("import-decisions")
@handle_errors
def import_decisions_cmd(
    file: Annotated[
        Path,
        typer.Argument(help="CSV: record_id,stage,reviewer,decision,reasons,note — or a Covidence, Rayyan or ASReview export."),
    ],
    stage: Annotated[str | None, typer.Option("--stage", help="Stage for files without a stage column.")] = None,
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="Reviewer for files without a reviewer column.")] = None,
    decision: Annotated[str | None, typer.Option("--decision", help="Decision a Covidence list stands for.")] = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import earlier decisions: all rows or, if any row cannot be applied, none."""
    with (
        opened(project, db=db) as p,
        progress_bar(f"Importing decisions from {file.name}", None, enabled=not json_out) as advance,
    ):
        result = import_decisions(p, file, stage=stage, reviewer=reviewer, decision=decision, on_progress=advance)
    if json_out:
        print_json(result)
        return
    console.print(
        f"{result['rows']} rows ({result['layout']}): {result['votes_added']} decisions added, "
        f"{result['votes_changed']} changed, {result['unchanged']} unchanged, {result['adjudicated']} conflicts resolved."
    )
    for name, counts in result["resolved"].items():
        console.print(f"  {name}: resolved {counts['include']} include, {counts['exclude']} exclude, {counts['maybe']} maybe")


@handle_errors
def conflicts(
    stage: StageOpt = None, as_: AsOpt = None, project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False
) -> None:
    """Disagreements waiting for the adjudicator (reviewers see their own)."""
    who = who_is(as_, "is screening")
    with opened(project, db=db, actor=who) as p:
        found = service.conflicts(p, who, stage)
    if json_out:
        print_json([{**c.__dict__, "votes": [v.__dict__ for v in c.votes]} for c in found])
        return
    if not found:
        console.print("No conflicts.")
        return
    table = Table("stage", "record", "kind", "votes", "title")
    for c in found:
        votes = "; ".join(f"{v.reviewer}: {v.decision}{' ' + ','.join(v.reasons) if v.reasons else ''}" for v in c.votes)
        table.add_row(c.stage, str(c.record_id), c.kind, votes, c.title[:80])
    console.print(table)


@handle_errors
def resolve(
    record: Annotated[int, typer.Argument(help="qes record id.")],
    decision: Annotated[str, typer.Option("--decision", help="include | exclude (| maybe where it advances)")],
    stage: StageOpt = None,
    as_: AsOpt = None,
    reason: ReasonOpt = None,
    note: NoteOpt = "",
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Resolve a conflict with the final decision (adjudicator or owner)."""
    who = who_is(as_, "is screening")
    with opened(project, db=db, actor=who) as p:
        result = service.resolve_conflict(p, stage, record, who, decision, reason or [], note)
    print_json(result) if json_out else console.print(f"record {record} resolved: {result['decision']}")


@handle_errors
def agreement(
    stage: StageOpt = None,
    pilot: Annotated[bool, typer.Option("--pilot", help="Only the pilot sample.")] = False,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Agreement per reviewer pair: % agreement, Cohen's kappa (95% CI), PABAK, prevalence and bias indexes; Fleiss' kappa."""
    with opened(project, db=db) as p:
        result = agreement_of(p, stage, pilot=pilot)
    if json_out:
        print_json(result)
        return
    console.print(f"Stage {result['stage']!r}{' (pilot)' if pilot else ''}: {result['records']} records with all votes in")

    def fmt(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    # One column per reviewer pair: the e-mail addresses stay readable in a terminal's width.
    table = Table("", *(" & ".join(p["reviewers"]) for p in result["pairs"]))
    pairs = result["pairs"]
    ci = ["—" if p["kappa_ci_low"] is None else f"{p['kappa_ci_low']:.3f} to {p['kappa_ci_high']:.3f}" for p in pairs]
    table.add_row("records both screened", *(str(p["n"]) for p in pairs))
    table.add_row(
        "% agreement", *("—" if p["percent_agreement"] is None else f"{100 * p['percent_agreement']:.1f}" for p in pairs)
    )
    table.add_row("Cohen's kappa", *(fmt(p["kappa"]) for p in pairs))
    table.add_row("95% CI", *ci)
    for label, key in (("PABAK", "pabak"), ("prevalence index", "prevalence_index"), ("bias index", "bias_index")):
        table.add_row(label, *(fmt(p[key]) for p in pairs))
    console.print(table)
    if result["fleiss"]:
        f = result["fleiss"]
        console.print(f"Fleiss' kappa ({f['raters']} raters, {f['n']} records): {fmt(f['kappa'])}")
