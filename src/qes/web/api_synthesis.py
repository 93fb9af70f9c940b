"""Synthesis in the JSON API: the matrix with its frequency words, the translation grid, lines of
argument and third-order constructs, GRADE-CERQual findings. Each route calls one service, asked
as the signed-in user; the services check roles and CERQual's rules.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from qes.services import synthesis as service
from qes.web.api import User
from qes.web.auth import require_writer

router = APIRouter(prefix="/api", tags=["synthesis"])


class GridCellBody(BaseModel):
    concept: str  # name, 'Theme/Concept' or '#id'
    study: str  # label, '[21]' or '#id'
    text: str
    relation: str = ""  # '' | reciprocal | refutational
    segment_ids: list[int] = Field(default_factory=list)


class SynthesisBody(BaseModel):
    kind: str  # line_of_argument | third_order | overarching | narrative
    title: str
    text: str
    concepts: list[str] = Field(default_factory=list)


class ComponentBody(BaseModel):
    concern: str  # no_or_very_minor | minor | moderate | serious
    explanation: str = ""


class FindingBody(BaseModel):
    statement: str | None = None
    concept: str | None = None
    studies: list[str] | None = None
    segment_ids: list[int] | None = None
    components: dict[str, ComponentBody] = Field(default_factory=dict)
    overall: str | None = None  # high | moderate | low | very_low
    why: str | None = None


def matrix_json(user: User) -> dict[str, Any]:
    table = service.matrix_table(user.project, viewer=user.email)
    return {
        "columns": list(table.columns),
        "rows": table.as_dicts(),
        "frequency": service.frequency_words(user.project, viewer=user.email),
    }


@router.get("/synthesis")
def synthesis_overview(user: User) -> dict[str, Any]:
    """Everything /synthesis shows: matrix and frequency words, grid, syntheses, findings."""
    return {
        "matrix": matrix_json(user),
        "grid": service.grid_view(user.project, viewer=user.email).to_json(),
        "syntheses": [s.to_json() for s in service.list_syntheses(user.project, viewer=user.email)],
        "findings": [f.to_json() for f in service.list_findings(user.project, viewer=user.email)],
    }


@router.get("/synthesis/matrix")
def synthesis_matrix(user: User) -> dict[str, Any]:
    """The themes × studies matrix (`qes report matrix`) and the frequency word of each theme."""
    return matrix_json(user)


@router.get("/synthesis/grid")
def synthesis_grid(user: User) -> dict[str, Any]:
    return service.grid_view(user.project, viewer=user.email).to_json()


@router.get("/synthesis/grid/{concept_id}/{study_id}")
def synthesis_grid_cell(concept_id: int, study_id: int, user: User) -> dict[str, Any]:
    """One cell and the segments it may link (the cell editor's JSON twin)."""
    return service.grid_cell_detail(user.project, f"#{concept_id}", f"#{study_id}", viewer=user.email).to_json()


@router.put("/synthesis/grid")
def synthesis_grid_set(body: GridCellBody, user: User) -> dict[str, Any]:
    require_writer(user)
    cell = service.set_grid_cell(
        user.project, body.concept, body.study, text=body.text, relation=body.relation, segment_ids=body.segment_ids
    )
    return cell.to_json()


@router.get("/synthesis/texts")
def synthesis_texts(user: User) -> list[dict[str, Any]]:
    return [s.to_json() for s in service.list_syntheses(user.project, viewer=user.email)]


@router.put("/synthesis/texts")
def synthesis_text_set(body: SynthesisBody, user: User) -> dict[str, Any]:
    """Write (or rewrite, by kind and title) a line of argument or third-order construct."""
    require_writer(user)
    return service.set_synthesis(user.project, body.kind, body.title, text=body.text, concepts=body.concepts).to_json()


@router.get("/findings")
def findings_list(user: User) -> list[dict[str, Any]]:
    return [f.to_json() for f in service.list_findings(user.project, viewer=user.email)]


def _finding(user: User, number: int | None, body: FindingBody) -> dict[str, Any]:
    require_writer(user)
    info = service.set_finding(
        user.project,
        number,
        statement=body.statement,
        concept=body.concept,
        studies=body.studies,
        segment_ids=body.segment_ids,
        components={k: (v.concern, v.explanation) for k, v in body.components.items()},
        overall=body.overall,
        why=body.why,
    )
    return info.to_json()


@router.post("/findings")
def findings_add(body: FindingBody, user: User) -> dict[str, Any]:
    """Add a finding (numbered after the others), optionally with its CERQual assessment."""
    return _finding(user, None, body)


@router.put("/findings/{number}")
def findings_set(number: int, body: FindingBody, user: User) -> dict[str, Any]:
    """Change finding `number`: what is given replaces what was there (components one by one)."""
    return _finding(user, number, body)
