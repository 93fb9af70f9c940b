"""Screening pages: one record at a time (HTMX, keyboard), conflicts for the adjudicator, full texts.

Every page asks the services as the signed-in user (`user.email`): the blind rule, who may adjudicate
and every check on a decision live there. A refused decision is shown with the service's message
next to the form it came from, with what the person had ticked and typed kept.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from qes.errors import Conflict, NotFound, PermissionDenied, UserError
from qes.services import fulltext as fulltexts
from qes.services import priority, stopping
from qes.services.agreement import agreement
from qes.services.protocol import StageInfo, find_stage, list_criteria, list_stages
from qes.services.records import get_record
from qes.services.screening import ADJUDICATING_ROLES, conflicts, decide, next_item, record_item, resolve_conflict
from qes.services.screening_stages import stage_progress
from qes.web.api_screening import read_upload, refresh_later, stopping_settings
from qes.web.auth import SignedIn, check_csrf, require_writer, safe_next
from qes.web.jobs import finished_result, pending_job
from qes.web.pages import User, render

router = APIRouter(include_in_schema=False)
WAITING_SHOWN = 50  # full texts waiting for the person, listed on /fulltexts (each costs a few queries)
NOTE_KEPT = 1000  # of a refused note, kept in the session cookie for the form shown again


def stage_url(name: str) -> str:
    return f"/screening/{quote(name, safe='')}"


def _status(exc: UserError) -> int:
    return 409 if isinstance(exc, Conflict) else 400


def _shown_at_form(exc: UserError) -> bool:
    """Errors about the decision itself go next to its form; an unknown stage or record or a role gets the error page."""
    return not isinstance(exc, NotFound | PermissionDenied)


def _htmx(request: Request) -> bool:
    return bool(request.headers.get("hx-request"))


def _reasons(user: SignedIn) -> list[Any]:
    """The criteria offered as reasons to exclude: the exclusion criteria, or all when the protocol has none."""
    criteria = list_criteria(user.project)
    return [c for c in criteria if c.kind == "exclusion"] or criteria


def _progress(user: SignedIn) -> list[dict[str, Any]]:
    return [row | {"url": stage_url(row["stage"])} for row in stage_progress(user.project, user.email)]


def _item_context(
    user: SignedIn, stage: StageInfo, record_id: int | None = None, rows: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    """What `_screening_item.html` shows: the record (the given one, else the next for this person) and the form."""
    item = None
    if user.can_write:
        item = (
            record_item(user.project, stage.name, record_id, user.email)
            if record_id
            else next_item(user.project, stage.name, user.email)
        )
    rows = rows if rows is not None else _progress(user)
    form = {"reasons": item.mine.reasons, "note": item.mine.note} if item and item.mine else {"reasons": [], "note": ""}
    context = {
        "stage": stage,
        "stage_url": stage_url(stage.name),
        "progress": next((r for r in rows if r["stage"] == stage.name), None),
        "stage_index": next((i for i, r in enumerate(rows) if r["stage"] == stage.name), 0),
        "item": item,
        "criteria": _reasons(user),
        "form": form,
        "error": "",
        "last": None,
        "plain": False,  # True: an ordinary form (the full-text page), not swapped in by HTMX
        "back": "",
        "oob": False,
    }
    return context | {k: v for k, v in extra.items() if v is not None}


def _priority_context(user: SignedIn, stage: StageInfo, flash: dict[str, Any] | None = None) -> dict[str, Any]:
    """What `_priority_panel.html` shows: order, recall estimate, the rule's verdict; the settings for who may change them."""
    status = stopping.stopping_status(user.project, stage.name, user.email)
    ranking = priority.ranking_info(user.project, stage.name, user.email) if user.can_write else None
    return {
        "priority": status,
        "ranking": ranking or priority.ranking_info(user.project, stage.name, ""),
        "can_configure": user.role in ADJUDICATING_ROLES,
        "orders": stopping.ORDERS,
        "priority_flash": flash or {},
    }


def _flash_form(flash: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"reasons": flash.get("reasons", []), "note": flash.get("note", "")} if flash and flash.get("error") else None


@router.get("/screening")
def screening_start(request: Request, user: User) -> Response:
    """The first stage with records left to resolve (or the first stage)."""
    rows = _progress(user)
    if not rows:
        return render(request, "screening.html", user, stages=[], stage=None)
    chosen = next((r for r in rows if r["unresolved"]), rows[0])
    return RedirectResponse(chosen["url"], status_code=303)


