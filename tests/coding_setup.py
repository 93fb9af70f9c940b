"""A small coding project shared by the coding service, CLI and web tests: two studies, two coders."""

from __future__ import annotations

from pathlib import Path

from qes.services.documents import add_document
from qes.services.importing import import_file
from qes.services.project import Project, init_project
from qes.services.studies import add_study
from qes.services.users import add_member
from support import FIXTURES

OWNER, A, B, VIEW = "owner@x.org", "a@x.org", "b@x.org", "viewer@x.org"
TEXT_ONE = (
    "The nurse and I would sit together every week. She listened to me and I trusted her.\n\n"
    "We shared decisions about my care, and she told me about her family.\n"
)
TEXT_TWO = "He was there for me, not for his job. Talking about the weather helped me forget the voices.\n"


def coding_project(root: Path, db_url: str, *, owner: str = OWNER) -> Project:
    project = init_project(root, database=db_url, actor=owner)
    import_file(project, FIXTURES / "screening" / "ten_records.ris", source="PsycINFO (Ovid)")
    add_member(project, owner, role="owner")
    for email, role in ((A, "reviewer"), (B, "reviewer"), (VIEW, "viewer")):
        add_member(project, email, role=role)
    add_study(project, "Beeber and Caldwell (1996)")
    add_study(project, "Goodman et al. (2014)")
    add_document(project, "Beeber and Caldwell (1996)", text=TEXT_ONE, title="Interview extract")
    add_document(project, "Goodman et al. (2014)", text=TEXT_TWO)
    return project


CODER_A = ("coder.a@example.org", "coder-a-password")
CODER_B = ("coder.b@example.org", "coder-b-password")


def coding_team(root: Path) -> list[int]:
    """Two coders with passwords, two studies with a document each and a small codebook, in the web project at
    ``root`` (before the server starts); returns the document ids."""
    from qes.services import codebook
    from qes.services.project import opened
    from qes.services.users import add_user
    from support import OWNER as WEB_OWNER

    with opened(root) as p:
        for email, password in (CODER_A, CODER_B):
            add_user(p.store, email, password=password, name=email.split("@")[0].title())
            add_member(p, email, role="reviewer")
        add_study(p, "Beeber and Caldwell (1996)", actor=WEB_OWNER[0])
        add_study(p, "Goodman et al. (2014)", actor=WEB_OWNER[0])
        one = add_document(p, "Beeber and Caldwell (1996)", text=TEXT_ONE, title="Interview extract", actor=WEB_OWNER[0])
        two = add_document(p, "Goodman et al. (2014)", text=TEXT_TWO, title="Session notes", actor=WEB_OWNER[0])
        codebook.add_code(p, "Trust", kind="theme", definition="to feel trust in professionals", actor=WEB_OWNER[0])
        codebook.add_code(p, "Listen", parent="Trust", kind="concept", definition="the professional listened, listens",
                          actor=WEB_OWNER[0])  # fmt: skip
        codebook.add_code(p, "Time", kind="theme", definition="time and availability, the weather", actor=WEB_OWNER[0])
        return [one.id, two.id]
