"""Synthesis use cases: the themes × studies matrix, the translation grid, lines of argument and
third-order constructs, GRADE-CERQual findings, tabulations by study characteristics.

The matrix and the tabulations are computed from the coding and the extraction finals every time
they are asked for (never stored), so they cannot disagree with the coding they summarise. The
grid, syntheses and findings are the team's writing; each write is one transaction with its event
(`grid.set`, `synthesis.set`, `finding.set`).

GRADE-CERQual findings are written by `qes.services.findings` and re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from qes.errors import NotFound, PermissionDenied, UserError
from qes.reporting.tables import Table
from qes.services.codebook import resolve_code
from qes.services.coding import final_segment_rows, visible_segments
from qes.services.findings import FindingInfo, evidence_profile_table, list_findings, set_finding, soqf_table
from qes.services.project import Project
from qes.services.screening import SCREENING_ROLES, require_role, role_in
from qes.services.studies import find_study
from qes.store import synthesis as store
from qes.store.events import log_event
from qes.store.schema import utcnow
from qes.store.schema_synthesis import GridCell, Synthesis
from qes.synthesis import grid, matrix, tabulate

WRITING_ROLES = SCREENING_ROLES  # owner, reviewer, adjudicator
SYNTHESIS_KINDS = ("line_of_argument", "third_order", "overarching", "narrative")


def _require_member(session: Session, project: Project, who: str) -> None:
    if role_in(session, project.id, who) is None:
        raise PermissionDenied(f"{who} is not a member of this project")


# --- codes ---------------------------------------------------------------------------------------------


def find_code(session: Session, project_id: int, ref: str | int) -> matrix.CodeNode:
    """A code by '#id', by path 'Theme/Concept' or by a name no other code has (the codebook's rule)."""
    row = resolve_code(session, project_id, ref)
    return matrix.CodeNode(row.id, row.parent_id, row.name, row.kind, row.position)


# --- the matrix ----------------------------------------------------------------------------------------


def compute_matrix(project: Project, *, viewer: str | None = None) -> matrix.Matrix:
    with project.store.read() as session:
        _require_member(session, project, viewer or project.actor)
        final = [row.id for row in final_segment_rows(session, project.id)]
        applied = store.applied_codes(session, project.id, final)
        return matrix.build_matrix(store.code_nodes(session, project.id), store.study_refs(session, project.id), applied)


def frequency_words(project: Project, *, viewer: str | None = None) -> list[dict[str, Any]]:
    """Per theme: how many studies support it, of how many, and the word for it ("most", "four studies")."""
    computed = compute_matrix(project, viewer=viewer)
    return [{"theme": t, "studies": k, "of": n, "word": w} for t, k, n, w in matrix.frequency_words(computed)]


def matrix_table(project: Project, *, viewer: str | None = None) -> Table:
    """`qes report matrix`: `study`, then one column per top-level theme; cells ✓, ✓ (in part) or empty."""
    computed = compute_matrix(project, viewer=viewer)
    columns = ("study", *(t.name for t in computed.themes))
    rows = tuple((s.label, *(computed.cell_text(s.id, t.id) for t in computed.themes)) for s in computed.studies)
    notes = tuple(f"{t}: {w} ({k} of {n} studies)" for t, k, n, w in matrix.frequency_words(computed))
    return Table("Themes × studies", columns, rows, notes=notes, key="matrix")


# --- the translation grid ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridCellInfo:
    concept_id: int
    concept: str
    study_id: int
    study: str
    text: str
    relation: str
    segment_ids: list[int] = field(default_factory=list)
    updated_by: str = ""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class GridView:
    concepts: list[grid.Concept]
    studies: list[matrix.StudyRef]
    cells: list[GridCellInfo]

    def cell(self, concept_id: int, study_id: int) -> GridCellInfo | None:
        return next((c for c in self.cells if c.concept_id == concept_id and c.study_id == study_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "concepts": [{"id": c.id, "name": c.name, "theme": c.theme} for c in self.concepts],
            "studies": [{"id": s.id, "label": s.label} for s in self.studies],
            "cells": [c.to_json() for c in self.cells],
            "summary": [s.__dict__ | {"translation": s.translation} for s in grid.summarise(self.concepts, self._cells())],
        }

    def _cells(self) -> list[grid.Cell]:
        return [grid.Cell(c.concept_id, c.study_id, c.text, c.relation, tuple(c.segment_ids)) for c in self.cells]


def _grid_concepts(codes: list[matrix.CodeNode], used: set[int]) -> list[grid.Concept]:
    """Every code of kind 'concept' (or, in a codebook without concepts, every theme) and every code
    holding a cell, in codebook order."""
    by_id = {c.id: c for c in codes}
    top = matrix.top_level_of(codes)
    rows = {c.id for c in codes if c.kind == "concept"} or {t.id for t in matrix.themes(codes)}
    out = []
    for code in matrix.ordered_tree(codes):
        if code.id in rows or code.id in used:
            theme = by_id[top[code.id]].name if top[code.id] != code.id else ""
            out.append(grid.Concept(code.id, code.name, theme))
    return out


def grid_view(project: Project, *, viewer: str | None = None) -> GridView:
    with project.store.read() as session:
        _require_member(session, project, viewer or project.actor)
        codes = store.code_nodes(session, project.id)
        studies = store.study_refs(session, project.id)
        rows = store.list_cells(session, project.id)
        names = {c.id: c.name for c in codes}
        labels = {s.id: s.label for s in studies}
        cells = [
            GridCellInfo(
                r.code_id,
                names[r.code_id],
                r.study_id,
                labels[r.study_id],
                r.text,
                r.relation,
                list(r.segment_ids or []),
                r.updated_by,
            )
            for r in rows
        ]
        return GridView(_grid_concepts(codes, {r.code_id for r in rows}), studies, cells)


def grid_table(project: Project, *, viewer: str | None = None) -> Table:
    view = grid_view(project, viewer=viewer)
    rows = grid.grid_rows(view.concepts, [s.id for s in view.studies], view._cells())
    columns = ("theme", "concept", *(s.label for s in view.studies))
    return Table("Translation grid", columns, tuple(tuple(r) for r in rows), notes=(grid.MARK_KEY,), key="grid")


@dataclass(frozen=True)
class GridCellInput:
    """One cell to write: concept and study as the user names them."""

    concept: str | int
    study: str | int
    text: str
    relation: str = ""
    segment_ids: Sequence[int] = ()


def set_grid_cell(
    project: Project,
    concept: str | int,
    study: str | int,
    *,
    text: str,
    relation: str = "",
    segment_ids: Sequence[int] = (),
    actor: str | None = None,
) -> GridCellInfo:
    """Write one cell: the study's own term or quote for the concept, its mark and its segments."""
    return set_grid_cells(project, [GridCellInput(concept, study, text, relation, segment_ids)], actor=actor)[0]


def set_grid_cells(project: Project, cells: Sequence[GridCellInput], *, actor: str | None = None) -> list[GridCellInfo]:
    """Write several cells in one transaction (all or none), one `grid.set` event each."""
    who = actor or project.actor
    with project.store.transaction() as session:
        require_role(session, project.id, who, WRITING_ROLES, "edit the translation grid")
        return [_write_cell(session, project, who, cell) for cell in cells]


def _write_cell(session: Session, project: Project, who: str, cell: GridCellInput) -> GridCellInfo:
    try:
        relation = grid.check_relation(cell.relation)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if not cell.text.strip():
        raise UserError("a grid cell needs the study's own term, metaphor or quote (--text)")
    code = find_code(session, project.id, cell.concept)
    row_study = find_study(session, project.id, cell.study)
    ids = sorted(set(int(i) for i in cell.segment_ids))
    owners = store.segment_studies(session, project.id, ids)
    for seg in ids:
        if seg not in owners:
            raise NotFound(f"no segment {seg}")
        if owners[seg] != row_study.id:
            raise UserError(f"segment {seg} is not from a document of {row_study.label!r}")
    row = store.get_cell(session, project.id, code.id, row_study.id)
    if row is None:
        row = GridCell(project_id=project.id, code_id=code.id, study_id=row_study.id)
        session.add(row)
    row.text, row.relation, row.segment_ids = cell.text.strip(), relation, ids
    row.updated_by, row.updated_at = who, utcnow()
    session.flush()
    log_event(
        session,
        project_id=project.id,
        actor=who,
        action="grid.set",
        entity="grid_cell",
        entity_id=row.id,
        data={"concept": code.name, "study": row_study.label, "relation": relation, "segments": ids, "text": row.text},
    )
    return GridCellInfo(code.id, code.name, row_study.id, row_study.label, row.text, relation, ids, who)


@dataclass(frozen=True)
class CellSegment:
    """A segment a grid cell may come from: the study's coding under the concept (or below it)."""

    id: int
    document_id: int
    text: str
    order: str
    page: int | None
    codes: list[str]
    linked: bool

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CellDetail:
    concept: grid.Concept
    study: matrix.StudyRef
    cell: GridCellInfo | None
    segments: list[CellSegment]

    def to_json(self) -> dict[str, Any]:
        return {
            "concept": {"id": self.concept.id, "name": self.concept.name, "theme": self.concept.theme},
            "study": {"id": self.study.id, "label": self.study.label},
            "cell": self.cell.to_json() if self.cell else None,
            "segments": [s.to_json() for s in self.segments],
        }


def grid_cell_detail(project: Project, concept: str | int, study: str | int, *, viewer: str | None = None) -> CellDetail:
    """One cell and the segments it may link: what the cell editor shows (the blind rule applies)."""
    who = viewer or project.actor
    view = grid_view(project, viewer=who)
    with project.store.read() as session:
        code = find_code(session, project.id, concept)
        row_study = find_study(session, project.id, study)
        codes = store.code_nodes(session, project.id)
        below = _descendants(codes, code.id)
        visible = visible_segments(session, project, who)
        owners = store.segment_studies(session, project.id, [s.id for s in visible])
    cell = view.cell(code.id, row_study.id)
    linked = set(cell.segment_ids) if cell else set()
    segments = [
        CellSegment(s.id, s.document_id, s.text, s.order, s.page, [c["path"] for c in s.codes], s.id in linked)
        for s in visible
        if owners.get(s.id) == row_study.id and any(c["id"] in below for c in s.codes)
    ]
    top = matrix.top_level_of(codes)
    theme = next((c.name for c in codes if c.id == top[code.id] and c.id != code.id), "")
    return CellDetail(grid.Concept(code.id, code.name, theme), matrix.StudyRef(row_study.id, row_study.label), cell, segments)


def _descendants(codes: Sequence[matrix.CodeNode], root: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for c in codes:
        children.setdefault(c.parent_id, []).append(c.id)
    out, todo = set(), [root]
    while todo:
        node = todo.pop()
        out.add(node)
        todo += children.get(node, [])
    return out


# --- line of argument, third-order constructs ------------------------------------------------------------


@dataclass(frozen=True)
class SynthesisInfo:
    id: int
    kind: str
    title: str
    text: str
    concepts: list[str]
    position: int
    updated_by: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _synthesis_info(row: Synthesis, names: Mapping[int, str]) -> SynthesisInfo:
    concepts = [names.get(int(i), f"#{i}") for i in row.code_ids or []]
    return SynthesisInfo(row.id, row.kind, row.title, row.text, concepts, row.position, row.updated_by)


def set_synthesis(
    project: Project, kind: str, title: str, *, text: str, concepts: Sequence[str | int] = (), actor: str | None = None
) -> SynthesisInfo:
    """Write (or rewrite) a line of argument, third-order construct, overarching or narrative text."""
    who = actor or project.actor
    kind = kind.strip().replace("-", "_")
    if kind not in SYNTHESIS_KINDS:
        raise UserError(f"synthesis kind {kind!r}: use one of {', '.join(SYNTHESIS_KINDS)}")
    if not title.strip() or not text.strip():
        raise UserError("a synthesis needs a title and its text")
    with project.store.transaction() as session:
        require_role(session, project.id, who, WRITING_ROLES, "write the synthesis")
        codes = [find_code(session, project.id, c) for c in concepts]
        row = store.get_synthesis(session, project.id, kind, title.strip())
        if row is None:
            row = Synthesis(
                project_id=project.id, kind=kind, title=title.strip(), position=store.next_synthesis_position(session, project.id)
            )
            session.add(row)
        row.text, row.code_ids = text.strip(), [c.id for c in codes]
        row.updated_by, row.updated_at = who, utcnow()
        session.flush()
        log_event(
            session,
            project_id=project.id,
            actor=who,
            action="synthesis.set",
            entity="synthesis",
            entity_id=row.id,
            data={"kind": kind, "title": row.title, "concepts": [c.name for c in codes]},
        )
        return _synthesis_info(row, {c.id: c.name for c in codes})


def list_syntheses(project: Project, *, viewer: str | None = None) -> list[SynthesisInfo]:
    with project.store.read() as session:
        _require_member(session, project, viewer or project.actor)
        names = {c.id: c.name for c in store.code_nodes(session, project.id)}
        return [_synthesis_info(r, names) for r in store.list_syntheses(session, project.id)]


# --- tabulations -----------------------------------------------------------------------------------------------


def characteristics_table(project: Project, field_key: str, *, viewer: str | None = None) -> Table:
    """Studies counted by one extraction field's final values ('country', 'design' ...).

    A country field holds "Italy; United States" for a multinational study: it counts under each.
    """
    with project.store.read() as session:
        _require_member(session, project, viewer or project.actor)
        studies = store.study_refs(session, project.id)
        finals = [
            (sid, values[field_key]) for sid, _form, values in store.extraction_finals(session, project.id) if field_key in values
        ]
        spec = next(
            (f for _n, fields in store.form_fields(session, project.id) for f in fields if f.get("key") == field_key), None
        )
    if spec is None:
        raise NotFound(f"no extraction field {field_key!r}")
    labels = {s.id: s.label for s in studies}
    values: dict[str, object] = {}
    for sid, value in finals:
        if sid in labels:
            several = spec.get("type") == "country" and isinstance(value, str)
            values[labels[sid]] = value.split("; ") if several else value
    order = [s.label for s in studies]
    label = str(spec.get("label") or field_key)
    return tabulate.tabulation_table(label, tabulate.tabulate(values, order), len(order))


__all__ = [
    "FindingInfo",
    "GridCellInfo",
    "GridCellInput",
    "CellDetail",
    "CellSegment",
    "GridView",
    "grid_cell_detail",
    "SynthesisInfo",
    "characteristics_table",
    "compute_matrix",
    "evidence_profile_table",
    "find_code",
    "frequency_words",
    "grid_table",
    "grid_view",
    "list_findings",
    "list_syntheses",
    "matrix_table",
    "set_finding",
    "set_grid_cell",
    "set_grid_cells",
    "set_synthesis",
    "soqf_table",
]