@router.get("/screening/{stage}")
def screening_page(stage: str, request: Request, user: User, record: int | None = None) -> Response:
    current, _ = find_stage(list_stages(user.project), stage)
    flash = request.session.pop("screening_flash", None)
    rows = _progress(user)
    record_id = record or (flash.get("record") if flash and flash.get("error") else None)
    context = _item_context(
        user, current, record_id, rows, error=flash.get("error") if flash else None, last=flash.get("last") if flash else None
    )
    if form := _flash_form(flash):
        context["form"] = form
    together = agreement(user.project, current.name)
    pilot = agreement(user.project, current.name, pilot=True)
    panel = _priority_context(user, current, request.session.pop("priority_flash", None))
    return render(
        request,
        "screening.html",
        user,
        stages=rows,
        agreement=together,
        pilot_agreement=pilot if pilot["pilot_records"] else None,
        **context,
        **panel,
    )


def _percent(value: str, what: str) -> float | None:
    """A percentage typed in the settings form as the fraction the service takes."""
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        raise UserError(f"{what} must be a percentage, not {value!r}") from None
    if not 0 < number < 100:
        raise UserError(f"{what} must lie strictly between 0% and 100%")
    return number / 100


def _back_to_panel(stage: StageInfo) -> RedirectResponse:
    return RedirectResponse(f"{stage_url(stage.name)}#priority-panel", status_code=303)


