"""Coding: segments of a document take codes; memos; two coders blind to each other until both are done.

**The blind rule** lives here and only here (`_visible`): a coded segment is visible to its coder; to
anyone else only once the document is *closed*: every coder of it (everyone with segments on it) has
marked it done, and at least as many as the project's coders per document (`set_coders_per_document`;
1 by default, 2 for independent double coding), so the first coder's "done" never shows their coding
to a second coder who has yet to start.
Reconciled segments (the final coding) are visible to every member. Lists, the page, the API, agreement
and suggestions all read through `visible_segments`, so none can leak a colleague's unfinished coding.
Once every coder is done, coding of the document is closed (the coders have seen each other's work);
`qes.services.coding_review` then measures agreement and reconciles.

**The final coding** (`final_segments`, what the matrix and grid are built from): per document, its
reconciled segments if it has any, else — when exactly one person coded it — that person's segments;
a document coded by two or more people counts only once it is reconciled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from qes.errors import Conflict, NotFound, PermissionDenied, UserError
from qes.services.codebook import codebook_rows, resolve_code
from qes.services.documents import page_at
from qes.services.project import Project
from qes.services.screening import ADJUDICATING_ROLES, SCREENING_ROLES, require_role, role_in
from qes.services.studies import find_study
from qes.store import coding as store
from qes.store.events import log_event
from qes.store.schema import utcnow
from qes.store.schema_synthesis import Document, Memo, Segment, SegmentCode

ORDERS = ("first", "second")  # first = participant quote, second = author interpretation
MEMO_TARGETS = ("code", "segment", "study", "document", "project")


@dataclass
class SegmentInfo:
    id: int
    document_id: int
    start: int
    end: int
    page: int | None
    text: str
    order: str
    coder: str
    status: str
    created_at: str
    codes: list[dict[str, Any]] = field(default_factory=list)  # {id, name, path, in_part}

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def locate(text: str, exact: str, occurrence: int | None = None) -> tuple[int, int]:
    """Offsets of ``exact`` in ``text``; ambiguous without ``occurrence`` (1 = the first) when it occurs twice."""
    if not exact:
        raise UserError("--find needs the exact text to code")
    hits = []
    at = text.find(exact)
    while at != -1:
        hits.append(at)
        at = text.find(exact, at + 1)
    if not hits:
        raise NotFound(f"the text {exact[:60]!r} is not in the document (it must match exactly, spaces included)")
    if occurrence is None and len(hits) > 1:
        raise UserError(f"the text occurs {len(hits)} times in the document; say which (--occurrence 1..{len(hits)})")
    index = (occurrence or 1) - 1
    if not 0 <= index < len(hits):
        raise UserError(f"there is no occurrence {occurrence} (the text occurs {len(hits)} times)")
    return hits[index], hits[index] + len(exact)


def _document(session: Session, project: Project, document_id: int, lock: bool = False) -> Document:
    row = store.get_document(session, project.id, document_id, lock=lock)
    if row is None:
        raise NotFound(f"no document {document_id} (qes document list)")
    return row


def _all_done(session: Session, doc: Document) -> bool:
    """The document is closed: every coder done, and as many coders as the project asks for."""
    coders = store.coders_of(session, doc.id)
    required = store.coders_required(session, doc.project_id)
    return bool(coders) and coders <= set(doc.done_by or []) and len(coders) >= required


def set_coders_per_document(project: Project, coders: int, *, actor: str | None = None) -> dict[str, Any]:
    """How many people code each document independently before anyone sees another's coding (1-3)."""
    who = actor or project.actor
    if not 1 <= coders <= 3:
        raise UserError("coders per document is 1, 2 or 3")
    with project.store.transaction() as session:
        require_role(session, project.id, who, ADJUDICATING_ROLES, "set how documents are coded")
        before = store.coders_required(session, project.id)
        store.set_coders_required(session, project.id, coders)
        log_event(session, project_id=project.id, actor=who, action="coding.configure", entity="project",
                  entity_id=project.id, data={"coders_per_document": {"before": before, "after": coders}})  # fmt: skip
        return {"coders_per_document": coders}


