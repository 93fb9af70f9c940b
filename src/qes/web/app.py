"""The workbench in the browser: `create_app(project_dir)` → a FastAPI app (pages + /api/)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from qes import __version__
from qes.errors import Conflict, NotFound, PermissionDenied, QesError
from qes.services import priority
from qes.services.project import open_project
from qes.web import api, api_dedupe, api_screening, api_team, pages, pages_dedupe, pages_screening, pages_team
from qes.web.api_coding import router as coding_api
from qes.web.api_extraction import router as extraction_api
from qes.web.api_reports import router as reports_api
from qes.web.api_search import router as search_api_router
from qes.web.api_synthesis import router as synthesis_api
from qes.web.auth import LoginRefused, csrf_token, session_secret, signed_in
from qes.web.jobs import WebJobs
from qes.web.navigation import mark_current
from qes.web.pages_coding import router as coding_pages
from qes.web.pages_extraction import router as extraction_pages
from qes.web.pages_reports import router as reports_pages
from qes.web.pages_search import router as search_pages_router
from qes.web.pages_synthesis import router as synthesis_pages
from qes.web.settings import SecureResponses, WebSettings, from_env
from qes.web.uploads import BodyLimit

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["mark_current"] = mark_current


def _status_of(exc: QesError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, Conflict):
        return 409
    return 400


def error_response(request: Request, status: int, message: str) -> Response:
    """The same error as JSON for /api/, as an HTMX fragment, or as a page."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    htmx = bool(request.headers.get("hx-request"))
    if status == 401 and request.app.state.settings.single_user is None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login = f"/login?next={quote(here)}"
        # A fragment request (e.g. progress polling) cannot follow a redirect: HTMX loads the page itself.
        return Response(status_code=401, headers={"HX-Redirect": login}) if htmx else RedirectResponse(login, status_code=303)
    if htmx:
        return HTMLResponse(f'<p class="error" role="alert">{escape(message)}</p>', status_code=status)
    context = {
        "message": message,
        "user": signed_in(request),
        "csrf": csrf_token(request),
        "project": request.app.state.project.config,
    }
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


def create_app(project_dir: Path | None = None, *, db: str | None = None, settings: WebSettings | None = None) -> FastAPI:
    project = open_project(project_dir, db=db)
    settings = settings or WebSettings()
    jobs = WebJobs(project, settings.limits.imports)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.refresh_process:
            priority.refresh_in_child_process()
        jobs.start()  # this process's workers: queued jobs (also ones a dead worker left) run here
        yield
        jobs.stop()
        priority.stop_child_process()
        project.close()

    app = FastAPI(
        lifespan=lifespan,
        title="qes",
        version=__version__,
        description="Systematic review and qualitative evidence synthesis workbench. Every route under /api/ "
        "except POST /api/login needs a session (sign in with POST /api/login).",
    )
    app.state.project = project
    app.state.jobs = jobs
    app.state.settings = settings
    app.state.templates = templates
    # Starlette's cookie is HttpOnly and SameSite=Lax; SecureResponses adds Secure over HTTPS (outermost: it
    # sees the scheme the proxy reported).
    max_age = int(settings.session_lifetime.total_seconds())
    app.add_middleware(SessionMiddleware, secret_key=session_secret(project.root), same_site="lax", max_age=max_age)
    app.add_middleware(BodyLimit, limit=settings.limits.body)
    app.add_middleware(SecureResponses, always_secure=settings.secure_cookies)
    if settings.proxy_headers:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(api_dedupe.router)
    app.include_router(api_screening.router)
    app.include_router(pages.router)
    app.include_router(pages_dedupe.router)
    app.include_router(pages_screening.router)
    app.include_router(search_api_router)
    app.include_router(search_pages_router)
    app.include_router(extraction_api)
    app.include_router(extraction_pages)
    app.include_router(coding_api)
    app.include_router(coding_pages)
    app.include_router(reports_api)
    app.include_router(reports_pages)
    app.include_router(synthesis_api)
    app.include_router(synthesis_pages)
    app.include_router(api_team.router)
    app.include_router(pages_team.router)

    # Sync handlers: Starlette runs them in its thread pool, so the session lookup does not block the loop.
    # Starlette's HTTPException (not FastAPI's subclass) so unknown paths (404) get the same treatment.
    @app.exception_handler(QesError)
    def qes_error(request: Request, exc: QesError) -> Response:
        return error_response(request, _status_of(exc), str(exc))

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(LoginRefused)
    def login_refused(request: Request, exc: LoginRefused) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=exc.headers)
        context = {"user": None, "csrf": csrf_token(request), "project": project.config}
        context |= {"next": "/", "error": exc.message[:1].upper() + exc.message[1:] + "."}
        return templates.TemplateResponse(request, "login.html", context, status_code=exc.status, headers=exc.headers)

    return app


def app_from_env() -> FastAPI:
    """The app of one worker process (`qes serve --workers N`): project, database and settings from QES_SERVE_*."""
    project_dir, db, settings = from_env()
    return create_app(project_dir, db=db, settings=settings)
