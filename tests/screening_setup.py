"""The screening team the web tests share: two blind reviewers and an adjudicator, two exclusion
criteria, a title-abstract stage then full text, records from a CSV (import `from screening_setup`)."""

from __future__ import annotations

from pathlib import Path

from qes.services.importing import import_file
from qes.services.project import opened
from qes.services.protocol import add_criterion, add_stage, set_protocol
from qes.services.users import add_member, add_user

ANA = ("ana@example.org", "ana-password")  # reviewer
BEN = ("ben@example.org", "ben-password")  # reviewer
ADA = ("ada@example.org", "ada-password")  # adjudicator
TA = "title-abstract"


def screening_team(
    root: Path,
    records_csv: str,
    folder: Path,
    *,
    e2: str = "Not about reciprocity or exchange",
    reason_required: bool | None = None,
    include_terms: tuple[str, ...] = ("recipr*",),
    exclude_terms: tuple[str, ...] = (),
) -> Path:
    csv = folder / "records.csv"
    csv.write_text(records_csv, encoding="utf-8")
    with opened(root) as p:
        for (email, password), role in ((ANA, "reviewer"), (BEN, "reviewer"), (ADA, "adjudicator")):
            add_user(p.store, email, password=password, name=email.split("@")[0].title())
            add_member(p, email, role=role)
        add_criterion(p, "E1", "Not qualitative research", inclusion=False)
        add_criterion(p, "E2", e2, inclusion=False)
        add_stage(p, TA, kind="title-abstract", reason_required=reason_required)
        add_stage(p, "fulltext", kind="fulltext")
        set_protocol(p, include_terms=list(include_terms), exclude_terms=list(exclude_terms))
        import_file(p, csv, source="Scopus")
    return root
