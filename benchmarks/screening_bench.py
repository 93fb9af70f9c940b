"""Screening: what a reviewer waits for, how fast earlier decisions come in, how well prioritising works.

    .venv/bin/python benchmarks/screening_bench.py [--part all|latency|refresh|simulation] [--records 50000]
        [--decisions 200] [--seeds 10] [--work /tmp/qes-screen-bench]

1. "next record" and "decide" latency (p50 / p95, ms) through the service layer, on a project of
   `--records` generated records (SQLite, the embedded default), two blind reviewers taking turns.
2. Review 000's screening replayed: 5,188 records and 6,162 decision rows through `import_decisions`
   (the `qes screen import-decisions` path), wall seconds for the import alone.
3. Ranking refresh time (retrain + rescore one reviewer's ranking) at 10,000 and 50,000 records.
4. Simulation on ../shared/data/synergy/*.csv, seeds 1..10: WSS@95, recall@10% and records to find
   all included, qes's default preset vs ASReview 3.0.8's default (elas_u4) with the same priors
   (benchmarks/simulation_compare.py; ASReview is pip-installed into benchmarks/.asr-venv only).
For 1-3 no open tool screens from a script (Covidence, Rayyan and EPPI-Reviewer are web services), so these
are absolute figures; the web latency under load is issue 9's benchmarks/web_bench.py.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import time
from pathlib import Path

import simulation_compare

from qes.demo.review000 import setup_review000
from qes.prioritise import metrics
from qes.services import priority, screening
from qes.services.importing import import_file
from qes.services.project import init_project, opened
from qes.services.protocol import add_criterion, add_stage
from qes.services.screening_import import import_decisions
from qes.services.users import add_member

SYNERGY = Path(__file__).resolve().parents[2] / "shared" / "data" / "synergy"


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


def refresh(work: Path, sizes: list[int]) -> None:
    """Ranking refresh time on stages of real-looking records (SYNERGY texts, words resampled)."""
    texts = []
    for path in sorted(SYNERGY.glob("*.csv")):
        rows, _labels = simulation_compare.load(path)
        texts += [(r["title"], r["abstract"]) for r in rows]
    rng = random.Random(5)
    for size in sizes:
        root = work / f"refresh{size}"
        shutil.rmtree(root, ignore_errors=True)
        project = init_project(root, actor="owner@bench")
        ris = work / f"refresh{size}.ris"
        with ris.open("w", encoding="utf-8") as out:
            for i in range(size):
                title, abstract = texts[i % len(texts)]
                words = abstract.split()
                rng.shuffle(words)  # a new record with a real vocabulary
                out.write(f"TY  - JOUR\nTI  - {title} {i}\nAB  - {' '.join(words[: max(40, len(words) * 3 // 4)])}\nER  - \n\n")
        import_file(project, ris, source="Generated")
        add_member(project, "a@bench", role="reviewer")
        add_criterion(project, "E1", "Not relevant", inclusion=False)
        add_stage(project, "ta", kind="title-abstract", reviewers=1)
        for n in range(200):  # 200 decisions, 1 in 10 include
            item = screening.next_item(project, "ta", "a@bench")
            assert item is not None
            screening.decide(
                project, "ta", item.record_id, "a@bench", "include" if n % 10 == 0 else "exclude", [] if n % 10 == 0 else ["E1"]
            )
        t0 = time.perf_counter()
        priority.refresh_ranking(project, "ta", "a@bench")
        first = time.perf_counter() - t0
        timings = []
        for _ in range(5):
            # A new decision first: a refresh with nothing new to learn is skipped, and would time nothing.
            item = screening.next_item(project, "ta", "a@bench")
            assert item is not None
            screening.decide(project, "ta", item.record_id, "a@bench", "exclude", ["E1"])
            t0 = time.perf_counter()
            priority.refresh_ranking(project, "ta", "a@bench")
            timings.append(time.perf_counter() - t0)
        next_ms = []
        for _ in range(50):  # the reviewer's next record, served from the stored 50k-record order
            t0 = time.perf_counter()
            item = screening.next_item(project, "ta", "a@bench")
            next_ms.append(1000 * (time.perf_counter() - t0))
            assert item is not None
            screening.decide(project, "ta", item.record_id, "a@bench", "exclude", ["E1"])
        print(f"  next record in priority order: p50 {percentile(next_ms, 50):.1f} ms  p95 {percentile(next_ms, 95):.1f} ms")
        project.close()
        print(
            f"ranking refresh, {size:,} records, 200 decisions: first (features built) {first:.2f} s; "
            f"then median {statistics.median(timings):.3f} s (max {max(timings):.3f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("all", "latency", "refresh", "simulation"), default="all")
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--work", type=Path, default=Path("/tmp/qes-screen-bench"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.part in ("all", "latency"):
        replay(args.work)
        latency(args.work, args.records, args.decisions)
    if args.part in ("all", "refresh"):
        refresh(args.work, [10_000, 50_000])
    if args.part in ("all", "simulation"):
        print(metrics.__doc__)
        result = simulation_compare.compare(sorted(SYNERGY.glob("*.csv")), list(range(1, args.seeds + 1)))
        simulation_compare.report(result)
        out = Path(__file__).resolve().parent / "out" / "screening_simulation.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
