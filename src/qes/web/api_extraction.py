"""Studies, forms, extraction and appraisal in the JSON API: the twins of /studies, /extraction
and /appraisal. Each route calls one service function as the signed-in user (the blind rule applies)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from qes.extraction.summary import summarise
from qes.services import extraction as service
from qes.services import studies as study_service
from qes.web.api import User
from qes.web.auth import require_writer

router = APIRouter(prefix="/api", tags=["extraction"])


class NewStudy(BaseModel):
    label: str
    record_id: int | None = None
    number: int | None = None


class NewReport(BaseModel):
    record_id: int


class NewForm(BaseModel):
    name: str
    template: str  # a built-in template (custom forms: `qes form add NAME --fields FILE`)
    kind: str | None = None


class Entry(BaseModel):
    form: str | None = None
    values: dict[str, Any] = Field(default_factory=dict)
    submit: bool = False


class Reconciliation(BaseModel):
    form: str | None = None
    take: dict[str, str] = Field(default_factory=dict)  # field key → person whose value is final
    set: dict[str, Any] = Field(default_factory=dict)  # field key → the final value, typed
    note: str = ""


@router.get("/studies")
def studies(user: User) -> list[dict[str, Any]]:
    """The studies in table order, each with its reports (record ids)."""
    return [s.to_json() for s in study_service.list_studies(user.project, viewer=user.email)]


@router.post("/studies")
def add_study(body: NewStudy, user: User) -> dict[str, Any]:
    require_writer(user)
    return study_service.add_study(user.project, body.label, body.record_id, body.number, actor=user.email).to_json()


@router.post("/studies/from-screening")
def studies_from_screening(user: User) -> list[dict[str, Any]]:
    """One study per record included at the last screening stage; returns those added."""
    require_writer(user)
    return [s.to_json() for s in study_service.include_studies_from_screening(user.project, actor=user.email)]


@router.post("/studies/{study_id}/reports")
def link_report(study_id: int, body: NewReport, user: User) -> dict[str, Any]:
    require_writer(user)
    return study_service.link_report(user.project, f"#{study_id}", body.record_id, actor=user.email).to_json()


@router.get("/forms")
def forms(user: User, kind: str | None = None) -> list[dict[str, Any]]:
    return [f.to_json() for f in service.list_forms(user.project, kind)]


@router.post("/forms")
def add_form(body: NewForm, user: User) -> dict[str, Any]:
    require_writer(user)
    return service.add_form(user.project, body.name, template=body.template, kind=body.kind, actor=user.email).to_json()


@router.get("/forms/{name}")
def form(name: str, user: User) -> dict[str, Any]:
    return service.get_form(user.project, name).to_json()


def _overview(user: Any, form: str | None, kind: str) -> dict[str, Any]:
    info, seen = service.form_overview(user.project, service.get_form(user.project, form, kind).name, user.email)
    rows = []
    for s in seen:
        row = s.to_json()
        if kind == "appraisal":
            row["summary"] = summarise(info.fields, s.final).to_json() if s.final is not None else None
        rows.append(row)
    return {"form": info.to_json(), "studies": rows}


def _study(user: Any, study_id: int, form: str | None, kind: str) -> dict[str, Any]:
    name = service.get_form(user.project, form, kind).name
    return service.study_form(user.project, f"#{study_id}", name, user.email).to_json()


def _save(user: Any, study_id: int, body: Entry, kind: str) -> dict[str, Any]:
    require_writer(user)
    name = service.get_form(user.project, body.form, kind).name
    entry = service.save_entry(user.project, f"#{study_id}", name, body.values, person=user.email, submit=body.submit)
    return entry.__dict__


def _reconcile(user: Any, study_id: int, body: Reconciliation, kind: str) -> dict[str, Any]:
    require_writer(user)
    name = service.get_form(user.project, body.form, kind).name
    final = service.reconcile_study(
        user.project, f"#{study_id}", name, actor=user.email, take=body.take, set_values=body.set, note=body.note
    )
    return {"study_id": study_id, "form": name, "final": final}


@router.get("/extraction")
def extraction(user: User, form: str | None = None) -> dict[str, Any]:
    """Every study on an extraction form, as you may see it (state, your entry, visible entries)."""
    return _overview(user, form, "extraction")


@router.get("/extraction/{study_id}")
def extraction_study(study_id: int, user: User, form: str | None = None) -> dict[str, Any]:
    """A study's entries as you may see them; `comparison` once both are submitted."""
    return _study(user, study_id, form, "extraction")


@router.post("/extraction/{study_id}/entry")
def extraction_save(study_id: int, body: Entry, user: User) -> dict[str, Any]:
    """Save your entry (values merged; `submit` checks required fields)."""
    return _save(user, study_id, body, "extraction")


@router.post("/extraction/{study_id}/reconcile")
def extraction_reconcile(study_id: int, body: Reconciliation, user: User) -> dict[str, Any]:
    """The final record: agreed fields, plus `take`/`set` for each difference."""
    return _reconcile(user, study_id, body, "extraction")


@router.get("/appraisal")
def appraisal(user: User, form: str | None = None) -> dict[str, Any]:
    """Every study on an appraisal checklist, with a summary of each final appraisal."""
    return _overview(user, form, "appraisal")


@router.get("/appraisal/{study_id}")
def appraisal_study(study_id: int, user: User, form: str | None = None) -> dict[str, Any]:
    return _study(user, study_id, form, "appraisal")


@router.post("/appraisal/{study_id}/entry")
def appraisal_save(study_id: int, body: Entry, user: User) -> dict[str, Any]:
    return _save(user, study_id, body, "appraisal")


@router.post("/appraisal/{study_id}/reconcile")
def appraisal_reconcile(study_id: int, body: Reconciliation, user: User) -> dict[str, Any]:
    return _reconcile(user, study_id, body, "appraisal")


@router.get("/tables/studies")
def studies_table(user: User, form: str | None = None) -> dict[str, Any]:
    """Table 1 as data: title, columns, rows (one per study), notes."""
    table = service.studies_table(user.project, form, viewer=user.email)
    return {"title": table.title, "columns": list(table.columns), "rows": table.as_dicts(), "notes": list(table.notes)}


@router.get("/tables/appraisal")
def appraisal_table(user: User, form: str | None = None) -> dict[str, Any]:
    table = service.appraisal_table(user.project, form, viewer=user.email)
    return {"title": table.title, "columns": list(table.columns), "rows": table.as_dicts(), "notes": list(table.notes)}
