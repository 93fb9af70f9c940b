"""`qes demo helpful-relationships`: review 001 (Ljungberg, Denhov & Topor 2015, 'The art of helpful
relationships with professionals: a meta-ethnography') rebuilt from what the paper publishes.

From `data/helpful_relationships.json` (written from the paper) and the RIS of its 21 included
studies (`data/helpful_relationships_references.ris`, from its reference list):

- protocol, criteria and three stages; the screening in numbers, as the paper reports it: 5,587
  records identified and screened by title (and abstract when necessary) by the first author,
  5,445 excluded, 142 reviewed by abstract, 86 excluded, 56 read in full by the team, 35 excluded
  (population or focus: the paper gives one count for both), 21 included. The paper publishes
  neither its search results nor its exclusions, so 5,566 stand-in records (titled as such) take
  the places of the records that are not the 21 studies;
- the 21 studies, labelled by number as the paper cites them ("[21] Andreasson and Skärsäter
  (2012)"), and Table 1 (citation, country, aim, design, context, participants) as printed;
- the helpful-relationships framework as the codebook (ten themes, their concepts/metaphors, the
  two dimensions) and the coding: each clause of the Results that cites studies by number, coded
  in each cited study's document to the concept it describes, and each participant quote coded in
  the quoted study's document. A study supports a theme exactly when the theme's section cites it;
- the translation grid (every concept × study pair the coding gives, marked reciprocal: the paper
  translated its studies reciprocally and reports no refutation), the overarching interpretation
  as the line of argument and the two dimensions as third-order constructs.

The paper makes no GRADE-CERQual assessment, so the demo has no findings.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qes.demo.building import (
    DATA,
    StudyDocument,
    add_demo_owner,
    add_study_document,
    close_coding,
    load_data,
    save_search,
    span,
    table1_final,
    table1_form,
)
from qes.demo.quickstart import DEMO_EMAIL, DEMO_PASSWORD
from qes.services.codebook import codebook, load_framework
from qes.services.coding import code_segment
from qes.services.importing import import_file
from qes.services.project import CONFIG_NAME, Project, init_project, opened
from qes.services.protocol import add_criterion, add_stage, set_protocol
from qes.services.records import list_records
from qes.services.screening_import import import_decisions
from qes.services.studies import add_study
from qes.services.synthesis import GridCellInput, set_grid_cells, set_synthesis
from qes.services.users import add_member

DATA_FILE = "helpful_relationships.json"
REFERENCES = DATA / "helpful_relationships_references.ris"
FORM = "Description of the included studies"
FIELD_KEYS = ("citation", "country", "aim", "design", "context", "participants")
CITATION = re.compile(r"\[([^\]]*\d[^\]]*)\]")
FIRST_STUDY, LAST_STUDY = 21, 41


@dataclass(frozen=True)
class HelpfulRelationshipsDemo:
    root: Path
    created: bool
    studies: int
    documents: int
    segments: int
    grid_cells: int = 0
    email: str = DEMO_EMAIL
    password: str = DEMO_PASSWORD


def cited_numbers(citation: str) -> list[int]:
    """'24, 33–35' → [24, 33, 34, 35]; page references ('34, p. 243') keep only the study."""
    numbers: list[int] = []
    for part in citation.split(","):
        part = part.strip()
        if part.startswith("p."):
            continue
        low, _, high = part.replace("-", "–").partition("–")
        if low.isdigit():
            numbers += list(range(int(low), int(high) + 1)) if high.isdigit() else [int(low)]
    return numbers


def clauses(sentence: str) -> list[tuple[str, list[int]]]:
    """Each run of a sentence that ends in a citation, with the included studies it cites."""
    out, start = [], 0
    for match in CITATION.finditer(sentence):
        piece = sentence[start : match.end()].lstrip(" ,;")
        studies = [n for n in cited_numbers(match.group(1)) if FIRST_STUDY <= n <= LAST_STUDY]
        out.append((piece, studies))
        start = match.end()
    return out


def uncited(clause: str) -> str:
    """A clause without its closing citation: the grid shows what the study says, the segment keeps the rest."""
    return CITATION.sub("", clause).strip(" ,;")


def build_helpful_relationships(directory: Path, *, if_missing: bool = False) -> HelpfulRelationshipsDemo:
    if if_missing and (directory / CONFIG_NAME).exists():
        return HelpfulRelationshipsDemo(directory.resolve(), False, 0, 0, 0)
    data = load_data(DATA_FILE)
    owner = data["reviewers"][0][0]
    project = init_project(directory, name="The art of helpful relationships (review 001)", actor=owner)
    try:
        _screening(project, data)
    finally:
        project.close()
    with opened(directory, actor=owner) as project:
        add_demo_owner(project)
        save_search(project, data["strategy"], data["searches"])
        _studies(project, data, owner)
        load_framework(project, data["framework"], actor=owner)
        documents, segments, cells = _code(project, data, owner)
        themes = set(_themes(data))
        concepts = [f"#{c.id}" for c in codebook(project) if c.parent_id is None and c.name in themes]
        line = data["line_of_argument"]
        set_synthesis(project, "line_of_argument", line["title"], text=line["text"], concepts=concepts, actor=owner)
        for construct in data["third_order"]:
            set_synthesis(
                project, "third_order", construct["title"], text=construct["text"], concepts=construct["codes"], actor=owner
            )
        return HelpfulRelationshipsDemo(project.root, True, len(data["studies"]), documents, segments, cells)


def _themes(data: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys(p["theme"] for p in data["passages"]))


def _screening(project: Project, data: dict[str, Any]) -> None:
    counts = data["screening"]
    for email, name, role in data["reviewers"]:
        add_member(project, email, role=role, name=name)
    protocol = data["protocol"]
    set_protocol(project, question=protocol["question"], include_terms=protocol["include_terms"], exclude_terms=[])
    for code, inclusion, text in data["criteria"]:
        add_criterion(project, code, text, inclusion=inclusion)
    for stage in data["stages"]:
        add_stage(project, stage["name"], kind=stage["kind"], reviewers=stage["reviewers"], blind=False)
    records = project.files_dir / "review001_records.ris"
    stand_ins = counts["identified"] - counts["included"]
    with records.open("w", encoding="utf-8") as out:
        out.write(REFERENCES.read_text(encoding="utf-8").rstrip() + "\n\n")
        for n in range(1, stand_ins + 1):
            title = f"Stand-in search result {n} (review 001's search results are not published)"
            out.write(f"TY  - JOUR\nID  - S{n:04d}\nTI  - {title}\nER  - \n\n")
    searched = counts["searched"] + "-30"
    import_file(project, records, source="Searches of review 001 (7 databases, November 2013)", searched=searched)
    decisions = project.files_dir / "review001_decisions.csv"
    with decisions.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["record_id", "stage", "reviewer", "decision", "reasons", "note"])
        writer.writerows(_decision_rows(data, stand_ins))
    import_decisions(project, decisions)


def _decision_rows(data: dict[str, Any], stand_ins: int) -> list[list[str]]:
    """Stage by stage, as the paper counts: the 21 studies pass every stage; stand-ins fill the exclusions."""
    c = data["screening"]
    name = data["reviewers"][0][1]
    pool = [f"S{n:04d}" for n in range(1, stand_ins + 1)]
    studies = [f"ref{s['number']}" for s in data["studies"]]
    fulltext_out = pool[: c["excluded_fulltexts"]]
    abstract_out = pool[c["excluded_fulltexts"] : c["excluded_fulltexts"] + c["excluded_abstracts"]]
    title_out = pool[c["excluded_fulltexts"] + c["excluded_abstracts"] :]
    if len(title_out) != c["excluded_titles"]:
        raise RuntimeError("review 001's counts do not add up")
    rows: list[list[str]] = []
    stages = (
        ("titles", title_out, abstract_out + fulltext_out + studies, c["excluded_titles_reason"]),
        ("abstracts", abstract_out, fulltext_out + studies, c["excluded_abstracts_reason"]),
        ("fulltext", fulltext_out, studies, c["excluded_fulltexts_reason"]),
    )
    for stage, excluded, passed, reason in stages:
        rows += [[r, stage, name, "exclude", reason, ""] for r in excluded]
        rows += [[r, stage, name, "include", "", ""] for r in passed]
    return rows


def _studies(project: Project, data: dict[str, Any], owner: str) -> None:
    fields = [
        {"key": key, "label": label, "type": "text" if key == "citation" else "long_text"}
        for key, label in zip(FIELD_KEYS, data["table1_header"], strict=True)
    ]
    for study in data["studies"]:
        title = study["reference"]["title"]
        hits = [r.id for r in list_records(project, query=title[:60]).records if r.status == "included" and r.title == title]
        if len(hits) != 1:
            raise RuntimeError(f"expected one included record titled {title!r}, found {len(hits)}")
        add_study(project, study["label"], hits[0], number=study["number"], actor=owner)
    table1_form(project, FORM, fields, actor=owner)
    for study in data["studies"]:
        table1_final(project, FORM, study["label"], study["table1"], actor=owner, note="Table 1 as published")


def _code(project: Project, data: dict[str, Any], owner: str) -> tuple[int, int, int]:
    labels = {s["number"]: s["label"] for s in data["studies"]}
    docs = {n: StudyDocument(label, f"{label}: as reported in review 001 (Ljungberg et al. 2015)") for n, label in labels.items()}
    for passage in data["passages"]:
        cited = [passage["number"]] if passage["order"] == "first" else [n for _, ns in clauses(passage["text"]) for n in ns]
        for n in dict.fromkeys(cited):
            docs[n].add(passage["section"], _as_printed(passage))
    stored = {n: add_study_document(project, doc, actor=owner) for n, doc in docs.items()}
    segments = 0
    grid: dict[tuple[str, int], list[int]] = defaultdict(list)
    cell_text: dict[tuple[str, int], str] = {}  # the study's quote where there is one, else the first clause
    for passage in data["passages"]:
        if passage["order"] == "first":
            pieces = [(passage["text"], [passage["number"]], passage["codes"][0])]
        else:
            pieces = [(piece, ns, code) for (piece, ns), code in zip(clauses(passage["text"]), passage["codes"], strict=True)]
        for piece, numbers, concept in pieces:
            path = f"{passage['theme']}/{concept}"
            for n in dict.fromkeys(numbers):
                doc_id, text = stored[n]
                start, end = span(text, _as_printed(passage), piece)
                seg = code_segment(project, doc_id, [path], start=start, end=end, order=passage["order"], actor=owner)
                segments += 1
                grid[(path, n)].append(seg.id)
                if passage["order"] == "first" or (path, n) not in cell_text:
                    cell_text[(path, n)] = f"“{seg.text}”" if passage["order"] == "first" else uncited(seg.text)
    close_coding(project, [doc_id for doc_id, _ in stored.values()], actor=owner)
    cells = [GridCellInput(path, labels[n], cell_text[(path, n)], "reciprocal", ids) for (path, n), ids in grid.items()]
    set_grid_cells(project, cells, actor=owner)
    return len(stored), segments, len(grid)


def _as_printed(passage: dict[str, Any]) -> str:
    """A quote with its citation as the paper prints it; a sentence as it is."""
    if passage["order"] == "first":
        return f"“{passage['text']}” [{passage['number']}, p. {passage['page']}]"
    return str(passage["text"])
