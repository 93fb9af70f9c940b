"""`qes demo reciprocity`: review 000 (Sandhu et al. 2015, 'Reciprocity in therapeutic relationships:
a conceptual review') rebuilt from what the paper publishes.

The screening is review 000's replay in numbers (`qes.demo.review000`: 5,188 records, 4,729 + 438
excluded, 21 full texts, 10 excluded, 11 included). On top of it, from `data/reciprocity.json`:
the 11 studies (their records from the reference list), Table 1 as each study's final extraction
record (cells as printed), the reciprocity framework as the codebook (`qes.coding.frameworks`),
and the coding: every Results sentence that cites a study, coded in that study's document to the
concept (and component) it is given under, plus the one participant quote the Results attribute.

So the computed themes × studies matrix is the paper's Table 2, cell for cell. Two places where
the paper disagrees with itself are followed as Table 2 has them and kept visible as memos:
Goodman et al. (2014) supports the asymmetric alliance only "in part" (its passages there are
coded in part), and Table 2 ticks Hem and Pettersen (2011), where the text cites Pettersen & Hem
(2011), under recognition as a fellow human being.

The search is the Method's concept blocks saved as strategy "main" and one search-log run per
database, translated for the interface it was run on (`qes search log`, `qes report search-log`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qes.demo.building import (
    StudyDocument,
    add_demo_owner,
    add_study_document,
    close_coding,
    included_record,
    load_data,
    save_search,
    span,
    table1_final,
    table1_form,
)
from qes.demo.quickstart import DEMO_EMAIL, DEMO_PASSWORD
from qes.demo.review000 import REVIEWERS, build_review000
from qes.services.codebook import load_framework
from qes.services.coding import add_memo, code_segment
from qes.services.project import CONFIG_NAME, opened
from qes.services.studies import add_study
from qes.services.synthesis import set_synthesis

DATA_FILE = "reciprocity.json"
EA, SS = REVIEWERS[0][0], REVIEWERS[1][0]
FORM = "Study characteristics and identified conceptualisations of reciprocity"
FIELD_TYPES = {"year": "number", "country": "text", "authors": "text"}
FIELD_KEYS = ("authors", "year", "country", "participants_setting", "methods", "conceptualisation")


@dataclass(frozen=True)
class ReciprocityDemo:
    root: Path
    created: bool
    studies: int
    documents: int
    segments: int
    email: str = DEMO_EMAIL
    password: str = DEMO_PASSWORD


def build_reciprocity(directory: Path, *, if_missing: bool = False) -> ReciprocityDemo:
    if if_missing and (directory / CONFIG_NAME).exists():
        return ReciprocityDemo(directory.resolve(), False, 0, 0, 0)
    data = load_data(DATA_FILE)
    build_review000(directory)
    with opened(directory, actor=EA) as project:
        add_demo_owner(project)
        save_search(project, data["strategy"], data["searches"])
        for study in data["studies"]:
            record = included_record(project, study["first_author"], study["year"])
            add_study(project, study["label"], record, actor=EA)
        fields = [
            {"key": key, "label": label, "type": FIELD_TYPES.get(key, "long_text")}
            for key, label in zip(FIELD_KEYS, data["table1_header"], strict=True)
        ]
        table1_form(project, FORM, fields, actor=EA)
        for study in data["studies"]:
            table1_final(
                project, FORM, study["label"], study["table1"], actor=EA,
                note="Table 1 as published; SS's and EA's own extraction entries are not published",
            )  # fmt: skip
        load_framework(project, data["framework"], actor=EA)
        documents, segments = _code(project, data)
        for text in data["narrative"]:
            set_synthesis(project, text["kind"], text["title"], text=text["text"], concepts=text["codes"], actor=EA)
        return ReciprocityDemo(project.root, True, len(data["studies"]), documents, segments)


def _documents(data: dict[str, Any]) -> dict[str, StudyDocument]:
    docs = {
        s["label"]: StudyDocument(s["label"], f"{s['label']}: as reported in review 000 (Sandhu et al. 2015)")
        for s in data["studies"]
    }
    for study in data["studies"]:
        docs[study["label"]].add("Table 1: conceptualisation of reciprocity", study["table1"]["conceptualisation"])
    for passage in data["passages"]:
        for label in passage["cites"]:
            docs[label].add(passage["section"], passage.get("context", passage["text"]))
    for extra in data["table2"]["ticked_without_citation"]:
        docs[extra["study"]].add(f"Results: {extra['theme']}", extra["text"])
    return docs


def _code(project: Any, data: dict[str, Any]) -> tuple[int, int]:
    """Documents and segments: each passage coded in the document of every study it cites."""
    table2 = data["table2"]
    not_ticked = {tuple(pair) for pair in table2["not_ticked"]}
    stored: dict[str, tuple[int, str]] = {
        label: add_study_document(project, doc, actor=EA) for label, doc in _documents(data).items()
    }
    segments = 0
    for passage in data["passages"]:
        paths = ["/".join([passage["theme"], *path]) for path in passage["codes"]]
        for label in passage["cites"]:
            if (label, passage["theme"]) in not_ticked:
                continue
            doc_id, text = stored[label]
            start, end = span(text, passage.get("context", passage["text"]), passage["text"])
            part = label in passage.get("in_part", [])
            code_segment(project, doc_id, paths, start=start, end=end, order=passage["order"], in_part=part, actor=EA)
            segments += 1
    for extra in table2["ticked_without_citation"]:
        doc_id, text = stored[extra["study"]]
        start, end = span(text, extra["text"], extra["text"])
        seg = code_segment(project, doc_id, [extra["theme"]], start=start, end=end, order="second", actor=EA)
        add_memo(project, "segment", seg.id, table2["note"], actor=EA)
        segments += 1
    for label, _theme in not_ticked:
        add_memo(project, "study", label, table2["note"], actor=EA)
    goodman = next(iter({lab for p in data["passages"] for lab in p.get("in_part", [])}))
    add_memo(project, "study", goodman, table2["in_part_note"], actor=EA)
    close_coding(project, [doc_id for doc_id, _ in stored.values()], actor=EA)
    return len(stored), segments
