"""Team workbench under load: 5 reviewers screening over HTTP against a real `qes serve` (issue 9).

    .venv/bin/python benchmarks/web_bench.py [--db sqlite|postgresql|both] [--records 50000]
        [--reviewers 5] [--decisions 100] [--workers CORES] [--order priority|random] [--work /tmp/qes-web-bench]

A project of `--records` generated records (imported once through the service, not timed here), one
blind title-abstract stage needing two votes, `--reviewers` members. `qes serve` runs as a separate
process (`--workers` uvicorn workers, by default one per core, at most 4); each reviewer is a process
with its own HTTP session (its own cookie, connection and interpreter: the clients share no GIL) that
repeats: GET
/api/screening/{stage}/next, then POST the decision. Reported: p50 / p95 latency (ms) of each,
decisions per second, and the check that no decision was lost (votes stored == decisions answered 200 == screen.decide events).
PostgreSQL runs on a throw-away server (initdb + pg_ctl, as tests/pgserver.py does).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import func, select

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the throw-away PostgreSQL server of the tests

from screening_bench import percentile, write_ris  # noqa: E402  (the same generated records and percentiles)

from pgserver import PostgresServer  # noqa: E402
from qes.services import stopping  # noqa: E402
from qes.services.importing import import_file  # noqa: E402
from qes.services.project import init_project, opened  # noqa: E402
from qes.services.protocol import add_criterion, add_stage  # noqa: E402
from qes.services.users import add_member, add_user  # noqa: E402
from qes.store.schema import Event, ScreeningDecision  # noqa: E402

STAGE = "title-abstract"
PASSWORD = "bench-password"


def make_project(root: Path, records: int, reviewers: int, database: str | None, order: str, work: Path) -> list[str]:
    shutil.rmtree(root, ignore_errors=True)
    project = init_project(root, name="Web bench", database=database, actor="owner@bench.org")
    emails = [f"reviewer{i}@bench.org" for i in range(1, reviewers + 1)]
    for email in emails:
        add_user(project.store, email, password=PASSWORD)
        add_member(project, email, role="reviewer")
    add_criterion(project, "E1", "Not about reciprocity", inclusion=False)
    add_stage(project, STAGE, kind="title-abstract", reviewers=2, blind=True)
    ris = work / f"web{records}.ris"
    if not ris.exists():
        write_ris(ris, records)
    started = time.perf_counter()
    import_file(project, ris, source="Generated")
    print(f"  imported {records:,} records in {time.perf_counter() - started:.1f} s", flush=True)
    add_member(project, "owner@bench.org", role="owner")
    if order != "priority":
        stopping.configure(project, STAGE, "owner@bench.org", order=order)
    project.close()
    return emails


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(root: Path, workers: int) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    command = [sys.executable, "-m", "qes", "serve", "--project", str(root), "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            httpx.get(url + "/login", timeout=2)
            return process, url
        except httpx.TransportError:
            if process.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"qes serve did not start: {process.stderr.read() if process.stderr else ''}") from None
            time.sleep(0.2)


def reviewer(url: str, email: str, decisions: int, start_at: float) -> tuple[list[float], list[float], int, int]:
    """One reviewer in its own process (its own session, connections and GIL): (next ms, decide ms, answered, refused)."""
    nexts: list[float] = []
    decides: list[float] = []
    answered = refused = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        client.post("/api/login", json={"email": email, "password": PASSWORD}).raise_for_status()
        client.get(f"/api/screening/{STAGE}/next")  # warm: the first request opens the connection
        time.sleep(max(0.0, start_at - time.time()))  # every reviewer starts at once
        for k in range(decisions):
            t0 = time.perf_counter()
            item = client.get(f"/api/screening/{STAGE}/next")
            t1 = time.perf_counter()
            item.raise_for_status()
            if item.json().get("done"):
                break
            body = {"decision": "include"} if k % 3 else {"decision": "exclude", "reasons": ["E1"]}
            r = client.post(f"/api/screening/{STAGE}/records/{item.json()['record_id']}", json=body)
            t2 = time.perf_counter()
            if r.status_code == 200:
                answered += 1
            elif r.status_code == 409:
                # Two reviewers took the same record's last free vote at once: the record is full. Refused whole
                # (nothing written), which is the rule, so it is counted apart from the decisions answered.
                refused += 1
            else:
                raise RuntimeError(f"{email}: decide answered {r.status_code}: {r.text[:200]}")
            nexts.append((t1 - t0) * 1000)
            decides.append((t2 - t1) * 1000)
    return nexts, decides, answered, refused


def run(label: str, root: Path, args: argparse.Namespace, database: str | None) -> dict[str, float]:
    print(
        f"{label}: {args.records:,} records, {args.reviewers} reviewers x {args.decisions} decisions, {args.workers} worker(s)",
        flush=True,
    )
    emails = make_project(root, args.records, args.reviewers, database, args.order, Path(args.work))
    process, url = serve(root, args.workers)
    timings: dict[str, list[float]] = {"next": [], "decide": []}
    answered = refused = 0
    try:
        with multiprocessing.get_context("spawn").Pool(len(emails)) as pool:
            start_at = time.time() + 5
            jobs = [pool.apply_async(reviewer, (url, e, args.decisions, start_at)) for e in emails]
            results = [j.get() for j in jobs]
        wall = time.time() - start_at
        for nexts, decides, ok, full in results:
            timings["next"] += nexts
            timings["decide"] += decides
            answered += ok
            refused += full
    finally:
        process.terminate()
        process.wait(30)
    with opened(root, db=database) as p, p.store.read() as session:
        votes = session.scalar(select(func.count()).select_from(ScreeningDecision)) or 0
        events = session.scalar(select(func.count()).select_from(Event).where(Event.action == "screen.decide")) or 0
    figures = {
        "next_p50": percentile(timings["next"], 50),
        "next_p95": percentile(timings["next"], 95),
        "decide_p50": percentile(timings["decide"], 50),
        "decide_p95": percentile(timings["decide"], 95),
        "per_second": answered / wall,
    }
    lost = answered - votes
    print(
        f"  next p50 {figures['next_p50']:.1f} ms, p95 {figures['next_p95']:.1f} ms; "
        f"decide p50 {figures['decide_p50']:.1f} ms, p95 {figures['decide_p95']:.1f} ms; "
        f"{figures['per_second']:.1f} decisions/s; answered {answered} (+{refused} refused: record full), "
        f"votes {votes}, events {events}, lost {lost}",
        flush=True,
    )
    assert votes == answered == events, "a decision was lost (or its event)"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--reviewers", type=int, default=5)
    parser.add_argument("--decisions", type=int, default=100)
    # A team server runs about one worker per core (BENCHMARKS.md: on 2 cores, 2 workers beat 1 and 4).
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--order", choices=("priority", "random", "file"), default="priority")
    parser.add_argument("--work", default="/tmp/qes-web-bench")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.db in ("sqlite", "both"):
        run("SQLite", work / "sqlite", args, None)
    if args.db in ("postgresql", "both"):
        server = PostgresServer()
        try:
            run("PostgreSQL", work / "postgresql", args, server.new_database())
        finally:
            server.stop()


if __name__ == "__main__":
    main()
