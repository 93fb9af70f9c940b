"""Two projects in one database, each with a team, records, duplicates, stages, votes, a full text,
an invitation and a job: what the generated route tests (tests/web/test_authz.py) call every route
with. Import `from team_setup`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pdf_maker import make_pdf
from qes.services import fulltext, jobs, team
from qes.services.dedupe_project import list_groups, review_queue, run_dedupe
from qes.services.importing import import_file
from qes.services.project import Project, init_project, opened
from qes.services.protocol import add_criterion, add_stage
from qes.services.screening import decide
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


@dataclass
class Seeded:
    """The ids route parameters are filled with, per project."""

    root: Path
    project_id: int
    params: dict[str, str] = field(default_factory=dict)
    blind_record: int = 0


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
            first = int(params["record_id"]) - 4  # the first record of the file: unique, at the first stage
            decide(p, stage, first, ANA[0], "exclude", ["E1"], SECRET_NOTE)
            seeded.append(Seeded(root, p.id, params, first))
    return seeded[0], seeded[1]
