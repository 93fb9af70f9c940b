"""What the two seed-review demos share: their data files, per-study documents built from the
passages a review reports, Table 1 as the final extraction record, and the demo owner account.

A review publishes what its studies say only as passages of its own text: a sentence of the
Results that cites the study (the review's interpretation, second order) or a participant's
quote it attributes to the study (first order). Each study's document is the run of passages
that cite it, under the heading of the section they come from, so every coded segment can be
read in context and traced to the paper.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qes.demo.quickstart import DEMO_EMAIL, DEMO_PASSWORD
from qes.services.coding import mark_done
from qes.services.documents import add_document, get_document
from qes.services.extraction import add_form, reconcile_study
from qes.services.project import Project, default_actor
from qes.services.records import list_records
from qes.services.search_log import log_search
from qes.services.strategies import save_strategy
from qes.services.users import add_member, add_user

DATA = Path(__file__).resolve().parent / "data"


def load_data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


# The syntax each interface's search is written in; databases searched some other way keep the
# generic strategy's text as run.
INTERFACE_SYNTAX = {"Ovid": "ovid", "EBSCO": "ebsco", "EBSCOhost": "ebsco", "ProQuest": "proquest"}


def save_search(project: Project, strategy: dict[str, Any], searches: list[dict[str, Any]]) -> int:
    """The review's strategy (its concept blocks, as the Method gives them) saved as strategy "main", and
    each database search logged with it, translated for its interface where the paper names one.

    The papers give the month searched, not the day, and publish no hit counts: the log records the
    month's last day (the replayed import's date too) and says so in its note, and leaves hits empty
    rather than invent them. Returns the runs logged.
    """
    save_strategy(project, "main", strategy["text"], "pubmed", note=f"As the Method gives it: {strategy['syntax']}")
    runs = 0
    for search in searches:
        if search.get("kind") == "other":
            continue  # reference lists, hand searches: "other methods" in PRISMA, not database searches
        coverage = f", coverage {search['coverage']}" if search.get("coverage") else ""
        log_search(
            project, database=search["database"], interface=search.get("interface") or "not reported",
            run_on=_month_end(search["searched"]), hits=None,
            strategy="main", syntax=INTERFACE_SYNTAX.get(search.get("interface", ""), "pubmed"),
            limits=strategy.get("limits", ""),
            notes=f"searched {search['searched']}{coverage}; the paper gives the month, not the day, and no hits",
        )  # fmt: skip
        runs += 1
    return runs


def _month_end(month: str) -> str:
    """'2015-02' → '2015-02-28'."""
    year, number = (int(part) for part in month.split("-")[:2])
    return f"{month[:7]}-{calendar.monthrange(year, number)[1]:02d}"


def add_demo_owner(project: Project) -> None:
    """Owners: the account `make run` signs in with (the quickstart's), and whoever builds the demo
    (`$QES_USER` or the login name), so their `qes report ...` and `qes grid ...` work at once."""
    add_user(project.store, DEMO_EMAIL, password=DEMO_PASSWORD, name="Demo owner", actor=DEMO_EMAIL, project_id=project.id)
    add_member(project, DEMO_EMAIL, role="owner", name="Demo owner")
    builder = default_actor()
    if builder != DEMO_EMAIL:
        add_member(project, builder, role="owner")


def included_record(project: Project, family: str, year: int) -> int:
    """The id of the included record whose first author is `family` (folded) and year `year`."""
    key = _fold(family)
    hits = list_records(project, query=family.split("’")[-1].split("'")[-1], limit=200).records
    found = [r.id for r in hits if r.year == year and r.status == "included" and _fold(r.first_author).startswith(key)]
    if len(found) != 1:
        raise RuntimeError(f"expected one included record by {family} ({year}), found {len(found)}")
    return found[0]


def _fold(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.casefold().replace("’", "'"))


def table1_form(project: Project, name: str, fields: list[dict[str, Any]], *, actor: str) -> None:
    path = project.files_dir / "table1_fields.json"
    path.write_text(json.dumps({"kind": "extraction", "fields": fields}, ensure_ascii=False), encoding="utf-8")
    add_form(project, name, fields_file=path, actor=actor)


def table1_final(project: Project, form: str, study: str, values: dict[str, Any], *, actor: str, note: str) -> None:
    reconcile_study(project, study, form, actor=actor, set_values=values, note=note)


@dataclass
class StudyDocument:
    """One study's passages, in paper order, and where each sits in the document text."""

    study: str
    title: str
    parts: list[tuple[str, str]] = field(default_factory=list)  # (section heading, passage)

    def add(self, section: str, passage: str) -> None:
        if (section, passage) not in self.parts:
            self.parts.append((section, passage))

    def text(self) -> str:
        out: list[str] = []
        last = None
        for section, passage in self.parts:
            if section != last:
                out.append(f"{section}\n")
                last = section
            out.append(f"{passage}\n")
        return "\n".join(out)


def add_study_document(project: Project, doc: StudyDocument, *, actor: str) -> tuple[int, str]:
    """Store the document; its id and its text as stored (segment offsets index this text)."""
    info = add_document(project, doc.study, text=doc.text(), title=doc.title, kind="section", actor=actor)
    _, text = get_document(project, info.id)
    return info.id, text


def span(text: str, passage: str, piece: str, cursor: int = 0) -> tuple[int, int]:
    """Offsets of `piece` inside the first `passage` found at or after `cursor` in `text`."""
    at = text.find(passage, cursor)
    if at < 0:
        raise RuntimeError(f"passage not in its document: {passage[:60]!r}")
    inner = passage.find(piece)
    if inner < 0:
        raise RuntimeError(f"{piece[:60]!r} is not part of {passage[:60]!r}")
    return at + inner, at + inner + len(piece)


def close_coding(project: Project, document_ids: list[int], *, actor: str) -> None:
    """The demo's one coder marks every document done, so every member sees the coding."""
    for document_id in document_ids:
        mark_done(project, document_id, actor=actor)
