"""Review 000's screening, replayed in numbers (Sandhu et al. 2015, 'Reciprocity in therapeutic
relationships: a conceptual review').

The paper reports its flow — 5,188 unique records; 4,729 excluded on titles (EA alone); 438 excluded
on abstracts and 10 of 21 full texts excluded (EA and SS blind, disagreements resolved with SP) for
not describing a dyadic professional–service-user relationship; 11 included — but not its search
results. So the project holds the paper's 51 references (real records: the 11 included studies
among them) and 5,137 stand-in records, each titled as such, in place of the unpublished results.
Decisions are written as a qes decisions CSV and go in through `import_decisions`, like any team's
migration from another tool. Which stand-in gets which decision is fixed (seeded), not random per run.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from qes.formats.registry import read_file
from qes.services.importing import import_file
from qes.services.project import init_project
from qes.services.protocol import add_criterion, add_stage, set_protocol
from qes.services.screening_import import import_decisions
from qes.services.users import add_member, add_user

DATA = Path(__file__).resolve().parent / "data"
REFERENCES = DATA / "reciprocity_references.ris"
UNIQUE_RECORDS = 5188
EXCLUDED_TITLES = 4729
EXCLUDED_ABSTRACTS = 438
FULL_TEXTS = 21
INCLUDED = 11
# First author and year of the 11 included studies (the paper's Table 1).
INCLUDED_STUDIES = (
    ("beeber", 1996),
    ("berggren", 2010),
    ("cohen", 1998),
    ("d'antonio", 2004),
    ("eriksen", 2013),
    ("eriksen", 2012),
    ("goodman", 2014),
    ("hem", 2011),
    ("mccann", 2004),
    ("pettersen", 2011),
    ("rugkasa", 2014),
)
REVIEWERS = (
    ("ea@review000.demo", "EA", "reviewer"),
    ("ss@review000.demo", "SS", "reviewer"),
    ("sp@review000.demo", "SP", "adjudicator"),
)
CRITERIA = (
    (
        "I1",
        True,
        "Describes or explores the dyadic relationship of mental health professionals and service users as reciprocal",
    ),
    ("I2", True, "Adults (18 or over) with a primary psychiatric diagnosis receiving mental health care"),
    ("E1", False, "Not about reciprocity in a dyadic professional–service-user relationship"),
    ("E2", False, "Reciprocity in social networks or as social capital, not between two individuals"),
    ("E3", False, "Caregiver, close personal, befriending or peer-support relationships"),
)
# Disagreements resolved by SP: (abstract stage → exclude, → include), (full-text stage → exclude, → include).
ABSTRACT_CONFLICTS = (9, 3)
FULLTEXT_CONFLICTS = (1, 1)


@dataclass(frozen=True)
class Review000:
    root: Path
    records_file: Path
    decisions_file: Path


def _included_ids(references: Path) -> tuple[list[str], list[str]]:
    """IDs (in the RIS file) of the 11 included studies, and of the paper's other references."""
    wanted = set(INCLUDED_STUDIES)
    included: list[str] = []
    others: list[str] = []
    with read_file(references) as reader:
        records = list(reader)
    for record in records:
        first = record.authors[0].family.casefold().replace("’", "'") if record.authors else ""
        (included if (first, record.year) in wanted else others).append(record.source_id)
    if len(included) != INCLUDED:
        raise RuntimeError(f"expected the {INCLUDED} included studies in {references.name}, found {len(included)}")
    return included, others


def write_records(folder: Path) -> tuple[Path, list[str], list[str]]:
    """The 51 references followed by stand-ins up to 5,188 records, as one RIS file."""
    included, others = _included_ids(REFERENCES)
    path = folder / "review000_records.ris"
    stand_ins = [f"S{n:04d}" for n in range(1, UNIQUE_RECORDS - len(included) - len(others) + 1)]
    with path.open("w", encoding="utf-8") as out:
        out.write(REFERENCES.read_text(encoding="utf-8").rstrip() + "\n\n")
        for n, ref in enumerate(stand_ins, 1):
            out.write(
                f"TY  - JOUR\nID  - {ref}\nTI  - Stand-in search result {n} (review 000's search results are not published)\n"
                f"PY  - {1990 + n % 25}\nER  - \n\n"
            )
    return path, included, others + stand_ins


