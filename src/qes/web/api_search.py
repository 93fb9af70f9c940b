"""Search strategies and the search log in the JSON API (the twins of /search, /search/{name}, /search-log)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from qes.errors import UserError
from qes.search import parse
from qes.search.builder import BuilderState
from qes.services import search_log as log_service
from qes.services import strategies as service
from qes.web.api import User
from qes.web.auth import require_writer

router = APIRouter(prefix="/api", tags=["search"])


class StrategyIn(BaseModel):
    name: str
    syntax: str
    text: str
    note: str = ""


class TranslateIn(BaseModel):
    """Either a strategy text in a syntax, or the builder's blocks (as `BuilderState.to_dict`)."""

    text: str | None = None
    syntax: str | None = None
    builder: dict[str, Any] | None = None


class RunIn(BaseModel):
    database: str
    interface: str
    date: str
    hits: int | None = None
    strategy: str | None = None  # NAME or NAME@VERSION
    text: str | None = None
    syntax: str | None = None
    limits: str = ""
    notes: str = ""
    import_id: int | None = None


class LinkIn(BaseModel):
    import_id: int = Field(ge=1)


@router.get("/search")
def strategies(user: User) -> dict[str, Any]:
    """The project's strategies, latest version of each."""
    return {"strategies": [s.to_json() for s in service.list_strategies(user.project)]}


@router.post("/search")
def save(body: StrategyIn, user: User) -> dict[str, Any]:
    """Save a strategy's text as its next version (`changed` false when the text is already the latest)."""
    require_writer(user)
    return service.save_strategy(user.project, body.name, body.text, body.syntax, body.note).to_json()


@router.post("/search/translate")
def translate(body: TranslateIn, user: User) -> dict[str, Any]:
    """A strategy (text + syntax, or builder blocks) in every syntax, with each translation's coded messages."""
    if body.builder is not None:
        try:
            query = BuilderState.from_dict(body.builder).to_strategy().to_query()
        except (ValueError, TypeError) as exc:
            raise UserError(f"builder: {exc}") from None
    elif body.text and body.syntax:
        query = parse(body.text, service.check_syntax(body.syntax))
    else:
        raise UserError("send {text, syntax} or {builder}")
    return {"translations": [t.to_json() for t in service.translations(query)]}


@router.get("/search-log")
def search_log(user: User) -> dict[str, Any]:
    """Every search as run, and the PRISMA-S table's rows."""
    runs = log_service.search_log(user.project)
    table = log_service.table_of(runs)
    return {
        "runs": [r.to_json() for r in runs],
        "table": {"title": table.title, "rows": table.as_dicts(), "notes": list(table.notes)},
    }


@router.post("/search-log")
def log_search(body: RunIn, user: User) -> dict[str, Any]:
    """Log a search as run (link the export already imported with `import_id`)."""
    require_writer(user)
    run, _ = log_service.log_search(
        user.project, database=body.database, interface=body.interface, run_on=body.date, hits=body.hits,
        strategy=body.strategy, text=body.text, syntax=body.syntax, limits=body.limits, notes=body.notes,
        import_id=body.import_id,
    )  # fmt: skip
    return run.to_json()


@router.post("/search-log/{run_id}/link")
def link(run_id: int, body: LinkIn, user: User) -> dict[str, Any]:
    """Attach the import (file) a logged search produced."""
    require_writer(user)
    return log_service.link_import(user.project, run_id, body.import_id).to_json()


@router.get("/search-log/appendix")
def appendix(user: User) -> dict[str, Any]:
    """The PRISMA-S appendix as Markdown, and the records per database for PRISMA's identification box."""
    return {
        "markdown": log_service.prisma_s_appendix(user.project),
        "per_database": log_service.records_identified_per_database(user.project),
    }


@router.get("/search/{name}")
def strategy(name: str, user: User, version: int | None = None) -> dict[str, Any]:
    """One version (latest by default): as written, in every syntax with messages, its searches."""
    saved = service.get_strategy(user.project, name, version)
    return {
        **saved.to_json(),
        "translations": [t.to_json() for t in service.translations(saved.query)],
        "runs": [r.to_json() for r in log_service.search_log(user.project, strategy=name)],
    }


@router.get("/search/{name}/versions")
def versions(name: str, user: User) -> dict[str, Any]:
    return {"versions": [v.to_json() for v in service.list_versions(user.project, name)]}
