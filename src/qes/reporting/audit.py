"""The audit trail as CSV and JSONL: every event — id, when, who, action, entity, data, why.

Visibility (the screening blind rule, applied to the log): an event that carries a reviewer's vote
(`screen.decide`, `screen.change`) at a *blind* stage on a record *not yet resolved* there is shown
only to those `services.screening._visible_votes` lets see that vote — its author; once every vote
the stage needs is in, the other deciders and the owners/adjudicators; nobody else. Once the record
is resolved at that stage every member sees every vote event. All other events are shown to every
member. So a reviewer exporting the log mid-stage cannot learn a colleague's blind vote, and an
owner's or adjudicator's export after resolution is complete. `services.audit` applies the rule;
this module writes what it is given.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

COLUMNS = ("id", "at", "actor", "action", "entity", "entity_id", "data", "why")
FORMATS = ("csv", "jsonl")
VOTE_ACTIONS = ("screen.decide", "screen.change")


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: str  # ISO 8601, UTC
    actor: str
    action: str
    entity: str
    entity_id: str
    data: dict[str, Any]
    why: str

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in COLUMNS}


def write_csv(events: Iterable[AuditEvent], stream: IO[str]) -> int:
    """One row per event; `data` as compact JSON. Returns the number written."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for event in events:
        row = event.to_json()
        row["data"] = json.dumps(event.data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        writer.writerow([row[c] for c in COLUMNS])
        count += 1
    return count


def write_jsonl(events: Iterable[AuditEvent], stream: IO[str]) -> int:
    count = 0
    for event in events:
        stream.write(json.dumps(event.to_json(), ensure_ascii=False, sort_keys=False) + "\n")
        count += 1
    return count


def write(events: Iterable[AuditEvent], fmt: str, stream: IO[str]) -> int:
    return write_csv(events, stream) if fmt == "csv" else write_jsonl(events, stream)
