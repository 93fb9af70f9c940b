"""Reporting speed on the helpful-relationships demo (review 001: 5,587 records, 21 studies, 500 segments).

    .venv/bin/python benchmarks/report_bench.py [--project DIR] [--repeat 3]

Builds the demo (unless --project names one), then times each report as the service computes it in
one process (best of --repeat): the PRISMA counts, the diagram as SVG / PNG / PDF, every table in
DOCX, the review report in HTML and DOCX, and the whole audit trail as CSV.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qes.demo.helpful_relationships import build_helpful_relationships
from qes.reporting.render import render_bytes
from qes.services.audit import export_audit
from qes.services.prisma import prisma_counts
from qes.services.project import opened
from qes.services.report import report_table, write_prisma
from qes.services.review import write_review
from qes.services.users import list_members


def best(repeat: int, work: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = args.project or Path(folder) / "review001"
        if args.project is None:
            build_helpful_relationships(root)
        with opened(root) as p:
            p.actor = next(m for m in list_members(p) if m.role == "owner").email
            rows: list[tuple[str, float]] = [("prisma counts (json)", best(args.repeat, lambda: prisma_counts(p)))]
            for fmt, stream in (("svg", io.StringIO), ("png", io.BytesIO), ("pdf", io.BytesIO)):
                rows.append((f"prisma diagram ({fmt})", best(args.repeat, lambda f=fmt, s=stream: write_prisma(p, f, s()))))  # type: ignore[misc]
            for name in ("studies", "matrix", "grid", "excluded", "search-log"):
                rows.append((f"table {name} (docx)", best(args.repeat, lambda n=name: render_bytes(report_table(p, n), "docx"))))  # type: ignore[misc]
            rows.append(("review report (html)", best(args.repeat, lambda: write_review(p, "html", io.StringIO()))))
            rows.append(("review report (docx)", best(args.repeat, lambda: write_review(p, "docx", io.BytesIO()))))
            rows.append(("audit trail (csv)", best(args.repeat, lambda: export_audit(p, "csv", io.StringIO(), viewer=p.actor))))
    print(f"{'report':28} {'seconds':>8}")
    for name, seconds in rows:
        print(f"{name:28} {seconds:8.3f}")


if __name__ == "__main__":
    main()
