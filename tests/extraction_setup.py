"""The extraction team the web tests share: two reviewers and an adjudicator, one study, review
000's Table 1 form, CASP, the generic qualitative form and a custom checklist (import `from extraction_setup`)."""

from __future__ import annotations

from pathlib import Path

from qes.services import extraction, studies
from qes.services.project import opened
from qes.services.users import add_member, add_user
from support import FIXTURES, OWNER

ANA = ("ana@example.org", "ana-password")  # reviewer
BEN = ("ben@example.org", "ben-password")  # reviewer
ADA = ("ada@example.org", "ada-password")  # adjudicator
STUDY = "Beeber and Caldwell (1996)"


def extraction_team(root: Path) -> int:
    """Set the team and forms up in the project at `root`; returns the study's id."""
    with opened(root) as p:
        for (email, password), role in ((ANA, "reviewer"), (BEN, "reviewer"), (ADA, "adjudicator")):
            add_user(p.store, email, password=password, name=email.split("@")[0].title())
            add_member(p, email, role=role)
        study = studies.add_study(p, STUDY, actor=OWNER[0])
        extraction.add_form(p, "table1", template="review000-table1", actor=OWNER[0])
        extraction.add_form(p, "casp", template="casp-qualitative", actor=OWNER[0])
        extraction.add_form(p, "qual", template="qualitative", actor=OWNER[0])
        extraction.add_form(p, "mine", fields_file=FIXTURES / "extraction" / "custom_checklist.toml", actor=OWNER[0])
        return study.id
