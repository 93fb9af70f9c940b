"""De-duplication inside a project: run, review, decide, undo. Every change is an event.

A run covers every record. Groups already in force are kept (never split by a run); pairs a
person called different are never grouped again; so a run after a later import (a search update)
only adds: new records join existing groups or form new ones. A new record that joins a group
whose primary record is already past import (screened) is reported as linked to it, so it is
shown to the team rather than screened again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qes.dedupe.match import compare
from qes.dedupe.merge import merge_records
from qes.dedupe.pipeline import find_duplicates, prepare_all
from qes.errors import Conflict, NotFound, UserError
from qes.services.project import Project
from qes.store import duplicates as dup_store
from qes.store.events import log_event
from qes.store.records import get_record_row, row_to_record

Progress = Callable[[str, int, int], None]


def _noop(step: str, done: int, total: int) -> None:
    return None


@dataclass
class RunSummary:
    records: int
    groups_created: int = 0
    groups_extended: int = 0
    groups_joined: int = 0
    records_grouped: int = 0
    duplicates_removed: int = 0  # in the whole project after the run
    maybe_added: int = 0
    open_pairs: int = 0
    linked_to_screened: list[dict[str, Any]] = field(default_factory=list)
    per_source: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run_dedupe(project: Project, *, actor: str | None = None, progress: Progress = _noop) -> RunSummary:
    """Find duplicates among all the project's records and record the groups and the review queue."""
    who = actor or project.actor
    with project.store.snapshot() as session:
        loaded = list(dup_store.iter_records_with_state(session, project.id))
        existing = dup_store.active_groups(session, project.id)
        pairs = dup_store.known_pairs(session, project.id)
    states = [state for state, _ in loaded]
    index_of = {state.id: i for i, state in enumerate(states)}
    prepared = prepare_all((record for _, record in loaded), progress, len(loaded))
    same = [[index_of[r] for r in members] for members in existing.values()]
    different = [
        (index_of[a], index_of[b])
        for (a, b), status in pairs.items()
        if status == "different" and a in index_of and b in index_of
    ]
    result = find_duplicates(prepared, progress=progress, same=same, different=different)
    summary = RunSummary(records=len(states))
    with project.store.transaction() as session:
        for members_idx, rule in zip(result.groups, result.group_rules, strict=True):
            members = [states[i].id for i in members_idx]
            _apply_group(session, project, members, rule, who, summary)
        for m in result.maybe:
            a, b = states[m.first].id, states[m.second].id
            if (min(a, b), max(a, b)) in pairs:
                continue
            dup_store.add_pair(session, project.id, a, b, m.rule, m.score)
            summary.maybe_added += 1
        session.flush()
        summary.per_source = dup_store.duplicates_per_source(session, project.id)
        summary.duplicates_removed = sum(summary.per_source.values())
        summary.open_pairs = dup_store.count_pairs(session, project.id).get("open", 0)
        log_event(
            session,
            project_id=project.id,
            actor=who,
            action="dedupe.run",
            entity="project",
            entity_id=project.id,
            data=summary.to_json(),
        )
    project.store.refresh_statistics(("records", "duplicate_groups", "duplicate_pairs"))
    return summary


def _apply_group(session: Any, project: Project, members: list[int], rule: str, who: str, summary: RunSummary) -> None:
    united = dup_store.unite(session, project.id, members, rule, who)
    group_id = united.group.id
    if united.created:
        summary.groups_created += 1
        summary.records_grouped += len(members)
        _log_group(session, project, who, "dedupe.merge", group_id, {"records": members, "rule": rule})
        return
    for other in united.absorbed:
        summary.groups_joined += 1
        _log_group(session, project, who, "dedupe.join", group_id, {"absorbed": other, "rule": rule})
    if not united.added:
        return
    summary.groups_extended += 1
    summary.records_grouped += len(united.added)
    _log_group(session, project, who, "dedupe.merge", group_id, {"records": united.added, "rule": rule, "extends": True})
    primary = get_record_row(session, project.id, united.group.primary_record_id)
    if primary is not None and primary.status not in ("imported", "duplicate"):
        for record_id in united.added:
            link = {"record": record_id, "linked_to": primary.id, "primary_status": primary.status, "group": group_id}
            summary.linked_to_screened.append(link)
            log_event(
                session,
                project_id=project.id,
                actor=who,
                action="dedupe.link-screened",
                entity="record",
                entity_id=record_id,
                data=link,
            )


def _log_group(session: Any, project: Project, who: str, action: str, group_id: int, data: dict[str, Any]) -> None:
    log_event(session, project_id=project.id, actor=who, action=action, entity="duplicate_group", entity_id=group_id, data=data)


