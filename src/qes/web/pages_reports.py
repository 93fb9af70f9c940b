"""Reporting pages: the dashboard (live PRISMA diagram), every download on /reports, the audit log.

Downloads are produced by the same service functions as `qes report` and `qes export`; the audit
page and its export go through the blind rule of `services.audit`.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from qes.reporting import render as table_render
from qes.reporting.prisma_diagram import layout
from qes.reporting.prisma_draw import MEDIA_TYPES as DIAGRAM_TYPES
from qes.reporting.prisma_draw import to_svg
from qes.services.audit import audit_page, export_audit
from qes.services.dashboard import dashboard
from qes.services.prisma import prisma_counts
from qes.services.report import (
    INCLUDED_FORMATS,
    PRISMA_FORMATS,
    export_included,
    export_refi,
    refi_ready,
    report_table,
    table_status,
    write_prisma,
)
from qes.services.review import REVIEW_FORMATS, write_review
from qes.web.pages import User, render

router = APIRouter(include_in_schema=False)
INCLUDED_SUFFIX = {"ris": "ris", "bibtex": "bib", "csv": "csv"}
FORMAT_LABELS = {"md": "Markdown", "csv": "CSV", "html": "HTML", "docx": "DOCX", "latex": "LaTeX"}
REVIEW_TYPES = {"html": table_render.MEDIA_TYPES["html"], "docx": table_render.MEDIA_TYPES["docx"]}


def download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _text_or_bytes(write: Any, binary: bool) -> bytes:
    buffer: Any = io.BytesIO() if binary else io.StringIO()
    write(buffer)
    value = buffer.getvalue()
    return value if binary else value.encode("utf-8")


def downloads(tables: list[dict[str, Any]], refi: bool) -> list[dict[str, Any]]:
    """Every download of the reports page (group, label, url), given `table_status`: ready tables only."""
    items: list[dict[str, Any]] = [
        {"group": "PRISMA 2020 flow", "label": fmt.upper(), "url": f"/reports/prisma.{fmt}"} for fmt in PRISMA_FORMATS
    ]
    for table in tables:
        if not table["ready"]:
            continue
        group = f"Table: {table['title'] or table['name']} ({table['rows']} rows)"
        for fmt in table_render.FORMATS:
            items.append({"group": group, "label": FORMAT_LABELS[fmt], "url": f"/reports/tables/{table['name']}.{fmt}"})
    items += [{"group": "Review report", "label": fmt.upper(), "url": f"/reports/review.{fmt}"} for fmt in REVIEW_FORMATS]
    items += [
        {"group": "Included studies", "label": fmt, "url": f"/reports/included.{INCLUDED_SUFFIX[fmt]}"}
        for fmt in INCLUDED_FORMATS
    ]
    items += [{"group": "Audit trail", "label": fmt.upper(), "url": f"/reports/audit.{fmt}"} for fmt in ("csv", "jsonl")]
    if refi:
        items += [
            {"group": "REFI-QDA", "label": label, "url": f"/reports/refi.{ext}"}
            for label, ext in (("project (.qdpx)", "qdpx"), ("codebook (.qdc)", "qdc"))
        ]
    return items


@router.get("/dashboard")
def dashboard_page(request: Request, user: User) -> Response:
    data = dashboard(user.project, user.email)
    return render(request, "dashboard.html", user, data=data, svg=to_svg(layout(data["prisma"])))


@router.get("/dashboard/prisma")
def dashboard_prisma(request: Request, user: User) -> Response:
    """The live diagram fragment the dashboard polls."""
    return Response(to_svg(layout(prisma_counts(user.project))), media_type="text/html; charset=utf-8")


@router.get("/reports")
def reports_page(request: Request, user: User) -> Response:
    tables = table_status(user.project, viewer=user.email)
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in downloads(tables, refi_ready(user.project)):
        groups.setdefault(item["group"], []).append(item)
    waiting = [t for t in tables if not t["ready"]]
    return render(request, "reports.html", user, groups=groups, waiting=waiting)


@router.get("/reports/prisma.{fmt}")
def prisma_download(fmt: str, user: User) -> Response:
    if fmt not in PRISMA_FORMATS:
        raise HTTPException(404, f"the PRISMA report is written as {', '.join(PRISMA_FORMATS)}")
    content = _text_or_bytes(lambda s: write_prisma(user.project, fmt, s), fmt in ("png", "pdf"))
    return download(content, DIAGRAM_TYPES[fmt], f"prisma.{fmt}")


@router.get("/reports/tables/{name}.{fmt}")
def table_download(name: str, fmt: str, user: User) -> Response:
    if fmt not in table_render.FORMATS:
        raise HTTPException(404, f"tables are written as {', '.join(table_render.FORMATS)}")
    table = report_table(user.project, name, viewer=user.email)
    return download(table_render.render_bytes(table, fmt), table_render.MEDIA_TYPES[fmt], f"{name}{table_render.SUFFIXES[fmt]}")


@router.get("/reports/review.{fmt}")
def review_download(fmt: str, user: User) -> Response:
    if fmt not in REVIEW_FORMATS:
        raise HTTPException(404, f"the review report is written as {', '.join(REVIEW_FORMATS)}")
    content = _text_or_bytes(lambda s: write_review(user.project, fmt, s), fmt == "docx")
    return download(content, REVIEW_TYPES[fmt], f"review-report.{fmt}")


@router.get("/reports/included.{suffix}")
def included_download(suffix: str, user: User) -> Response:
    fmt = next((f for f, s in INCLUDED_SUFFIX.items() if s == suffix), None)
    if fmt is None:
        raise HTTPException(404, "included studies are written as .ris, .bib or .csv")
    content = _text_or_bytes(lambda s: export_included(user.project, fmt, s), False)
    return download(content, "text/plain; charset=utf-8", f"included.{suffix}")


@router.get("/reports/audit.{fmt}")
def audit_download(fmt: str, user: User) -> Response:
    if fmt not in ("csv", "jsonl"):
        raise HTTPException(404, "the audit trail is written as csv or jsonl")
    content = _text_or_bytes(lambda s: export_audit(user.project, fmt, s, viewer=user.email), False)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    return download(content, media, f"audit.{fmt}")


@router.get("/reports/refi.{ext}")
def refi_download(ext: str, user: User) -> Response:
    if ext not in ("qdpx", "qdc"):
        raise HTTPException(404, "REFI-QDA exports are .qdpx and .qdc")
    slug = user.project.config.slug
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{slug}.{ext}"
        export_refi(user.project, ext, path)
        content = path.read_bytes()
    media = "application/zip" if ext == "qdpx" else "application/xml"
    return download(content, media, f"{slug}.{ext}")


@router.get("/audit")
def audit_view(request: Request, user: User, action: str = "", actor: str = "", entity: str = "", page: int = 1) -> Response:
    found = audit_page(user.project, user.email, action=action, actor=actor, entity=entity, page=page)
    query = {k: v for k, v in {"action": action, "actor": actor, "entity": entity}.items() if v}
    return render(request, "audit.html", user, found=found, filters=query, query=urlencode(query))
