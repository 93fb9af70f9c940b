"""`qes dedupe` as a user types it: standalone on files, and over a project (real processes)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from support import FIXTURES
from support import run_qes as qes

TWO_DATABASES = FIXTURES / "dedupe" / "two_databases.ris"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_standalone_writes_groups_maybe_and_unique_in_the_input_format(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = qes("dedupe", str(TWO_DATABASES), "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["records"] == 7 and summary["duplicates_removed"] == 2 and summary["unique"] == 5
    groups = read_csv(out / "groups.csv")
    assert list(groups[0]) == ["record_id", "group_id"]
    by_group: dict[str, set[str]] = {}
    for row in groups:
        by_group.setdefault(row["group_id"], set()).add(row["record_id"])
    assert sorted(map(sorted, by_group.values())) == [["E1", "M1"], ["E2", "M2"]]  # Part I / Part II stay apart
    maybe = read_csv(out / "maybe.csv")
    assert [{m["record_id_1"], m["record_id_2"]} for m in maybe] in ([{"M2", "E4"}], [{"E2", "E4"}], [{"M2", "E4"}, {"E2", "E4"}])
    assert maybe[0]["reason"]
    unique = (out / "unique.ris").read_text(encoding="utf-8")
    assert unique.count("ER  -") == 5
    assert "DO  - 10.1111/inm.12160" in unique
    assert summary["files"][0]["duplicates_removed"] == 2


def test_several_files_with_clashing_ids_are_told_apart(tmp_path: Path) -> None:
    copy = tmp_path / "copy.ris"
    copy.write_text(TWO_DATABASES.read_text(encoding="utf-8"), encoding="utf-8")
    result = qes("dedupe", str(TWO_DATABASES), str(copy), "--out", str(tmp_path / "out"), "--json")
    assert result.returncode == 0, result.stderr
    ids = {row["record_id"] for row in read_csv(tmp_path / "out" / "groups.csv")}
    assert "two_databases.ris:M3" in ids and "copy.ris:M3" in ids
    assert json.loads(result.stdout)["unique"] == 5


def test_standalone_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    missing = qes("dedupe", str(tmp_path / "nope.ris"), "--out", str(tmp_path / "o"))
    assert missing.returncode == 2 and "nope.ris: no such file" in missing.stderr and "Traceback" not in missing.stderr
    no_out = qes("dedupe", str(TWO_DATABASES))
    assert no_out.returncode == 2 and "--out" in no_out.stderr
    binary = tmp_path / "x.ris"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    bad = qes("dedupe", str(binary), "--out", str(tmp_path / "o2"))
    assert bad.returncode == 2 and "x.ris" in bad.stderr
    assert not (tmp_path / "o2").exists()  # nothing written for a file that cannot be read


def test_help_is_listed_and_forwarded() -> None:
    assert "dedupe" in qes("--help").stdout
    help_text = qes("dedupe", "--help")
    assert help_text.returncode == 0 and "--out" in help_text.stdout


def test_project_run_review_undo_and_status(tmp_path: Path) -> None:
    review = tmp_path / "review"
    assert qes("init", str(review)).returncode == 0
    assert qes("import", str(TWO_DATABASES), "--source", "Medline", cwd=review).returncode == 0
    run = qes("dedupe", "--json", cwd=review)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["duplicates_removed"] == 2 and summary["groups_created"] == 2 and summary["open_pairs"] >= 1
    status = json.loads(qes("status", "--json", cwd=review).stdout)
    assert status["duplicates_removed"] == 2 and status["unique_records"] == 5
    assert status["sources"][0]["duplicates_removed"] == 2
    # the interactive review, fed from stdin: 'd' = different for the first pair
    reviewed = qes("dedupe", "review", "--limit", "1", cwd=review, stdin="d\n")
    assert reviewed.returncode == 0 and "1 decision(s) recorded" in reviewed.stdout
    groups = json.loads(qes("dedupe", "groups", "--json", cwd=review).stdout)["groups"]
    undone = qes("dedupe", "undo", str(groups[0]["group"]), "--json", cwd=review)
    assert undone.returncode == 0 and json.loads(undone.stdout)["status"] == "undone"
    again = json.loads(qes("dedupe", "--json", cwd=review).stdout)
    assert again["duplicates_removed"] == 1  # the undone group is not merged again
    missing = qes("dedupe", "undo", "999", cwd=review)
    assert missing.returncode == 2 and "no duplicate group 999" in missing.stderr


def test_plain_arguments_in_any_order_read_like_argparse_reads_them(tmp_path: Path) -> None:
    # `FILE... --out DIR` is read without argparse (start-up); every spelling must mean the same
    forms = [
        ["--out", str(tmp_path / "a"), str(TWO_DATABASES)],
        [str(TWO_DATABASES), f"--out={tmp_path / 'b'}", "--json"],
        ["--json", str(TWO_DATABASES), "--out", str(tmp_path / "c")],
    ]
    results = [qes("dedupe", *form) for form in forms]
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
    groups = [(tmp_path / name / "groups.csv").read_text(encoding="utf-8") for name in "abc"]
    assert groups[0] == groups[1] == groups[2] and groups[0].count("\n") == 5
    assert json.loads(results[1].stdout)["unique"] == 5
    missing_dir = qes("dedupe", str(TWO_DATABASES), "--out")  # left to argparse: a usage error
    assert missing_dir.returncode == 2 and "--out" in missing_dir.stderr and "Traceback" not in missing_dir.stderr
