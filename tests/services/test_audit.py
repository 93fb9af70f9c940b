"""The audit export through the blind rule, on SQLite and PostgreSQL: while a blind stage is unresolved
no one sees another reviewer's vote; once every vote is in, the deciders and adjudicators do; once
resolved, every member does. The /audit page's pages follow the same rule."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from qes.errors import UserError
from qes.reporting.audit import COLUMNS
from qes.services import screening
from qes.services.audit import audit_page, export_audit, iter_audit
from qes.services.project import Project
from qes.services.users import add_member
from reporting_setup import ADJ, OWNER, A, B, record_ids, small_review

VIEWER = "viewer@x.org"


@pytest.fixture
def review(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = small_review(tmp_path / "review", db_url)
    add_member(p, VIEWER, role="viewer")
    yield p
    p.close()


def votes_seen(p: Project, viewer: str, record_id: int) -> set[str]:
    return {
        e.actor for e in iter_audit(p, viewer) if e.action in ("screen.decide", "screen.change") and e.entity_id == str(record_id)
    }


def test_a_blind_vote_is_hidden_until_the_rule_allows_it(review: Project) -> None:
    rid = record_ids(review)[0]
    screening.decide(review, "ta", rid, A, "include")
    assert votes_seen(review, A, rid) == {A}
    for other in (B, ADJ, OWNER, VIEWER):
        assert votes_seen(review, other, rid) == set(), other
    screening.decide(review, "ta", rid, B, "exclude", ["E1"])  # a conflict: all votes in, unresolved
    assert votes_seen(review, A, rid) == {A, B} and votes_seen(review, B, rid) == {A, B}
    assert votes_seen(review, ADJ, rid) == {A, B} and votes_seen(review, OWNER, rid) == {A, B}
    assert votes_seen(review, VIEWER, rid) == set()
    screening.resolve_conflict(review, "ta", rid, ADJ, "include", note="fits I1")
    for anyone in (A, B, ADJ, OWNER, VIEWER):
        assert votes_seen(review, anyone, rid) == {A, B}, anyone


def test_the_export_is_every_event_as_csv_and_jsonl(review: Project) -> None:
    rid, other = record_ids(review)[:2]
    screening.decide(review, "ta", rid, A, "include", note="clearly a dyad")
    screening.decide(review, "ta", other, B, "exclude", ["E1"])
    csv_out, jsonl_out = io.StringIO(), io.StringIO()
    n_csv = export_audit(review, "csv", csv_out, viewer=OWNER)
    n_jsonl = export_audit(review, "jsonl", jsonl_out, viewer=OWNER)
    rows = list(csv.DictReader(io.StringIO(csv_out.getvalue(), newline="")))
    lines = [json.loads(line) for line in jsonl_out.getvalue().splitlines()]
    assert n_csv == n_jsonl == len(rows) == len(lines)
    assert tuple(rows[0]) == COLUMNS and [r["id"] for r in rows] == [str(e["id"]) for e in lines]
    actions = [e["action"] for e in lines]
    assert actions[0] == "project.create" and "import.file" in actions and "screen.decide" not in actions  # both still blind
    mine = io.StringIO()
    export_audit(review, "jsonl", mine, viewer=A)
    my_votes = [json.loads(line) for line in mine.getvalue().splitlines() if '"screen.decide"' in line]
    assert len(my_votes) == 1 and my_votes[0]["why"] == "clearly a dyad" and my_votes[0]["data"]["decision"] == "include"
    with pytest.raises(UserError):
        export_audit(review, "xml", io.StringIO(), viewer=OWNER)


def test_audit_pages_filter_and_apply_the_same_rule(review: Project) -> None:
    ids = record_ids(review)
    for rid in ids:
        screening.decide(review, "ta", rid, A, "include")
    page = audit_page(review, B, action="screen.")
    assert page.total == 0 and page.events == []
    mine = audit_page(review, A, action="screen.", size=4)
    assert mine.total == len(ids) and mine.pages == 3 and len(mine.events) == 4
    last = audit_page(review, A, action="screen.", size=4, page=3)
    assert [e.entity_id for e in last.events] == [str(i) for i in ids[8:]]
    assert audit_page(review, OWNER, actor=OWNER).total == audit_page(review, OWNER, actor=OWNER, entity="").total > 0
