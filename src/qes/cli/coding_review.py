"""`qes memo add|list`, `qes coding done|reopen|coders|agreement|reconcile` (registered by `qes.cli.coding`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from qes.cli.common import AsOpt, DbOpt, JsonOpt, ProjectOpt, console, handle_errors, print_json
from qes.errors import UserError
from qes.services import coding as service
from qes.services import coding_review as review
from qes.services.project import opened

DocArg = Annotated[int, typer.Argument(metavar="DOC", help="Document number (qes document list).")]
memo_app = typer.Typer(help="Memos on codes, segments, studies, documents or the project.", no_args_is_help=True)
coding_app = typer.Typer(help="Two coders: done marks, agreement per code, reconciliation.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(memo_app, name="memo")
    app.add_typer(coding_app, name="coding")


# --- memos, done marks, agreement, reconciliation -----------------------------------------------


@memo_app.command("add")
@handle_errors
def memo_add(
    text: Annotated[str, typer.Argument(help="The memo.")],
    code: Annotated[str | None, typer.Option("--code", help="On a code.")] = None,
    segment: Annotated[int | None, typer.Option("--segment", help="On a segment.")] = None,
    study: Annotated[str | None, typer.Option("--study", help="On a study.")] = None,
    document: Annotated[int | None, typer.Option("--document", help="On a document.")] = None,
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a memo (on the project when no target is given)."""
    targets = [
        (t, v) for t, v in (("code", code), ("segment", segment), ("study", study), ("document", document)) if v is not None
    ]
    if len(targets) > 1:
        raise UserError("a memo is on one thing: give at most one of --code, --segment, --study, --document")
    target, ref = targets[0] if targets else ("project", None)
    with opened(project, db=db, actor=as_) as p:
        data = service.add_memo(p, target, ref, text)
    print_json(data) if json_out else console.print(f"Memo {data['id']} on {escape(data['on'])}.", highlight=False)


@memo_app.command("list")
@handle_errors
def memo_list(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Every memo, oldest first."""
    with opened(project, db=db) as p:
        memos = service.list_memos(p)
    if json_out:
        print_json(memos)
        return
    for m in memos:
        on = m["target"] + (f" {m['target_id']}" if m["target_id"] else "")
        console.print(f"[dim]{m['at']} {m['author']} on {on}:[/] {escape(m['text'])}", highlight=False)


@coding_app.command("done")
@handle_errors
def coding_done(doc: DocArg, as_: AsOpt = None, project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Mark your coding of a document finished (others see it once every coder is done)."""
    with opened(project, db=db, actor=as_) as p:
        data = service.mark_done(p, doc)
    print_json(data) if json_out else console.print(
        f"Document {doc}: done by {', '.join(data['done_by'])}" + (" · closed" if data["all_done"] else "")
    )


@coding_app.command("reopen")
@handle_errors
def coding_reopen(
    doc: DocArg, as_: AsOpt = None, project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False
) -> None:
    """Take back your done mark (only while the document is not closed)."""
    with opened(project, db=db, actor=as_) as p:
        data = service.mark_done(p, doc, done=False)
    print_json(data) if json_out else console.print(f"Document {doc} reopened for you.")


@coding_app.command("coders")
@handle_errors
def coding_coders(
    n: Annotated[int, typer.Argument(metavar="N", help="Coders per document: 1, or 2 for independent double coding.")],
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """How many people code each document blind before anyone sees another's coding."""
    with opened(project, db=db, actor=as_) as p:
        data = service.set_coders_per_document(p, n)
    print_json(data) if json_out else console.print(f"Coders per document: {n}.")


@coding_app.command("agreement")
@handle_errors
def coding_agreement(
    first: Annotated[str | None, typer.Option("--first", help="First coder (default: the only pair).")] = None,
    second: Annotated[str | None, typer.Option("--second", help="Second coder.")] = None,
    unit: Annotated[str, typer.Option("--unit", help="character (as NVivo) | sentence.")] = "character",
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Agreement per code between two coders: Cohen's kappa, % agreement, Krippendorff's alpha."""
    with opened(project, db=db, actor=as_) as p:
        data = review.coding_agreement(p, first=first, second=second, unit=unit)  # type: ignore[arg-type]
    if json_out:
        print_json(data)
        return
    if not data["documents"]:
        console.print(data.get("note") or "No document both coders finished.")
        return
    console.print(f"{data['first']} vs {data['second']} · {data['documents']} documents · units: {data['unit']}s")
    table = Table("code", "units", "both", "first only", "second only", "% agree", "kappa", "alpha", "alpha (all coders)")
    fmt = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
    for r in data["codes"]:
        table.add_row(escape(r["code"]), str(r["units"]), str(r["both"]), str(r["first_only"]), str(r["second_only"]),
                      fmt(r["percent_agreement"]), fmt(r["kappa"]), fmt(r["alpha"]), fmt(r["alpha_all_coders"]))  # fmt: skip
    console.print(table)


@coding_app.command("reconcile")
@handle_errors
def coding_reconcile(
    doc: DocArg,
    take: Annotated[str, typer.Option("--take", help="agreed | union | a coder's e-mail.")] = "agreed",
    segment: Annotated[list[int] | None, typer.Option("--segment", help="Take these coded segments (repeat).")] = None,
    note: Annotated[str, typer.Option("--note", help="Why (kept in the audit trail).")] = "",
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a document's final coding from its coders' coding."""
    with opened(project, db=db, actor=as_) as p:
        data = review.reconcile(p, doc, take=take, segment_ids=segment or (), note=note)
    print_json(data) if json_out else console.print(f"Document {doc}: {data['segments']} final segments ({data['take']}).")
