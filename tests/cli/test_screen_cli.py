"""The screening commands as a user runs them (real `qes` processes): the exact interface of issue 4."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pdf_maker import make_pdf
from support import FIXTURES, run_qes

TEN = FIXTURES / "screening" / "ten_records.ris"


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "review"
    steps = [
        ("init", str(root)),
        ("import", str(TEN), "--source", "PsycINFO (Ovid)", "--searched", "2015-02-10"),
        ("reviewer", "add", "cli-tester@example.org", "--name", "Owner", "--role", "owner"),
        ("reviewer", "add", "ea@x.org", "--name", "EA", "--role", "reviewer"),
        ("reviewer", "add", "ss@x.org", "--name", "SS", "--role", "reviewer"),
        ("reviewer", "add", "sp@x.org", "--name", "SP", "--role", "adjudicator"),
        ("criterion", "add", "I1", "Professional and service user dyad", "--inclusion"),
        ("criterion", "add", "E1", "Not about reciprocity", "--exclusion"),
        ("stage", "add", "titles", "--kind", "titles", "--reviewers", "1"),
        ("stage", "add", "abstracts", "--kind", "abstracts", "--reviewers", "2", "--blind"),
        ("stage", "add", "fulltext", "--kind", "fulltext", "--reviewers", "2", "--open"),
        ("protocol", "set", "--question", "How is reciprocity conceptualised?", "--terms", "recipr*, mutual*"),
    ]
    for args in steps:
        result = run_qes(*args, cwd=root.parent if args[0] == "init" else root)
        assert result.returncode == 0, (args, result.stderr)
    return root


def test_stages_and_criteria_as_given(review: Path) -> None:
    stages = json.loads(run_qes("stage", "list", "--json", cwd=review).stdout)
    assert [(s["name"], s["kind"], s["reviewers"], s["blind"]) for s in stages] == [
        ("titles", "titles", 1, True),
        ("abstracts", "abstracts", 2, True),
        ("fulltext", "fulltext", 2, False),
    ]
    assert stages[2]["reason_required"] and not stages[2]["allow_maybe"]
    criteria = json.loads(run_qes("criterion", "list", "--json", cwd=review).stdout)
    assert [(c["code"], c["kind"]) for c in criteria] == [("I1", "inclusion"), ("E1", "exclusion")]


def test_import_decisions_agreement_conflicts_resolve_and_prisma(review: Path, tmp_path: Path) -> None:
    rows = ["record_id,stage,reviewer,decision,reasons,note"]
    rows += [f"S{i:02d},titles,EA,{'include' if i <= 6 else 'exclude'},{'' if i <= 6 else 'E1'}," for i in range(1, 11)]
    abstracts = {
        1: ("include", "include"),
        2: ("include", "include"),
        3: ("include", "exclude"),
        4: ("exclude", "exclude"),
        5: ("exclude", "exclude"),
        6: ("include", "include"),
    }
    for i, (ea, ss) in abstracts.items():
        rows.append(f"S{i:02d},abstracts,EA,{ea},,")
        rows.append(f"S{i:02d},abstracts,SS,{ss},,")
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run_qes("screen", "import-decisions", str(decisions), "--json", cwd=review)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["votes_added"] == 22

    agreement = json.loads(run_qes("agreement", "--stage", "abstracts", "--json", cwd=review).stdout)
    (pair,) = agreement["pairs"]
    assert pair["reviewers"] == ["ea@x.org", "ss@x.org"] and "kappa" in pair and pair["n"] == 6
    assert pair["kappa"] == pytest.approx(0.6667, abs=1e-3)  # 5/6 agree; p_e = 0.5 → (5/6 - 0.5)/0.5

    conflicts = json.loads(run_qes("conflicts", "--as", "sp@x.org", "--json", cwd=review).stdout)
    assert [(c["stage"], c["kind"]) for c in conflicts] == [("abstracts", "decision")]
    record = str(conflicts[0]["record_id"])
    refused = run_qes("resolve", record, "--decision", "include", "--stage", "abstracts", "--as", "ea@x.org", cwd=review)
    assert refused.returncode == 2 and "cannot resolve conflicts" in refused.stderr and "Traceback" not in refused.stderr
    done = run_qes(
        "resolve", record, "--decision", "include", "--stage", "abstracts", "--as", "sp@x.org", "--note", "agreed", cwd=review
    )
    assert done.returncode == 0, done.stderr

    prisma = json.loads(run_qes("report", "prisma", "--format", "json", cwd=review).stdout)
    assert prisma["records_screened"] == 10 and prisma["records_excluded"] == 4 + 2
    assert prisma["dbr_sought_reports"] == 4 and prisma["database_results"] == 10 and prisma["duplicates"] == 0


def test_interactive_screening_with_single_keys(review: Path) -> None:
    # fulltext records: those included at abstracts. A sets a decision per key, with a reason by number.
    result = run_qes("screen", "--stage", "fulltext", "--as", "ea@x.org", cwd=review, stdin="i\ne\n1\nx\nq\n")
    assert result.returncode == 0, result.stderr
    assert "2 decision(s) recorded" in result.stdout and "Press i, e, s or q" in result.stdout
    assert "Reason numbers" in result.stdout


def test_fulltext_attach_show_and_not_retrieved(review: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(make_pdf(["Reciprocity between nurse and patient.", "Second page."]))
    attached = run_qes("fulltext", "attach", "1", str(pdf), "--as", "ea@x.org", "--json", cwd=review)
    assert attached.returncode == 0, attached.stderr
    info = json.loads(attached.stdout)
    assert info["pages"] == 2 and (review / "files" / "fulltexts" / f"{info['sha256']}.pdf").is_file()
    shown = run_qes("fulltext", "show", "1", "--page", "2", cwd=review)
    assert "Second page." in shown.stdout
    notpdf = tmp_path / "paper.txt"
    notpdf.write_text("not a pdf")
    refused = run_qes("fulltext", "attach", "2", str(notpdf), "--as", "ea@x.org", cwd=review)
    assert refused.returncode == 2 and "paper.txt: not a PDF" in refused.stderr
    missing = run_qes("fulltext", "not-retrieved", "2", "--reason", "library has no access", "--as", "ea@x.org", cwd=review)
    assert missing.returncode == 0, missing.stderr
    listed = json.loads(run_qes("fulltext", "list", "--json", cwd=review).stdout)
    assert [(f["record_id"], f["status"]) for f in listed] == [(1, "retrieved"), (2, "not_retrieved")]


def test_bad_decisions_file_exits_2_with_file_and_line(review: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,stage,reviewer,decision,reasons,note\nS01,titles,EA,perhaps,,\n", encoding="utf-8")
    result = run_qes("screen", "import-decisions", str(bad), cwd=review)
    assert result.returncode == 2 and "bad.csv:2" in result.stderr and "Traceback" not in result.stderr


def test_demo_review000_replays_the_published_flow(tmp_path: Path) -> None:
    result = run_qes("demo", "review000", "--project", str(tmp_path / "r000"), "--json")
    assert result.returncode == 0, result.stderr
    prisma = json.loads(result.stdout)["prisma"]
    assert (prisma["records_screened"], prisma["records_excluded"], prisma["dbr_assessed"], prisma["new_studies"]) == (
        5188,
        4729 + 438,
        21,
        11,
    )
