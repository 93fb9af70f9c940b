"""Extraction: what an extractor waits for, on a review with many studies.

    .venv/bin/python benchmarks/extraction_bench.py [--studies 500] [--work /tmp/qes-extraction-bench]

On a project of `--studies` studies (SQLite, the embedded default) with review 000's Table 1 form,
two extractors each save and submit an entry per study, and a third person reconciles the studies
they differ on. Timed through the service layer the CLI, pages and API all call (p50 / p95, ms):
save_entry (submit), study_form (a study's page: the blind rule and the comparison), reconcile_study,
form_overview (the /extraction page: every study's state) and studies_table (Table 1), once each at
the end. No open tool extracts from a script (Covidence, EPPI-Reviewer and DistillerSR are web
services), so these are absolute figures.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qes.services import extraction, studies
from qes.services.project import init_project
from qes.services.users import add_member

A, B, ADJ = "a@bench.org", "b@bench.org", "adj@bench.org"


def timed(calls: list[float], fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    calls.append((time.perf_counter() - start) * 1000)
    return result


def percentiles(calls: list[float]) -> str:
    ordered = sorted(calls)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=500)
    parser.add_argument("--work", type=Path, default=Path("/tmp/qes-extraction-bench"))
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    project = init_project(args.work / "review", actor=ADJ)
    for email, role in ((A, "reviewer"), (B, "reviewer"), (ADJ, "adjudicator")):
        add_member(project, email, role=role)
    extraction.add_form(project, "table1", template="review000-table1", actor=ADJ)
    labels = [studies.add_study(project, f"Author{i} et al. ({1990 + i % 30})", actor=ADJ).label for i in range(args.studies)]
    saves: list[float] = []
    pages: list[float] = []
    reconciles: list[float] = []
    for i, label in enumerate(labels):
        common = {"authors": f"Author{i}, Other", "year": 1990 + i % 30, "country": "USA", "participants_setting": "x " * 40}
        for person, methods in ((A, "Interviews"), (B, "Interviews" if i % 2 else "Focus groups")):
            values = common | {"methods": methods, "conceptualisation": f"reciprocity as {person}"}
            timed(saves, extraction.save_entry, project, label, "table1", values, person=person, submit=True)
        seen = timed(pages, extraction.study_form, project, label, "table1", A)
        take = {c.key: B for c in seen.comparison if not c.agreed}
        timed(reconciles, extraction.reconcile_study, project, label, "table1", actor=ADJ, take=take)
    overview: list[float] = []
    table: list[float] = []
    timed(overview, extraction.form_overview, project, "table1", A)
    built = timed(table, extraction.studies_table, project, "table1", viewer=A)
    assert len(built.rows) == args.studies
    project.close()
    print(f"studies: {args.studies}")
    print(f"save_entry (submit):      {percentiles(saves)}")
    print(f"study_form (study page):  {percentiles(pages)}")
    print(f"reconcile_study:          {percentiles(reconciles)}")
    print(f"form_overview (all):      {overview[0]:.0f} ms")
    print(f"studies_table (Table 1):  {table[0]:.0f} ms")


if __name__ == "__main__":
    main()
