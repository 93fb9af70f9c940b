"""`qes document|code|codebook ...`, `qes code-segment`, `qes uncode`, `qes segments`, `qes suggest`; memos and
the two-coder commands are in `qes.cli.coding_review`, registered from here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from qes.cli import coding_review
from qes.cli.common import AsOpt, DbOpt, JsonOpt, ProjectOpt, console, handle_errors, print_json
from qes.errors import UserError
from qes.services import codebook as codebook_service
from qes.services import coding as service
from qes.services import coding_review as review
from qes.services import documents as document_service
from qes.services import refi
from qes.services.project import opened

DocArg = Annotated[int, typer.Argument(metavar="DOC", help="Document number (qes document list).")]
document_app = typer.Typer(help="Documents to code: a study's full text, pasted sections, transcripts.", no_args_is_help=True)
code_app = typer.Typer(help="Codes of the codebook (theme → concept → code).", no_args_is_help=True)
codebook_app = typer.Typer(help="The codebook: show it, load a built-in framework, import a REFI-QDA .qdc.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(document_app, name="document")
    app.add_typer(code_app, name="code")
    app.add_typer(codebook_app, name="codebook")
    coding_review.register(app)
    app.command("code-segment")(code_segment)
    app.command("uncode")(uncode)
    app.command("segments")(segments)
    app.command("suggest")(suggest)


# --- documents -------------------------------------------------------------------------------------


@document_app.command("add")
@handle_errors
def document_add(
    study: Annotated[str, typer.Argument(metavar="STUDY", help="Study label, [number] or #id; '-' for none.")],
    fulltext: Annotated[bool, typer.Option("--fulltext", help="The study's attached full-text PDF (pages kept).")] = False,
    file: Annotated[Path | None, typer.Option("--file", help="A UTF-8 .txt file (e.g. a transcript).")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Pasted text (a section of a paper).")] = None,
    title: Annotated[str, typer.Option("--title", help="Title shown in lists.")] = "",
    kind: Annotated[str | None, typer.Option("--kind", help="fulltext | section | transcript | other.")] = None,
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a document to code."""
    if sum((fulltext, file is not None, text is not None)) != 1:
        raise UserError("give exactly one of --fulltext, --file F.txt or --text '...'")
    ref = None if study == "-" else study
    with opened(project, db=db, actor=as_) as p:
        if file is not None:
            info = document_service.add_document_file(p, ref, file, title=title or file.stem, kind=kind)
        else:
            info = document_service.add_document(p, ref, text=text, fulltext=fulltext, title=title, kind=kind)
    if json_out:
        print_json(info.to_json())
        return
    pages = f", {len(info.pages)} pages" if info.pages else ""
    console.print(f"Document {info.id}: {escape(info.title)} ({info.kind}, {info.length:,} characters{pages}).", highlight=False)