def coders_per_document(project: Project) -> int:
    with project.store.read() as session:
        return store.coders_required(session, project.id)


def _visible(segment: Segment, viewer: str, all_done: bool) -> bool:
    return segment.status == "reconciled" or segment.coder == viewer or all_done


def _infos(session: Session, project_id: int, rows: Sequence[Segment], pages: dict[int, list]) -> list[SegmentInfo]:
    paths = {c.id: c.path for c in codebook_rows(session, project_id)}
    codes = store.codes_of_segments(session, [r.id for r in rows])
    return [
        SegmentInfo(
            r.id, r.document_id, r.start, r.end, r.page if r.page is not None else page_at(pages.get(r.document_id, []), r.start),
            r.text, r.order, r.coder, r.status, r.created_at.isoformat(timespec="seconds"),
            [{"id": c.code_id, "name": paths[c.code_id].rsplit("/", 1)[-1], "path": paths[c.code_id], "in_part": c.in_part}
             for c in codes.get(r.id, [])],
        )
        for r in rows
    ]  # fmt: skip


def visible_segments(
    session: Session, project: Project, viewer: str, *, document_id: int | None = None, code: str | int | None = None
) -> list[SegmentInfo]:
    """The segments ``viewer`` may see (the blind rule), optionally of one document or one code."""
    if role_in(session, project.id, viewer) is None:
        raise PermissionDenied(f"{viewer} is not a member of this project")
    docs = {d.id: d for d, _ in store.list_documents(session, project.id)}
    if document_id is not None and document_id not in docs:
        raise NotFound(f"no document {document_id} (qes document list)")
    code_id = resolve_code(session, project.id, code).id if code is not None else None
    rows = store.list_segments(session, project.id, document_ids=[document_id] if document_id else None, code_id=code_id)
    done = {d: _all_done(session, docs[d]) for d in {r.document_id for r in rows}}
    kept = [r for r in rows if _visible(r, viewer, done[r.document_id])]
    return _infos(session, project.id, kept, {d: docs[d].pages or [] for d in docs})


def list_segments(
    project: Project, *, viewer: str | None = None, document_id: int | None = None, code: str | int | None = None
) -> list[SegmentInfo]:
    with project.store.read() as session:
        return visible_segments(session, project, viewer or project.actor, document_id=document_id, code=code)


def final_segment_rows(session: Session, project_id: int, document_ids: Iterable[int] | None = None) -> list[Segment]:
    rows = store.list_segments(session, project_id, document_ids=document_ids)
    by_doc: dict[int, list[Segment]] = {}
    for row in rows:
        by_doc.setdefault(row.document_id, []).append(row)
    out: list[Segment] = []
    for segments in by_doc.values():
        reconciled = [s for s in segments if s.status == "reconciled"]
        if reconciled:
            out += reconciled
        elif len({s.coder for s in segments}) == 1:
            out += segments
    return out


def final_segments(project: Project) -> list[SegmentInfo]:
    """The project's final coding (see the module docstring): what syntheses and tables are built from."""
    with project.store.read() as session:
        docs = {d.id: d for d, _ in store.list_documents(session, project.id)}
        rows = final_segment_rows(session, project.id)
        return _infos(session, project.id, rows, {d: docs[d].pages or [] for d in docs})


