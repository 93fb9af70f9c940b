"""Import one database export into a project: one file, one transaction, nothing half-imported.

    import_file(project, Path("psycinfo.ris"), source="PsycINFO (Ovid)", searched="2015-02-10")

Reads lazily (a 1 GB file streams; rows go to the database in batches inside the one
transaction), refuses a file already imported (same sha256) unless `again`, and records the
import as an event. Any unreadable record aborts the whole file with `file:line: message`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from sqlalchemy.orm import Session

from qes.errors import Conflict, InputFileError, UserError
from qes.formats import read_file
from qes.gcpause import paused_gc
from qes.records.model import ReadWarning
from qes.services.import_rows import default_workers, row_batches
from qes.services.project import Project
from qes.store import projects as project_store
from qes.store.events import log_event
from qes.store.records import insert_values
from qes.store.schema import Import, Source


@dataclass
class ImportResult:
    imported: int
    file: str
    source: str
    format: str
    encoding: str
    sha256: str
    import_id: int
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "imported": self.imported,
            "warnings": self.warnings,
            "file": self.file,
            "source": self.source,
            "format": self.format,
            "encoding": self.encoding,
            "sha256": self.sha256,
            "import_id": self.import_id,
        }


def parse_date(value: str | dt.date | None, what: str = "date") -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UserError(f"{what} {value!r} is not a date in the form YYYY-MM-DD") from None


def file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class _HashInBackground:
    """The sha256 of a file, digested in a thread while the import reads the file.

    hashlib and file reads let go of the GIL, so with a core to spare the hash costs the import
    no time (a third of a second for 300 MB), and on a busy machine the same CPU as before. As a
    context manager it stops the thread on the way out (the import failed: no need to read on).
    """

    def __init__(self, path: Path) -> None:
        self._digest = hashlib.sha256()
        self._size = 0
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(path,), name="qes-import-sha256", daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            with path.open("rb") as fh:
                while not self._stop.is_set() and (chunk := fh.read(1 << 20)):
                    self._digest.update(chunk)
                    self._size += len(chunk)
        except BaseException as exc:  # handed to the importing thread by result()
            self._error = exc

    def result(self) -> tuple[str, int]:
        """(sha256, size in bytes) of the whole file, once the thread has read it."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._digest.hexdigest(), self._size

    def __enter__(self) -> _HashInBackground:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()


def _check_file(path: Path) -> None:
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if path.is_dir():
        raise UserError(f"{path}: is a folder, not an export file")


def import_file(
    project: Project,
    path: Path,
    *,
    source: str,
    searched: str | dt.date | None = None,
    again: bool = False,
    fmt: str | None = None,
    display_name: str | None = None,
    on_progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    within: Callable[[Session, Import, Source], None] | None = None,
) -> ImportResult:
    """Import every record of `path` as coming from database `source`, or nothing at all.

    `workers`: processes that read while this one inserts (None: by file size and cores; 0: none).
    `within(session, import, source)` runs inside the import's transaction once the records are in,
    so a caller's own rows (the search log's run) commit or roll back with the file.
    """
    path = Path(path)
    _check_file(path)
    if not source or not source.strip():
        raise UserError("--source is required: name the database as searched, e.g. 'PsycINFO (Ovid)'")
    source = source.strip()
    searched_on = parse_date(searched, "--searched")
    name = display_name or path.name
    size = path.stat().st_size
    with project.store.read() as session:
        may_be_repeat = project_store.has_import_of_size(session, project.id, size)
    earlier = None
    hashing: _HashInBackground | None = None
    if may_be_repeat:  # only a file of a size imported before can have the same contents: tell first
        sha256, size = file_sha256(path)
        with project.store.read() as session:
            earlier = project_store.find_import_by_hash(session, project.id, sha256)
        if earlier is not None and not again:
            raise Conflict(
                f"{name}: already imported as import {earlier.id} on {earlier.imported_at:%Y-%m-%d %H:%M} "
                f"(same contents, sha256 {sha256[:12]}…); pass --again to import it once more"
            )
    else:  # a new file: its hash is only stored, so it is computed alongside the reading
        sha256, hashing = "", _HashInBackground(path)
    hashed: AbstractContextManager[object] = hashing if hashing is not None else nullcontext()

    warnings: list[ReadWarning] = []
    with (
        hashed,
        paused_gc(),
        project.store.transaction() as session,
        read_file(path, source=source, fmt=fmt, display_name=name) as reader,
    ):
        src, created = project_store.get_or_create_source(session, project.id, source, searched_on=searched_on)
        imp = Import(
            project_id=project.id,
            source_id=src.id,
            file_name=name,
            sha256=sha256,
            size_bytes=size,
            format=reader.format,
            encoding=reader.encoding,
            record_count=0,
            warnings=[],
            searched_on=searched_on,
            imported_by=project.actor,
        )
        session.add(imp)
        session.flush()
        count = 0
        readers = default_workers(size) if workers is None else workers
        with row_batches(reader, project_id=project.id, import_id=imp.id, workers=readers) as batches:
            for batch in batches:
                insert_values(session, batch)
                count += len(batch)
                if on_progress:
                    on_progress(len(batch))
        if count == 0:
            raise InputFileError(name, f"no records found (read as {reader.format})")
        if hashing is not None:
            sha256, imp.size_bytes = hashing.result()
            imp.sha256 = sha256
        warnings = list(reader.warnings)
        imp.record_count = count
        imp.warnings = [{"line": w.line, "record": w.record, "message": w.message} for w in warnings]
        if within is not None:
            within(session, imp, src)
        if created:
            log_event(
                session,
                project_id=project.id,
                actor=project.actor,
                action="source.create",
                entity="source",
                entity_id=src.id,
                data={"name": source},
            )
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action="import.file",
            entity="import",
            entity_id=imp.id,
            data={
                "file": name,
                "source": source,
                "format": reader.format,
                "records": count,
                "warnings": len(warnings),
                "sha256": sha256,
                "searched": searched_on.isoformat() if searched_on else None,
                "again": bool(earlier),
            },
        )
        import_id = imp.id
        encoding, fmt_name = reader.encoding, reader.format
    project.store.refresh_statistics()
    return ImportResult(
        imported=count,
        file=name,
        source=source,
        format=fmt_name,
        encoding=encoding,
        sha256=sha256,
        import_id=import_id,
        warnings=[str(w) for w in warnings],
    )


@dataclass(frozen=True)
class ImportReport:
    import_id: int
    file: str
    source: str
    format: str
    records: int
    imported_at: dt.datetime
    warnings: list[str]


def import_reports(project: Project, import_id: int | None = None) -> list[ImportReport]:
    """Every import of the project (or one), with its per-record warnings."""
    with project.store.read() as session:
        rows = project_store.list_imports(session, project.id)
    out = []
    for imp, src in rows:
        if import_id is not None and imp.id != import_id:
            continue
        texts = [
            str(ReadWarning(imp.file_name, w.get("line", 0), w.get("record", 0), w.get("message", "")))
            for w in imp.warnings or []
        ]
        out.append(ImportReport(imp.id, imp.file_name, src.name, imp.format, imp.record_count, imp.imported_at, texts))
    if import_id is not None and not out:
        raise UserError(f"no import {import_id} in this project")
    return out
