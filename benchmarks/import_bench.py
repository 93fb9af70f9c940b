"""Import speed and memory: `qes import` of a large RIS file into SQLite vs `rispy.load` alone.

    .venv/bin/python benchmarks/import_bench.py                # 100,000 records
    .venv/bin/python benchmarks/import_bench.py --records 250000 --skip-rispy

Builds the RIS file from real exports (../shared/fixtures/ris/*; qes's own demo file when
../shared is absent), each record given a fresh ID and a numbered title so no two are
identical. Both sides run as whole processes, measured the same way (wall time and peak
resident memory from wait4), in the same run; the ratio is qes / rispy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
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


def run_measured(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB, stdout of one whole process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out_file:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out_file, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        out_file.seek(0)
        stdout = out_file.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err}")
    return elapsed, usage.ru_maxrss / 1024, stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--skip-rispy", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ris = tmp / "big.ris"
        size = write_file(ris, args.records)
        print(f"RIS file: {args.records:,} records, {size / 1e6:.1f} MB", flush=True)

        subprocess.run([QES, "init", str(tmp / "p")], check=True, capture_output=True)
        qes_s, qes_mb, out = run_measured([QES, "import", str(ris), "--source", "bench", "--json"], cwd=tmp / "p")
        imported = json.loads(out)["imported"]
        assert imported == args.records, f"imported {imported}, expected {args.records}"
        result = {
            "records": args.records,
            "file_mb": round(size / 1e6, 1),
            "qes_import_s": round(qes_s, 2),
            "qes_peak_mb": round(qes_mb),
        }

        if not args.skip_rispy:
            code = f"import rispy; f = open({str(ris)!r}, encoding='utf-8'); r = rispy.load(f); print(len(r))"
            rispy_s, rispy_mb, out = run_measured([sys.executable, "-c", code])
            assert int(out) == args.records, f"rispy read {out.strip()} records"
            result |= {
                "rispy_load_s": round(rispy_s, 2),
                "rispy_peak_mb": round(rispy_mb),
                "ratio_qes_over_rispy": round(qes_s / rispy_s, 2),
            }
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
