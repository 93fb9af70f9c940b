"""Search strategies saved in the project, versioned: write once, show in any database's syntax.

    save_strategy(project, "main", "recipr*[tiab] AND mental illness[mh]", "pubmed")   # version 1
    show_strategy(project, "main", "ovid")   # the same tree written for Ovid, with coded messages

A strategy is parsed before it is saved (a strategy that does not parse is refused, with the
parser's message) and stored three ways: the text as written, the syntax it was written in and the
tree (`qes.search.model.to_dict`), from which every other syntax is written. Saving changed text
adds a version; nothing is overwritten. Owners, reviewers and adjudicators write; viewers read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qes.errors import NotFound, PermissionDenied, UserError
from qes.search import SYNTAXES, lint, parse, write
from qes.search.model import Message, Query, from_dict, to_dict
from qes.services.project import Project
from qes.store import search as search_store
from qes.store import users as user_store
from qes.store.events import log_event
from qes.store.schema_search import SearchStrategyVersion

WRITE_ROLES = ("owner", "reviewer", "adjudicator")
_NAME = re.compile(r"^\w[\w.\-]{0,99}$")


def require_search_writer(session: Session, project: Project, doing: str) -> None:
    """Members who may change the project write; a project without members is one person's (the CLI's)."""
    user = user_store.get_user(session, project.actor)
    member = user_store.get_membership(session, project.id, user.id) if user else None
    if member is not None and member.role in WRITE_ROLES:
        return
    if member is not None:
        raise PermissionDenied(f"{project.actor} is {member.role} in this project and cannot {doing} (needs owner or reviewer)")
    if user_store.project_members(session, project.id):
        raise PermissionDenied(f"{project.actor} is not a member of this project (set QES_USER to your e-mail in it)")


def check_syntax(syntax: str) -> str:
    syntax = (syntax or "").strip().lower()
    if syntax not in SYNTAXES:
        raise UserError(f"unknown syntax {syntax!r}; choose one of {', '.join(SYNTAXES)}")
    return syntax


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME.match(name):
        raise UserError(f"strategy name {name!r}: use letters, digits, '.', '_' or '-' (e.g. main-v2), at most 100 characters")
    return name


def messages_json(messages: tuple[Message, ...] | list[Message]) -> list[dict[str, Any]]:
    return [m.to_dict() for m in messages]


@dataclass(frozen=True)
class StrategyVersion:
    """One saved version of a strategy, as written."""

    name: str
    version: int
    syntax: str
    text: str
    tree: dict[str, Any]
    note: str
    created_by: str
    created_at: dt.datetime
    changed: bool = True  # False: saving found this exact text already the latest version
    messages: list[dict[str, Any]] = field(default_factory=list)  # the linter's, when just saved

    @property
    def query(self) -> Query:
        return from_dict(self.tree)

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["created_at"] = self.created_at.isoformat(timespec="seconds")
        return data


def _info(
    name: str, row: SearchStrategyVersion, *, changed: bool = True, messages: list[dict[str, Any]] | None = None
) -> StrategyVersion:
    return StrategyVersion(
        name, row.version, row.syntax, row.text, dict(row.tree), row.note, row.created_by, row.created_at, changed, messages or []
    )


def parse_strategy(text: str, syntax: str) -> Query:
    """The tree of `text`, or a UserError with the parser's message."""
    if not text or not text.strip():
        raise UserError("the strategy is empty")
    return parse(text, check_syntax(syntax))


