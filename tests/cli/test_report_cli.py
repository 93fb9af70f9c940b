"""`qes report ...` and `qes export ...` as a user runs them (real processes): the exact interface of issue 8."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import pytest

from qes.services.project import opened
from qes.services.users import list_members
from reporting_setup import screen_through, small_review
from support import run_qes

USER = "cli-tester@example.org"  # run_qes acts as this user (QES_USER)


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report-cli") / "review"
    p = small_review(root, f"sqlite:///{root / 'qes.sqlite3'}")
    screen_through(p)
    p.close()
    # init_project wrote the default database name into qes.toml; the CLI user joins as owner.
    assert run_qes("reviewer", "add", USER, "--role", "owner", cwd=root).returncode == 0
    return root


def test_prisma_json_prints_without_out_and_writes_with_it(review: Path) -> None:
    printed = run_qes("report", "prisma", "--format", "json", cwd=review)
    assert printed.returncode == 0, printed.stderr
    counts = json.loads(printed.stdout)
    assert counts["records_screened"] == 10 and counts["dbr_assessed"] == 4 and counts["new_studies"] == 2
    out = review / "prisma.json"
    assert run_qes("report", "prisma", "--format", "json", "--out", str(out), cwd=review).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8")) == counts


def test_prisma_diagram_files(review: Path) -> None:
    for fmt, magic in (("svg", b"<svg"), ("png", b"\x89PNG"), ("pdf", b"%PDF")):
        out = review / f"prisma.{fmt}"
        result = run_qes("report", "prisma", "--format", fmt, "--out", str(out), cwd=review)
        assert result.returncode == 0, result.stderr
        assert out.read_bytes().startswith(magic)
    root = ET.fromstring((review / "prisma.svg").read_text(encoding="utf-8"))
    assert "Records screened (n\u00a0=\u00a010)" in "".join(root.itertext())
    refused = run_qes("report", "prisma", "--format", "png", cwd=review)
    assert refused.returncode == 2 and "needs --out" in refused.stderr and "Traceback" not in refused.stderr


def test_tables_in_every_format(review: Path) -> None:
    printed = run_qes("report", "search-log", "--format", "csv", cwd=review)
    assert printed.returncode == 0, printed.stderr
    rows = list(csv.reader(io.StringIO(printed.stdout, newline="")))
    assert rows[0] == ["database", "interface", "date searched", "strategy", "hits reported", "records imported"]
    assert rows[1][:3] == ["PsycINFO", "Ovid", "2015-02-10"]
    for fmt in ("md", "csv", "html", "docx", "latex"):
        out = review / f"excluded.{fmt}"
        result = run_qes("report", "excluded", "--format", fmt, "--out", str(out), cwd=review)
        assert result.returncode == 0, result.stderr
        assert out.stat().st_size > 0
    document = docx.Document(str(review / "excluded.docx"))
    assert len(document.tables[0].rows) == 1 + 2
    bad = run_qes("report", "excluded", "--format", "rtf", cwd=review)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_review_report_both_formats(review: Path) -> None:
    for fmt in ("html", "docx"):
        out = review / f"report.{fmt}"
        result = run_qes("report", "review", "--format", fmt, "--out", str(out), cwd=review)
        assert result.returncode == 0, result.stderr
    assert "ENTREQ checklist" in (review / "report.html").read_text(encoding="utf-8")
    assert len(docx.Document(str(review / "report.docx")).inline_shapes) == 1


def test_prisma_record_marks_numbers_done_outside_qes(tmp_path: Path) -> None:
    root = tmp_path / "review"
    small_review(root, f"sqlite:///{root / 'qes.sqlite3'}").close()
    denied = run_qes("report", "prisma-record", "records_screened=5", "--note", "x", cwd=root)
    assert denied.returncode == 2 and "not a member" in denied.stderr
    assert run_qes("reviewer", "add", USER, "--role", "owner", cwd=root).returncode == 0
    result = run_qes(
        "report", "prisma-record", "database_results=5,587", "records_screened=5587", "--note", "run in 2013", cwd=root
    )
    assert result.returncode == 0, result.stderr
    counts = json.loads(run_qes("report", "prisma", cwd=root).stdout)
    assert counts["database_results"] == 5587 and counts["recorded"] == {
        "database_results": "run in 2013",
        "records_screened": "run in 2013",
    }
    refused = run_qes("report", "prisma-record", "records_screened=5", cwd=root)
    assert refused.returncode == 2 and "needs a note" in refused.stderr


def test_exports_audit_and_included(review: Path) -> None:
    for name in ("audit.csv", "audit.jsonl"):
        result = run_qes("export", "audit", "--out", str(review / name), cwd=review)
        assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((review / "audit.csv").open(encoding="utf-8", newline="")))
    lines = [json.loads(line) for line in (review / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(lines) > 40 and rows[0]["action"] == "project.create"
    assert {"screen.decide", "screen.resolve"} <= {e["action"] for e in lines}  # all resolved: every vote shows
    out = review / "included.ris"
    result = run_qes("export", "included", "--format", "ris", "--out", str(out), cwd=review)
    assert result.returncode == 0 and "2 included records" in result.stdout
    assert out.read_text(encoding="utf-8").count("ER  -") == 2


def test_matrix_and_refi_exports_on_the_reciprocity_demo(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    built = run_qes("demo", "reciprocity", "--project", str(root))
    if built.returncode != 0:
        pytest.fail(built.stderr)
    with opened(root) as p:
        owner = next(m for m in list_members(p) if m.role == "owner").email
    for fmt in ("csv", "md", "docx", "html"):
        out = root / f"matrix.{fmt}"
        result = run_qes("report", "matrix", "--format", fmt, "--out", str(out), "--as", owner, cwd=root)
        assert result.returncode == 0, result.stderr
    rows = list(csv.reader((root / "matrix.csv").open(encoding="utf-8", newline="")))
    assert rows[0][0] == "study" and len(rows) == 1 + 11
    assert len(docx.Document(str(root / "matrix.docx")).tables[0].rows) == 1 + 11
    for kind in ("qdpx", "qdc"):
        result = run_qes("export", kind, "--out", str(root / f"codes.{kind}"), cwd=root)
        assert result.returncode == 0, result.stderr
        assert (root / f"codes.{kind}").stat().st_size > 0
    denied = run_qes("report", "matrix", "--format", "csv", "--as", "nobody@example.org", cwd=root)
    assert denied.returncode == 2 and "--as EMAIL" in denied.stderr


def test_report_text_fills_the_checklist_items_only_authors_can_write(review: Path) -> None:
    result = run_qes("report", "text", "limitations", "One reviewer screened titles alone.", cwd=review)
    assert result.returncode == 0, result.stderr
    out = review / "with-text.html"
    assert run_qes("report", "review", "--format", "html", "--out", str(out), cwd=review).returncode == 0
    html = out.read_text(encoding="utf-8")
    assert "Strengths, limitations and reflexivity" in html and "One reviewer screened titles alone." in html
    bad = run_qes("report", "text", "conclusion", "x", cwd=review)
    assert bad.returncode == 2 and "limitations" in bad.stderr
