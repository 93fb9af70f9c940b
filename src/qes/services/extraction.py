"""Extraction and appraisal: forms, each person's entry per study, comparison, the final record.

The blind rule lives here and only here (`_visible`), like screening's: until two people have
submitted their entries for a study on a form, each sees only their own. Then the two extractors
and the adjudicators (and owners) see both, to compare and reconcile; once the final record exists,
every member does. Events name the fields changed, never their values, so the audit log cannot
unblind anyone. Appraisal is the same with `kind = 'appraisal'` forms (checklists).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from qes.errors import Conflict, NotFound, PermissionDenied, UserError
from qes.extraction.compare import FieldComparison, compare_entries
from qes.extraction.fields import FORM_KINDS, Field, Value, missing_required, normalise_values, parse_fields
from qes.extraction.formfile import parse_form_file
from qes.extraction.reconcile import reconcile
from qes.extraction.templates import get_template
from qes.services.project import Project
from qes.services.screening import ADJUDICATING_ROLES, SCREENING_ROLES, require_role, role_in
from qes.services.studies import find_study
from qes.store import extraction as store
from qes.store.events import log_event
from qes.store.schema import utcnow
from qes.store.schema_synthesis import Form, FormEntry, FormFinal, Study

EXTRACTORS = 2  # entries per study and form: two people, independently


@dataclass(frozen=True)
class FormInfo:
    id: int
    name: str
    kind: str
    template: str
    version: int
    fields: tuple[Field, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "template": self.template,
            "version": self.version,
            "fields": [f.to_json() for f in self.fields],
        }


@dataclass(frozen=True)
class EntryInfo:
    person: str
    status: str  # draft | submitted
    values: dict[str, Any]
    updated_at: str


@dataclass
class StudyForm:
    """One study on one form as `viewer` may see it."""

    study: str
    study_id: int
    form: str
    state: str  # open (fewer than two submitted) | compare (both submitted) | reconciled
    mine: EntryInfo | None
    entries: list[EntryInfo]  # what the viewer may see (see the module docstring)
    comparison: list[FieldComparison] | None
    final: dict[str, Any] | None
    final_by: str = ""
    note: str = ""
    hidden: int = 0  # entries the viewer may not see yet
    can_reconcile: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "study_id": self.study_id,
            "form": self.form,
            "state": self.state,
            "mine": self.mine.__dict__ if self.mine else None,
            "entries": [e.__dict__ for e in self.entries],
            "comparison": None if self.comparison is None else [c.to_json() for c in self.comparison],
            "final": self.final,
            "final_by": self.final_by,
            "note": self.note,
            "hidden": self.hidden,
            "can_reconcile": self.can_reconcile,
        }


def form_info(row: Form) -> FormInfo:
    return FormInfo(row.id, row.name, row.kind, row.template, row.version, parse_fields(row.fields, f"form {row.name}"))


def find_form(session: Session, project_id: int, name: str | None, kind: str | None = None) -> Form:
    """The form named `name`, or the project's first form (of `kind`) when no name is given."""
    if name:
        row = store.get_form(session, project_id, name)
        if row is None:
            raise NotFound(f"no form {name!r} (qes form list shows them; qes form add NAME --template ... adds one)")
        if kind is not None and row.kind != kind:
            verb = "qes appraise" if row.kind == "appraisal" else "qes extract"
            raise UserError(f"{name!r} is an {row.kind} form, not an {kind} form (use it with {verb})")
        return row
    forms = store.list_forms(session, project_id, kind)
    if not forms:
        what = f"{kind} form" if kind else "form"
        raise NotFound(f"no {what} yet: add one with qes form add NAME --template ...")
    return forms[0]


