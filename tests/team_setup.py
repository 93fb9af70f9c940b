"""Two projects in one database, each with a team, records, duplicates, stages, votes, a full text,
an invitation, a job, and something at every later stage (a study, forms, a coded document, a codebook,
a search strategy and logged search, a finding): what the generated route tests
(tests/web/test_authz.py) call every route with. Import `from team_setup`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pdf_maker import make_pdf
from qes.services import codebook, coding, extraction, fulltext, jobs, search_log, strategies, team
from qes.services.dedupe_project import list_groups, review_queue, run_dedupe
from qes.services.documents import add_document
from qes.services.findings import set_finding
from qes.services.importing import import_file
from qes.services.project import Project, init_project, opened
from qes.services.protocol import add_criterion, add_stage
from qes.services.screening import decide
from qes.services.studies import add_study
from qes.services.users import add_member, add_user
from screening_setup import ADA, ANA, BEN, TA
from support import OWNER, VIEWER

SPARE = ("spare@example.org", "spare-password")  # the member the owner's role/remove routes act on
PEOPLE = {"owner": OWNER, "reviewer": ANA, "adjudicator": ADA, "viewer": VIEWER}
SECRET_NOTE = "ANA-UNRESOLVED-BLIND-NOTE"  # Ana's vote at the blind stage: no one else may see it
XSS_TITLE = "<script>alert('xss')</script> and {{7*7}} in a title"
OTHER_SECRET = "OTHER-PROJECT-SECRET"

RECORDS = """title,authors,year,journal,volume,issue,pages,doi,abstract
Reciprocity and trust in online communities,"Smith, Anna; Jones, Bob",2019,Social Computing,12,3,100-120,10.1234/jsc.2019.001,T.
Reciprocity and trust in online communities,"Smith, Anna; Jones, Bob",2019,Social Computing,12,3,100-120,10.1234/jsc.2019.001,T.
Gift exchange among nurses on hospital wards: a qualitative study,"Garcia, Maria; Lee, Chen",2020,Nursing Inquiry,27,2,,,Nurses.
Gift exchange among nurses in hospital wards: a qualitative study,"Garcia, Maria; Lee, Chen",2020,,,,,,Nurses.
"{title}","Doe, Jane",2021,"<b>Journal</b> {{{{7*7}}}}",1,,1-2,,"<img src=x onerror=alert(1)> abstract"
"""


# Parameters that name no project's data, the same in both projects: a download's format, a built-in
# table or framework. A route whose URL they fill alike in both projects has no other project's ids to refuse.
SHARED = {"fmt": "html", "suffix": "ris", "ext": "qdc"}
SHARED_BY_PATH = {
    "/reports/prisma.{fmt}": {"fmt": "svg"},
    "/reports/audit.{fmt}": {"fmt": "csv"},
    "/reports/tables/{name}.{fmt}": {"name": "studies"},
    "/api/reports/tables/{name}": {"name": "studies"},
    "/api/codebook/frameworks/{name}": {"name": "reciprocity"},
}
QUERY = {  # routes that need a query string to say what they are asked
    "/coding/{doc_id}/suggest": "?start=0&end=5",
    "/api/coding/{doc_id}/suggest": "?start=0&end=5",
}
STRATEGY_PATHS = ("/search/{name}", "/api/search/{name}", "/api/search/{name}/versions")


@dataclass
class Seeded:
    """The ids route parameters are filled with, per project."""

    root: Path
    project_id: int
    params: dict[str, str] = field(default_factory=dict)
    blind_record: int = 0
    by_path: dict[str, dict[str, str]] = field(default_factory=dict)  # where {name} is a form's, a strategy's...
    blind_study: int = 0  # where Ana's draft extraction is

    def values(self, path: str) -> dict[str, str]:
        """The values for a route's parameters (a route's own, e.g. {name}, over the project's)."""
        return self.params | SHARED | SHARED_BY_PATH.get(path, {}) | self.by_path.get(path, {})


def _seed(p: Project, folder: Path, title: str, stage: str, token_holder: dict[str, str]) -> dict[str, str]:
    csv = folder / f"{p.config.slug}.csv"
    csv.write_text(RECORDS.format(title=title.replace('"', '""')), encoding="utf-8")
    import_file(p, csv, source="Scopus")
    add_criterion(p, "E1", "Not qualitative research", inclusion=False)
    add_stage(p, stage, kind="title-abstract")
    add_stage(p, f"{stage}-fulltext", kind="fulltext")
    run_dedupe(p)
    pair = review_queue(p, 1)[0]["pair"]
    group = list_groups(p)[0]["group"]
    invitation, token = team.invite(p, f"invited-{p.config.slug}@example.org", role="reviewer")
    token_holder["token"] = token
    job = jobs.enqueue(p, "rank", {"stage": stage, "reviewer": ""})
    with p.store.read() as session:
        from sqlalchemy import select

        from qes.store.schema import RecordRow

        ids = list(session.scalars(select(RecordRow.id).where(RecordRow.project_id == p.id).order_by(RecordRow.id)))
    fulltext.attach(p, ids[-1], make_pdf([f"Full text of {title}"]), file_name="paper.pdf", actor=OWNER[0])
    return {
        "record_id": str(ids[-1]),
        "pair_id": str(pair),
        "group_id": str(group),
        "job_id": str(job.id),
        "stage": stage,
        "invitation_id": str(invitation.id),
        "token": token,
    }