# Before POST /screening/{stage}/{record_id}: that route would take "stopping" and "stop" for a record id.
@router.post("/screening/{stage}/stopping")
def screening_configure(
    stage: str,
    request: Request,
    user: User,
    order: Annotated[str, Form()] = "",
    rule: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
    confidence: Annotated[str, Form()] = "",
    consecutive: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The stage's order and stopping rule from the settings form (owner or adjudicator); target and confidence in %."""
    check_csrf(request, csrf)
    require_writer(user)
    current, _ = find_stage(list_stages(user.project), stage)
    try:
        settings = stopping_settings({"order": order, "rule": rule, "consecutive": consecutive})
        for key, value, what in (("target", target, "the target recall"), ("confidence", confidence, "the confidence")):
            if (fraction := _percent(value, what)) is not None:
                settings[key] = fraction
        stopping.configure(user.project, current.name, user.email, **settings)
    except UserError as exc:
        if not _shown_at_form(exc):  # an unknown stage, or a role that may not: the error page
            raise
        request.session["priority_flash"] = {"form": "configure", "error": str(exc)}
    else:
        request.session["priority_flash"] = {"form": "configure", "notice": "Saved the order and stopping rule."}
    return _back_to_panel(current)


@router.post("/screening/{stage}/stop")
def screening_stop(
    stage: str,
    request: Request,
    user: User,
    note: Annotated[str, Form()] = "",
    force: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Stop the stage (owner or adjudicator, after ticking the confirmation). Refused while the rule does not allow it:
    the form then shows why and offers to stop anyway, with a note saying why."""
    check_csrf(request, csrf)
    require_writer(user)
    current, _ = find_stage(list_stages(user.project), stage)
    forcing = bool(force)
    try:
        if not confirm:
            raise UserError("tick the confirmation first: stopping excludes every record nobody has screened yet")
        if forcing and not note.strip():
            raise UserError("stopping before the rule allows it needs a note saying why")
        result = stopping.stop_stage(user.project, current.name, user.email, note=note, force=forcing)
    except UserError as exc:
        if not _shown_at_form(exc):  # an unknown stage, or a role that may not: the error page
            raise
        refused = isinstance(exc, Conflict) or forcing
        request.session["priority_flash"] = {"form": "stop", "error": str(exc), "refused": refused, "note": note[:NOTE_KEPT]}
    else:
        excluded = result["excluded"]
        request.session["priority_flash"] = {
            "form": "stop",
            "notice": f"Stopped {current.name}: {excluded} record{'' if excluded == 1 else 's'} excluded by automation.",
        }
    return _back_to_panel(current)


@router.post("/screening/{stage}/{record_id}")
def screening_decide(
    stage: str,
    record_id: int,
    request: Request,
    user: User,
    decision: Annotated[str, Form()] = "",
    reasons: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A decision from the form: HTMX gets the next record's panel; a plain form goes back where it came from."""
    check_csrf(request, csrf)
    require_writer(user)
    current, _ = find_stage(list_stages(user.project), stage)
    again = safe_next(back) if back else f"{stage_url(current.name)}?record={record_id}"
    try:
        result = decide(user.project, current.name, record_id, user.email, decision, reasons, note)
    except UserError as exc:
        if not _shown_at_form(exc):
            raise
        form = {"reasons": reasons, "note": note}
        if _htmx(request):
            response = render(
                request, "_screening_item.html", user, **_item_context(user, current, record_id, error=str(exc), form=form)
            )
            response.status_code = _status(exc)
            return response
        request.session["screening_flash"] = {
            "error": str(exc),
            "record": record_id,
            "reasons": reasons,
            "note": note[:NOTE_KEPT],
        }
        return RedirectResponse(again, status_code=303)
    refresh_later(request, user.project, current.name, user.email)  # in the background: the next record is served at once
    if _htmx(request):
        context = _item_context(user, current, last=result, oob=True) | _priority_context(user, current)
        return render(request, "_screening_item.html", user, **context)
    request.session["screening_flash"] = {"last": result}
    return RedirectResponse(safe_next(back) if back else stage_url(current.name), status_code=303)


def _conflict_view(conflict: Any, stage: StageInfo, **extra: Any) -> dict[str, Any]:
    return {
        "c": conflict,
        "stage": stage,
        "anchor": f"conflict-{stage.id}-{conflict.record_id}",
        "action": f"/conflicts/{quote(stage.name, safe='')}/{conflict.record_id}",
        "error": "",
        "form": {"decision": "", "reasons": [], "note": ""},
    } | extra


@router.get("/conflicts")
def conflicts_page(request: Request, user: User, stage: str = "") -> Response:
    stages = list_stages(user.project)
    flash = request.session.pop("conflicts_flash", None) or {}
    refused = ""
    try:
        found = conflicts(user.project, user.email, stage or None)
    except PermissionDenied as exc:
        found, refused = [], str(exc)
    groups = []
    for s in stages:
        views = []
        for c in found:
            if c.stage == s.name:
                mine = flash.get("record") == c.record_id and flash.get("stage") == s.name
                views.append(_conflict_view(c, s, **({"error": flash["error"], "form": flash["form"]} if mine else {})))
        groups.append({"stage": s, "conflicts": views})
    return render(
        request,
        "conflicts.html",
        user,
        groups=groups,
        total=len(found),
        refused=refused,
        notice=flash.get("notice", ""),
        only=stage,
        can_adjudicate=user.role in ADJUDICATING_ROLES,
        criteria=_reasons(user),
    )


@router.post("/conflicts/{stage}/{record_id}")
def conflict_resolve(
    stage: str,
    record_id: int,
    request: Request,
    user: User,
    decision: Annotated[str, Form()] = "",
    reasons: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    note: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The adjudicator's final decision: HTMX replaces the conflict with a line saying so."""
    check_csrf(request, csrf)
    require_writer(user)
    current, _ = find_stage(list_stages(user.project), stage)
    try:
        result = resolve_conflict(user.project, current.name, record_id, user.email, decision, reasons, note)
    except UserError as exc:
        if not _shown_at_form(exc):
            raise
        form = {"decision": decision, "reasons": reasons, "note": note}
        still = next((c for c in conflicts(user.project, user.email, current.name) if c.record_id == record_id), None)
        if _htmx(request) and still is not None:
            view = _conflict_view(still, current, error=str(exc), form=form)
            response = render(
                request, "_conflict.html", user, v=view, can_adjudicate=user.role in ADJUDICATING_ROLES, criteria=_reasons(user)
            )
            response.status_code = _status(exc)
            return response
        if still is None:
            raise
        request.session["conflicts_flash"] = {"error": str(exc), "record": record_id, "stage": current.name, "form": form}
        return RedirectResponse(f"/conflicts#conflict-{current.id}-{record_id}", status_code=303)
    if _htmx(request):
        return render(request, "_conflict.html", user, resolved=result, anchor=f"conflict-{current.id}-{record_id}")
    request.session["conflicts_flash"] = {"notice": f"Record #{record_id} resolved at {current.name}: {result['decision']}."}
    return RedirectResponse("/conflicts", status_code=303)


def _fulltext_stages(user: SignedIn) -> list[StageInfo]:
    return [s for s in list_stages(user.project) if s.kind == "fulltext"]


def _waiting(user: SignedIn, stage: StageInfo) -> list[Any]:
    """The records at a full-text stage waiting for this person's decision, in the order screening serves them."""
    found: list[Any] = []
    while len(found) < WAITING_SHOWN:
        item = next_item(user.project, stage.name, user.email, skip=[i.record_id for i in found])
        if item is None:
            break
        found.append(item)
    return found


@router.get("/fulltexts")
def fulltexts_page(request: Request, user: User) -> Response:
    stages = _fulltext_stages(user)
    waiting = [{"stage": s, "records": _waiting(user, s)} for s in stages] if user.can_write else []
    return render(
        request,
        "fulltexts.html",
        user,
        stages=stages,
        waiting=waiting,
        files=fulltexts.list_fulltexts(user.project),
        shown=WAITING_SHOWN,
    )


@router.get("/fulltexts/{record_id}")
def fulltext_page(record_id: int, request: Request, user: User, stage: str = "") -> Response:
    detail = get_record(user.project, record_id)
    info = fulltexts.get_fulltext(user.project, record_id)
    pages = fulltexts.fulltext_pages(user.project, record_id) if info and info.status == "retrieved" else []
    stages = _fulltext_stages(user)
    current = next((s for s in stages if s.name == stage), stages[0] if stages else None)
    flash = request.session.pop("screening_flash", None)
    notice = request.session.pop("fulltext_flash", None) or {}
    here = _back_to(record_id, current.name if current else "")
    screening: dict[str, Any] = {}
    next_id = None
    not_yet = ""
    if current is not None:
        error, last = (flash.get("error"), flash.get("last")) if flash else (None, None)
        try:
            screening = _item_context(user, current, record_id, plain=True, back=here, error=error, last=last)
        except Conflict as exc:  # not at the full-text stage (yet): the record and its PDF still show, with why
            screening, current = {}, None
            not_yet = f"Not at the full-text stage: {exc}. Screening decides its full text once it is included."
    if current is not None:
        if form := _flash_form(flash):
            screening["form"] = form
        if user.can_write:
            following = next_item(user.project, current.name, user.email, skip=[record_id])
            next_id = following.record_id if following else None
    return render(
        request,
        "fulltext.html",
        user,
        **({"stage": current} | screening),
        detail=detail,
        info=info,
        pages=pages,
        screening_shown=bool(screening),
        next_id=next_id,
        page_notice=notice.get("notice", ""),
        job=pending_job(request, user.project, "fulltext_job"),
        not_at_stage=not_yet,
        page_error=notice.get("error", ""),
    )


def _back_to(record_id: int, stage: str) -> str:
    return f"/fulltexts/{record_id}" + (f"?stage={quote(stage, safe='')}" if stage else "")


@router.post("/fulltexts/{record_id}/attach")
def fulltext_attach(
    record_id: int,
    request: Request,
    user: User,
    file: Annotated[UploadFile, File()],
    stage: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    fulltexts.check_attach(user.project, record_id, user.email)
    data = read_upload(file, request.app.state.settings.limits.pdfs)
    name = file.filename or "upload.pdf"
    try:
        job = request.app.state.jobs.queue_fulltext(user.project, record_id, data, name, request.app.state.settings.job_wait)
        info = finished_result(job)
    except UserError as exc:
        if not _shown_at_form(exc):
            raise
        request.session["fulltext_flash"] = {"error": str(exc)}
    else:
        if info is None:  # a big PDF: its text is still being extracted; the page follows the job
            request.session["fulltext_job"] = job.id
        else:
            pages = f"{info['pages']} page{'' if info['pages'] == 1 else 's'}"
            request.session["fulltext_flash"] = {"notice": f"Attached {info['file_name']} ({pages})."}
    return RedirectResponse(_back_to(record_id, stage), status_code=303)


@router.post("/fulltexts/{record_id}/not-retrieved")
def fulltext_not_retrieved(
    record_id: int,
    request: Request,
    user: User,
    reason: Annotated[str, Form()] = "",
    stage: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    try:
        fulltexts.mark_not_retrieved(user.project, record_id, reason=reason, actor=user.email)
    except UserError as exc:
        if not _shown_at_form(exc):
            raise
        request.session["fulltext_flash"] = {"error": str(exc)}
    else:
        request.session["fulltext_flash"] = {"notice": "Marked as not retrieved (PRISMA: reports not retrieved)."}
    return RedirectResponse(_back_to(record_id, stage), status_code=303)
