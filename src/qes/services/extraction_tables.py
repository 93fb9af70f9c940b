"""Manuscript tables from extraction and appraisal: Table 1 (study characteristics) and the
appraisal table, as `qes.reporting.tables.Table`; and the entries export (CSV).

A study's row comes from its final record; a study with one entry only (a single extractor,
nobody else started) shows that entry, marked in the notes. Two unreconciled entries show
nothing: choosing between them is the reconciliation's job, and the table must not unblind.
"""

from __future__ import annotations

import csv
from typing import IO, Any

from sqlalchemy.orm import Session

from qes.errors import PermissionDenied
from qes.extraction.fields import display
from qes.extraction.summary import summarise
from qes.extraction.templates import TEMPLATES
from qes.reporting.tables import Table
from qes.services.extraction import FormInfo, find_form, form_info, form_overview
from qes.services.project import Project
from qes.services.screening import role_in
from qes.store import extraction as store
from qes.store.schema_synthesis import Form


def _title(info: FormInfo) -> str:
    return TEMPLATES[info.template].title if info.template in TEMPLATES else info.name


def _rows(session: Session, project: Project, form_row: Form) -> tuple[list[tuple[str, dict[str, Any] | None]], list[str]]:
    """(study label, values or None) per study in position order, and the labels shown from one entry."""
    finals = store.finals_of_form(session, form_row.id)
    entries: dict[int, list[Any]] = {}
    for entry in store.entries_of_form(session, form_row.id):
        entries.setdefault(entry.study_id, []).append(entry)
    rows: list[tuple[str, dict[str, Any] | None]] = []
    single: list[str] = []
    for study in store.list_studies(session, project.id):
        if study.id in finals:
            rows.append((study.label, dict(finals[study.id].values or {})))
            continue
        mine = entries.get(study.id, [])
        if len(mine) == 1 and mine[0].status == "submitted":
            rows.append((study.label, dict(mine[0].values or {})))
            single.append(study.label)
        else:
            rows.append((study.label, None))
    return rows, single


def _notes(rows: list[tuple[str, dict[str, Any] | None]], single: list[str]) -> list[str]:
    notes = []
    if single:
        notes.append(f"From one reviewer's entry, not reconciled: {'; '.join(single)}.")
    waiting = [label for label, values in rows if values is None]
    if waiting:
        notes.append(f"Not yet extracted or reconciled: {'; '.join(waiting)}.")
    return notes


def studies_table(project: Project, form: str | None = None, *, viewer: str | None = None, study_column: bool = True) -> Table:
    """Table 1: one row per study (position order), one column per field of the extraction form."""
    who = viewer or project.actor
    with project.store.read() as session:
        if role_in(session, project.id, who) is None:
            raise PermissionDenied(f"{who} is not a member of this project")
        form_row = find_form(session, project.id, form, "extraction")
        info = form_info(form_row)
        rows, single = _rows(session, project, form_row)
    columns = (("Study",) if study_column else ()) + tuple(f.label for f in info.fields)
    body = tuple(
        ((label,) if study_column else ()) + tuple(display((values or {}).get(f.key)) for f in info.fields)
        for label, values in rows
    )
    return Table(_title(info), columns, body, tuple(_notes(rows, single)), key="studies")


def appraisal_table(project: Project, form: str | None = None, *, viewer: str | None = None) -> Table:
    """The appraisal table: a study per row, the checklist's answers (Q1, Q2 ...), overall, summary."""
    who = viewer or project.actor
    with project.store.read() as session:
        if role_in(session, project.id, who) is None:
            raise PermissionDenied(f"{who} is not a member of this project")
        form_row = find_form(session, project.id, form, "appraisal")
        info = form_info(form_row)
        rows, single = _rows(session, project, form_row)
    shown = [f for f in info.fields if f.type != "long_text"]
    headers = tuple(f"Q{f.key[1:]}" if f.key[1:].isdigit() and f.key.startswith("q") else f.label for f in shown)
    body = []
    for label, values in rows:
        cells = tuple(display((values or {}).get(f.key)) for f in shown)
        summary = summarise(info.fields, values).line() if values is not None else ""
        body.append((label, *cells, summary))
    notes = [f"Q{f.key[1:]}: {f.label.split('. ', 1)[-1]}" for f in shown if f.key[1:].isdigit()]
    return Table(_title(info), ("Study", *headers, "Summary"), tuple(body), tuple(notes + _notes(rows, single)), key="appraisal")


def write_entries_csv(project: Project, form: str | None, stream: IO[str], *, viewer: str) -> int:
    """Every entry `viewer` may see, and each final record (person 'final'): one row each."""
    info, studies = form_overview(project, form, viewer)
    writer = csv.writer(stream)
    writer.writerow(["study", "person", "status", *[f.key for f in info.fields]])
    count = 0
    for seen in studies:
        for entry in seen.entries:
            writer.writerow([seen.study, entry.person, entry.status, *[display(entry.values.get(f.key)) for f in info.fields]])
            count += 1
        if seen.final is not None:
            writer.writerow([seen.study, "final", "reconciled", *[display(seen.final.get(f.key)) for f in info.fields]])
            count += 1
    return count