def _seed_later_stages(p: Project, title: str, record_id: int) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """A study (the record's), an extraction form and a checklist, a document coded with a concept of a
    theme, a strategy with a logged search, and a finding (two in project b, so its number is not a's)."""
    slug = p.config.slug
    study = add_study(p, title, record_id=record_id)
    form = extraction.add_form(p, f"table1-{slug}", template="qualitative")
    extraction.add_form(p, f"casp-{slug}", template="casp-qualitative")
    document = add_document(p, f"#{study.id}", text=f"{title}. She listened to me and I trusted her.\n", title=title)
    tag = f" {OTHER_SECRET}" if title.startswith(OTHER_SECRET) else ""  # b's codes show if b's codebook leaks
    theme = codebook.add_code(p, f"Trust{tag}", kind="theme", definition=title)
    concept = codebook.add_code(p, f"Listen{tag}", parent=f"#{theme.id}", kind="concept")
    segment = coding.code_segment(p, document.id, [f"#{concept.id}"], find="She listened to me")  # the owner's, not done
    strategy = strategies.save_strategy(p, f"terms-{slug}", "reciprocity[tiab] AND trust[tiab]", "pubmed", note=title)
    run, _ = search_log.log_search(p, database="PsycINFO", interface="Ovid", run_on="2024-01-15", hits=5,
                                   strategy=strategy.name, notes=title)  # fmt: skip
    for n in range(2 if tag else 1):
        finding = set_finding(p, statement=f"{title}: finding {n + 1}", concept=f"#{concept.id}", studies=[f"#{study.id}"])
    params = {
        "study_id": str(study.id),
        "doc_id": str(document.id),
        "segment_id": str(segment.id),
        "code_id": str(theme.id),
        "concept_id": str(concept.id),
        "number": str(finding.number),
        "run_id": str(run.id),
    }
    by_path = {path: {"name": strategy.name} for path in STRATEGY_PATHS} | {"/api/forms/{name}": {"name": form.name}}
    return params, by_path


def two_projects(folder: Path, database: str | None = None) -> tuple[Seeded, Seeded]:
    """Project "a" (the app's) and project "b" in one database (a's SQLite file unless `database` is
    given, e.g. PostgreSQL); b's title carries OTHER_SECRET."""
    root_a, root_b = folder / "a", folder / "b"
    init_project(root_a, name="Reciprocity review", database=database).close()
    database = database or f"sqlite:///{(root_a / 'qes.sqlite3').resolve()}"
    init_project(root_b, name="Other review", database=database).close()
    seeded = []
    for root, title, stage in ((root_a, XSS_TITLE, TA), (root_b, f"{OTHER_SECRET} title", "other-stage")):
        with opened(root, actor=OWNER[0]) as p:
            for role, (email, password) in PEOPLE.items():
                add_user(p.store, email, password=password, name=role.title())
                add_member(p, email, role=role)
            add_user(p.store, BEN[0], password=BEN[1], name="Ben")
            add_member(p, BEN[0], role="reviewer")
            spare = f"spare-{p.config.slug}@example.org"
            add_user(p.store, spare, password=SPARE[1], name="Spare")
            spare_id = add_member(p, spare, role="reviewer") and team.team(p)["members"][-1]["id"]
            holder: dict[str, str] = {}
            params = _seed(p, folder, title, stage, holder)
            params["user_id"] = str(spare_id)
            later, by_path = _seed_later_stages(p, title, int(params["record_id"]))
            first = int(params["record_id"]) - 4  # the first record of the file: unique, at the first stage
            decide(p, stage, first, ANA[0], "exclude", ["E1"], SECRET_NOTE)
            # ...and her draft extraction of a study of its own (the routes' calls leave it alone): blind too
            blind = add_study(p, f"Blind study of {p.config.slug}")
            form = by_path["/api/forms/{name}"]["name"]
            extraction.save_entry(p, f"#{blind.id}", form, {"aim": SECRET_NOTE}, person=ANA[0])
            seeded.append(Seeded(root, p.id, params | later, first, by_path, blind.id))
    return seeded[0], seeded[1]
