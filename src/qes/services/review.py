"""The review report of a project: its facts gathered once, then methods, diagram, tables, checklists.

`review_facts(project)` is the plain dict the methods text and the checklists read (so both say
the same thing); `write_review(project, fmt, stream)` writes the whole report as HTML or DOCX.
"""

from __future__ import annotations

from typing import IO, Any

from qes import __version__
from qes.errors import PermissionDenied, UserError
from qes.reporting import review_report
from qes.reporting.checklists import CHECKLISTS, assess
from qes.reporting.methods import WRITTEN, methods_paragraphs
from qes.reporting.prisma_diagram import layout
from qes.reporting.prisma_draw import draw_bytes, to_svg
from qes.reporting.tables import Table
from qes.services.agreement import agreement
from qes.services.prisma import prisma_counts
from qes.services.project import Project
from qes.services.protocol import list_criteria, list_stages, protocol
from qes.services.report import available_tables, report_table
from qes.services.screening import SCREENING_ROLES, require_role
from qes.services.users import list_members
from qes.store import reporting as reporting_store
from qes.store.events import log_event

REVIEW_FORMATS = review_report.FORMATS
# Tables in the report, in manuscript order.
REPORT_TABLES = ("studies", "matrix", "grid", "soqf", "evidence-profile", "excluded", "search-log")


def _tables(project: Project) -> list[Table]:
    installed = set(available_tables())
    tables = []
    for name in REPORT_TABLES:
        if name not in installed:
            continue
        try:
            table = report_table(project, name, viewer=project.actor)
        except PermissionDenied:
            raise
        except UserError:
            continue  # e.g. no extraction form yet: the review has no Table 1 to show
        if table.rows:
            tables.append(table)
    return tables


def review_facts(project: Project, tables: list[Table] | None = None) -> dict[str, Any]:
    with project.store.read() as session:
        sources = [
            {
                "name": s.name,
                "database": s.database,
                "interface": s.interface,
                "searched": s.searched_on.isoformat() if s.searched_on else "",
                "strategy": s.strategy,
                "hits": s.hits_reported,
                "records": n,
                "kind": s.kind,
            }
            for s, n in reporting_store.sources_with_records(session, project.id)
        ]
        synthesis = reporting_store.synthesis_facts(session, project.id)
        settings_text = reporting_store.project_setting(session, project.id, "report_text") or {}
    stages = []
    for stage in list_stages(project):
        stats = agreement(project, stage.name) if stage.reviewers > 1 else None
        stages.append(
            {"name": stage.name, "kind": stage.kind, "reviewers": stage.reviewers, "blind": stage.blind, "agreement": stats}
        )
    tables = _tables(project) if tables is None else tables
    return {
        "project": project.config.name,
        "question": protocol(project)["question"],
        "software": f"qes {__version__}",
        "sources": sources,
        "prisma": prisma_counts(project),
        "criteria": [c.__dict__ for c in list_criteria(project)],
        "stages": stages,
        "members": [m.__dict__ for m in list_members(project)],
        "synthesis": synthesis,
        "tables": [t.key for t in tables],
        "report_text": settings_text,
    }


def checklist_results(facts: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The two checklists as JSON (for the API and `--json`)."""
    return {name: [r.__dict__ for r in assess(name, facts)] for name in CHECKLISTS}


def build_review(project: Project, fmt: str = "html") -> review_report.ReviewReport:
    tables = _tables(project)
    facts = review_facts(project, tables)
    diagram = layout(facts["prisma"])
    return review_report.ReviewReport(
        title=f"{facts['project']}: review report",
        question=facts["question"],
        methods=methods_paragraphs(facts),
        diagram_svg=to_svg(diagram),
        diagram_png=draw_bytes(diagram, "png") if fmt == "docx" else b"",  # only DOCX embeds the PNG
        diagram_notes=diagram.notes,
        tables=tables,
        checklists={name: assess(name, facts) for name in CHECKLISTS},
    )


def write_review(project: Project, fmt: str, stream: IO[Any]) -> None:
    if fmt not in REVIEW_FORMATS:
        raise UserError(f"--format {fmt!r}: the review report is written as {', '.join(REVIEW_FORMATS)}")
    review_report.write(build_review(project, fmt), fmt, stream)


def set_report_text(project: Project, key: str, text: str) -> dict[str, str]:
    """Write (or, with empty text, remove) a passage only the authors can write; one `report.text` event."""
    if key not in WRITTEN:
        raise UserError(f"{key!r}: the report's written passages are {', '.join(WRITTEN)}")
    with project.store.transaction() as session:
        require_role(session, project.id, project.actor, SCREENING_ROLES, "write the report's text")
        current = dict(reporting_store.project_setting(session, project.id, "report_text") or {})
        if text.strip():
            current[key] = text.strip()
        else:
            current.pop(key, None)
        reporting_store.set_project_setting(session, project.id, "report_text", current)
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action="report.text",
            entity="project",
            entity_id=project.id,
            data={"key": key, "text": text.strip()},
        )
    return current