def code_segment(
    project: Project,
    document_id: int,
    codes: Sequence[str | int],
    *,
    start: int | None = None,
    end: int | None = None,
    find: str | None = None,
    occurrence: int | None = None,
    text: str | None = None,
    order: str = "first",
    in_part: bool | Sequence[str | int] = False,
    actor: str | None = None,
) -> SegmentInfo:
    """Code characters [start, end) of a document (or the text ``find`` locates) with one or more codes.

    ``text``, when given, must equal the document's text there (a guard against stale offsets). ``in_part``:
    True marks every code given as supported only in part; a list marks just those codes. Coding the same
    range again adds the codes to the coder's segment.
    """
    who = actor or project.actor
    if order not in ORDERS:
        raise UserError(f"unknown order {order!r}: first (participant quote) or second (author interpretation)")
    if not codes:
        raise UserError("name at least one code (--code NAME)")
    with project.store.transaction() as session:
        require_role(session, project.id, who, SCREENING_ROLES, "code documents")
        doc = _document(session, project, document_id)
        if find is not None:
            start, end = locate(doc.text, find, occurrence)
        if start is None or end is None:
            raise UserError("give --start and --end, or --find 'exact text'")
        if not 0 <= start < end <= len(doc.text):
            raise UserError(f"offsets {start}..{end} are outside the document (0..{len(doc.text)}) or empty")
        snippet = doc.text[start:end]
        if text is not None and text.replace("\r\n", "\n") != snippet:
            raise Conflict(f"the text at {start}..{end} is {snippet[:60]!r}, not {text[:60]!r}: reload the document")
        if who in (doc.done_by or []):
            raise Conflict(f"you marked document {doc.id} done; reopen it first (qes coding reopen {doc.id})")
        if _all_done(session, doc):
            raise Conflict(f"every coder of document {doc.id} is done: coding is closed; reconcile it instead")
        code_rows = [resolve_code(session, project.id, c) for c in codes]
        partial = (
            {c.id for c in code_rows} if in_part is True else {resolve_code(session, project.id, c).id for c in in_part or []}
        )
        if not partial <= {c.id for c in code_rows}:
            raise UserError("--in-part names a code that is not among the codes given")
        segment = store.find_segment(session, doc.id, start, end, who, "coded")
        if segment is None:
            segment = Segment(
                project_id=project.id, document_id=doc.id, start=start, end=end, page=page_at(doc.pages or [], start),
                text=snippet, order=order, coder=who, status="coded", created_at=utcnow(),
            )  # fmt: skip
            session.add(segment)
            session.flush()
        existing = {c.code_id for c in store.codes_of_segments(session, [segment.id]).get(segment.id, [])}
        new = [c for c in code_rows if c.id not in existing]
        if not new:
            raise Conflict(f"segment {segment.id} already has {', '.join(c.name for c in code_rows)}")
        segment.order = order
        for code in new:
            session.add(
                SegmentCode(project_id=project.id, segment_id=segment.id, code_id=code.id, in_part=code.id in partial, coder=who)
            )
        session.flush()
        log_event(
            session, project_id=project.id, actor=who, action="segment.code", entity="segment", entity_id=segment.id,
            data={"document": doc.id, "start": start, "end": end, "order": order,
                  "codes": [c.id for c in new], "in_part": sorted(partial)},
        )  # fmt: skip
        return _infos(session, project.id, [segment], {doc.id: doc.pages or []})[0]


def uncode(project: Project, segment_id: int, *, code: str | int | None = None, actor: str | None = None) -> dict[str, Any]:
    """Take one code off a segment (or all of them: the segment goes); a coder changes only their own coding."""
    who = actor or project.actor
    with project.store.transaction() as session:
        role = require_role(session, project.id, who, SCREENING_ROLES, "code documents")
        segment = store.get_segment(session, project.id, segment_id)
        if segment is None:
            raise NotFound(f"no segment {segment_id}")
        if segment.status == "coded" and segment.coder != who:
            raise NotFound(f"no segment {segment_id}")  # another coder's blind coding: not even its existence shows
        if segment.status == "reconciled" and role not in ADJUDICATING_ROLES and segment.coder != who:
            raise PermissionDenied("only an owner, an adjudicator or the reconciler changes the final coding")
        doc = _document(session, project, segment.document_id)
        if segment.status == "coded" and (who in (doc.done_by or []) or _all_done(session, doc)):
            raise Conflict(f"you marked document {doc.id} done; reopen it first")
        links = store.codes_of_segments(session, [segment.id]).get(segment.id, [])
        if code is not None:
            code_id = resolve_code(session, project.id, code).id
            links = [link for link in links if link.code_id == code_id]
            if not links:
                raise NotFound(f"segment {segment_id} does not have that code")
        removed = [link.code_id for link in links]
        for link in links:
            session.delete(link)
        session.flush()
        remaining = store.codes_of_segments(session, [segment.id]).get(segment.id, [])
        gone = not remaining
        if gone:
            session.delete(segment)
        log_event(
            session, project_id=project.id, actor=who, action="segment.uncode", entity="segment", entity_id=segment_id,
            data={"document": doc.id, "codes": removed, "segment_removed": gone},
        )  # fmt: skip
        return {"segment": segment_id, "codes_removed": removed, "segment_removed": gone}