def read_fields_file(path: Path) -> tuple[str | None, tuple[Field, ...]]:
    """A custom form's kind (or None) and fields from its JSON or TOML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_form_file(text, str(path))


def add_form(
    project: Project,
    name: str,
    *,
    template: str | None = None,
    fields_file: Path | None = None,
    fields: Sequence[Mapping[str, Any]] | None = None,
    kind: str | None = None,
    actor: str | None = None,
) -> FormInfo:
    """A form from a built-in template, a fields file, or `fields` as plain data (the file's
    [{key, label, type, choices, help, required}]); `kind` defaults to the template's or file's."""
    who = actor or project.actor
    name = name.strip()
    if not name or len(name) > 100:
        raise UserError("a form needs a name of 1 to 100 characters")
    if sum(x is not None for x in (template, fields_file, fields)) != 1:
        raise UserError("give either --template NAME or --fields FILE")
    parsed: tuple[Field, ...]
    if template is not None:
        built_in = get_template(template)
        parsed, default_kind = built_in.fields, built_in.kind
    elif fields_file is not None:
        file_kind, parsed = read_fields_file(fields_file)
        default_kind = file_kind or "extraction"
    else:
        parsed, default_kind = parse_fields(fields or [], f"form {name}"), "extraction"
    kind = kind or default_kind
    if kind not in FORM_KINDS:
        raise UserError(f"unknown form kind {kind!r}; choose one of {', '.join(FORM_KINDS)}")
    with project.store.transaction() as session:
        require_role(session, project.id, who, SCREENING_ROLES, "add forms")
        if store.get_form(session, project.id, name) is not None:
            raise Conflict(f"there is already a form {name!r}")
        row = Form(
            project_id=project.id,
            name=name,
            kind=kind,
            template=template or "",
            fields=[f.to_json() for f in parsed],
            version=1,
            created_by=who,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        log_event(
            session,
            project_id=project.id,
            actor=who,
            action="form.add",
            entity="form",
            entity_id=row.id,
            data={"name": name, "kind": kind, "template": template or "", "fields": [f.key for f in parsed]},
        )
        return form_info(row)


def list_forms(project: Project, kind: str | None = None) -> list[FormInfo]:
    with project.store.read() as session:
        return [form_info(f) for f in store.list_forms(session, project.id, kind)]


def get_form(project: Project, name: str | None, kind: str | None = None) -> FormInfo:
    with project.store.read() as session:
        return form_info(find_form(session, project.id, name, kind))


def _entry_info(row: FormEntry) -> EntryInfo:
    return EntryInfo(row.person, row.status, dict(row.values or {}), row.updated_at.isoformat(timespec="seconds"))


def save_entry(
    project: Project,
    study: str | int,
    form: str | None,
    values: Mapping[str, Any],
    *,
    person: str,
    submit: bool = False,
) -> EntryInfo:
    """Save `person`'s values for a study (merged into their entry); `submit` checks required fields."""
    person = person.strip().lower()
    with project.store.transaction() as session:
        require_role(session, project.id, person, SCREENING_ROLES, "extract or appraise")
        form_row = find_form(session, project.id, form)
        info = form_info(form_row)
        study_row = find_study(session, project.id, study)
        store.lock_study(session, study_row.id)  # two people saving at once: both counted against EXTRACTORS
        if store.get_final(session, form_row.id, study_row.id) is not None:
            raise Conflict(f"{study_row.label!r} is reconciled on {info.name!r}; entries there are final")
        normalised = normalise_values(info.fields, values)
        entry = store.get_entry(session, form_row.id, study_row.id, person)
        if entry is None:
            others = store.entries_for(session, form_row.id, study_row.id)
            if len(others) >= EXTRACTORS:
                raise Conflict(f"{study_row.label!r} already has the {EXTRACTORS} entries a study takes on {info.name!r}")
            entry = FormEntry(project_id=project.id, form_id=form_row.id, study_id=study_row.id, person=person, values={})
            session.add(entry)
        merged = {**(entry.values or {}), **normalised}
        merged = {k: v for k, v in merged.items() if v is not None}
        status = "submitted" if submit or entry.status == "submitted" else "draft"
        if status == "submitted":
            missing = missing_required(info.fields, merged)
            if missing:
                raise UserError(f"cannot submit: required field(s) empty: {', '.join(missing)}")
        entry.values, entry.status, entry.updated_at = merged, status, utcnow()
        session.flush()
        log_event(
            session,
            project_id=project.id,
            actor=person,
            action="form.entry",
            entity="study",
            entity_id=study_row.id,
            data={"form": info.name, "study": study_row.label, "status": status, "fields": sorted(normalised)},
        )
        return _entry_info(entry)


def _visible(entries: Sequence[FormEntry], reconciled: bool, viewer: str, role: str | None) -> list[FormEntry]:
    if role is None:
        return []
    if reconciled:
        return list(entries)
    submitted = [e for e in entries if e.status == "submitted"]
    both = len(submitted) >= EXTRACTORS
    if both and (role in ADJUDICATING_ROLES or any(e.person == viewer for e in submitted)):
        return list(entries)
    return [e for e in entries if e.person == viewer]


def _viewer_role(session: Session, project: Project, viewer: str) -> str:
    role = role_in(session, project.id, viewer)
    if role is None:
        raise PermissionDenied(f"{viewer} is not a member of this project")
    return role


def _study_form(
    info: FormInfo, study: Study, entries: Sequence[FormEntry], final: FormFinal | None, viewer: str, role: str
) -> StudyForm:
    visible = _visible(entries, final is not None, viewer, role)
    submitted = [e for e in visible if e.status == "submitted"]
    comparison = None
    if len(submitted) >= EXTRACTORS and len(visible) == len(entries):
        comparison = compare_entries(info.fields, {e.person: e.values or {} for e in submitted})
    state = "reconciled" if final is not None else ("compare" if comparison is not None else "open")
    mine = next((e for e in entries if e.person == viewer), None)
    may_reconcile = role in ADJUDICATING_ROLES or (role in SCREENING_ROLES and mine is not None)
    return StudyForm(
        study=study.label,
        study_id=study.id,
        form=info.name,
        state=state,
        mine=_entry_info(mine) if mine else None,
        entries=[_entry_info(e) for e in visible],
        comparison=comparison,
        final=None if final is None else dict(final.values or {}),
        final_by=final.reconciled_by if final else "",
        note=final.note if final else "",
        hidden=len(entries) - len(visible),
        can_reconcile=final is None and comparison is not None and may_reconcile,
    )


