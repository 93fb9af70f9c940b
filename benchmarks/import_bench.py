"""Import speed and memory: `qes import` of a large RIS file into SQLite vs `rispy.load` alone.

    .venv/bin/python benchmarks/import_bench.py                # 100,000 records, 3 rounds
    .venv/bin/python benchmarks/import_bench.py --records 250000 --skip-rispy --repeat 1

Builds the RIS file from real exports (../shared/fixtures/ris/*; qes's own demo file when
../shared is absent), each record given a fresh ID and a numbered title so no two are
identical. Both sides run as whole processes, measured the same way (wall time; peak memory as
the largest sum of the resident memory of the process and its children, sampled from /proc
every 20 ms, or wait4's peak if larger), alternately in the same run, `--repeat` rounds into a
fresh project each; reported: each round, and the medians (the ratio is the median of the
rounds' qes / rispy). Also reported, because other jobs on the machine move wall times from one
run to the next: each process's CPU time (user + system, its children included) and the ratio
of those, and the 1-minute load average before and after each round.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_RIS = REPO.parent / "shared" / "fixtures" / "ris"
DEMO_RIS = REPO / "src" / "qes" / "demo" / "data" / "reciprocity_references.ris"
QES = str(Path(sys.executable).with_name("qes"))


def template_records() -> list[list[str]]:
    """Clean RIS records (TY..ER) from real exports, as lists of tagged lines."""
    files = sorted(SHARED_RIS.glob("*")) if SHARED_RIS.exists() else [DEMO_RIS]
    records: list[list[str]] = []
    for path in files:
        text = path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        current: list[str] | None = None
        for line in text.split("\n"):
            if line.startswith("TY  -"):
                current = [line]
            elif current is not None and line.startswith("ER  -"):
                current.append("ER  - ")
                records.append(current)
                current = None
            elif (
                current is not None and len(line) > 6 and line[2:6] == "  - " and not line.startswith(("ID  -", "TI  -", "T1  -"))
            ):
                current.append(line)
    return records


def write_file(path: Path, n: int) -> int:
    templates = template_records()
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            rec = templates[i % len(templates)]
            out.write(rec[0] + "\n")
            out.write(f"ID  - bench{i}\n")
            out.write(f"TI  - Benchmark record {i}: reciprocity in therapeutic relationships\n")
            out.write("\n".join(rec[1:]) + "\n\n")
    return path.stat().st_size


def _tree_rss_kb(root: int) -> int:
    """Resident memory (KiB) of process `root` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/statm") as fh:
                rss[int(entry)] = int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in tree)


def run_measured(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float, str, float]:
    """Wall seconds, peak RSS in MiB (process tree), stdout, CPU seconds (user + system) of one whole process."""
    peak = [0]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out_file:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out_file, stderr=subprocess.PIPE, env=env)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], _tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        out_file.seek(0)
        stdout = out_file.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err}")
    return elapsed, max(usage.ru_maxrss, peak[0]) / 1024, stdout, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of qes then rispy (medians reported)")
    parser.add_argument("--skip-rispy", action="store_true")
    parser.add_argument(
        "--one-process-too", action="store_true", help="also run qes with QES_IMPORT_WORKERS=0 (no worker processes)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ris = tmp / "big.ris"
        size = write_file(ris, args.records)
        print(f"RIS file: {args.records:,} records, {size / 1e6:.1f} MB", flush=True)
        rounds = []
        for n in range(args.repeat):
            project = tmp / f"p{n}"
            subprocess.run([QES, "init", str(project)], check=True, capture_output=True)
            load_before = os.getloadavg()[0]
            qes_s, qes_mb, out, qes_cpu = run_measured([QES, "import", str(ris), "--source", "bench", "--json"], cwd=project)
            imported = json.loads(out)["imported"]
            assert imported == args.records, f"imported {imported}, expected {args.records}"
            measured: dict[str, float] = {
                "qes_import_s": round(qes_s, 2),
                "qes_cpu_s": round(qes_cpu, 2),
                "qes_peak_mb": round(qes_mb),
            }
            if args.one_process_too:
                alone = tmp / f"p{n}-alone"
                subprocess.run([QES, "init", str(alone)], check=True, capture_output=True)
                env = {**os.environ, "QES_IMPORT_WORKERS": "0"}
                one_s, one_mb, _, one_cpu = run_measured(
                    [QES, "import", str(ris), "--source", "bench", "--json"], cwd=alone, env=env
                )
                measured |= {
                    "qes_one_process_s": round(one_s, 2),
                    "qes_one_process_cpu_s": round(one_cpu, 2),
                    "qes_one_process_peak_mb": round(one_mb),
                }
                shutil.rmtree(alone)
            if not args.skip_rispy:
                code = f"import rispy; f = open({str(ris)!r}, encoding='utf-8'); r = rispy.load(f); print(len(r))"
                rispy_s, rispy_mb, out, rispy_cpu = run_measured([sys.executable, "-c", code])
                assert int(out) == args.records, f"rispy read {out.strip()} records"
                measured |= {
                    "rispy_load_s": round(rispy_s, 2),
                    "rispy_cpu_s": round(rispy_cpu, 2),
                    "rispy_peak_mb": round(rispy_mb),
                    "ratio_qes_over_rispy": round(qes_s / rispy_s, 2),
                    "cpu_ratio_qes_over_rispy": round(qes_cpu / rispy_cpu, 2),
                }
                if args.one_process_too:
                    measured["ratio_one_process_over_rispy"] = round(measured["qes_one_process_s"] / rispy_s, 2)
                    measured["cpu_ratio_one_process_over_rispy"] = round(one_cpu / rispy_cpu, 2)
            measured |= {"load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)}
            print(json.dumps({"round": n + 1, **measured}), flush=True)
            rounds.append(measured)
            shutil.rmtree(project)  # the next round's disk space
        result: dict[str, object] = {"records": args.records, "file_mb": round(size / 1e6, 1), "rounds": len(rounds)}
        for key in rounds[0]:
            result[f"median_{key}"] = statistics.median(r[key] for r in rounds)
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
