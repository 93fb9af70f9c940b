"""PRISMA 2020 flow counts derived from the project — never typed in.

Keys are the data names of the PRISMA2020 R package (Haddaway et al. 2022), so the JSON can feed
that package as well as qes's own diagram. "dbr_" counts are reports of records found in databases
and registers; "other_" counts are reports found only by other methods (sources of kind "other":
citation searching, websites, organisations).

Steps done outside qes (a search whose results were never imported, screening done in another tool,
the previous version of an updated review) can be *recorded*: `record_prisma_numbers` keeps the
numbers in the project's settings (`prisma_recorded`), they replace the derived ones, and
`counts["recorded"]` names each recorded key with its note, so the diagram and the methods text
mark them as recorded rather than derived.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qes.errors import UserError
from qes.prioritise.stopping import StoppingRule
from qes.screening.resolve import advances, primary_reason
from qes.services.project import Project
from qes.services.protocol import StageInfo
from qes.services.screening import list_stages_in, require_role
from qes.store import priority as priority_store
from qes.store import reporting as reporting_store
from qes.store import screening as screen_store
from qes.store.events import log_event
from qes.store.schema import FullText, Import, RecordRow, Source

RECORDED_SETTING = "prisma_recorded"
# Keys that may be recorded as a number; the list-valued keys take [{"database"|"reason": ..., "n": ...}].
RECORDABLE_NUMBERS = (
    "previous_studies",
    "previous_reports",
    "database_results",
    "register_results",
    "website_results",
    "organisation_results",
    "citations_results",
    "duplicates",
    "excluded_automatic",
    "excluded_other",
    "records_screened",
    "records_excluded",
    "dbr_sought_reports",
    "dbr_notretrieved_reports",
    "other_sought_reports",
    "other_notretrieved_reports",
    "dbr_assessed",
    "other_assessed",
    "new_studies",
    "new_reports",
    "total_studies",
    "total_reports",
)
RECORDABLE_LISTS = {"database_specific_results": "database", "dbr_excluded": "reason", "other_excluded": "reason"}


def _record_kinds(session: Session, project_id: int) -> tuple[dict[int, set[str]], Counter[str], Counter[str], dict[str, int]]:
    """Per screened unit, the kinds of source that found it; records and duplicates per kind; records per database."""
    rows = session.execute(
        select(RecordRow.id, RecordRow.group_id, RecordRow.status, Source.kind, Source.name)
        .join(Import, Import.id == RecordRow.import_id)
        .join(Source, Source.id == Import.source_id)
        .where(RecordRow.project_id == project_id)
    )
    by_group: dict[int, set[str]] = {}
    own: dict[int, tuple[int | None, str]] = {}
    found: Counter[str] = Counter()
    duplicates: Counter[str] = Counter()
    per_database: Counter[str] = Counter()
    for rid, group_id, status, kind, name in rows:
        found[kind] += 1
        if kind == "database":
            per_database[name] += 1
        if status == "duplicate":
            duplicates[kind] += 1
        own[rid] = (group_id, kind)
        if group_id:
            by_group.setdefault(group_id, set()).add(kind)
    kinds = {rid: by_group.get(group_id, {kind}) if group_id else {kind} for rid, (group_id, kind) in own.items()}
    return kinds, found, duplicates, dict(per_database)


def _is_other(kinds: dict[int, set[str]], record_id: int) -> bool:
    return kinds.get(record_id, {"database"}) <= {"other"}


def prisma_counts(project: Project) -> dict[str, Any]:
    """The flow counts: derived from the project, then any recorded numbers in their place (marked)."""
    with project.store.read() as session:
        recorded = reporting_store.project_setting(session, project.id, RECORDED_SETTING) or {}
    counts = _derived_counts(project)
    _identification_from_search_log(project, counts)
    values: dict[str, Any] = recorded.get("values", {})
    notes: dict[str, str] = recorded.get("notes", {})
    counts.update(values)
    # Totals follow the previous version unless they were recorded themselves.
    if "total_studies" not in values:
        counts["total_studies"] = counts["new_studies"] + counts["previous_studies"]
    if "total_reports" not in values:
        counts["total_reports"] = counts["new_reports"] + counts["previous_reports"]
    counts["recorded"] = {key: notes.get(key, "") for key in values}
    return counts


def _identification_from_search_log(project: Project, counts: dict[str, Any]) -> None:
    """Records identified per database, as the searches reported them (`qes search log`), when every
    logged search has a number (its hits, or the records of its file): the log is then the one place
    the identification box comes from, as PRISMA-S asks. Otherwise the imports' counts stand."""
    from qes.services.search_log import records_identified_per_database, search_log  # the search stage

    runs = search_log(project)
    if not runs or any(run.hits_reported is None and run.records_imported is None for run in runs):
        return
    per_database = records_identified_per_database(project)
    counts["database_specific_results"] = per_database
    counts["database_results"] = sum(entry["n"] for entry in per_database)


