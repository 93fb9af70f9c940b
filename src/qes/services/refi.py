"""REFI-QDA exchange of a project's coding: .qdc codebooks and .qdpx projects, export and import.

A qes project maps onto REFI-QDA as: members and coders → ``Users``; the codebook → nested ``Code``s
(definition and notes in ``Description``; each code's kind as membership of a code ``Set`` named after the
kind); studies → ``Case``s referring to their documents; documents → ``TextSource``s; segments →
``PlainTextSelection``s, one ``Coding`` per code, the coder as ``creatingUser``; memos → ``Note``s with
``NoteRef``s on the code, selection, source or project (a study memo is a project note linked to the study's
case). What REFI-QDA has no field for — first/second order, "in part", reconciled — is written as plain lines
in the selection's description, which people read in NVivo or ATLAS.ti and qes reads back. Every GUID is
derived from the project and the object's id, so exporting twice names the same objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qes import __version__
from qes.coding.qda import (
    QdaCase,
    QdaCode,
    QdaCoding,
    QdaLink,
    QdaNote,
    QdaProject,
    QdaSelection,
    QdaSet,
    QdaSource,
    QdaUser,
    stable_guid,
    walk_codes,
)
from qes.coding.refi import RefiError, dumps_codebook, loads_codebook, read_project, write_project
from qes.errors import Conflict, UserError
from qes.services.codebook import CODE_KINDS, CodeInfo, codebook_rows, insert_code
from qes.services.project import Project
from qes.services.screening import SCREENING_ROLES, require_role
from qes.store import coding as store
from qes.store import users as user_store
from qes.store.events import log_event
from qes.store.schema import utcnow
from qes.store.schema_synthesis import Code, Document, Memo, Segment, SegmentCode, Study

KIND_SETS = {"theme": "Themes", "concept": "Concepts", "code": "Codes", "component": "Components", "dimension": "Dimensions"}
NOTES_MARK = "\n\nNotes: "
ORDER_LINES = {"first": "First-order: participant quote", "second": "Second-order: author interpretation"}
IN_PART = "Supports in part: "
RECONCILED = "Final coding (reconciled)"
ORIGIN = f"qes {__version__}"


def _description(code: CodeInfo) -> str:
    return code.definition + (NOTES_MARK + code.notes if code.notes else "")


def _split_description(text: str) -> tuple[str, str]:
    definition, _, notes = text.partition(NOTES_MARK)
    return definition.strip(), notes.strip()


def _color(value: str) -> str | None:
    value = value.strip()
    ok = value.startswith("#") and len(value) in (4, 7) and all(c in "0123456789abcdefABCDEF" for c in value[1:])
    return value if ok else None


def _codes(slug: str, rows: list[CodeInfo], notes: dict[int, list[str]]) -> tuple[list[QdaCode], list[QdaSet]]:
    made: dict[int, QdaCode] = {}
    top: list[QdaCode] = []
    members: dict[str, list[str]] = {}
    for row in rows:  # depth first: a parent is made before its children
        code = QdaCode(stable_guid(slug, "code", row.id), row.name, True, _color(row.color), _description(row), [],
                       notes.get(row.id, []))  # fmt: skip
        made[row.id] = code
        (made[row.parent_id].children if row.parent_id is not None else top).append(code)
        members.setdefault(row.kind, []).append(code.guid)
    sets = [QdaSet(stable_guid(slug, "set", kind), KIND_SETS[kind], f"qes code kind: {kind}", members[kind])
            for kind in CODE_KINDS if kind in members]  # fmt: skip
    return top, sets


def export_qdc(project: Project, path: Path) -> dict[str, Any]:
    """Write the codebook as a REFI-QDA .qdc file; returns what was written."""
    with project.store.read() as session:
        rows = codebook_rows(session, project.id)
    if not rows:
        raise UserError("the codebook is empty: nothing to export")
    codes, sets = _codes(project.config.slug, rows, {})
    _write_bytes(path, dumps_codebook(codes, sets, origin=ORIGIN))
    return {"path": str(path), "codes": len(rows)}


def _write_bytes(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def build_qda_project(session: Session, project: Project) -> QdaProject:
    slug = project.config.slug
    rows = codebook_rows(session, project.id)
    memos = store.list_memos(session, project.id)
    note_on: dict[tuple[str, int | None], list[str]] = {}
    notes = []
    for memo in memos:
        guid = stable_guid(slug, "memo", memo.id)
        note_on.setdefault((memo.target, memo.target_id), []).append(guid)
        notes.append(QdaNote(guid, f"Memo on {memo.target}" + (f" {memo.target_id}" if memo.target_id else ""), memo.text,
                             stable_guid(slug, "user", memo.author), memo.at))  # fmt: skip
    codes, sets = _codes(slug, rows, {cid: g for (t, cid), g in note_on.items() if t == "code" and cid is not None})
    code_guid = {row.id: stable_guid(slug, "code", row.id) for row in rows}
    code_name = {row.id: row.name for row in rows}
    documents = store.list_documents(session, project.id)
    segments = store.list_segments(session, project.id)
    links = store.codes_of_segments(session, [s.id for s in segments])
    emails = {s.coder for s in segments} | {m.author for m in memos} | {d.created_by for d, _ in documents}
    emails |= {user.email for user, _ in user_store.project_members(session, project.id)}
    users = [QdaUser(stable_guid(slug, "user", e), e) for e in sorted(e for e in emails if e)]
    by_doc: dict[int, list[Segment]] = {}
    for seg in segments:
        by_doc.setdefault(seg.document_id, []).append(seg)
    sources = []
    for doc, _label in documents:
        selections = []
        for seg in by_doc.get(doc.id, []):
            codings = [QdaCoding(stable_guid(slug, "coding", link.id), code_guid[link.code_id],
                                 stable_guid(slug, "user", link.coder or seg.coder), link.created_at)
                       for link in links.get(seg.id, [])]  # fmt: skip
            lines = [ORDER_LINES[seg.order]]
            partial = [code_name[link.code_id] for link in links.get(seg.id, []) if link.in_part]
            if partial:
                lines.append(IN_PART + "; ".join(partial))
            if seg.status == "reconciled":
                lines.append(RECONCILED)
            selections.append(QdaSelection(stable_guid(slug, "segment", seg.id), seg.start, seg.end,
                                           seg.text[:60], "\n".join(lines), codings, note_on.get(("segment", seg.id), []),
                                           stable_guid(slug, "user", seg.coder), seg.created_at))  # fmt: skip
        sources.append(QdaSource(stable_guid(slug, "document", doc.id), doc.title or f"document {doc.id}", doc.text,
                                 f"qes document kind: {doc.kind}; origin: {doc.origin}", selections,
                                 note_on.get(("document", doc.id), []), stable_guid(slug, "user", doc.created_by),
                                 doc.created_at))  # fmt: skip
    studies = {s.id: s for s in session.scalars(select(Study).where(Study.project_id == project.id))}
    cases, links_out, project_notes = [], [], list(note_on.get(("project", None), []))
    with_memos = {m.target_id for m in memos if m.target == "study" and m.target_id}
    for study_id in sorted({d.study_id for d, _ in documents if d.study_id} | with_memos):
        study = studies.get(study_id)
        if study is None:
            continue
        guid = stable_guid(slug, "study", study.id)
        cases.append(
            QdaCase(guid, study.label, "", [stable_guid(slug, "document", d.id) for d, _ in documents if d.study_id == study.id])
        )
        for note_guid in note_on.get(("study", study.id), []):
            project_notes.append(note_guid)
            links_out.append(QdaLink(stable_guid(slug, "memo-link", note_guid), "memo", note_guid, guid))
    return QdaProject(project.config.name, ORIGIN, users, codes, sets, cases, sources, notes, links_out, "", project_notes,
                      created=utcnow())  # fmt: skip


def export_qdpx(project: Project, path: Path) -> dict[str, Any]:
    """Write the whole coding (documents, codebook, every coder's segments, memos) as a REFI-QDA .qdpx project."""
    with project.store.read() as session:
        qda = build_qda_project(session, project)
    write_project(qda, path)
    return {
        "path": str(path),
        "codes": sum(1 for _ in walk_codes(qda.codes)),
        "documents": len(qda.sources),
        "segments": sum(len(s.selections) for s in qda.sources),
        "codings": sum(len(sel.codings) for s in qda.sources for sel in s.selections),
        "memos": len(qda.notes),
        "users": len(qda.users),
    }


def _import_codes(
    session: Session, project: Project, actor: str, codes: list[QdaCode], sets: list[QdaSet]
) -> tuple[dict[str, int], int]:
    kinds = {v: k for k, v in KIND_SETS.items()}
    kind_of = {guid: kinds[s.name] for s in sets if s.name in kinds for guid in s.member_codes}
    ids: dict[str, int] = {}
    depth: dict[str, int] = {}
    added = 0
    for parent, code in walk_codes(codes):
        depth[code.guid] = 0 if parent is None else depth[parent.guid] + 1
        parent_row = session.get(Code, ids[parent.guid]) if parent is not None else None
        existing = store.child_named(session, project.id, parent_row.id if parent_row else None, " ".join(code.name.split()))
        if existing is not None:
            ids[code.guid] = existing.id  # the same code already in the codebook: merge, keep its definition
            continue
        definition, notes = _split_description(code.description)
        # Without qes's kind sets (another tool's file), the hierarchy says it: theme → concept → code.
        depth_kind = ("theme", "concept", "code")[min(depth[code.guid], 2)]
        row = insert_code(session, project, actor, code.name, parent=parent_row, kind=kind_of.get(code.guid, depth_kind),
                          definition=definition, notes=notes, color=code.color or "", log=False)  # fmt: skip
        ids[code.guid] = row.id
        added += 1
    return ids, added


def import_qdc(project: Project, path: Path, *, actor: str | None = None) -> dict[str, Any]:
    """Add a .qdc codebook's codes (codes already there by the same path are kept, not duplicated)."""
    who = actor or project.actor
    try:
        codes, sets = loads_codebook(path.read_bytes(), where=path.name)
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    except RefiError as exc:
        raise UserError(str(exc)) from None
    with project.store.transaction() as session:
        require_role(session, project.id, who, SCREENING_ROLES, "change the codebook")
        _, added = _import_codes(session, project, who, codes, sets)
        total = sum(1 for _ in walk_codes(codes))
        log_event(session, project_id=project.id, actor=who, action="codebook.import", entity="codebook",
                  data={"file": path.name, "codes": total, "added": added})  # fmt: skip
        return {"file": path.name, "codes": total, "added": added, "kept": total - added}


def import_qdpx(project: Project, path: Path, *, actor: str | None = None) -> dict[str, Any]:
    """Import a .qdpx: its codes, each text source as a document, every selection with its codes, and the notes."""
    who = actor or project.actor
    try:
        qda = read_project(path)
    except RefiError as exc:
        raise UserError(str(exc)) from None
    users = {u.guid: u.name for u in qda.users}
    with project.store.transaction() as session:
        require_role(session, project.id, who, SCREENING_ROLES, "import coding")
        code_ids, added = _import_codes(session, project, who, qda.codes, qda.sets)
        studies = {s.label: s for s in session.scalars(select(Study).where(Study.project_id == project.id))}
        study_of_source = {ref: studies[c.name].id for c in qda.cases if c.name in studies for ref in c.source_refs}
        target_of_note: dict[str, tuple[str, int | None]] = {}
        counts = {"documents": 0, "segments": 0, "codings": 0, "memos": 0}
        for source in qda.sources:
            kind = "other"
            if source.description.startswith("qes document kind: "):
                kind = source.description.removeprefix("qes document kind: ").split(";")[0].strip()
            doc = Document(project_id=project.id, study_id=study_of_source.get(source.guid), title=source.name[:500],
                           kind=kind if kind in ("fulltext", "section", "transcript", "other") else "other",
                           text=source.text, pages=[], origin=f"qdpx:{path.name}"[:100], done_by=[],
                           created_by=who, created_at=utcnow())  # fmt: skip
            session.add(doc)
            session.flush()
            counts["documents"] += 1
            for guid in source.note_refs:
                target_of_note[guid] = ("document", doc.id)
            for sel in source.selections:
                if not 0 <= sel.start < sel.end <= len(source.text):
                    raise UserError(f"{path.name}: selection {sel.guid} of {source.name!r} lies outside its text")
                lines = sel.description.splitlines()
                partial = {n.strip() for line in lines if line.startswith(IN_PART) for n in line[len(IN_PART) :].split(";")}
                coder = users.get(sel.creating_user or "", "") or who
                seg = Segment(project_id=project.id, document_id=doc.id, start=sel.start, end=sel.end, page=None,
                              text=source.text[sel.start:sel.end], order="second" if ORDER_LINES["second"] in lines else "first",
                              coder=coder, status="reconciled" if RECONCILED in lines else "coded",
                              created_at=sel.created or utcnow())  # fmt: skip
                session.add(seg)
                session.flush()
                counts["segments"] += 1
                for guid in sel.note_refs:
                    target_of_note[guid] = ("segment", seg.id)
                seen: set[int] = set()
                for coding in sel.codings:
                    code_id = code_ids.get(coding.code_guid)
                    if code_id is None:
                        raise UserError(
                            f"{path.name}: selection {sel.guid} refers to code {coding.code_guid}, not in the codebook"
                        )
                    if code_id in seen:
                        continue
                    seen.add(code_id)
                    name = session.get(Code, code_id).name  # type: ignore[union-attr]
                    session.add(SegmentCode(project_id=project.id, segment_id=seg.id, code_id=code_id, in_part=name in partial,
                                            coder=users.get(coding.creating_user or "", "") or coder))  # fmt: skip
                    counts["codings"] += 1
        for _parent, code in walk_codes(qda.codes):
            for guid in code.note_refs:
                target_of_note[guid] = ("code", code_ids[code.guid])
        case_study = {c.guid: studies[c.name].id for c in qda.cases if c.name in studies}
        for link in qda.links:
            if link.target_guid in case_study:
                target_of_note[link.origin_guid] = ("study", case_study[link.target_guid])
        for note in qda.notes:
            target, target_id = target_of_note.get(note.guid, ("project", None))
            author = users.get(note.creating_user or "", "") or who
            memo = Memo(project_id=project.id, target=target, target_id=target_id, author=author, text=note.text,
                        at=note.created or utcnow())  # fmt: skip
            session.add(memo)
            counts["memos"] += 1
        session.flush()
        if counts["documents"] == 0 and added == 0:
            raise Conflict(f"{path.name}: nothing to import (no sources and every code is already in the codebook)")
        summary = {"file": path.name, "codes": sum(1 for _ in walk_codes(qda.codes)), "codes_added": added, **counts}
        log_event(session, project_id=project.id, actor=who, action="codebook.import", entity="project", data=summary)
        return summary
