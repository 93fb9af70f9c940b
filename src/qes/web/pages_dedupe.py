"""The de-duplication page: run, review pairs side by side (HTMX), undo groups. Calls `dedupe_project` only."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from qes.services.dedupe_project import decide_pair, group_detail, list_groups, review_queue, undo_group
from qes.services.status import project_status
from qes.web.auth import SignedIn, check_csrf, require_writer
from qes.web.jobs import finished_result, pending_job
from qes.web.pages import User, render

router = APIRouter(include_in_schema=False)
GROUPS_SHOWN = 50  # each shown group costs a query for its members' titles

# What the page repeats of a run (the session cookie is small: counts only, not the linked-record list).
RUN_COUNTS = ("records", "groups_created", "groups_extended", "groups_joined", "maybe_added", "duplicates_removed", "open_pairs")


def word_diff(text: str, other: str) -> list[tuple[str, bool]]:
    """`text` as runs of words, each run True where `other` lacks those words (case ignored).

    Words only `other` has are not part of `text`, so they are shown on the other side (call it
    the other way round). Whitespace is normalised to single spaces.
    """
    words, theirs = text.split(), other.split()
    matcher = SequenceMatcher(None, [w.casefold() for w in words], [w.casefold() for w in theirs], autojunk=False)
    runs: list[tuple[str, bool]] = []
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if i1 == i2:
            continue  # an insertion: nothing of `text` to show
        changed = tag != "equal"
        if runs and runs[-1][1] == changed:  # a replace next to a delete: one marked run, not two
            runs[-1] = (f"{runs[-1][0]} {' '.join(words[i1:i2])}", changed)
        else:
            runs.append((" ".join(words[i1:i2]), changed))
    return runs


def pair_view(pair: dict[str, Any]) -> dict[str, Any]:
    """A review-queue pair as the panel shows it: rows (field, A, B, differs) and the title diffed by word."""
    left, right = pair["records"]
    rows = [
        {"field": name, "sides": (left[name], right[name]), "differs": name in pair["differs"]}
        for name in left
        if name != "id" and (left[name] or right[name])  # a field neither record has says nothing
    ]
    titles = (word_diff(left["title"], right["title"]), word_diff(right["title"], left["title"]))
    return {
        "id": pair["pair"],
        "reason": pair["reason"],
        "score": pair["score"],
        "ids": (left["id"], right["id"]),
        "rows": rows,
        "titles": titles,
    }


def _panel_context(user: SignedIn) -> dict[str, Any]:
    status = project_status(user.project)
    first = review_queue(user.project, 1)
    return {
        "pair": pair_view(first[0]) if first else None,
        "pairs_left": status.dedupe["pairs_to_review"],
        "duplicates_removed": status.dedupe["duplicates_removed"],
        "status": status,
    }


@router.get("/dedupe")
def dedupe_page(request: Request, user: User) -> Response:
    # Shown once after the redirect that follows a run or an undo, then forgotten.
    ran = request.session.pop("dedupe_run", None)
    notice = request.session.pop("dedupe_notice", None)
    job = pending_job(request, user.project, "dedupe_job")
    groups = list_groups(user.project)
    shown = [group_detail(user.project, g["group"]) | g for g in groups[:GROUPS_SHOWN]]
    context = _panel_context(user)
    return render(
        request, "dedupe.html", user, ran=ran, notice=notice, job=job, groups=shown, groups_total=len(groups), **context
    )


@router.post("/dedupe/run")
def dedupe_run(request: Request, user: User, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    job = request.app.state.jobs.run_briefly(user.project, "dedupe", {}, request.app.state.settings.job_wait)
    summary = finished_result(job)
    if summary is None:  # a big project: the run goes on in the background; the page follows its job
        request.session["dedupe_job"] = job.id
        return RedirectResponse("/dedupe", status_code=303)
    counts = {name: summary[name] for name in RUN_COUNTS}
    counts["linked_to_screened"] = len(summary["linked_to_screened"])
    request.session["dedupe_run"] = counts
    return RedirectResponse("/dedupe", status_code=303)


@router.post("/dedupe/pairs/{pair_id}")
def dedupe_decide(
    pair_id: int, request: Request, user: User, decision: Annotated[str, Form()], csrf: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    decide_pair(user.project, pair_id, decision, actor=user.email)
    if request.headers.get("hx-request"):
        # The next pair replaces the panel; the page's count of removed duplicates follows out of band.
        return render(request, "_dedupe_pair.html", user, oob=True, **_panel_context(user))
    return RedirectResponse("/dedupe", status_code=303)


@router.post("/dedupe/groups/{group_id}/undo")
def dedupe_undo(
    group_id: int, request: Request, user: User, why: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    result = undo_group(user.project, group_id, actor=user.email, why=why)
    records = ", ".join(f"#{r}" for r in result["records"])
    request.session["dedupe_notice"] = f"Group {group_id} undone: records {records} stand alone again."
    return RedirectResponse("/dedupe", status_code=303)