def _rows(included: list[str], others: list[str]) -> list[list[str]]:
    rng = random.Random(2015)
    pool = list(others)
    rng.shuffle(pool)
    excluded_ft = pool[: FULL_TEXTS - INCLUDED]
    excluded_abs = pool[FULL_TEXTS - INCLUDED : FULL_TEXTS - INCLUDED + EXCLUDED_ABSTRACTS]
    excluded_titles = pool[FULL_TEXTS - INCLUDED + EXCLUDED_ABSTRACTS :]
    assert len(excluded_titles) == EXCLUDED_TITLES
    rows = [[r, "titles", "EA", "exclude", "E1", ""] for r in excluded_titles]
    rows += [[r, "titles", "EA", "include", "", ""] for r in included + excluded_ft + excluded_abs]
    rows += _two_reviewers("abstracts", excluded_abs, included + excluded_ft, ABSTRACT_CONFLICTS)
    rows += _two_reviewers("fulltext", excluded_ft, included, FULLTEXT_CONFLICTS)
    return rows


def _two_reviewers(stage: str, excluded: list[str], passed: list[str], conflicts: tuple[int, int]) -> list[list[str]]:
    """EA and SS vote; the first `conflicts` records of each list split them and SP decides."""
    rows = []
    to_exclude, to_include = conflicts
    for decision, records, split in (("exclude", excluded, to_exclude), ("include", passed, to_include)):
        reason = "E1" if decision == "exclude" else ""
        for i, ref in enumerate(records):
            if i < split:
                rows.append([ref, stage, "EA", "include", "", ""])
                rows.append([ref, stage, "SS", "exclude", "E1", "not a dyadic relationship?"])
                rows.append([ref, stage, "SP", decision, reason, "resolved by consensus with the third reviewer"])
            else:
                rows.append([ref, stage, "EA", decision, reason, ""])
                rows.append([ref, stage, "SS", decision, reason, ""])
    return rows


def write_decisions(folder: Path, included: list[str], others: list[str]) -> Path:
    path = folder / "review000_decisions.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["record_id", "stage", "reviewer", "decision", "reasons", "note"])
        writer.writerows(_rows(included, others))
    return path


def setup_review000(directory: Path) -> Review000:
    """The project with records, people, protocol and stages — ready for its decisions file."""
    project = init_project(directory, name="Reciprocity in therapeutic relationships (review 000 replay)")
    try:
        files = project.files_dir
        records, included, others = write_records(files)
        decisions = write_decisions(files, included, others)
        import_file(project, records, source="Searches of review 000 (5 databases, deduplicated)", searched="2015-02-28")
        for email, name, role in REVIEWERS:
            add_member(project, email, role=role, name=name)
        set_protocol(
            project,
            question="How has reciprocity been conceptualised in dyadic relationships between mental "
            "health professionals and service users?",
            include_terms=["recipr*", "mutual*", "dyad*"],
            exclude_terms=["peer support", "caregiver*", "social network*"],
        )
        for code, inclusion, text in CRITERIA:
            add_criterion(project, code, text, inclusion=inclusion)
        add_stage(project, "titles", kind="titles", reviewers=1)
        add_stage(project, "abstracts", kind="abstracts", reviewers=2)
        add_stage(project, "fulltext", kind="fulltext", reviewers=2)
        return Review000(project.root, records, decisions)
    finally:
        project.close()


def build_review000(directory: Path, *, password: str | None = None) -> Review000:
    """The replay, decisions imported; with `password`, EA can sign in to the workbench."""
    demo = setup_review000(directory)
    from qes.services.project import opened

    with opened(directory) as project:
        import_decisions(project, demo.decisions_file)
        if password:
            add_user(project.store, REVIEWERS[0][0], password=password, name="EA", project_id=project.id)
    return demo