def undo_group(project: Project, group_id: int, *, actor: str | None = None, why: str = "") -> dict[str, Any]:
    """Split a group back into its records; its pairs are remembered as different (no re-merge)."""
    who = actor or project.actor
    with project.store.transaction() as session:
        group = dup_store.get_group(session, project.id, group_id)
        if group is None:
            raise NotFound(f"no duplicate group {group_id} in this project")
        if group.status != "active":
            raise Conflict(f"group {group_id} is {group.status}, not active; nothing to undo")
        members = dup_store.dissolve_group(session, group)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                dup_store.set_pair_status(session, project.id, a, b, "different", who, "undo")
        log_event(
            session,
            project_id=project.id,
            actor=who,
            action="dedupe.unmerge",
            entity="duplicate_group",
            entity_id=group_id,
            data={"records": members},
            why=why,
        )
    return {"group": group_id, "records": members, "status": "undone"}


def decide_pair(project: Project, pair_id: int, decision: str, *, actor: str | None = None) -> dict[str, Any]:
    """A person's call on a review-queue pair: same (grouped now) or different (never grouped)."""
    if decision not in ("same", "different"):
        raise UserError(f"decision must be 'same' or 'different', not {decision!r}")
    who = actor or project.actor
    with project.store.transaction() as session:
        pair = dup_store.get_pair(session, project.id, pair_id)
        if pair is None:
            raise NotFound(f"no pair {pair_id} in the review queue")
        if pair.status != "open":
            raise Conflict(f"pair {pair_id} was already decided ({pair.status}) by {pair.decided_by}")
        pair.status = decision
        pair.decided_by = who
        pair.decided_at = dup_store.utcnow()
        group_id = None
        if decision == "same":
            group_id = dup_store.unite(session, project.id, [pair.record_a, pair.record_b], "reviewer", who).group.id
        log_event(
            session,
            project_id=project.id,
            actor=who,
            action="dedupe.decide",
            entity="duplicate_pair",
            entity_id=pair_id,
            data={"decision": decision, "records": [pair.record_a, pair.record_b], "group": group_id},
        )
    return {"pair": pair_id, "decision": decision, "group": group_id}


def review_queue(project: Project, limit: int | None = None) -> list[dict[str, Any]]:
    """Open pairs, most alike first, each with both records in canonical form and what differs."""
    out: list[dict[str, Any]] = []
    with project.store.read() as session:
        for pair in dup_store.open_pairs(session, project.id, limit):
            a = get_record_row(session, project.id, pair.record_a)
            b = get_record_row(session, project.id, pair.record_b)
            if a is None or b is None:
                continue
            ra, rb = row_to_record(a), row_to_record(b)
            out.append(
                {
                    "pair": pair.id,
                    "reason": pair.reason,
                    "score": round(pair.score, 1),
                    "records": [_side(a.id, ra), _side(b.id, rb)],
                    "differs": _differing(ra, rb),
                }
            )
    return out


_SHOWN = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "abstract")


def _side(record_id: int, record: Any) -> dict[str, Any]:
    values = {name: _value(record, name) for name in _SHOWN}
    return {"id": record_id, **values}


def _value(record: Any, name: str) -> str:
    if name == "authors":
        return "; ".join(a.display() for a in record.authors)
    if name == "pages":
        return record.pages
    value = getattr(record, name)
    return "" if value is None else str(value)


def _differing(a: Any, b: Any) -> list[str]:
    return [name for name in _SHOWN if _value(a, name).casefold() != _value(b, name).casefold()]


def list_groups(project: Project) -> list[dict[str, Any]]:
    with project.store.read() as session:
        return [
            {
                "group": g.id,
                "records": n,
                "rule": g.rule,
                "primary": g.primary_record_id,
                "created_by": g.created_by,
                "created_at": g.created_at.isoformat(timespec="seconds"),
            }
            for g, n in dup_store.list_groups(session, project.id)
        ]


def group_detail(project: Project, group_id: int) -> dict[str, Any]:
    """A group's members with their provenance, and the merged view (best value per field)."""
    with project.store.read() as session:
        group = dup_store.get_group(session, project.id, group_id)
        if group is None:
            raise NotFound(f"no duplicate group {group_id} in this project")
        rows = dup_store.group_members(session, group_id)
        records = [row_to_record(r) for r in rows]
        merged = merge_records(records) if records else None
        return {
            "group": group.id,
            "status": group.status,
            "rule": group.rule,
            "primary": group.primary_record_id,
            "members": [
                {"id": r.id, "status": r.status, "title": r.title, "source_record_id": r.source_record_id, "import": r.import_id}
                for r in rows
            ],
            "merged": merged.canonical() if merged else None,
        }


def explain_pair(project: Project, a: int, b: int) -> dict[str, Any]:
    """Why the pipeline calls two records what it does (the rule), for the curious and for support."""
    from qes.dedupe.prep import prepare

    with project.store.read() as session:
        ra, rb = get_record_row(session, project.id, a), get_record_row(session, project.id, b)
        if ra is None or rb is None:
            raise NotFound("no such record")
        decision = compare(prepare(row_to_record(ra), 0), prepare(row_to_record(rb), 1))
    return {"records": [a, b], "decision": decision.kind, "rule": decision.rule, "title_similarity": round(decision.score, 1)}
