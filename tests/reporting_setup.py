"""A small screened review for the reporting tests (import `from reporting_setup`): ten records from
one database (strategy and hits recorded), two blind reviewers and an adjudicator, a title-abstract
stage then full text; `screen_through` resolves every record the same way on both backends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from qes.services import screening
from qes.services.importing import import_file
from qes.services.project import Project, init_project
from qes.services.protocol import add_criterion, add_stage
from qes.services.users import add_member
from qes.store.schema import RecordRow, Source
from support import FIXTURES

TEN = FIXTURES / "screening" / "ten_records.ris"
OWNER, A, B, ADJ = "owner@x.org", "a@x.org", "b@x.org", "adj@x.org"
STRATEGY = 'reciprocity AND ("nurse" OR "therapist")'


def small_review(root: Path, db_url: str) -> Project:
    p = init_project(root, database=db_url, actor=OWNER)
    import_file(p, TEN, source="PsycINFO (Ovid)", searched="2015-02-10")
    with p.store.transaction() as session:  # the search log's own fields (set by the search stage elsewhere)
        source = session.scalars(select(Source).where(Source.project_id == p.id)).one()
        source.database, source.interface, source.strategy, source.hits_reported = "PsycINFO", "Ovid", STRATEGY, 12
        source.searched_on = dt.date(2015, 2, 10)
    add_member(p, OWNER, role="owner")
    for email, role in ((A, "reviewer"), (B, "reviewer"), (ADJ, "adjudicator")):
        add_member(p, email, role=role)
    add_criterion(p, "I1", "Professional and service user dyad", inclusion=True)
    add_criterion(p, "E1", "Not about a dyadic professional–service-user relationship", inclusion=False)
    add_criterion(p, "E2", "Peer or caregiver relationship", inclusion=False)
    add_stage(p, "ta", kind="title-abstract", reviewers=2, blind=True)
    add_stage(p, "ft", kind="fulltext", reviewers=2, blind=True)
    return p


def record_ids(p: Project) -> list[int]:
    with p.store.read() as session:
        return list(session.scalars(select(RecordRow.id).where(RecordRow.project_id == p.id).order_by(RecordRow.id)))


def screen_through(p: Project) -> list[int]:
    """Records 1–4 pass title-abstract; at full text 1–2 are included, 3 excluded (E1), 4 (E2). Returns ids."""
    ids = record_ids(p)
    for i, rid in enumerate(ids):
        decision = "include" if i < 4 else "exclude"
        reasons = [] if decision == "include" else ["E1"]
        screening.decide(p, "ta", rid, A, decision, reasons)
        screening.decide(p, "ta", rid, B, decision, reasons)
    for i, rid in enumerate(ids[:4]):
        decision, reasons = ("include", []) if i < 2 else ("exclude", ["E1" if i == 2 else "E2"])
        screening.decide(p, "ft", rid, A, decision, reasons)
        screening.decide(p, "ft", rid, B, decision, reasons)
    return ids
