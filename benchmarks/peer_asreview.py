"""Run ASReview's own simulation (`asreview simulate`, default model elas_u4) and print its order.

    benchmarks/.asr-venv/bin/python benchmarks/peer_asreview.py DATASET.csv --prior-rows I E --seed N

Prints JSON: {"rows": [dataset row indices in the order screened], "labels": [...], "seconds": wall}.
ASReview stops once every included record is found; that is all WSS@95, recall@10% (when reached)
and records-to-find-all need. Runs in the peer's own environment (created by screening_bench.py).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--prior-rows", type=int, nargs=2, required=True)
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    asreview = Path(sys.executable).with_name("asreview")
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "sim.asreview"
        started = time.perf_counter()
        subprocess.run(
            [
                str(asreview),
                "simulate",
                str(args.dataset),
                "--ai",
                "elas_u4",
                "--seed",
                str(args.seed),
                "--prior-idx",
                *map(str, args.prior_rows),
                "-o",
                str(project),
            ],
            check=True,
            capture_output=True,
            cwd=tmp,  # asreview leaves a cache file in its working directory
        )
        seconds = time.perf_counter() - started
        with zipfile.ZipFile(project) as archive:
            archive.extract("results.db", tmp)
        db = sqlite3.connect(Path(tmp) / "results.db")
        rows = db.execute(
            "SELECT record.dataset_row, results.label FROM results JOIN record USING (record_id) ORDER BY results.rowid"
        ).fetchall()
        db.close()
    print(json.dumps({"rows": [r for r, _ in rows], "labels": [int(lab) for _, lab in rows], "seconds": seconds}))


if __name__ == "__main__":
    main()
