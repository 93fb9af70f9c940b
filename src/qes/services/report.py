"""Reports of a project: the manuscript tables by name, the PRISMA diagram, exports of the included studies.

Each table comes from the stage that owns its facts (Table 1 from extraction, the matrix, grid and
CERQual tables from synthesis); this module builds the two that belong to reporting itself — the
search log (PRISMA-S, from the `sources` table) and the full texts excluded with reasons — and
dispatches `report_table(project, name)` to the right builder.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TextIO, cast

from qes.errors import UserError
from qes.formats import write_records
from qes.reporting.prisma_diagram import layout
from qes.reporting.prisma_draw import draw
from qes.reporting.tables import Table
from qes.services.prisma import prisma_counts
from qes.services.project import Project
from qes.services.screening import list_stages_in
from qes.store import reporting as reporting_store
from qes.store import screening as screen_store
from qes.store.records import row_to_record
from qes.store.schema import RecordRow

# Table name (as in `qes report NAME`) → (module, function) building it from a project.
TABLE_BUILDERS: dict[str, tuple[str, str]] = {
    "studies": ("qes.services.extraction", "studies_table"),  # re-exported from extraction_tables
    "matrix": ("qes.services.synthesis", "matrix_table"),
    "grid": ("qes.services.synthesis", "grid_table"),
    "soqf": ("qes.services.synthesis", "soqf_table"),
    "evidence-profile": ("qes.services.synthesis", "evidence_profile_table"),
    "search-log": ("qes.services.report", "search_log_table"),
    "excluded": ("qes.services.report", "excluded_table"),
}
PRISMA_FORMATS = ("json", "svg", "png", "pdf")
INCLUDED_FORMATS = ("ris", "bibtex", "csv")


def table_builder(name: str) -> Callable[..., Table]:
    if name not in TABLE_BUILDERS:
        raise UserError(f"no table {name!r}; tables: {', '.join(TABLE_BUILDERS)}")
    module_name, function = TABLE_BUILDERS[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise UserError(f"table {name!r} needs {module_name}, which this installation does not have") from None
    builder = getattr(module, function, None)
    if builder is None:
        raise UserError(f"table {name!r} needs {module_name}.{function}, which this installation does not have")
    return builder  # type: ignore[no-any-return]


def report_table(project: Project, name: str, *, viewer: str | None = None) -> Table:
    """Table `name` of the project; `viewer` (an e-mail) for builders that show only what a person may see."""
    builder = table_builder(name)
    if viewer is not None and "viewer" in inspect.signature(builder).parameters:
        return builder(project, viewer=viewer)
    return builder(project)


def available_tables() -> list[str]:
    """Tables whose builder is installed (the reports page lists these)."""
    out = []
    for name in TABLE_BUILDERS:
        try:
            table_builder(name)
        except UserError:
            continue
        out.append(name)
    return out


def table_status(project: Project, *, viewer: str | None = None) -> list[dict[str, Any]]:
    """Each table: whether the project can build it now, its row count, or why not (for the reports page)."""
    out: list[dict[str, Any]] = []
    for name in TABLE_BUILDERS:
        try:
            table = report_table(project, name, viewer=viewer)
        except UserError as exc:
            out.append({"name": name, "ready": False, "rows": 0, "why": str(exc)})
            continue
        out.append({"name": name, "ready": True, "rows": len(table.rows), "why": "", "title": table.title})
    return out


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def search_log_table(project: Project) -> Table:
    """PRISMA-S: the search log's runs (`qes search log`) when the team logged them; else one row per source
    as imported — database, interface, date searched, strategy, hits, records imported."""
    from qes.services import search_log  # the search stage; imported here, it is not needed for other tables

    runs = search_log.search_log(project)
    if runs:
        return search_log.table_of(runs)
    with project.store.read() as session:
        sources = reporting_store.sources_with_records(session, project.id)
    rows = tuple(
        (
            source.database or source.name,
            source.interface,
            _date(source.searched_on),
            source.strategy,
            "" if source.hits_reported is None else f"{source.hits_reported:,}",
            f"{records:,}",
        )
        for source, records in sources
    )
    notes = ["Hits reported: as the database reported them; records imported: records qes read from the export files."]
    return Table(
        title="Search log (PRISMA-S)",
        columns=("database", "interface", "date searched", "strategy", "hits reported", "records imported"),
        rows=rows,
        notes=tuple(notes),
        key="search-log",
    )


def citation(row: RecordRow) -> str:
    """'Family (year)', 'Family and Other (year)' or 'Family et al. (year)' from a record."""
    families = [str(a.get("family") or a.get("literal") or "").strip() for a in row.authors or []]
    families = [f for f in families if f]
    if not families:
        who = textwrap.shorten(row.title or "Untitled", 32, placeholder="…")
    elif len(families) == 1:
        who = families[0]
    elif len(families) == 2:
        who = f"{families[0]} and {families[1]}"
    else:
        who = f"{families[0]} et al."
    return f"{who} ({row.year})" if row.year else who


def excluded_table(project: Project) -> Table:
    """Full texts excluded, each with its reasons (the protocol's texts; the first applies in PRISMA)."""
    with project.store.read() as session:
        stages = [s for s in list_stages_in(session, project) if s.kind == "fulltext"]
        criteria = {c.code: c.text for c in screen_store.list_criteria(session, project.id)}
        excluded = reporting_store.outcomes_with_records(session, [s.id for s in stages], "exclude")
        rows = tuple(
            (
                citation(record),
                record.title,
                "; ".join(criteria.get(r, r) for r in outcome.reasons or []) or "(no reason recorded)",
            )
            for record, outcome in excluded
        )
    return Table(
        title="Full texts excluded, with reasons",
        columns=("study", "title", "reason for exclusion"),
        rows=tuple(sorted(rows, key=lambda r: r[0].lower())),
        notes=("Reasons in protocol order; PRISMA counts each report under its first reason.",),
        key="excluded",
    )


def write_prisma(project: Project, fmt: str, stream: IO[Any]) -> None:
    """The PRISMA counts as JSON (text stream) or the diagram as svg (text) / png / pdf (binary)."""
    if fmt not in PRISMA_FORMATS:
        raise UserError(f"--format {fmt!r}: the PRISMA report is written as {', '.join(PRISMA_FORMATS)}")
    counts = prisma_counts(project)
    if fmt == "json":
        stream.write(json.dumps(counts, ensure_ascii=False, indent=2) + "\n")
        return
    draw(layout(counts), fmt, stream)


def export_included(project: Project, fmt: str, stream: IO[str]) -> int:
    """The included studies' records (RIS, BibTeX or CSV); returns how many were written."""
    if fmt not in INCLUDED_FORMATS:
        raise UserError(f"--format {fmt!r}: included studies are written as {', '.join(INCLUDED_FORMATS)}")
    with project.store.read() as session:
        # The studies table when extraction has begun (a study may have several reports), else the
        # records resolved include at the last screening stage.
        ids = reporting_store.study_record_ids(session, project.id)
        rows = (
            reporting_store.records_by_id(session, ids)
            if ids
            else reporting_store.records_with_status(session, project.id, "included")
        )
        records = [row_to_record(row) for row in rows]
    write_records(records, fmt, cast(TextIO, stream))
    return len(records)


def refi_ready(project: Project) -> bool:
    """REFI-QDA export is installed and the project has a codebook to export."""
    if importlib.util.find_spec("qes.services.refi") is None:
        return False
    with project.store.read() as session:
        return reporting_store.count_codes(session, project.id) > 0


def export_refi(project: Project, kind: str, path: Path) -> None:
    """A REFI-QDA project (kind 'qdpx') or codebook ('qdc'), written by the coding stage's `services.refi`."""
    if kind not in ("qdpx", "qdc"):
        raise UserError(f"{kind!r}: REFI-QDA exports are qdpx and qdc")
    try:
        module = importlib.import_module("qes.services.refi")
    except ModuleNotFoundError as exc:
        if exc.name != "qes.services.refi":
            raise
        raise UserError("REFI-QDA export needs qes.services.refi, which this installation does not have") from None
    getattr(module, f"export_{kind}")(project, path)