def record_prisma_numbers(project: Project, numbers: dict[str, Any], *, note: str, clear: bool = False) -> dict[str, Any]:
    """Record numbers for steps done outside qes (or the previous version); `None` forgets a key.

    `note` says where each number comes from ("searches run in November 2013; records not kept").
    Only an owner or adjudicator may record numbers (they change what the published diagram says).
    `clear` forgets every recorded number first. One event, `prisma.record`, in the same transaction.
    """
    checked = {key: _checked_number(key, value) for key, value in numbers.items()}
    if not note.strip() and any(v is not None for v in checked.values()):
        raise UserError("a recorded PRISMA number needs a note saying where it comes from (--note)")
    with project.store.transaction() as session:
        require_role(session, project.id, project.actor, ("owner", "adjudicator"), "record PRISMA numbers")
        current = {} if clear else dict(reporting_store.project_setting(session, project.id, RECORDED_SETTING) or {})
        values = dict(current.get("values", {}))
        notes = dict(current.get("notes", {}))
        for key, value in checked.items():
            if value is None:
                values.pop(key, None)
                notes.pop(key, None)
            else:
                values[key] = value
                notes[key] = note.strip()
        reporting_store.set_project_setting(session, project.id, RECORDED_SETTING, {"values": values, "notes": notes})
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action="prisma.record",
            entity="project",
            entity_id=project.id,
            data={"numbers": checked, "clear": clear},
            why=note.strip(),
        )
    return {"values": values, "notes": notes}


