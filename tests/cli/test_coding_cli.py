"""The coding commands as a user runs them (real `qes` processes): documents, codebook, coding two coders
blind, agreement, reconciliation, suggestions, memos and REFI-QDA codebook import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import FIXTURES, run_qes

A, B = "a@x.org", "b@x.org"
TEXT = "The nurse and I would sit together every week. She listened to me and I trusted her."


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "review"
    transcript = root.parent / "session.txt"
    transcript.write_text("Therapist: how was the week?\nClient: I felt listened to.\n", encoding="utf-8")
    steps = [
        ("init", str(root)),
        ("reviewer", "add", "cli-tester@example.org", "--role", "owner"),
        ("reviewer", "add", A, "--role", "reviewer"),
        ("reviewer", "add", B, "--role", "reviewer"),
        ("study", "add", "Beeber and Caldwell (1996)"),
        ("document", "add", "Beeber and Caldwell (1996)", "--text", TEXT, "--title", "Extract"),
        ("document", "add", "-", "--file", str(transcript)),
        ("coding", "coders", "2"),
        ("codebook", "load", "helpful-relationships"),
        ("code", "add", "Sitting together", "--parent", "Company", "--kind", "code", "--definition", "sit together"),
    ]
    for args in steps:
        result = run_qes(*args, cwd=root.parent if args[0] == "init" else root)
        assert result.returncode == 0, (args, result.stderr)
    return root


def _json(review: Path, *args: str):  # type: ignore[no-untyped-def]
    result = run_qes(*args, "--json", cwd=review)
    assert result.returncode == 0, (args, result.stderr)
    return json.loads(result.stdout)


def test_documents_and_codebook(review: Path) -> None:
    docs = _json(review, "document", "list")
    assert [(d["id"], d["study"], d["kind"]) for d in docs] == [
        (1, "Beeber and Caldwell (1996)", "section"),
        (2, None, "transcript"),
    ]
    shown = _json(review, "document", "show", "2")
    assert shown["text"].startswith("Therapist:") and shown["title"] == "session"
    codes = _json(review, "codebook", "show")
    assert len([c for c in codes if c["depth"] == 0 and c["kind"] == "theme"]) == 10
    assert any(c["path"] == "Someone to be with and talk to/Company/Sitting together" for c in codes)
    human = run_qes("codebook", "show", cwd=review).stdout
    assert "To know and to trust" in human and "(theme, #" in human


def test_two_coders_then_agreement_reconcile_and_final_segments(review: Path) -> None:
    seg = _json(review, "code-segment", "1", "--find", "She listened to me", "--code", "Listen", "--as", A)
    assert seg["codes"][0]["path"] == "Someone to be with and talk to/Listen" and seg["order"] == "first"
    _json(review, "code-segment", "1", "--find", "listened to me", "--code", "Listen", "--interpretation", "--as", B)
    start = TEXT.index("I trusted")
    _json(review, "code-segment", "1", "--start", str(start), "--end", str(start + 13), "--code", "Trust", "--in-part", "--as", A)
    assert {s["coder"] for s in _json(review, "segments", "--as", A)} == {A}
    assert _json(review, "coding", "agreement")["documents"] == 0
    assert _json(review, "coding", "done", "1", "--as", A)["all_done"] is False
    refused = run_qes("coding", "reconcile", "1", cwd=review)
    assert refused.returncode == 2 and refused.stderr.strip() == "error: document 1: waiting for b@x.org to mark it done"
    assert _json(review, "coding", "done", "1", "--as", B)["all_done"] is True
    stats = _json(review, "coding", "agreement")
    assert stats["documents"] == 1 and [c["code"] for c in stats["codes"]][0] == "To know and to trust/Trust"
    table = run_qes("coding", "agreement", cwd=review).stdout
    assert "kappa" in table and "a@x.org vs b@x.org" in table
    assert _json(review, "coding", "reconcile", "1", "--take", "union", "--note", "both readings")["segments"] == 2
    final = _json(review, "segments", "--final")
    assert [(s["text"], s["status"]) for s in final] == [("She listened to me", "reconciled"), ("I trusted her", "reconciled")]
    assert final[1]["codes"][0]["in_part"] is True


def test_suggest_memo_and_errors(review: Path) -> None:
    text = _json(review, "document", "show", "2")["text"]
    start = text.index("I felt listened to")
    got = _json(review, "suggest", "2", "--start", str(start), "--end", str(start + 18), "--as", A)
    assert got["suggestions"] and all(s["score"] > 0 for s in got["suggestions"])
    assert "listened" in got["suggestions"][0]["why"]
    assert _json(review, "memo", "add", "central", "--code", "Listen", "--as", A)["on"] == "Listen"
    assert [m["target"] for m in _json(review, "memo", "list")] == ["code"]
    bad = run_qes("code-segment", "1", "--find", "not in it", "--code", "Listen", "--as", A, cwd=review)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "is not in the document" in bad.stderr
    two = run_qes("document", "add", "-", "--text", "x", "--fulltext", cwd=review)
    assert two.returncode == 2 and "exactly one of" in two.stderr
    unknown = run_qes("codebook", "load", "nope", cwd=review)
    assert unknown.returncode == 2 and "no built-in framework" in unknown.stderr


def test_codebook_import_of_another_tools_qdc(review: Path) -> None:
    data = _json(review, "codebook", "import", str(FIXTURES / "coding" / "other_tool.qdc"))
    assert data == {"file": "other_tool.qdc", "codes": 4, "added": 4, "kept": 0}
    again = _json(review, "codebook", "import", str(FIXTURES / "coding" / "other_tool.qdc"))
    assert again["added"] == 0
    codes = {c["path"]: c for c in _json(review, "codebook", "show")}
    assert codes["Relationships/Trust/Mutual trust"]["kind"] == "code" and codes["Relationships"]["kind"] == "theme"
    assert codes["Time & availability"]["color"] == "#0f0"