def save_strategy(project: Project, name: str, text: str, syntax: str, note: str = "") -> StrategyVersion:
    """Save `text` as the next version of strategy `name` (created on first save); unchanged text adds nothing."""
    name = check_name(name)
    syntax = check_syntax(syntax)
    query = parse_strategy(text, syntax)
    found = messages_json(lint(text, syntax))
    for attempt in (1, 2):
        try:
            return _save(project, name, text, syntax, note, query, found)
        except IntegrityError:
            # Two first saves of one name at once: the other created it; save again as its next version.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _save(
    project: Project, name: str, text: str, syntax: str, note: str, query: Query, found: list[dict[str, Any]]
) -> StrategyVersion:
    with project.store.transaction() as session:
        require_search_writer(session, project, "save search strategies")
        strategy = search_store.get_strategy(session, project.id, name)
        if strategy is None:
            strategy = search_store.create_strategy(session, project.id, name, project.actor)
        search_store.lock_strategy(session, strategy.id)
        latest = search_store.latest_version(session, strategy.id)
        if latest is not None and latest.syntax == syntax and latest.text == text:
            return _info(name, latest, changed=False, messages=found)
        row = search_store.add_version(
            session, strategy, syntax=syntax, text=text, tree=to_dict(query), note=note.strip(), created_by=project.actor
        )
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action="search.save",
            entity="search_strategy",
            entity_id=strategy.id,
            data={"name": name, "version": row.version, "syntax": syntax, "text": text, "note": row.note},
        )
        return _info(name, row, messages=found)


def parse_reference(reference: str) -> tuple[str, int | None]:
    """'NAME' or 'NAME@VERSION' → (name, version or None)."""
    name, at, version = reference.strip().partition("@")
    if not at:
        return name, None
    if not version.isdigit() or int(version) < 1:
        raise UserError(f"{reference!r}: the version after @ must be a number from 1 (e.g. main@2)")
    return name, int(version)


def version_row(session: Session, project: Project, name: str, version: int | None = None) -> SearchStrategyVersion:
    strategy = search_store.get_strategy(session, project.id, name)
    if strategy is None:
        raise NotFound(f"no search strategy {name!r} in this project (qes search list)")
    row = (
        search_store.latest_version(session, strategy.id)
        if version is None
        else search_store.get_version(session, strategy.id, version)
    )
    if row is None:
        raise NotFound(f"strategy {name!r} has no version {version} (qes search versions {name})")
    return row


def get_strategy(project: Project, name: str, version: int | None = None) -> StrategyVersion:
    """The latest version of a strategy, or the one asked for."""
    with project.store.read() as session:
        return _info(name, version_row(session, project, name, version))


def list_versions(project: Project, name: str) -> list[StrategyVersion]:
    with project.store.read() as session:
        strategy = search_store.get_strategy(session, project.id, name)
        if strategy is None:
            raise NotFound(f"no search strategy {name!r} in this project (qes search list)")
        return [_info(name, row) for row in search_store.list_versions(session, strategy.id)]


@dataclass(frozen=True)
class StrategySummary:
    name: str
    versions: int
    syntax: str
    text: str
    note: str
    updated_by: str
    updated_at: dt.datetime
    runs: int  # searches logged with it

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "updated_at": self.updated_at.isoformat(timespec="seconds")}


def list_strategies(project: Project) -> list[StrategySummary]:
    with project.store.read() as session:
        return [
            StrategySummary(
                s.name,
                s.versions,
                s.latest.syntax,
                s.latest.text,
                s.latest.note,
                s.latest.created_by,
                s.latest.created_at,
                s.runs,
            )
            for s in search_store.list_strategies(session, project.id)
        ]


@dataclass(frozen=True)
class Translation:
    """A strategy written in one syntax, and what could not be written exactly."""

    syntax: str
    text: str
    messages: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def translation(query: Query, syntax: str) -> Translation:
    written = write(query, check_syntax(syntax))
    return Translation(syntax, written.text, messages_json(written.messages))


def translations(query: Query) -> list[Translation]:
    """The query in every syntax qes writes, side by side."""
    return [translation(query, s) for s in SYNTAXES]


@dataclass(frozen=True)
class ShownStrategy:
    name: str
    version: int
    syntax: str  # written in
    text: str  # as written, or translated when `as_syntax` was asked
    messages: list[dict[str, Any]]
    written_in: str
    written_text: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def show_strategy(project: Project, name: str, as_syntax: str | None = None, version: int | None = None) -> ShownStrategy:
    """A strategy as written, or written from its tree in `as_syntax` with the translation's coded messages."""
    saved = get_strategy(project, name, version)
    if as_syntax is None:
        return ShownStrategy(name, saved.version, saved.syntax, saved.text, [], saved.syntax, saved.text)
    shown = translation(saved.query, as_syntax)
    return ShownStrategy(name, saved.version, shown.syntax, shown.text, shown.messages, saved.syntax, saved.text)