def study_form(project: Project, study: str | int, form: str | None, viewer: str) -> StudyForm:
    """A study's entries on a form as `viewer` may see them, compared once both are submitted."""
    with project.store.read() as session:
        role = _viewer_role(session, project, viewer)
        form_row = find_form(session, project.id, form)
        row = find_study(session, project.id, study)
        entries = store.entries_for(session, form_row.id, row.id)
        final = store.get_final(session, form_row.id, row.id)
        return _study_form(form_info(form_row), row, entries, final, viewer, role)


def form_overview(project: Project, form: str | None, viewer: str) -> tuple[FormInfo, list[StudyForm]]:
    """Every study on a form, as `viewer` may see it (the extraction and appraisal pages). Three queries."""
    with project.store.read() as session:
        role = _viewer_role(session, project, viewer)
        form_row = find_form(session, project.id, form)
        info = form_info(form_row)
        entries: dict[int, list[FormEntry]] = {}
        for entry in store.entries_of_form(session, form_row.id):
            entries.setdefault(entry.study_id, []).append(entry)
        finals = store.finals_of_form(session, form_row.id)
        studies = store.list_studies(session, project.id)
        return info, [_study_form(info, s, entries.get(s.id, []), finals.get(s.id), viewer, role) for s in studies]


def compare(project: Project, study: str | int, form: str | None, viewer: str) -> list[FieldComparison]:
    """Field-by-field differences between the two submitted entries (only once both are in)."""
    seen = study_form(project, study, form, viewer)
    if seen.comparison is None:
        waiting = "the entries are not all visible to you yet" if seen.hidden else "fewer than two entries are submitted"
        raise Conflict(f"cannot compare {seen.study!r} on {seen.form!r} yet: {waiting}")
    return seen.comparison


def reconcile_study(
    project: Project,
    study: str | int,
    form: str | None,
    *,
    actor: str,
    take: Mapping[str, str] | None = None,
    set_values: Mapping[str, Any] | None = None,
    note: str = "",
) -> dict[str, Value]:
    """Write the study's final record: agreed values, plus `take` (key → person) and `set_values`.

    With no entries at all, `set_values` alone is the final record (a review's published table).
    """
    actor = actor.strip().lower()
    take = {k: v.strip().lower() for k, v in (take or {}).items()}
    with project.store.transaction() as session:
        role = require_role(session, project.id, actor, SCREENING_ROLES, "reconcile")
        form_row = find_form(session, project.id, form)
        info = form_info(form_row)
        study_row = find_study(session, project.id, study)
        store.lock_study(session, study_row.id)
        if store.get_final(session, form_row.id, study_row.id) is not None:
            raise Conflict(f"{study_row.label!r} is already reconciled on {info.name!r}")
        entries = store.entries_for(session, form_row.id, study_row.id)
        drafts = [e.person for e in entries if e.status != "submitted"]
        if drafts:
            raise Conflict(f"{', '.join(drafts)} has not submitted an entry for {study_row.label!r} yet")
        if entries and role not in ADJUDICATING_ROLES and all(e.person != actor for e in entries):
            raise PermissionDenied(f"{actor} did not extract {study_row.label!r}: an extractor or an adjudicator reconciles")
        final = reconcile(info.fields, {e.person: e.values or {} for e in entries}, take=take, set_values=set_values)
        stored = {k: v for k, v in final.items() if v is not None}
        session.add(
            FormFinal(
                project_id=project.id,
                form_id=form_row.id,
                study_id=study_row.id,
                values=stored,
                reconciled_by=actor,
                note=note,
                updated_at=utcnow(),
            )
        )
        session.flush()
        log_event(
            session,
            project_id=project.id,
            actor=actor,
            action="form.reconcile",
            entity="study",
            entity_id=study_row.id,
            data={
                "form": info.name,
                "study": study_row.label,
                "values": stored,
                "take": dict(take),
                "set": sorted(set_values or {}),
                "entries": len(entries),
            },
            why=note,
        )
        return final


# Table 1 and the appraisal table are built in their own module; importable from here too.
from qes.services.extraction_tables import appraisal_table, studies_table, write_entries_csv  # noqa: E402

__all__ = [
    "EXTRACTORS",
    "EntryInfo",
    "FormInfo",
    "StudyForm",
    "add_form",
    "appraisal_table",
    "compare",
    "form_overview",
    "get_form",
    "list_forms",
    "reconcile_study",
    "save_entry",
    "studies_table",
    "study_form",
    "write_entries_csv",
]
