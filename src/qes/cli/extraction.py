"""`qes study add|list|from-screening|link`, `qes form add|list|show`, and `qes extract` /
`qes appraise` (an entry: `STUDY --set key=value --as EMAIL`, or `compare`, `reconcile`, `export`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from qes.cli.common import AsOpt, DbOpt, JsonOpt, ProjectOpt, console, handle_errors, print_json, who_is
from qes.errors import UserError
from qes.extraction.fields import display
from qes.services import extraction as service
from qes.services import studies as study_service
from qes.services.project import opened

FormOpt = Annotated[str | None, typer.Option("--form", help="Form name (default: the project's first form of this kind).")]
StudyArg = Annotated[str, typer.Argument(metavar="STUDY", help="Study label, [number] or #id.")]
STATE_STYLE = {"equal": "green", "empty": "dim", "differ": "bold red", "only_one": "yellow"}

study_app = typer.Typer(help="Included studies: each the unit of Table 1, appraisal and synthesis.", no_args_is_help=True)
form_app = typer.Typer(help="Extraction forms and appraisal checklists.", no_args_is_help=True)


class _EntryByDefault(TyperGroup):
    """`qes extract STUDY ...` is `qes extract save STUDY ...`; the named subcommands stay as they are."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # ctx: Typer's own click Context
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["save", *args]
        return super().parse_args(ctx, args)


def _pairs(items: list[str] | None, option: str) -> dict[str, Any]:
    """KEY=VALUE options; a key given twice collects a list (several choices)."""
    found: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"{option} takes KEY=VALUE, not {item!r}")
        key = key.strip()
        if key in found:
            found[key] = [*(found[key] if isinstance(found[key], list) else [found[key]]), value]
        else:
            found[key] = value
    return found


def _values_from_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a JSON object of field key → value")
    return data


def register(app: typer.Typer) -> None:
    app.add_typer(study_app, name="study")
    app.add_typer(form_app, name="form")
    app.add_typer(_entry_app("extraction"), name="extract")
    app.add_typer(_entry_app("appraisal"), name="appraise")


