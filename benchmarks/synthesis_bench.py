"""Synthesis (issue 7): how long the two demos take to build, and how long the themes × studies
matrix takes to compute, on the demos and at scale.

    .venv/bin/python benchmarks/synthesis_bench.py [--json]

- `demo reciprocity` / `demo helpful-relationships`: the whole build (screening replay, studies,
  Table 1, codebook, coding, grid) into a fresh SQLite project, as `qes demo ...` does.
- `matrix_table` on each demo: the service call `qes report matrix` makes (final coding → Table),
  median of 7 calls.
- `build_matrix` (pure) on generated coding: 500 studies, 10 themes with 5 codes each, 200,000
  segment-codes, a tenth of them "in part".
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from qes.demo.helpful_relationships import build_helpful_relationships
from qes.demo.quickstart import DEMO_EMAIL
from qes.demo.reciprocity import build_reciprocity
from qes.services.project import opened
from qes.services.synthesis import matrix_table
from qes.synthesis.matrix import AppliedCode, CodeNode, StudyRef, build_matrix


def _timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - start


def _demo(name: str, build, folder: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    demo, built = _timed(build, folder / name)
    with opened(demo.root, actor=DEMO_EMAIL) as project:
        matrix_table(project)  # warm the connection once
        runs = [_timed(matrix_table, project) for _ in range(7)]
    table, computed = runs[0][0], statistics.median(seconds for _, seconds in runs)
    return {f"{name}_build_s": round(built, 2), f"{name}_matrix_median_s": round(computed, 4), f"{name}_rows": len(table.rows)}


def _synthetic() -> dict[str, float]:
    rng = random.Random(7)
    codes = [CodeNode(t, None, f"theme {t}", "theme", t) for t in range(1, 11)]
    codes += [CodeNode(100 + 10 * t + c, t, f"code {t}.{c}", "code", c) for t in range(1, 11) for c in range(5)]
    studies = [StudyRef(s, f"Study {s}", s) for s in range(1, 501)]
    leaves = [c.id for c in codes if c.parent_id is not None]
    applied = [AppliedCode(rng.randint(1, 500), 0, n, rng.choice(leaves), rng.random() < 0.1) for n in range(200_000)]
    matrix, seconds = _timed(build_matrix, codes, studies, applied)
    return {"synthetic_matrix_s": round(seconds, 3), "synthetic_cells": len(matrix.cells)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = _demo("reciprocity", build_reciprocity, Path(tmp))
        results |= _demo("helpful", build_helpful_relationships, Path(tmp))
    results |= _synthetic()
    print(json.dumps(results, indent=2) if args.json else "\n".join(f"{k:28} {v}" for k, v in results.items()))


if __name__ == "__main__":
    main()
