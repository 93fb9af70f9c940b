"""Screening speed: what a reviewer waits for, and how fast earlier decisions come in.

    .venv/bin/python benchmarks/screening_bench.py [--records 50000] [--decisions 200] [--work /tmp/qes-screen-bench]

1. "next record" and "decide" latency (p50 / p95, ms) through the service layer, on a project of
   `--records` generated records (SQLite, the embedded default), two blind reviewers taking turns.
2. Review 000's screening replayed: 5,188 records and 6,162 decision rows through `import_decisions`
   (the `qes screen import-decisions` path), wall seconds for the import alone.
No open tool screens from a script (Covidence, Rayyan and EPPI-Reviewer are web services), so these
are absolute figures; the web latency under load is issue 9's benchmarks/web_bench.py.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

from qes.demo.review000 import setup_review000
from qes.services import screening
from qes.services.importing import import_file
from qes.services.project import init_project, opened
from qes.services.protocol import add_criterion, add_stage
from qes.services.screening_import import import_decisions
from qes.services.users import add_member


def write_ris(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(
                f"TY  - JOUR\nID  - g{i}\nAU  - Doe{i % 997}, J.\nTI  - Generated record {i} on reciprocity and care {i % 13}\n"
                f"AB  - Abstract {i}: mental health services and mutual help.\nPY  - {1990 + i % 30}\nER  - \n\n"
            )


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def latency(work: Path, records: int, decisions: int) -> None:
    root = work / f"latency{records}"
    shutil.rmtree(root, ignore_errors=True)
    project = init_project(root, actor="owner@bench")
    ris = work / f"gen{records}.ris"
    write_ris(ris, records)
    import_file(project, ris, source="Generated")
    for who in ("a@bench", "b@bench"):
        add_member(project, who, role="reviewer")
    add_criterion(project, "E1", "Not about reciprocity", inclusion=False)
    add_stage(project, "ta", kind="title-abstract", reviewers=2)
    next_ms: list[float] = []
    decide_ms: list[float] = []
    for i in range(decisions):
        who = "a@bench" if i % 2 == 0 else "b@bench"
        t0 = time.perf_counter()
        item = screening.next_item(project, "ta", who)
        t1 = time.perf_counter()
        assert item is not None
        screening.decide(project, "ta", item.record_id, who, "exclude" if i % 5 else "include", ["E1"] if i % 5 else [])
        t2 = time.perf_counter()
        next_ms.append(1000 * (t1 - t0))
        decide_ms.append(1000 * (t2 - t1))
    project.close()
    print(f"records {records}, {decisions} decisions by two blind reviewers (SQLite)")
    print(f"  next record: p50 {percentile(next_ms, 50):.1f} ms  p95 {percentile(next_ms, 95):.1f} ms")
    print(f"  decide:      p50 {percentile(decide_ms, 50):.1f} ms  p95 {percentile(decide_ms, 95):.1f} ms")


def replay(work: Path) -> None:
    root = work / "review000"
    shutil.rmtree(root, ignore_errors=True)
    demo = setup_review000(root)
    with opened(root) as project:
        t0 = time.perf_counter()
        summary = import_decisions(project, demo.decisions_file)
        seconds = time.perf_counter() - t0
    print(
        f"review 000 replay: {summary['rows']} decision rows, {summary['votes_added']} votes, "
        f"{summary['adjudicated']} adjudications imported in {seconds:.2f} s ({summary['rows'] / seconds:,.0f} rows/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--work", type=Path, default=Path("/tmp/qes-screen-bench"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    replay(args.work)
    latency(args.work, args.records, args.decisions)


if __name__ == "__main__":
    main()
