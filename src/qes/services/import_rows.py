"""The rows of one import file, read here or, for a large file, by worker processes.

Reading and normalising is most of an import's work and the database insert the rest, so on a
machine with more than one core a large file is cut into chunks of whole records
(`FileReader.chunks`) that worker processes read and turn into `records` rows, while this
process inserts the rows of the chunks before them. Results are taken in file order and at most
a few chunks are in flight, so memory stays bounded and the rows, warnings and errors are those
of reading the file in one pass: an unreadable record still stops the import with `file:line`,
and the caller's transaction rolls back everything.

A worker is `python -m qes.services.import_rows`, fed pickled chunks on stdin and answering
on stdout, rather than a `multiprocessing` child: a fork would copy the open database
connection and whatever locks other threads hold (the web server's), and a spawned child would
re-run the caller's main script. It imports only the readers and `qes.records.storage`.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import traceback
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from qes.errors import InputFileError
from qes.formats.base import Chunk
from qes.formats.registry import FileReader, read_chunk
from qes.gcpause import paused_gc
from qes.records.storage import record_values

Row = tuple[Any, ...]
BATCH = 5000  # rows per insert when reading in this process
CHUNK_CHARS = 1 << 20  # characters per chunk a worker reads (RIS: about 300 records)
PARALLEL_MIN_BYTES = 4 << 20  # smaller files are read here: starting workers would cost more
_IN_FLIGHT_PER_WORKER = 2


def default_workers(size_bytes: int) -> int:
    """Worker processes for a file of `size_bytes`: 0 (read here) unless it is large and a core is idle.

    Workers add 40-45% to the CPU an import uses (their start, rows pickled across), which
    pays only when a core would otherwise be idle: measured on a 2-core machine whose cores other
    jobs kept busy, they were no faster. So they start only while the load average leaves a core
    free. QES_IMPORT_WORKERS=N overrides the choice for large files (0: never start workers).
    """
    if size_bytes < PARALLEL_MIN_BYTES or not sys.executable:
        return 0
    wanted = os.environ.get("QES_IMPORT_WORKERS", "")
    if wanted.strip().isdigit():
        return int(wanted)
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average (Windows): assume the machine is ours
        busy = 0.0
    return 0 if cores < 2 or cores - busy < 1 else min(cores, 2)


@contextmanager
def row_batches(reader: FileReader, *, project_id: int, import_id: int, workers: int) -> Iterator[Iterator[list[Row]]]:
    """Batches of `record_values` rows of every record of `reader`, in file order.

    `workers` > 0 reads chunks in that many processes when the format can be cut into chunks;
    the workers are stopped when the block ends, also on error.
    """
    if workers <= 0 or not reader.splittable:
        yield _read_here(reader, project_id, import_id)
        return
    pool: list[_Worker] = []
    finished = False
    try:
        pool.extend(_Worker() for _ in range(workers))
        yield _read_in_workers(pool, reader, project_id, import_id)
        finished = True
    finally:
        for worker in pool:
            worker.stop(at_once=not finished)


def _read_here(reader: FileReader, project_id: int, import_id: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for record in reader:
        batch.append(record_values(record, project_id=project_id, import_id=import_id))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


Problem = tuple[int, int, str]  # line, record, message
ChunkResult = tuple[list[Row], list[Problem], Problem | None, str | None]  # rows, warnings, error, crash


class _Worker:
    """One worker process; a thread writes its tasks, so a full pipe never blocks the reader."""

    def __init__(self) -> None:
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parents[2])  # the folder holding the qes package
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qes.services.import_rows"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self._tasks: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._feeder = threading.Thread(target=self._feed, name="qes-import-feeder", daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            while (task := self._tasks.get()) is not None:
                pickle.dump(task, stdin, protocol=pickle.HIGHEST_PROTOCOL)
                stdin.flush()
            stdin.close()
        except (BrokenPipeError, ValueError):
            pass  # the worker was stopped: nothing more to send

    def send(self, task: tuple[Any, ...]) -> None:
        self._tasks.put(task)

    def receive(self) -> ChunkResult:
        try:
            result: ChunkResult = pickle.load(self.process.stdout)  # type: ignore[arg-type]
        except (EOFError, pickle.UnpicklingError):
            raise RuntimeError(f"an import worker stopped unexpectedly (exit code {self.process.wait()})") from None
        return result

    def stop(self, *, at_once: bool) -> None:
        """End the worker: its input closed (it exits when done), or killed when the import failed."""
        self._tasks.put(None)
        try:
            self.process.wait(timeout=0 if at_once else 10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._feeder.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _read_in_workers(pool: list[_Worker], reader: FileReader, project_id: int, import_id: int) -> Iterator[list[Row]]:
    in_flight: deque[_Worker] = deque()  # whose answer comes next, in file order
    window = len(pool) * _IN_FLIGHT_PER_WORKER
    task = (reader.format, reader.file_name, reader.context.source, project_id, import_id)
    for n, chunk in enumerate(reader.chunks(CHUNK_CHARS)):
        worker = pool[n % len(pool)]  # round robin: each worker answers its tasks in order
        worker.send((chunk, *task))
        in_flight.append(worker)
        if len(in_flight) >= window:
            yield _take(in_flight.popleft().receive(), reader)
    while in_flight:
        yield _take(in_flight.popleft().receive(), reader)


def _take(result: ChunkResult, reader: FileReader) -> list[Row]:
    rows, warnings, error, crash = result
    if crash is not None:
        raise RuntimeError(f"an import worker failed:\n{crash}")
    for line, record, message in warnings:
        reader.context.warn(message, line=line, record=record)
    if error is not None:
        line, record, message = error
        raise InputFileError(reader.file_name, message, line=line, record=record)
    return rows


def chunk_rows(chunk: Chunk, fmt: str, file_name: str, source: str, project_id: int, import_id: int) -> ChunkResult:
    """The rows and warnings of one chunk, or the error that stops the import (what a worker answers)."""
    try:
        records, warnings = read_chunk(chunk, fmt, file_name, source)
    except InputFileError as exc:
        return [], [], (exc.line, exc.record, exc.message), None
    rows = [record_values(r, project_id=project_id, import_id=import_id) for r in records]
    return rows, [(w.line, w.record, w.message) for w in warnings], None, None


def serve(tasks: IO[bytes], answers: IO[bytes]) -> None:
    """A worker's loop: a pickled task in, a pickled `ChunkResult` out, until the input ends."""
    with paused_gc():
        while True:
            try:
                task = pickle.load(tasks)
            except EOFError:
                return
            try:
                result = chunk_rows(*task)
            except Exception:  # a bug, not bad input: reported by the importing process (exit 1)
                result = [], [], None, traceback.format_exc()
            pickle.dump(result, answers, protocol=pickle.HIGHEST_PROTOCOL)
            answers.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
