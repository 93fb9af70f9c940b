"""Who may call which route: the policy table (data), enforced by `qes.web.auth` on every request.

Each route ("METHOD /path" as FastAPI declares it) names the least role that may call it, on the
ladder viewer < reviewer < adjudicator < owner, or "public" (no session needed). The services still
make the finer calls (the blind rule, whose vote may change, who may adjudicate); this table is the
first gate, the same for HTML and JSON. `tests/web/test_authz.py` calls every route of the app as
every role and fails for a route missing here; at run time an unlisted route falls back to
`DEFAULT` (read for viewers, change for reviewers), the rule qes had before the table.
"""

from __future__ import annotations

PUBLIC = "public"
LADDER = ("viewer", "reviewer", "adjudicator", "owner")
RANK = {role: i for i, role in enumerate(LADDER)}
DEFAULT = {"GET": "viewer", "HEAD": "viewer"}  # any other method: reviewer
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

POLICY: dict[str, str] = {
    # signing in, invitations, the API's description
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "GET /logout": PUBLIC,
    "POST /logout": PUBLIC,
    "GET /invite/{token}": PUBLIC,
    "POST /invite/{token}": PUBLIC,
    "POST /api/login": PUBLIC,
    "GET /api/invitations/{token}": PUBLIC,
    "POST /api/invitations/{token}": PUBLIC,
    "GET /openapi.json": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /docs/oauth2-redirect": PUBLIC,
    "GET /redoc": PUBLIC,
    # the project, records, imports
    "GET /": "viewer",
    "GET /import": "viewer",  # the page says what the role may not do
    "POST /import": "reviewer",
    "GET /import/jobs/{job_id}": "viewer",
    "GET /records": "viewer",
    "GET /records/{record_id}": "viewer",
    "POST /api/logout": "viewer",
    "POST /api/logout-everywhere": "viewer",
    "POST /logout/everywhere": "viewer",
    "GET /api/me": "viewer",
    "GET /api/status": "viewer",
    "GET /api/records": "viewer",
    "GET /api/records/{record_id}": "viewer",
    "POST /api/imports": "reviewer",
    "GET /api/jobs": "viewer",
    "GET /api/jobs/{job_id}": "viewer",
    # the team
    "GET /team": "viewer",
    "POST /team/invitations": "owner",
    "POST /team/invitations/{invitation_id}/revoke": "owner",
    "POST /team/members/{user_id}/role": "owner",
    "POST /team/members/{user_id}/remove": "owner",
    "GET /api/team": "viewer",
    "POST /api/team/invitations": "owner",
    "POST /api/team/invitations/{invitation_id}/revoke": "owner",
    "POST /api/team/members/{user_id}/role": "owner",
    "POST /api/team/members/{user_id}/remove": "owner",
    # duplicates
    "GET /dedupe": "viewer",
    "POST /dedupe/run": "reviewer",
    "POST /dedupe/pairs/{pair_id}": "reviewer",
    "POST /dedupe/groups/{group_id}/undo": "reviewer",
    "GET /api/dedupe": "viewer",
    "POST /api/dedupe/run": "reviewer",
    "GET /api/dedupe/pairs": "viewer",
    "POST /api/dedupe/pairs/{pair_id}": "reviewer",
    "GET /api/dedupe/groups": "viewer",
    "GET /api/dedupe/groups/{group_id}": "viewer",
    "POST /api/dedupe/groups/{group_id}/undo": "reviewer",
    # screening, conflicts, stopping
    "GET /screening": "viewer",
    "GET /screening/{stage}": "viewer",
    "POST /screening/{stage}/stopping": "adjudicator",
    "POST /screening/{stage}/stop": "adjudicator",
    "POST /screening/{stage}/{record_id}": "reviewer",
    "GET /conflicts": "viewer",
    "POST /conflicts/{stage}/{record_id}": "adjudicator",
    "GET /api/protocol": "viewer",
    "GET /api/screening": "viewer",
    "GET /api/screening/{stage}/next": "reviewer",
    "GET /api/screening/{stage}/records/{record_id}": "viewer",
    "POST /api/screening/{stage}/records/{record_id}": "reviewer",
    "GET /api/screening/{stage}/stopping": "viewer",
    "POST /api/screening/{stage}/stopping": "adjudicator",
    "POST /api/screening/{stage}/stop": "adjudicator",
    "POST /api/screening/{stage}/pilot": "adjudicator",
    "GET /api/conflicts": "reviewer",  # a viewer neither decides nor adjudicates (the page says so instead)
    "POST /api/conflicts/{stage}/{record_id}": "adjudicator",
    "GET /api/agreement/{stage}": "viewer",
    # full texts
    "GET /fulltexts": "viewer",
    "GET /fulltexts/{record_id}": "viewer",
    "POST /fulltexts/{record_id}/attach": "reviewer",
    "POST /fulltexts/{record_id}/not-retrieved": "reviewer",
    "GET /api/fulltexts": "viewer",
    "GET /api/fulltexts/{record_id}": "viewer",
    "POST /api/fulltexts/{record_id}": "reviewer",
    "POST /api/fulltexts/{record_id}/not-retrieved": "reviewer",
    "GET /api/fulltexts/{record_id}/pdf": "viewer",
    # search strategies and the search log (writes: `strategies.require_search_writer`, owner/reviewer/adjudicator)
    "GET /search": "viewer",
    "POST /search": "reviewer",
    "POST /search/builder": "viewer",  # re-renders the builder: computes, writes nothing
    "POST /search/translations": "viewer",  # the translations panel: computes, writes nothing
    "GET /search/{name}": "viewer",
    "GET /search-log": "viewer",
    "POST /search-log": "reviewer",
    "POST /search-log/{run_id}/link": "reviewer",
    "GET /search-log/appendix.md": "viewer",
    "GET /api/search": "viewer",
    "POST /api/search": "reviewer",
    "POST /api/search/translate": "viewer",  # computes, writes nothing
    "GET /api/search/{name}": "viewer",
    "GET /api/search/{name}/versions": "viewer",
    "GET /api/search-log": "viewer",
    "POST /api/search-log": "reviewer",
    "POST /api/search-log/{run_id}/link": "reviewer",
    "GET /api/search-log/appendix": "viewer",
    # studies, forms, extraction and appraisal (the blind rule is `services.extraction`'s); a reviewer
    # reconciles a study they extracted, an adjudicator or owner any study: the service makes that call
    "GET /studies": "viewer",
    "POST /studies": "reviewer",
    "POST /studies/from-screening": "reviewer",
    "POST /forms": "reviewer",
    "GET /extraction": "viewer",
    "GET /extraction/{study_id}": "viewer",
    "POST /extraction/{study_id}/entry": "reviewer",
    "POST /extraction/{study_id}/reconcile": "reviewer",
    "GET /appraisal": "viewer",
    "GET /appraisal/{study_id}": "viewer",
    "POST /appraisal/{study_id}/entry": "reviewer",
    "POST /appraisal/{study_id}/reconcile": "reviewer",
    "GET /api/studies": "viewer",
    "POST /api/studies": "reviewer",
    "POST /api/studies/from-screening": "reviewer",
    "POST /api/studies/{study_id}/reports": "reviewer",
    "GET /api/forms": "viewer",
    "POST /api/forms": "reviewer",
    "GET /api/forms/{name}": "viewer",
    "GET /api/extraction": "viewer",
    "GET /api/extraction/{study_id}": "viewer",
    "POST /api/extraction/{study_id}/entry": "reviewer",
    "POST /api/extraction/{study_id}/reconcile": "reviewer",
    "GET /api/appraisal": "viewer",
    "GET /api/appraisal/{study_id}": "viewer",
    "POST /api/appraisal/{study_id}/entry": "reviewer",
    "POST /api/appraisal/{study_id}/reconcile": "reviewer",
    "GET /api/tables/studies": "viewer",
    "GET /api/tables/appraisal": "viewer",
    # documents, coding, the codebook, memos (a reviewer reconciles a document they coded, an
    # adjudicator or owner any: `services.coding_review.reconcile` makes that call)
    "GET /coding": "viewer",
    "POST /coding/documents": "reviewer",
    "GET /coding/{doc_id}": "viewer",
    "POST /coding/{doc_id}/segments": "reviewer",
    "POST /coding/{doc_id}/segments/{segment_id}/uncode": "reviewer",
    "GET /coding/{doc_id}/suggest": "viewer",  # ranks codes for a selection: applies nothing
    "POST /coding/{doc_id}/done": "reviewer",
    "POST /coding/{doc_id}/reconcile": "reviewer",
    "POST /coding/{doc_id}/memos": "reviewer",
    "GET /codebook": "viewer",
    "POST /codebook/codes": "reviewer",
    "POST /codebook/load": "reviewer",
    "POST /codebook/import": "reviewer",
    "GET /api/coding": "viewer",
    "POST /api/coding/documents": "reviewer",
    "GET /api/coding/{doc_id}": "viewer",
    "POST /api/coding/{doc_id}/segments": "reviewer",
    "POST /api/coding/{doc_id}/done": "reviewer",
    "GET /api/coding/{doc_id}/suggest": "viewer",
    "POST /api/coding/{doc_id}/reconcile": "reviewer",
    "GET /api/segments": "viewer",
    "DELETE /api/segments/{segment_id}": "reviewer",
    "GET /api/coding-agreement": "viewer",  # `coding_review.coding_agreement` lets viewers see agreement
    "GET /api/codebook": "viewer",
    "POST /api/codebook/codes": "reviewer",
    "POST /api/codebook/codes/{code_id}": "reviewer",
    "POST /api/codebook/codes/{code_id}/move": "reviewer",
    "POST /api/codebook/frameworks/{name}": "reviewer",
    "GET /api/memos": "viewer",
    "POST /api/memos": "reviewer",
    # synthesis: the matrix, the translation grid, lines of argument, CERQual findings
    "GET /synthesis": "viewer",
    "GET /synthesis/grid/{concept_id}/{study_id}": "viewer",
    "POST /synthesis/grid/{concept_id}/{study_id}": "reviewer",
    "POST /synthesis/texts": "reviewer",
    "POST /synthesis/findings": "reviewer",
    "POST /synthesis/findings/{number}": "reviewer",
    "GET /api/synthesis": "viewer",
    "GET /api/synthesis/matrix": "viewer",
    "GET /api/synthesis/grid": "viewer",
    "PUT /api/synthesis/grid": "reviewer",
    "GET /api/synthesis/grid/{concept_id}/{study_id}": "viewer",
    "GET /api/synthesis/texts": "viewer",
    "PUT /api/synthesis/texts": "reviewer",
    "GET /api/findings": "viewer",
    "POST /api/findings": "reviewer",
    "PUT /api/findings/{number}": "reviewer",
    # the dashboard, reports and downloads, the audit trail (read through the blind rule of `services.audit`)
    "GET /dashboard": "viewer",
    "GET /dashboard/prisma": "viewer",
    "GET /reports": "viewer",
    "GET /reports/prisma.{fmt}": "viewer",
    "GET /reports/tables/{name}.{fmt}": "viewer",
    "GET /reports/review.{fmt}": "viewer",
    "GET /reports/included.{suffix}": "viewer",
    "GET /reports/audit.{fmt}": "viewer",
    "GET /reports/refi.{ext}": "viewer",
    "GET /audit": "viewer",
    "GET /api/dashboard": "viewer",
    "GET /api/prisma": "viewer",
    "GET /api/reports": "viewer",
    "GET /api/reports/tables/{name}": "viewer",
    "GET /api/reports/checklists": "viewer",
    "GET /api/audit": "viewer",
}