def _checked_number(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key in RECORDABLE_LISTS:
        label = RECORDABLE_LISTS[key]
        if not isinstance(value, list) or not all(isinstance(v, dict) and label in v and "n" in v for v in value):
            raise UserError(f"{key}: expected a list of {{{label!r}: ..., 'n': ...}}")
        return [{label: str(v[label]), "n": _count(key, v["n"])} for v in value]
    if key not in RECORDABLE_NUMBERS:
        raise UserError(f"{key}: not a PRISMA count qes records (one of {', '.join(RECORDABLE_NUMBERS)})")
    return _count(key, value)


def _count(key: str, value: Any) -> int:
    try:
        n = int(str(value).replace(",", ""))
    except ValueError:
        raise UserError(f"{key}: {value!r} is not a whole number") from None
    if n < 0:
        raise UserError(f"{key}: {n} is negative")
    return n


def _derived_counts(project: Project) -> dict[str, Any]:
    with project.store.read() as session:
        stages = list_stages_in(session, project)
        criteria = {c.code: c.text for c in screen_store.list_criteria(session, project.id)}
        kinds, found, duplicates, per_database = _record_kinds(session, project.id)
        statuses = dict(session.execute(select(RecordRow.id, RecordRow.status).where(RecordRow.project_id == project.id)).all())
        outcomes = {s.name: screen_store.stage_outcomes(session, s.id) for s in stages}
        stops = stop_records(session, project.id)
        # Once extraction has begun, the studies table says how many studies the included reports are.
        studies = reporting_store.count_studies(session, project.id)
        study_reports = len(reporting_store.study_record_ids(session, project.id))
        not_retrieved = set(
            session.scalars(
                select(FullText.record_id).where(FullText.project_id == project.id, FullText.status == "not_retrieved")
            )
        )
    units = {rid for rid, status in statuses.items() if status != "duplicate"}
    pre = [s for s in stages if s.kind != "fulltext"]
    full = [s for s in stages if s.kind == "fulltext"]
    # Records left unread when a stage stopped by its stopping rule: excluded by an automation tool.
    automatic = sum(1 for s in pre for o in outcomes[s.name].values() if o.method == "automation")
    records_excluded = sum(
        1 for s in pre for o in outcomes[s.name].values() if not advances(o.decision, s.rules) and o.method != "automation"
    )
    sought = _entering(full[0], stages, outcomes, units) if full else set()
    excluded_reasons: dict[bool, Counter[str]] = {False: Counter(), True: Counter()}
    for stage in full:
        for rid, outcome in outcomes[stage.name].items():
            if not advances(outcome.decision, stage.rules):
                code = primary_reason(list(outcome.reasons or []))
                excluded_reasons[_is_other(kinds, rid)][criteria.get(code, code)] += 1
    included = set()
    if stages:
        last = stages[-1]
        included = {rid for rid, o in outcomes[last.name].items() if advances(o.decision, last.rules)}
    dbr_sought = {r for r in sought if not _is_other(kinds, r)}
    other_sought = sought - dbr_sought
    new_reports = max(len(included), study_reports) if studies else len(included)
    new_studies = studies or len(included)

    def reasons(other: bool) -> list[dict[str, Any]]:
        return [
            {"reason": reason, "n": n} for reason, n in sorted(excluded_reasons[other].items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    return {
        "previous_studies": 0,
        "previous_reports": 0,
        "database_results": found["database"],
        "database_specific_results": [{"database": name, "n": n} for name, n in per_database.items()],
        "register_results": found["register"],
        "website_results": 0,
        "organisation_results": 0,
        "citations_results": found["other"],
        "duplicates": duplicates["database"] + duplicates["register"],
        "excluded_automatic": automatic,
        "excluded_other": 0,
        "records_screened": len(units) - automatic if stages else 0,
        "records_excluded": records_excluded,
        "dbr_sought_reports": len(dbr_sought),
        "dbr_notretrieved_reports": len(dbr_sought & not_retrieved),
        "other_sought_reports": len(other_sought),
        "other_notretrieved_reports": len(other_sought & not_retrieved),
        "dbr_assessed": len(dbr_sought - not_retrieved),
        "dbr_excluded": reasons(False),
        "other_assessed": len(other_sought - not_retrieved),
        "other_excluded": reasons(True),
        "new_studies": new_studies,
        "new_reports": new_reports,
        "total_studies": new_studies,
        "total_reports": new_reports,
        "stages": {s.name: _stage_counts(s, outcomes[s.name]) for s in stages},
        "automation": stops,
    }


def stop_records(session: Session, project_id: int) -> list[dict[str, Any]]:
    """The stopping decisions, as the methods section reports them (rule, parameters, evidence)."""
    out = []
    for name, row in priority_store.stopped_stages(session, project_id):
        rule = StoppingRule(row.rule, row.target, row.confidence, row.consecutive)
        out.append(
            {
                "stage": name,
                "rule": row.rule,
                "target": row.target,
                "confidence": row.confidence,
                "consecutive": row.consecutive,
                "description": rule.describe(),
                "excluded": row.excluded,
                "stopped_at": row.stopped_at.strftime("%Y-%m-%dT%H:%M:%SZ") if row.stopped_at else None,
                "stopped_by": row.stopped_by,
                "evidence": row.stop_verdict,
                "note": row.note,
            }
        )
    return out


def _entering(stage: StageInfo, stages: list[StageInfo], outcomes: dict[str, dict[int, Any]], units: set[int]) -> set[int]:
    """Records that reached `stage`: advanced from the stage before (every unique record if it is first)."""
    i = stages.index(stage)
    if i == 0:
        return set(units)
    previous = stages[i - 1]
    return {rid for rid, o in outcomes[previous.name].items() if advances(o.decision, previous.rules)}


def _stage_counts(stage: StageInfo, outcomes: dict[int, Any]) -> dict[str, Any]:
    counts = Counter(o.decision for o in outcomes.values())
    return {
        "kind": stage.kind,
        "resolved": sum(counts.values()),
        "include": counts["include"],
        "exclude": counts["exclude"],
        "maybe": counts["maybe"],
        "excluded_automatic": sum(1 for o in outcomes.values() if o.method == "automation"),
    }
