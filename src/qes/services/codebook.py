"""The codebook: a hierarchy of codes (theme → concept/metaphor → code; components and dimensions too).

Codes are named by their path ("Shared affect/Psychological components/Relief from anxiety"), by a name
that is unique in the codebook, or by "#id". Every change is an event (`code.add`, `code.change`,
`code.move`, `codebook.import`). A built-in framework (`qes.coding.frameworks`) loads as codes with the
paper's definitions, marked with the framework's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from qes.coding.frameworks import Framework, FrameworkCode, framework
from qes.errors import Conflict, NotFound, UserError
from qes.services.project import Project
from qes.services.screening import SCREENING_ROLES, require_role
from qes.store import coding as store
from qes.store.events import log_event
from qes.store.schema import utcnow
from qes.store.schema_synthesis import Code

CODE_KINDS = ("theme", "concept", "code", "component", "dimension")
PATH_SEPARATOR = "/"


@dataclass
class CodeInfo:
    id: int
    parent_id: int | None
    name: str
    kind: str
    definition: str
    notes: str
    position: int
    framework: str
    color: str
    path: str
    depth: int
    children: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _tree(rows: list[Code]) -> list[CodeInfo]:
    """Depth-first, siblings by position: the codebook as a reader sees it."""
    by_parent: dict[int | None, list[Code]] = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)
    out: list[CodeInfo] = []

    def visit(parent: int | None, prefix: str, depth: int) -> None:
        for row in sorted(by_parent.get(parent, []), key=lambda r: (r.position, r.id)):
            path = f"{prefix}{PATH_SEPARATOR}{row.name}" if prefix else row.name
            info = CodeInfo(
                row.id, row.parent_id, row.name, row.kind, row.definition, row.notes, row.position,
                row.framework, row.color, path, depth, [c.id for c in by_parent.get(row.id, [])],
            )  # fmt: skip
            out.append(info)
            visit(row.id, path, depth + 1)

    visit(None, "", 0)
    return out


def codebook_rows(session: Session, project_id: int) -> list[CodeInfo]:
    return _tree(store.list_codes(session, project_id))


def resolve_code(session: Session, project_id: int, ref: str | int) -> Code:
    """A code by "#id", by path "Theme/Concept", or by a name no other code has."""
    text = str(ref).strip()
    if isinstance(ref, int) or (text.startswith("#") and text[1:].isdigit()):
        row = store.get_code(session, project_id, int(text.lstrip("#")))
        if row is None:
            raise NotFound(f"no code {text}")
        return row
    if PATH_SEPARATOR in text:
        parent: Code | None = None
        for part in text.split(PATH_SEPARATOR):
            found = store.child_named(session, project_id, parent.id if parent else None, part.strip())
            if found is None:
                raise NotFound(f"no code {text!r} (qes codebook show)")
            parent = found
        assert parent is not None
        return parent
    rows = store.codes_named(session, project_id, text)
    if not rows:
        raise NotFound(f"no code {text!r} (qes codebook show)")
    if len(rows) > 1:
        paths = {c.id: c.path for c in codebook_rows(session, project_id)}
        raise UserError(f"{len(rows)} codes are called {text!r}; name one by its path: " + "; ".join(paths[r.id] for r in rows))
    return rows[0]


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError("a code needs a name")
    if PATH_SEPARATOR in name:
        raise UserError(f"a code name cannot contain {PATH_SEPARATOR!r} (it separates a code's path): {name!r}")
    if len(name) > 300:
        raise UserError(f"code name too long ({len(name)} characters; at most 300)")
    return name


def _check_kind(kind: str) -> str:
    if kind not in CODE_KINDS:
        raise UserError(f"unknown code kind {kind!r}: one of {', '.join(CODE_KINDS)}")
    return kind


def insert_code(
    session: Session,
    project: Project,
    actor: str,
    name: str,
    *,
    parent: Code | None = None,
    kind: str = "code",
    definition: str = "",
    notes: str = "",
    color: str = "",
    framework_name: str = "",
    log: bool = True,
) -> Code:
    """Add one code inside the caller's transaction (the codebook and REFI importers share it)."""
    name, kind = _check_name(name), _check_kind(kind)
    parent_id = parent.id if parent is not None else None
    if store.child_named(session, project.id, parent_id, name) is not None:
        where = f"under {parent.name!r}" if parent is not None else "at the top of the codebook"
        raise Conflict(f"there is already a code {name!r} {where}")
    row = Code(
        project_id=project.id,
        parent_id=parent_id,
        name=name,
        kind=kind,
        definition=definition.strip(),
        notes=notes.strip(),
        position=store.next_code_position(session, project.id, parent_id),
        framework=framework_name,
        color=color,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    if log:
        log_event(
            session, project_id=project.id, actor=actor, action="code.add", entity="code", entity_id=row.id,
            data={"name": name, "parent": parent_id, "kind": kind},
        )  # fmt: skip
    return row


def add_code(
    project: Project,
    name: str,
    *,
    parent: str | int | None = None,
    kind: str = "code",
    definition: str = "",
    notes: str = "",
    color: str = "",
    actor: str | None = None,
) -> CodeInfo:
    who = actor or project.actor
    with project.store.transaction() as session:
        require_role(session, project.id, who, SCREENING_ROLES, "change the codebook")
        parent_row = resolve_code(session, project.id, parent) if parent is not None else None
        row = insert_code(
            session, project, who, name, parent=parent_row, kind=kind, definition=definition, notes=notes, color=color
        )
        return next(c for c in codebook_rows(session, project.id) if c.id == row.id)


def change_code(
    project: Project,
    code: str | int,
    *,
    name: str | None = None,
    kind: str | None = None,
    definition: str | None = None,
    notes: str | None = None,
    color: str | None = None,
    actor: str | None = None,
) -> CodeInfo:
    """Rename a code or change its kind, definition, notes or colour (what is not given stays)."""
    who = actor or project.actor
    with project.store.transaction() as session:
        require_role(session, project.id, who, SCREENING_ROLES, "change the codebook")
        row = resolve_code(session, project.id, code)
        before = {"name": row.name, "kind": row.kind, "definition": row.definition, "notes": row.notes, "color": row.color}
        if name is not None and _check_name(name) != row.name:
            if store.child_named(session, project.id, row.parent_id, _check_name(name)) is not None:
                raise Conflict(f"there is already a code {_check_name(name)!r} beside {row.name!r}")
            row.name = _check_name(name)
        if kind is not None:
            row.kind = _check_kind(kind)
        if definition is not None:
            row.definition = definition.strip()
        if notes is not None:
            row.notes = notes.strip()
        if color is not None:
            row.color = color
        after = {"name": row.name, "kind": row.kind, "definition": row.definition, "notes": row.notes, "color": row.color}
        changed = {k: {"before": before[k], "after": after[k]} for k in before if before[k] != after[k]}
        if not changed:
            raise UserError(f"nothing to change in code {row.name!r}")
        session.flush()
        log_event(session, project_id=project.id, actor=who, action="code.change", entity="code", entity_id=row.id, data=changed)
        return next(c for c in codebook_rows(session, project.id) if c.id == row.id)


def move_code(
    project: Project, code: str | int, *, parent: str | int | None, position: int | None = None, actor: str | None = None
) -> CodeInfo:
    """Put a code (with everything under it) under another parent (None: the top), at ``position`` among its siblings."""
    who = actor or project.actor
    with project.store.transaction() as session:
        require_role(session, project.id, who, SCREENING_ROLES, "change the codebook")
        row = resolve_code(session, project.id, code)
        new_parent = resolve_code(session, project.id, parent) if parent is not None else None
        ancestor = new_parent
        while ancestor is not None:  # a code cannot move under itself or its own descendants
            if ancestor.id == row.id:
                raise UserError(f"cannot move {row.name!r} under itself")
            ancestor = store.get_code(session, project.id, ancestor.parent_id) if ancestor.parent_id else None
        new_parent_id = new_parent.id if new_parent is not None else None
        clash = store.child_named(session, project.id, new_parent_id, row.name)
        if clash is not None and clash.id != row.id:
            raise Conflict(f"there is already a code {row.name!r} there")
        siblings = [c for c in store.list_codes(session, project.id) if c.parent_id == new_parent_id and c.id != row.id]
        siblings.sort(key=lambda c: (c.position, c.id))
        at = len(siblings) if position is None else max(0, min(position, len(siblings)))
        siblings.insert(at, row)
        before = {"parent": row.parent_id, "position": row.position}
        row.parent_id = new_parent_id
        for index, sibling in enumerate(siblings):
            sibling.position = index
        session.flush()
        log_event(
            session, project_id=project.id, actor=who, action="code.move", entity="code", entity_id=row.id,
            data={"before": before, "after": {"parent": new_parent_id, "position": at}},
        )  # fmt: skip
        return next(c for c in codebook_rows(session, project.id) if c.id == row.id)


def codebook(project: Project) -> list[CodeInfo]:
    with project.store.read() as session:
        return codebook_rows(session, project.id)


def _insert_framework(session: Session, project: Project, actor: str, spec: Framework) -> int:
    added = 0

    def visit(parent: Code | None, codes: tuple[FrameworkCode, ...]) -> None:
        nonlocal added
        for code in codes:
            row = insert_code(
                session, project, actor, code.name, parent=parent, kind=code.kind, definition=code.definition,
                notes=code.notes, framework_name=spec.name, log=False,
            )  # fmt: skip
            added += 1
            visit(row, code.children)

    visit(None, spec.codes)
    return added


def load_framework(project: Project, name: str, *, actor: str | None = None) -> dict[str, Any]:
    """Load a built-in framework (``reciprocity`` or ``helpful-relationships``) into the codebook."""
    who = actor or project.actor
    try:
        spec = framework(name)
    except KeyError as exc:
        raise UserError(str(exc.args[0])) from None
    with project.store.transaction() as session:
        require_role(session, project.id, who, SCREENING_ROLES, "change the codebook")
        if any(c.framework == spec.name for c in store.list_codes(session, project.id)):
            raise Conflict(f"the {spec.name} framework is already in the codebook")
        added = _insert_framework(session, project, who, spec)
        log_event(
            session, project_id=project.id, actor=who, action="codebook.import", entity="codebook",
            data={"framework": spec.name, "codes": added, "source": spec.source},
        )  # fmt: skip
        return {"framework": spec.name, "title": spec.title, "codes": added, "themes": len(spec.themes)}