@study_app.command("add")
@handle_errors
def study_add(
    label: Annotated[str, typer.Argument(help="Short citation: 'Beeber and Caldwell (1996)'.")],
    record: Annotated[int | None, typer.Option("--record", help="Record id of the study's main report.")] = None,
    number: Annotated[int | None, typer.Option("--number", help="The review's citation number ([21]).")] = None,
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a study (placed after the others)."""
    who = who_is(as_)
    with opened(project, db=db, actor=who) as p:
        info = study_service.add_study(p, label, record_id=record, number=number, actor=who)
    print_json(info.to_json()) if json_out else console.print(f"Study {info.position}: {escape(info.label)}", highlight=False)


@study_app.command("link")
@handle_errors
def study_link(
    study: StudyArg,
    record: Annotated[int, typer.Argument(help="Record id of a further report of the study.")],
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Link another report (record) to a study."""
    who = who_is(as_)
    with opened(project, db=db, actor=who) as p:
        info = study_service.link_report(p, study, record, actor=who)
    print_json(info.to_json()) if json_out else console.print(f"{escape(info.label)}: reports {info.reports}", highlight=False)


@study_app.command("list")
@handle_errors
def study_list(as_: AsOpt = None, project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """The studies in table order."""
    who = who_is(as_)
    with opened(project, db=db, actor=who) as p:
        found = study_service.list_studies(p, viewer=who)
    if json_out:
        print_json([s.to_json() for s in found])
        return
    table = Table("#", "Study", "Number", "Reports")
    for s in found:
        table.add_row(str(s.position), escape(s.label), "" if s.number is None else str(s.number), ", ".join(map(str, s.reports)))
    console.print(table)


@study_app.command("from-screening")
@handle_errors
def study_from_screening(as_: AsOpt = None, project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """One study per record included at the last screening stage (labelled by short citation)."""
    who = who_is(as_)
    with opened(project, db=db, actor=who) as p:
        added = study_service.include_studies_from_screening(p, actor=who)
    if json_out:
        print_json([s.to_json() for s in added])
        return
    for s in added:
        console.print(f"  + {escape(s.label)} (record {s.record_id})", highlight=False)
    console.print(f"{len(added)} stud{'y' if len(added) == 1 else 'ies'} added.")


@form_app.command("add")
@handle_errors
def form_add(
    name: Annotated[str, typer.Argument(help="The form's name in this project.")],
    template: Annotated[
        str | None,
        typer.Option(help="review000-table1 | review001-table1 | qualitative | casp-qualitative | jbi-qualitative."),
    ] = None,
    fields: Annotated[Path | None, typer.Option("--fields", help="A custom form: fields as JSON or TOML.")] = None,
    kind: Annotated[str | None, typer.Option(help="extraction | appraisal (default: the template's).")] = None,
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a form from a built-in template or a fields file."""
    who = who_is(as_)
    with opened(project, db=db, actor=who) as p:
        info = service.add_form(p, name, template=template, fields_file=fields, kind=kind, actor=who)
    if json_out:
        print_json(info.to_json())
    else:
        console.print(f"{info.kind} form {escape(info.name)}: {len(info.fields)} fields", highlight=False)


@form_app.command("list")
@handle_errors
def form_list(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """The project's forms."""
    with opened(project, db=db) as p:
        forms = service.list_forms(p)
    if json_out:
        print_json([f.to_json() for f in forms])
        return
    for f in forms:
        console.print(f"  {escape(f.name)}  {f.kind}  {f.template or 'custom'}  ({len(f.fields)} fields)", highlight=False)


@form_app.command("show")
@handle_errors
def form_show(
    name: Annotated[str, typer.Argument(help="Form name.")],
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """A form's fields: key, type, choices, whether required."""
    with opened(project, db=db) as p:
        info = service.get_form(p, name)
    if json_out:
        print_json(info.to_json())
        return
    table = Table("Key", "Label", "Type", "Choices", "Required", title=f"{info.name} ({info.kind})")
    for f in info.fields:
        table.add_row(f.key, escape(f.label), f.type, escape(" | ".join(f.options)), "yes" if f.required else "")
    console.print(table)


def _entry_app(kind: str) -> typer.Typer:
    verb = "extract" if kind == "extraction" else "appraise"
    app = typer.Typer(
        cls=_EntryByDefault,
        help=f"{'Extraction' if kind == 'extraction' else 'Appraisal'} entries: qes {verb} STUDY --set KEY=VALUE --as EMAIL, "
        f"or compare / reconcile / export.",
        no_args_is_help=True,
    )

    @app.command("save")
    @handle_errors
    def save(
        study: StudyArg,
        form: FormOpt = None,
        set_: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE (repeat; a key twice = several).")] = None,
        from_file: Annotated[Path | None, typer.Option("--from-file", help="Values as a JSON object.")] = None,
        submit: Annotated[bool, typer.Option("--submit", help="Submit the entry (checks required fields).")] = False,
        as_: AsOpt = None,
        project: ProjectOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Save your entry for a study (`qes extract STUDY ...` is short for this)."""
        who = who_is(as_)
        values = {**_values_from_file(from_file), **_pairs(set_, "--set")}
        with opened(project, db=db, actor=who) as p:
            name = service.get_form(p, form, kind).name
            entry = service.save_entry(p, study, name, values, person=who, submit=submit)
        if json_out:
            print_json(entry.__dict__)
        else:
            filled = len(entry.values)
            console.print(f"{escape(study)} on {escape(name)}: {entry.status} ({filled} fields filled)", highlight=False)

    @app.command("compare")
    @handle_errors
    def compare(
        study: StudyArg,
        form: FormOpt = None,
        as_: AsOpt = None,
        project: ProjectOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """The two entries field by field (once both are submitted)."""
        who = who_is(as_)
        with opened(project, db=db, actor=who) as p:
            name = service.get_form(p, form, kind).name
            rows = service.compare(p, study, name, who)
        if json_out:
            print_json([r.to_json() for r in rows])
            return
        people = list(rows[0].values)
        table = Table("Field", *people, "State", title=f"{study} · {name}")
        for r in rows:
            style = STATE_STYLE[r.state]
            cells = [escape(display(r.values[person])) for person in people]
            table.add_row(escape(r.label), *cells, f"[{style}]{r.state}[/]", style="bold" if not r.agreed else "")
        console.print(table)
        todo = [r.key for r in rows if not r.agreed]
        console.print(f"To decide: {', '.join(todo)}" if todo else "The entries agree on every field.", highlight=False)

    @app.command("reconcile")
    @handle_errors
    def reconcile(
        study: StudyArg,
        form: FormOpt = None,
        take: Annotated[list[str] | None, typer.Option("--take", help="KEY=PERSON: take that person's value.")] = None,
        set_: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE: the final value, typed.")] = None,
        note: Annotated[str, typer.Option("--note", help="Why, kept with the final record.")] = "",
        as_: AsOpt = None,
        project: ProjectOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Write the final record: agreed fields as they are, a decision for each difference."""
        who = who_is(as_)
        with opened(project, db=db, actor=who) as p:
            name = service.get_form(p, form, kind).name
            final = service.reconcile_study(
                p, study, name, actor=who, take=_pairs(take, "--take"), set_values=_pairs(set_, "--set"), note=note
            )
        if json_out:
            print_json(final)
            return
        console.print(f"{escape(study)} reconciled on {escape(name)}.", highlight=False)
        for key, value in final.items():
            if value is not None:
                console.print(f"  {key}: {escape(display(value))}", highlight=False)

    @app.command("export")
    @handle_errors
    def export(
        form: FormOpt = None,
        fmt: Annotated[str, typer.Option("--format", help="csv")] = "csv",
        out: Annotated[Path, typer.Option("--out", help="File to write.")] = Path("entries.csv"),
        as_: AsOpt = None,
        project: ProjectOpt = None,
        db: DbOpt = None,
    ) -> None:
        """Every entry you may see and each final record, one row each (person 'final')."""
        if fmt != "csv":
            raise UserError(f"unknown format {fmt!r}: entries export as csv (tables: qes report)")
        who = who_is(as_)
        with opened(project, db=db, actor=who) as p:
            name = service.get_form(p, form, kind).name
            tmp = out.with_name(out.name + ".part")  # never a half-written file under the real name
            try:
                with tmp.open("w", encoding="utf-8", newline="") as stream:
                    count = service.write_entries_csv(p, name, stream, viewer=who)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            tmp.replace(out)
        console.print(f"{count} rows written to {out}", highlight=False)

    return app
