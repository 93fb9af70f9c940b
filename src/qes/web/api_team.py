"""The team in the JSON API: members and roles, invitations (create, revoke, accept). Owners manage; anyone may read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from qes.services import team
from qes.web.api import User
from qes.web.auth import check_api_origin

router = APIRouter(prefix="/api", tags=["team"])


class NewInvitation(BaseModel):
    email: str
    role: str = "reviewer"
    expires: str = "7d"  # 30m, 12h, 7d, 2w


class Role(BaseModel):
    role: str


class Acceptance(BaseModel):
    name: str
    password: str


def invitation_link(request: Request, token: str) -> str:
    return str(request.base_url).rstrip("/") + f"/invite/{token}"


@router.get("/team")
def members(user: User) -> dict[str, Any]:
    """Members with their roles; pending invitations too for owners."""
    found = team.team(user.project)
    return found if user.role == "owner" else {**found, "invitations": []}


@router.post("/team/invitations")
def invite(body: NewInvitation, request: Request, user: User) -> dict[str, Any]:
    """Invite a person with a role. The link (and token) is in this answer only: send it to them."""
    info, token = team.invite(user.project, body.email, role=body.role, expires=team.parse_duration(body.expires))
    return {**info.__dict__, "token": token, "link": invitation_link(request, token)}


@router.post("/team/invitations/{invitation_id}/revoke")
def revoke(invitation_id: int, user: User) -> dict[str, Any]:
    return team.revoke_invitation(user.project, invitation_id).__dict__


@router.post("/team/members/{user_id}/role")
def set_role(user_id: int, body: Role, user: User) -> dict[str, Any]:
    """Change a member's role (the project always keeps an owner)."""
    return team.set_role(user.project, user_id, body.role)


@router.post("/team/members/{user_id}/remove")
def remove(user_id: int, user: User) -> dict[str, Any]:
    """Take a member out of the project; their sessions end, their decisions stay."""
    return team.remove_member(user.project, user_id)


@router.get("/invitations/{token}")
def invitation(token: str, request: Request) -> dict[str, Any]:
    """Who an invitation is for and with which role (no session needed: the token is the key)."""
    project = request.app.state.project
    return {**team.invitation_for(project.store, project.id, token).__dict__, "project": project.config.name}


@router.post("/invitations/{token}")
def accept(token: str, body: Acceptance, request: Request) -> dict[str, Any]:
    """Accept: set your name and password and join with the invitation's role; then POST /api/login."""
    check_api_origin(request)
    project = request.app.state.project
    info = team.accept(project.store, project.id, token, name=body.name, password=body.password)
    return {"email": info.email, "role": info.role, "joined": True}
