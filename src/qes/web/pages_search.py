"""Search pages: the strategy builder (`/search`), one strategy (`/search/{name}`), the search log (`/search-log`).

The builder's state travels in the form (flat names `b0.i1.text` ...); each button posts it with an
`op` and gets the builder back (HTMX swaps it), each keystroke posts it and gets the translations.
Routes only read the form and call `qes.search.builder` and the strategy / search-log services.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from qes.errors import UserError
from qes.search import SYNTAXES, Strategy, normalise
from qes.search.builder import FIELD_CHOICES, THESAURUS_CHOICES, BuilderBlock, BuilderItem, BuilderState, apply
from qes.services import search_log as log_service
from qes.services import strategies as service
from qes.services.importing import import_reports
from qes.web.auth import SignedIn, check_csrf, require_page_user, require_writer
from qes.web.pages import User, render

router = APIRouter(include_in_schema=False)
MAX_BLOCKS, MAX_ITEMS = 30, 60  # a form larger than any strategy is refused, not parsed


def state_from_form(form: Mapping[str, Any]) -> BuilderState:
    def number(key: str, ceiling: int) -> int:
        value = str(form.get(key, "0"))
        if not value.isdigit() or int(value) > ceiling:
            raise UserError(f"builder form: {key} must be a number up to {ceiling}")
        return int(value)

    blocks = []
    for b in range(number("blocks", MAX_BLOCKS)):
        items = []
        for i in range(number(f"b{b}.items", MAX_ITEMS)):
            key = f"b{b}.i{i}."
            items.append(
                BuilderItem(
                    kind="heading" if form.get(key + "kind") == "heading" else "term",
                    text=str(form.get(key + "text", "")),
                    field=str(form.get(key + "field", "tiab")),
                    truncate=key + "truncate" in form,
                    thesaurus=str(form.get(key + "thesaurus", "mesh")),
                    explode=key + "explode" in form,
                    major=key + "major" in form,
                )
            )
        blocks.append(BuilderBlock(str(form.get(f"b{b}.name", "")), items or [BuilderItem()], f"b{b}.exclude" in form))
    return BuilderState(
        blocks or [BuilderBlock()],
        str(form.get("year_from", "")),
        str(form.get("year_to", "")),
        str(form.get("languages", "")),
    )


def _syntax(value: Any) -> str:
    return str(value) if str(value) in SYNTAXES else "pubmed"


def builder_output(state: BuilderState, syntax: str) -> dict[str, Any]:
    """The combined strategy in the chosen syntax and side by side in all of them (or why there is none)."""
    try:
        strategy: Strategy | None = state.to_strategy()
    except ValueError:
        strategy = None
    if strategy is None:
        return {"chosen": None, "translations": [], "empty": True}
    side_by_side = service.translations(strategy.to_query())
    chosen = next(t for t in side_by_side if t.syntax == syntax)
    return {"chosen": chosen, "translations": side_by_side, "empty": False}


def _builder_context(state: BuilderState, syntax: str, **extra: Any) -> dict[str, Any]:
    return {
        "state": state,
        "syntax": syntax,
        "syntaxes": SYNTAXES,
        "fields": FIELD_CHOICES,
        "thesauri": THESAURUS_CHOICES,
        "output": builder_output(state, syntax),
        **extra,
    }


@router.get("/search")
def search_page(request: Request, user: User, edit: str = "", version: int | None = None) -> Response:
    """Strategies of the project, and the builder (empty, or a saved strategy opened in it with ?edit=NAME)."""
    state, syntax, name, note = BuilderState(), "pubmed", "", ""
    if edit:
        saved = service.get_strategy(user.project, edit, version)
        state, syntax, name = BuilderState.from_query(saved.query), saved.syntax, saved.name
        if normalise(state.to_strategy().to_query()) != normalise(saved.query):
            note = "Parts of this strategy the builder cannot show as blocks (proximity, nested groups) are left out here."
    strategies = service.list_strategies(user.project)
    return render(
        request, "search.html", user, strategies=strategies, strategy_name=name, edit_note=note, **_builder_context(state, syntax)
    )


@router.post("/search/builder")
async def builder(request: Request) -> Response:
    """A builder button (`op`): the builder re-rendered with one block or item more or less."""
    user = await run_in_threadpool(require_page_user, request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    state = apply(state_from_form(form), str(form.get("op", "")))
    return render(
        request,
        "_search_builder.html",
        user,
        strategy_name=str(form.get("name", "")),
        **_builder_context(state, _syntax(form.get("syntax"))),
    )


@router.post("/search/translations")
async def translations(request: Request) -> Response:
    """The translations panel for the builder as it stands (posted as the user types)."""
    user = await run_in_threadpool(require_page_user, request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    syntax = _syntax(form.get("syntax"))
    output = builder_output(state_from_form(form), syntax)
    return render(request, "_search_output.html", user, syntax=syntax, syntaxes=SYNTAXES, output=output)


@router.post("/search")
async def save(request: Request) -> Response:
    """Save the builder's strategy (written in the chosen syntax) or a pasted text as the next version."""
    user: SignedIn = await run_in_threadpool(require_page_user, request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    require_writer(user)
    syntax = _syntax(form.get("syntax"))
    text = str(form.get("text", "")).strip()
    if not text:
        try:
            strategy = state_from_form(form).to_strategy()
        except ValueError:
            raise UserError("add at least one term or heading before saving") from None
        text = service.translation(strategy.to_query(), syntax).text
    name, note = str(form.get("name", "")), str(form.get("note", ""))
    saved = await run_in_threadpool(service.save_strategy, user.project, name, text, syntax, note)
    request.session["search_notice"] = (
        f"Saved {saved.name} version {saved.version}."
        if saved.changed
        else f"{saved.name} version {saved.version} already has this text."
    )
    return RedirectResponse(f"/search/{saved.name}", status_code=303)


@router.get("/search/{name}")
def strategy_page(name: str, request: Request, user: User, version: int | None = None) -> Response:
    """One strategy: its versions, the chosen version in every syntax with warnings, the searches run with it."""
    saved = service.get_strategy(user.project, name, version)
    return render(
        request,
        "search_strategy.html",
        user,
        saved=saved,
        versions=service.list_versions(user.project, name),
        translations=service.translations(saved.query),
        runs=log_service.search_log(user.project, strategy=name),
        notice=request.session.pop("search_notice", None),
    )


@router.get("/search-log")
def search_log_page(request: Request, user: User) -> Response:
    """The PRISMA-S search log, the form to log a search, and the appendix."""
    runs = log_service.search_log(user.project)
    table = log_service.table_of(runs)
    linked = {r.import_id for r in runs if r.import_id is not None}
    return render(
        request,
        "search_log.html",
        user,
        log_rows=list(zip(runs, table.rows, strict=True)),
        table=table,
        strategies=service.list_strategies(user.project),
        imports=[i for i in import_reports(user.project) if i.import_id not in linked],
        syntaxes=SYNTAXES,
        appendix=log_service.prisma_s_appendix(user.project),
        notice=request.session.pop("search_log_notice", None),
    )


@router.post("/search-log")
def log_search(
    request: Request,
    user: User,
    database: Annotated[str, Form()],
    interface: Annotated[str, Form()],
    date: Annotated[str, Form()],
    hits: Annotated[str, Form()],
    strategy: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    syntax: Annotated[str, Form()] = "",
    limits: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    import_id: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    if not hits.strip().isdigit():
        raise UserError(f"hits reported {hits!r}: give the number of records the database reported")
    run, _ = log_service.log_search(
        user.project, database=database, interface=interface, run_on=date, hits=int(hits), strategy=strategy or None,
        text=text or None, syntax=syntax or None, limits=limits, notes=notes,
        import_id=int(import_id) if import_id.isdigit() else None,
    )  # fmt: skip
    request.session["search_log_notice"] = f"Logged search {run.id}: {run.database} via {run.interface} on {run.date}."
    return RedirectResponse("/search-log", status_code=303)


@router.post("/search-log/{run_id}/link")
def link_import(
    run_id: int, request: Request, user: User, import_id: Annotated[int, Form()], csrf: Annotated[str, Form()] = ""
) -> Response:
    """Attach an import (file) to a search logged without one."""
    check_csrf(request, csrf)
    require_writer(user)
    run = log_service.link_import(user.project, run_id, import_id)
    request.session["search_log_notice"] = f"Search {run.id} now has its file {run.file}."
    return RedirectResponse("/search-log", status_code=303)


@router.get("/search-log/appendix.md")
def appendix(user: User) -> Response:
    """The PRISMA-S appendix as a Markdown file."""
    return PlainTextResponse(
        log_service.prisma_s_appendix(user.project),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="search-strategies.md"'},
    )
