"""The REFI-QDA data model as plain dataclasses: what a .qdc codebook and a .qdpx project hold.

Names follow the standard (REFI-QDA 1.5, www.qdasoftware.org): a project has users, a codebook of nested
codes, sets of codes, cases, text sources with plain-text selections, each selection coded with code
references, and notes (memos) referred to by ``NoteRef``s. Positions count characters (Unicode code
points) of the source's plain text from 0, end exclusive, as Python slices do.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

# The namespace of every qes GUID: uuid5(QES_GUIDS, "<project>/<kind>/<id>") is stable across exports,
# so re-exporting a project gives the other tool the same objects, not copies.
QES_GUIDS = uuid.UUID("6f1c2a4e-7d0b-5b43-9a57-3c1e0b8f2d61")


def stable_guid(project: str, kind: str, key: object) -> str:
    """A GUID that is the same for the same project, kind of object and id on every export."""
    return str(uuid.uuid5(QES_GUIDS, f"{project}/{kind}/{key}"))


@dataclass
class QdaCode:
    guid: str
    name: str
    codable: bool = True
    color: str | None = None
    description: str = ""
    children: list[QdaCode] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class QdaSet:
    """A named group of codes (qes uses sets to carry a code's kind: theme, concept, code...)."""

    guid: str
    name: str
    description: str = ""
    member_codes: list[str] = field(default_factory=list)


@dataclass
class QdaUser:
    guid: str
    name: str


@dataclass
class QdaCoding:
    guid: str
    code_guid: str
    creating_user: str | None = None
    created: datetime | None = None


@dataclass
class QdaSelection:
    guid: str
    start: int
    end: int
    name: str = ""
    description: str = ""
    codings: list[QdaCoding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    creating_user: str | None = None
    created: datetime | None = None


@dataclass
class QdaSource:
    guid: str
    name: str
    text: str
    description: str = ""
    selections: list[QdaSelection] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    creating_user: str | None = None
    created: datetime | None = None


@dataclass
class QdaNote:
    guid: str
    name: str
    text: str
    creating_user: str | None = None
    created: datetime | None = None


@dataclass
class QdaCase:
    """A unit of analysis grouping sources; qes writes one case per study."""

    guid: str
    name: str
    description: str = ""
    source_refs: list[str] = field(default_factory=list)


@dataclass
class QdaLink:
    guid: str
    name: str
    origin_guid: str
    target_guid: str


@dataclass
class QdaProject:
    name: str
    origin: str = ""
    users: list[QdaUser] = field(default_factory=list)
    codes: list[QdaCode] = field(default_factory=list)
    sets: list[QdaSet] = field(default_factory=list)
    cases: list[QdaCase] = field(default_factory=list)
    sources: list[QdaSource] = field(default_factory=list)
    notes: list[QdaNote] = field(default_factory=list)
    links: list[QdaLink] = field(default_factory=list)
    description: str = ""
    note_refs: list[str] = field(default_factory=list)
    creating_user: str | None = None
    created: datetime | None = None


def walk_codes(codes: list[QdaCode], parent: QdaCode | None = None) -> Iterator[tuple[QdaCode | None, QdaCode]]:
    """Every code with its parent, depth first, in document order."""
    for code in codes:
        yield parent, code
        yield from walk_codes(code.children, code)
