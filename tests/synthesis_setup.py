"""A small synthesis project shared by the synthesis web, API and browser tests: two studies, a
codebook with two themes and their concepts, each study's document coded by the owner."""

from __future__ import annotations

from pathlib import Path

from qes.services import codebook, coding
from qes.services.documents import add_document
from qes.services.project import opened
from qes.services.studies import add_study, list_studies
from support import OWNER

BEEBER, GOODMAN = "Beeber and Caldwell (1996)", "Goodman et al. (2014)"
TEXT_BEEBER = "She listened to me and I trusted her. <b>We</b> shared decisions about my care.\n"
TEXT_GOODMAN = "He was there for me, not for his job.\n"


def synthesis_project(root: Path) -> dict[str, int]:
    """Populate the project at `root` (owner and viewer already members); the ids the tests need."""
    with opened(root, actor=OWNER[0]) as p:
        add_study(p, BEEBER)
        add_study(p, GOODMAN)
        codebook.add_code(p, "Trust", kind="theme")
        codebook.add_code(p, "Listen", parent="Trust", kind="concept")
        codebook.add_code(p, "Time", kind="theme")
        codebook.add_code(p, "Being there", parent="Time", kind="concept")
        one = add_document(p, BEEBER, text=TEXT_BEEBER)
        two = add_document(p, GOODMAN, text=TEXT_GOODMAN)
        listened = coding.code_segment(p, one.id, ["Trust/Listen"], find="She listened to me", order="first")
        coding.code_segment(p, two.id, ["Time/Being there"], find="He was there for me", order="first", in_part=True)
        coding.mark_done(p, one.id)
        coding.mark_done(p, two.id)
        codes = {c.name: c.id for c in codebook.codebook(p)}
        studies = {s.label: s.id for s in list_studies(p)}
    return {"listen": codes["Listen"], "trust": codes["Trust"], "beeber": studies[BEEBER], "segment": listened.id}
