"""JSON twins of the reporting pages: dashboard, PRISMA counts, the downloads list, checklists, audit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from qes.services.audit import audit_page
from qes.services.dashboard import dashboard
from qes.services.prisma import prisma_counts
from qes.services.report import refi_ready, report_table, table_status
from qes.services.review import checklist_results, review_facts
from qes.web.auth import SignedIn, require_api_user
from qes.web.pages_reports import downloads

router = APIRouter(prefix="/api", tags=["reports"])
User = Annotated[SignedIn, Depends(require_api_user)]


@router.get("/dashboard")
def dashboard_json(user: User) -> dict[str, Any]:
    """Progress per stage and reviewer, agreement per stage, the PRISMA counts."""
    return dashboard(user.project, user.email)


@router.get("/prisma")
def prisma_json(user: User) -> dict[str, Any]:
    """PRISMA 2020 counts (PRISMA2020 R package data names; `recorded` marks numbers recorded, not derived)."""
    return prisma_counts(user.project)


@router.get("/reports")
def reports_json(user: User) -> dict[str, Any]:
    """Every download the reports page offers, and the tables not ready yet (with why)."""
    tables = table_status(user.project, viewer=user.email)
    return {"downloads": downloads(tables, refi_ready(user.project)), "tables": tables}


@router.get("/reports/tables/{name}")
def table_json(name: str, user: User) -> dict[str, Any]:
    table = report_table(user.project, name, viewer=user.email)
    return {
        "key": table.key,
        "title": table.title,
        "columns": list(table.columns),
        "rows": table.as_dicts(),
        "notes": list(table.notes),
    }


@router.get("/reports/checklists")
def checklists_json(user: User) -> dict[str, Any]:
    """ENTREQ and eMERGe: each item met (and where) or still missing."""
    return checklist_results(review_facts(user.project))


@router.get("/audit")
def audit_json(user: User, action: str = "", actor: str = "", entity: str = "", page: int = 1) -> dict[str, Any]:
    """One page (50) of the audit trail, through the blind rule of screening."""
    return audit_page(user.project, user.email, action=action, actor=actor, entity=entity, page=page).to_json()
