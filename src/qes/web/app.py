"""The workbench in the browser: `create_app(project_dir)` → a FastAPI app (pages + /api/)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from qes import __version__
from qes.errors import Conflict, NotFound, PermissionDenied, QesError
from qes.services.project import open_project
from qes.web import api, pages
from qes.web.auth import session_secret
from qes.web.jobs import JobRegistry

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")


def _status_of(exc: QesError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, Conflict):
        return 409
    return 400


def create_app(project_dir: Path | None = None, *, db: str | None = None) -> FastAPI:
    project = open_project(project_dir, db=db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        project.close()

    app = FastAPI(
        lifespan=lifespan,
        title="qes",
        version=__version__,
        description="Systematic review and qualitative evidence synthesis workbench. Every route under /api/ "
        "except POST /api/login needs a session (sign in with POST /api/login).",
    )
    app.state.project = project
    app.state.jobs = JobRegistry()
    app.state.templates = templates
    app.add_middleware(SessionMiddleware, secret_key=session_secret(project.root), same_site="lax", https_only=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(QesError)
    async def qes_error(request: Request, exc: QesError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=_status_of(exc))
        return templates.TemplateResponse(request, "error.html", {"message": str(exc), "user": None}, status_code=_status_of(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        if exc.status_code == 401:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return templates.TemplateResponse(
            request, "error.html", {"message": exc.detail, "user": None}, status_code=exc.status_code
        )

    return app