def mark_done(project: Project, document_id: int, *, done: bool = True, actor: str | None = None) -> dict[str, Any]:
    """Mark (or, until every coder is done, unmark) your coding of a document finished."""
    who = actor or project.actor
    with project.store.transaction() as session:
        require_role(session, project.id, who, SCREENING_ROLES, "code documents")
        doc = _document(session, project, document_id, lock=True)
        done_by = list(doc.done_by or [])
        if done:
            if who in done_by:
                raise Conflict(f"you already marked document {doc.id} done")
            done_by.append(who)
        else:
            if who not in done_by:
                raise Conflict(f"you have not marked document {doc.id} done")
            if _all_done(session, doc):
                raise Conflict(f"every coder of document {doc.id} is done and has seen the others' coding: it stays closed")
            done_by.remove(who)
        doc.done_by = done_by
        session.flush()
        log_event(
            session, project_id=project.id, actor=who, action="document.done" if done else "document.reopen",
            entity="document", entity_id=doc.id, data={"done_by": done_by},
        )  # fmt: skip
        return {"document": doc.id, "done_by": done_by, "coders": sorted(store.coders_of(session, doc.id)),
                "all_done": _all_done(session, doc)}  # fmt: skip


def _memo_target(session: Session, project: Project, target: str, ref: str | int | None, viewer: str) -> tuple[int | None, str]:
    if target not in MEMO_TARGETS:
        raise UserError(f"unknown memo target {target!r}: one of {', '.join(MEMO_TARGETS)}")
    if target == "project":
        return None, "the project"
    if ref is None:
        raise UserError(f"say which {target} the memo is on")
    if target == "code":
        code = resolve_code(session, project.id, ref)
        return code.id, code.name
    if target == "study":
        study = find_study(session, project.id, ref)
        return study.id, study.label
    number = int(str(ref).lstrip("#")) if str(ref).lstrip("#").isdigit() else None
    if number is None:
        raise UserError(f"a {target} is named by its number, not {ref!r}")
    if target == "document":
        return _document(session, project, number).id, f"document {number}"
    segment = store.get_segment(session, project.id, number)
    if segment is None or (segment.status == "coded" and segment.coder != viewer and not _all_done(
        session, _document(session, project, segment.document_id))):  # fmt: skip
        raise NotFound(f"no segment {number}")
    return segment.id, f"segment {number}"


def add_memo(project: Project, target: str, ref: str | int | None, text: str, *, actor: str | None = None) -> dict[str, Any]:
    """A memo on a code, segment, study, document or the project."""
    who = actor or project.actor
    if not text.strip():
        raise UserError("the memo is empty")
    with project.store.transaction() as session:
        require_role(session, project.id, who, SCREENING_ROLES, "write memos")
        target_id, label = _memo_target(session, project, target, ref, who)
        memo = Memo(project_id=project.id, target=target, target_id=target_id, author=who, text=text.strip(), at=utcnow())
        session.add(memo)
        session.flush()
        log_event(
            session, project_id=project.id, actor=who, action="memo.add", entity="memo", entity_id=memo.id,
            data={"target": target, "target_id": target_id},
        )  # fmt: skip
        return _memo_json(memo, label)


def _memo_json(memo: Memo, label: str = "") -> dict[str, Any]:
    return {"id": memo.id, "target": memo.target, "target_id": memo.target_id, "on": label, "author": memo.author,
            "text": memo.text, "at": memo.at.isoformat(timespec="seconds")}  # fmt: skip


def list_memos(project: Project, target: str | None = None, ref: str | int | None = None) -> list[dict[str, Any]]:
    with project.store.read() as session:
        target_id = None
        if target is not None and target != "project" and ref is not None:
            target_id = _memo_target(session, project, target, ref, project.actor)[0]
        return [_memo_json(m) for m in store.list_memos(session, project.id, target, target_id)]