# What a refused person was trying to do, for the 403 message (routes not named here: "change the project").
DOING = {
    "adjudicator": "resolve conflicts, run pilots or stop a stage",
    "owner": "manage the team",
}
DOING_ROUTE = {
    "POST /conflicts/{stage}/{record_id}": "resolve conflicts",
    "POST /api/conflicts/{stage}/{record_id}": "resolve conflicts",
    "POST /screening/{stage}/stopping": "set the order or stopping rule",
    "POST /api/screening/{stage}/stopping": "set the order or stopping rule",
    "POST /screening/{stage}/stop": "stop a stage",
    "POST /api/screening/{stage}/stop": "stop a stage",
    "POST /api/screening/{stage}/pilot": "run a pilot round",
}


def refusal(role: str, method: str, path: str) -> str:
    """The 403 message: the role, what it cannot do, and the least role that can."""
    minimum = minimum_role(method, path)
    doing = DOING_ROUTE.get(f"{method} {path}") or DOING.get(minimum, "change the project")
    return f"your role in this project is {role}: it cannot {doing} (needs {minimum} or above)"


def minimum_role(method: str, path: str) -> str:
    """The least role for a route (its declared path, e.g. "/records/{record_id}")."""
    return POLICY.get(f"{method} {path}") or DEFAULT.get(method, "reviewer")


def allows(role: str, minimum: str) -> bool:
    return minimum == PUBLIC or RANK.get(role, -1) >= RANK[minimum]
