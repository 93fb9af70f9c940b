"""De-duplication quality and speed: qes vs bib-dedupe, as whole processes, on every shared set.

    make install && benchmarks/.peer-venv/bin/pip install bib-dedupe==0.11.0   # once (see BENCHMARKS.md)
    .venv/bin/python benchmarks/dedupe_bench.py [--data ../shared/data/dedupe] [--only qes] [--set NAME]

For each set: `qes dedupe records_pre_merged.csv --out DIR` and the peer (benchmarks/peer_bib_dedupe.py
in the peer environment) run as separate processes; both write DIR/groups.csv, scored here against
merged_record_ids.csv pairwise: precision, recall, F1, false positive pairs, size of the maybe queue,
wall time, and the speed ratio peer/qes. On a set where both tools take under 3 s each is run
5 times (interleaved) and the median time counts.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QES = ROOT / ".venv" / "bin" / "qes"
PEER_PYTHON = ROOT / "benchmarks" / ".peer-venv" / "bin" / "python"
PEER_SCRIPT = ROOT / "benchmarks" / "peer_bib_dedupe.py"
OUT = ROOT / "benchmarks" / "out" / "dedupe"
SHORT_RUN = 3.0  # seconds: sets where both tools finish sooner are timed --repeat times (median)


def pairs_of(groups: list[list[str]]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for group in groups:
        for a, b in itertools.combinations(sorted(set(group)), 2):
            pairs.add((a, b))
    return pairs


def truth_groups(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return [row[0].split(";") for row in rows[1:] if row and row[0]]


def predicted_groups(groups_csv: Path) -> list[list[str]]:
    by_group: dict[str, list[str]] = {}
    with groups_csv.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_group.setdefault(row["group_id"], []).append(row["record_id"])
    return list(by_group.values())


def count_rows(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open(newline="", encoding="utf-8") as fh:
        return max(0, sum(1 for _ in csv.reader(fh)) - 1)


def score(truth: set[tuple[str, str]], predicted: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(truth & predicted)
    fp = len(predicted - truth)
    fn = len(truth - predicted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def run_tool(name: str, records: Path, out: Path) -> float:
    if name == "qes":
        command = [str(QES), "dedupe", str(records), "--out", str(out)]
    else:
        command = [str(PEER_PYTHON), str(PEER_SCRIPT), str(records), str(out)]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"{name} failed on {records}:\n{completed.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "dedupe")
    parser.add_argument("--only", choices=["qes", "bib-dedupe"], help="run one tool only")
    parser.add_argument("--set", action="append", help="only this set (repeatable)")
    parser.add_argument("--repeat", type=int, default=5, help=f"runs per tool on sets where each takes under {SHORT_RUN:.0f} s")
    parser.add_argument("--show-errors", action="store_true", help="list qes's false positive and missed pairs")
    args = parser.parse_args()
    tools = [args.only] if args.only else ["qes", "bib-dedupe"]
    if "bib-dedupe" in tools and not PEER_PYTHON.exists():
        raise SystemExit(
            "peer environment missing: python3 -m venv benchmarks/.peer-venv && "
            "benchmarks/.peer-venv/bin/pip install bib-dedupe==0.11.0"
        )
    sets = sorted(p for p in args.data.iterdir() if (p / "records_pre_merged.csv").exists())
    if args.set:
        sets = [p for p in sets if p.name in args.set]
    header = f"{'set':<20}{'records':>8} {'tool':<11}{'precision':>10}{'recall':>8}{'F1':>7}"
    header += f"{'FP':>5}{'FN':>6}{'maybe':>7}{'seconds':>9}"
    print(header)
    for data_set in sets:
        records = data_set / "records_pre_merged.csv"
        n = count_rows(records)
        truth = pairs_of(truth_groups(data_set / "merged_record_ids.csv"))
        seconds = {tool: run_tool(tool, records, OUT / tool / data_set.name) for tool in tools}
        if max(seconds.values()) < SHORT_RUN:
            # A run of a fraction of a second is mostly start-up and at the mercy of whatever else
            # the machine does that moment: time both tools again, interleaved, and take medians.
            times = {tool: [t] for tool, t in seconds.items()}
            for _ in range(args.repeat - 1):
                for tool in tools:
                    times[tool].append(run_tool(tool, records, OUT / tool / data_set.name))
            seconds = {tool: statistics.median(ts) for tool, ts in times.items()}
        for tool in tools:
            out = OUT / tool / data_set.name
            predicted = pairs_of(predicted_groups(out / "groups.csv"))
            s = score(truth, predicted)
            maybe = count_rows(out / "maybe.csv")
            print(
                f"{data_set.name:<20}{n:>8} {tool:<11}{s['precision']:>10.4f}{s['recall']:>8.4f}{s['f1']:>7.4f}"
                f"{s['fp']:>5}{s['fn']:>6}{maybe:>7}{seconds[tool]:>9.2f}"
            )
            if args.show_errors and tool == "qes":
                for a, b in sorted(predicted - truth):
                    print(f"    FP {a} {b}")
                for a, b in sorted(truth - predicted):
                    print(f"    FN {a} {b}")
        if len(seconds) == 2:
            print(f"{'':<20}{'':>8} speed: qes is {seconds['bib-dedupe'] / seconds['qes']:.1f}x faster than bib-dedupe")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