@document_app.command("list")
@handle_errors
def document_list(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Every document, by study."""
    with opened(project, db=db) as p:
        docs = document_service.list_documents(p)
    if json_out:
        print_json([d.to_json() for d in docs])
        return
    table = Table("doc", "study", "title", "kind", "characters", "segments", "done by")
    for d in docs:
        table.add_row(
            str(d.id), escape(d.study or "—"), escape(d.title), d.kind, f"{d.length:,}", str(d.segments), ", ".join(d.done_by)
        )
    console.print(table)


@document_app.command("show")
@handle_errors
def document_show(
    doc: DocArg, as_: AsOpt = None, project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False
) -> None:
    """A document's text and the segments you may see on it."""
    with opened(project, db=db, actor=as_) as p:
        info, text = document_service.get_document(p, doc)
        segs = service.list_segments(p, document_id=doc)
    if json_out:
        print_json({**info.to_json(), "text": text, "segments": [s.to_json() for s in segs]})
        return
    console.rule(escape(f"document {info.id} · {info.study or 'no study'} · {info.title}"))
    console.print(escape(text), highlight=False)
    for s in segs:
        codes = ", ".join(c["path"] + (" (in part)" if c["in_part"] else "") for c in s.codes)
        console.print(f"  [{s.start}..{s.end}] {escape(codes)} · {s.order} order · {s.coder}", highlight=False)


# --- codebook --------------------------------------------------------------------------------------


@code_app.command("add")
@handle_errors
def code_add(
    name: Annotated[str, typer.Argument(help="The code's name.")],
    parent: Annotated[str | None, typer.Option("--parent", help="Parent code (name or path Theme/Concept).")] = None,
    kind: Annotated[str, typer.Option("--kind", help="theme | concept | code | component | dimension.")] = "code",
    definition: Annotated[str, typer.Option("--definition", help="What the code means.")] = "",
    notes: Annotated[str, typer.Option("--notes", help="Notes for coders.")] = "",
    color: Annotated[str, typer.Option("--color", help="Colour as #rrggbb.")] = "",
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a code."""
    with opened(project, db=db, actor=as_) as p:
        info = codebook_service.add_code(p, name, parent=parent, kind=kind, definition=definition, notes=notes, color=color)
    print_json(info.to_json()) if json_out else console.print(
        f"Code {info.id}: {escape(info.path)} ({info.kind}).", highlight=False
    )


@code_app.command("change")
@handle_errors
def code_change(
    code: Annotated[str, typer.Argument(help="The code (name, path or #id).")],
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="New kind.")] = None,
    definition: Annotated[str | None, typer.Option("--definition", help="New definition.")] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="New notes.")] = None,
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Rename a code or change its kind, definition or notes."""
    with opened(project, db=db, actor=as_) as p:
        info = codebook_service.change_code(p, code, name=name, kind=kind, definition=definition, notes=notes)
    print_json(info.to_json()) if json_out else console.print(f"Code {info.id}: {escape(info.path)}.", highlight=False)


@code_app.command("move")
@handle_errors
def code_move(
    code: Annotated[str, typer.Argument(help="The code (name, path or #id).")],
    parent: Annotated[str | None, typer.Option("--parent", help="New parent; omit to move to the top level.")] = None,
    position: Annotated[int | None, typer.Option("--position", help="Place among its siblings (0 = first).")] = None,
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Move a code (and all under it) under another parent."""
    with opened(project, db=db, actor=as_) as p:
        info = codebook_service.move_code(p, code, parent=parent, position=position)
    print_json(info.to_json()) if json_out else console.print(f"Code {info.id} is now {escape(info.path)}.", highlight=False)


@codebook_app.command("show")
@handle_errors
def codebook_show(project: ProjectOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """The codebook as a tree, with definitions."""
    with opened(project, db=db) as p:
        rows = codebook_service.codebook(p)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    if not rows:
        console.print("The codebook is empty (qes code add NAME, or qes codebook load reciprocity|helpful-relationships).")
    for r in rows:
        console.print(f"{'  ' * r.depth}[bold]{escape(r.name)}[/] [dim]({r.kind}, #{r.id})[/]", highlight=False)
        if r.definition:
            console.print(f"{'  ' * r.depth}  [dim]{escape(r.definition)}[/]", highlight=False)


@codebook_app.command("load")
@handle_errors
def codebook_load(
    name: Annotated[str, typer.Argument(help="reciprocity | helpful-relationships")],
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Load a built-in framework (the seed reviews' themes, with the papers' definitions)."""
    with opened(project, db=db, actor=as_) as p:
        data = codebook_service.load_framework(p, name)
    print_json(data) if json_out else console.print(f"Loaded {data['title']}: {data['themes']} themes, {data['codes']} codes.")


@codebook_app.command("import")
@handle_errors
def codebook_import(
    file: Annotated[Path, typer.Argument(metavar="F.qdc", help="A REFI-QDA codebook.")],
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import a REFI-QDA codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA, QualCoder..."""
    with opened(project, db=db, actor=as_) as p:
        data = refi.import_qdc(p, file)
    print_json(data) if json_out else console.print(
        f"{data['codes']} codes read: {data['added']} added, {data['kept']} already there."
    )


# --- coding ----------------------------------------------------------------------------------------


@handle_errors
def code_segment(
    doc: DocArg,
    code: Annotated[list[str], typer.Option("--code", help="Code (name, path or #id); repeat for several.")],
    start: Annotated[int | None, typer.Option("--start", help="First character (0-based).")] = None,
    end: Annotated[int | None, typer.Option("--end", help="One past the last character.")] = None,
    find: Annotated[str | None, typer.Option("--find", help="Locate the exact text instead of giving offsets.")] = None,
    occurrence: Annotated[int | None, typer.Option("--occurrence", help="Which occurrence of --find (1 = first).")] = None,
    interpretation: Annotated[
        bool, typer.Option("--interpretation/--quote", help="Author interpretation (second order) or participant quote.")
    ] = False,
    in_part: Annotated[bool, typer.Option("--in-part", help="The study supports these codes only in part.")] = False,
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Code a segment of a document with one or more codes."""
    with opened(project, db=db, actor=as_) as p:
        seg = service.code_segment(p, doc, code, start=start, end=end, find=find, occurrence=occurrence,
                                   order="second" if interpretation else "first", in_part=in_part)  # fmt: skip
    if json_out:
        print_json(seg.to_json())
        return
    codes = ", ".join(c["path"] for c in seg.codes)
    console.print(f"Segment {seg.id} [{seg.start}..{seg.end}] coded {escape(codes)}: {escape(seg.text[:80])!r}", highlight=False)


@handle_errors
def uncode(
    segment: Annotated[int, typer.Argument(metavar="SEGMENT", help="Segment number (qes segments).")],
    code: Annotated[str | None, typer.Option("--code", help="Take off just this code (default: all, the segment goes).")] = None,
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Take a code off a segment."""
    with opened(project, db=db, actor=as_) as p:
        data = service.uncode(p, segment, code=code)
    print_json(data) if json_out else console.print(
        f"Segment {segment}: {'removed' if data['segment_removed'] else 'code taken off'}."
    )


@handle_errors
def segments(
    code: Annotated[str | None, typer.Option("--code", help="Only segments with this code.")] = None,
    document: Annotated[int | None, typer.Option("--document", help="Only this document.")] = None,
    final: Annotated[bool, typer.Option("--final", help="The final coding (reconciled, or single-coder).")] = False,
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Coded segments you may see (your own, and others' once the document is closed)."""
    with opened(project, db=db, actor=as_) as p:
        rows = service.final_segments(p) if final else service.list_segments(p, document_id=document, code=code)
    if json_out:
        print_json([s.to_json() for s in rows])
        return
    table = Table("seg", "doc", "range", "page", "order", "codes", "coder", "text")
    for s in rows:
        codes = "; ".join(c["path"] + (" (in part)" if c["in_part"] else "") for c in s.codes)
        table.add_row(str(s.id), str(s.document_id), f"{s.start}..{s.end}", str(s.page or ""), s.order, escape(codes),
                      s.coder + (" ✓" if s.status == "reconciled" else ""), escape(s.text[:60]))  # fmt: skip
    console.print(table)


@handle_errors
def suggest(
    doc: DocArg,
    start: Annotated[int, typer.Option("--start", help="First character of the selection.")],
    end: Annotated[int, typer.Option("--end", help="One past its last character.")],
    limit: Annotated[int, typer.Option("--limit", help="How many codes to show.")] = 5,
    method: Annotated[str, typer.Option("--method", help="tfidf | bm25.")] = "tfidf",
    as_: AsOpt = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Codes that fit a selection, best first, with the words that matched (nothing is applied)."""
    if method not in ("bm25", "tfidf"):
        raise typer.BadParameter("bm25 or tfidf", param_hint="--method")
    with opened(project, db=db, actor=as_) as p:
        data = review.suggest_codes(p, doc, start, end, limit=limit, method=method)  # type: ignore[arg-type]
    if json_out:
        print_json(data)
        return
    if not data["suggestions"]:
        console.print("No code shares a word with the selection.")
    for s in data["suggestions"]:
        console.print(f"  {s['score']:7.3f}  {escape(s['path'])}  [dim]({escape(', '.join(s['why']))})[/]", highlight=False)
