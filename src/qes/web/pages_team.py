"""The team page (members, roles, invitations) and the invitation page that lets a person join."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from qes.errors import NotFound, UserError
from qes.services import team
from qes.web.api_team import invitation_link
from qes.web.auth import check_csrf, sign_in
from qes.web.pages import User, render

router = APIRouter(include_in_schema=False)


def _back(request: Request, error: UserError | None = None, **flash: str) -> RedirectResponse:
    """Back to the team page with a message; an unknown member or invitation stays a 404."""
    if isinstance(error, NotFound):
        raise error
    if error is not None:
        flash["error"] = str(error)
    request.session["team_flash"] = flash
    return RedirectResponse("/team", status_code=303)


@router.get("/team")
def team_page(request: Request, user: User) -> Response:
    found = team.team(user.project)
    flash = request.session.pop("team_flash", None) or {}
    owner = user.role == "owner"
    return render(
        request, "team.html", user, team=found, owner=owner, flash=flash, invitations=found["invitations"] if owner else []
    )


@router.post("/team/invitations")
def team_invite(
    request: Request,
    user: User,
    email: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "reviewer",
    expires: Annotated[str, Form()] = "7d",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        info, token = team.invite(user.project, email, role=role, expires=team.parse_duration(expires))
    except UserError as exc:
        return _back(request, exc)
    # Shown once, on the page that follows; never stored (the database keeps only its hash).
    return _back(
        request, notice=f"Invitation for {info.email} as {info.role}. Send them this link:", link=invitation_link(request, token)
    )


@router.post("/team/invitations/{invitation_id}/revoke")
def team_revoke(invitation_id: int, request: Request, user: User, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    info = team.revoke_invitation(user.project, invitation_id)
    return _back(request, notice=f"Invitation for {info.email} withdrawn.")


@router.post("/team/members/{user_id}/role")
def team_role(
    user_id: int, request: Request, user: User, role: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(request, csrf)
    try:
        changed = team.set_role(user.project, user_id, role)
    except UserError as exc:
        return _back(request, exc)
    return _back(request, notice=f"{changed['email']} is now {changed['role']}.")


@router.post("/team/members/{user_id}/remove")
def team_remove(user_id: int, request: Request, user: User, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    try:
        removed = team.remove_member(user.project, user_id)
    except UserError as exc:
        return _back(request, exc)
    return _back(request, notice=f"{removed['email']} is no longer in this project (their decisions stay).")


@router.get("/invite/{token}")
def invite_page(token: str, request: Request) -> Response:
    project = request.app.state.project
    try:
        info = team.invitation_for(project.store, project.id, token)
    except UserError as exc:
        response = render(request, "invite.html", None, invitation=None, error=str(exc), token="", given_name="")
        response.status_code = 404 if isinstance(exc, NotFound) else 410
        return response
    return render(request, "invite.html", None, invitation=info, error="", token=token, given_name="")


@router.post("/invite/{token}")
def invite_accept(
    token: str,
    request: Request,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    project = request.app.state.project
    try:
        info = team.accept(project.store, project.id, token, name=name, password=password)
    except UserError as exc:
        try:
            pending = team.invitation_for(project.store, project.id, token)
        except NotFound:
            raise
        except UserError:
            pending = None
        response = render(
            request, "invite.html", None, invitation=pending, error=str(exc), token=token if pending else "", given_name=name
        )
        response.status_code = 400 if pending else 410
        return response
    sign_in(request, info.email, password)  # straight in: they just chose the password
    return RedirectResponse("/", status_code=303)
