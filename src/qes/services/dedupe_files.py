"""De-duplicate export files on disk, without a project (what ASySD and bib-dedupe users do).

    find_duplicates_in_files([a.ris, b.csv], out_dir) → DIR/groups.csv, DIR/maybe.csv, DIR/unique.<fmt>

Two passes over the files so a million records fit in memory: the first keeps only each record's
compact comparison keys, the second streams the records again and writes the unique file, holding
back only the members of a group until the group is complete.

`record_id` in the CSVs is the record's identifier in its file (RIS ID/AN, CSV id column, PMID...;
its position in the file when it has none). When several files are given and identifiers repeat
across them, every id is written as `file name:id` so none is ambiguous.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qes.dedupe.merge import merge_records
from qes.dedupe.pipeline import DedupeResult, Progress, find_duplicates
from qes.dedupe.prep import Prepared, prepare
from qes.errors import UserError
from qes.formats.registry import read_file, write_records
from qes.gcpause import paused_gc
from qes.records.model import Record

# Reader name → writer name and file extension for unique.<ext>; formats qes cannot write become RIS.
_WRITER_FOR = {"ris": ("ris", "ris"), "bibtex": ("bibtex", "bib"), "csv": ("csv", "csv")}


@dataclass(slots=True)
class FilesSummary:
    records: int
    unique: int
    duplicates_removed: int
    groups: int
    maybe: int
    compared_pairs: int
    files: list[dict[str, object]] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    rules: dict[str, int] = field(default_factory=dict)


def _noop(step: str, done: int, total: int) -> None:
    return None


def _record_id(record: Record) -> str:
    return record.source_id or str(record.origin.position)


# Up to this many records are kept in memory from the first pass (no second read of the files).
KEEP_RECORDS = 100_000


@dataclass(slots=True)
class _FirstPass:
    prepared: list[Prepared]
    ids: list[str]
    file_of: list[int]
    titles: list[str]
    formats: list[str]
    records: list[Record] | None  # None when there were too many to keep


def _first_pass(paths: Sequence[Path], progress: Progress) -> _FirstPass:
    prepared: list[Prepared] = []
    kept: list[Record] | None = []
    ids: list[str] = []
    file_of: list[int] = []
    titles: list[str] = []
    formats: list[str] = []
    for number, path in enumerate(paths):
        with read_file(path) as reader:
            formats.append(reader.format)
            for record in reader:
                prepared.append(prepare(record, len(prepared)))
                if kept is not None:
                    kept.append(record)
                    if len(kept) > KEEP_RECORDS:
                        kept = None
                ids.append(_record_id(record))
                file_of.append(number)
                titles.append(record.title)
                if len(prepared) % 5000 == 0:
                    progress("read", len(prepared), 0)
    progress("read", len(prepared), len(prepared))
    return _FirstPass(prepared, ids, file_of, titles, formats, kept)


def _display_ids(paths: Sequence[Path], ids: list[str], file_of: list[int]) -> list[str]:
    if len(paths) == 1 or len(set(zip(ids, file_of, strict=True))) == len(set(ids)) == len(ids):
        return ids
    return [f"{paths[f].name}:{i}" for i, f in zip(ids, file_of, strict=True)]


def _write_groups(out: Path, result: DedupeResult, ids: list[str]) -> None:
    with (out / "groups.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "group_id"])
        for number, members in enumerate(result.groups, start=1):
            for i in members:
                writer.writerow([ids[i], number])


def _write_maybe(out: Path, result: DedupeResult, ids: list[str], titles: list[str]) -> None:
    with (out / "maybe.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id_1", "record_id_2", "reason", "title_similarity", "title_1", "title_2"])
        for m in result.maybe:
            writer.writerow([ids[m.first], ids[m.second], m.rule, f"{m.score:.1f}", titles[m.first], titles[m.second]])


def _write_unique(
    out: Path, paths: Sequence[Path], fmt: str, result: DedupeResult, kept: list[Record] | None, progress: Progress
) -> Path:
    writer_name, ext = _WRITER_FOR.get(fmt, ("ris", "ris"))
    target = out / f"unique.{ext}"
    group_of = {i: g for g, members in enumerate(result.groups) for i in members}
    waiting: dict[int, list[Record]] = {}

    def all_records() -> Iterator[Record]:
        if kept is not None:
            yield from kept
            return
        for path in paths:
            with read_file(path) as reader:
                yield from reader

    def unique_records() -> Iterator[Record]:
        for index, record in enumerate(all_records()):
            if index % 5000 == 0:
                progress("write", index, 0)
            g = group_of.get(index)
            if g is None:
                yield record
                continue
            held = waiting.setdefault(g, [])
            held.append(record)
            if len(held) == len(result.groups[g]):
                yield merge_records(waiting.pop(g))

    with target.open("w", newline="", encoding="utf-8") as fh:
        write_records(unique_records(), writer_name, fh)
    return target


def find_duplicates_in_files(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    progress: Progress = _noop,
    on_files_read: Callable[[int], None] | None = None,
) -> FilesSummary:
    """De-duplicate `paths` together; write groups.csv, maybe.csv, unique.<fmt>, summary.json to `out_dir`."""
    started = time.perf_counter()
    files = [Path(p) for p in paths]
    if not files:
        raise UserError("no input files given")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: exists and is not a directory")
    with paused_gc():
        return _find_in_files(files, out, progress, on_files_read, started)


def _find_in_files(
    files: list[Path], out: Path, progress: Progress, on_files_read: Callable[[int], None] | None, started: float
) -> FilesSummary:
    first = _first_pass(files, progress)
    prepared, file_of, titles, formats = first.prepared, first.file_of, first.titles, first.formats
    if on_files_read:
        on_files_read(len(prepared))
    result = find_duplicates(prepared, progress=progress)
    ids = _display_ids(files, first.ids, file_of)
    out.mkdir(parents=True, exist_ok=True)
    _write_groups(out, result, ids)
    _write_maybe(out, result, ids, titles)
    unique_path = _write_unique(out, files, formats[0], result, first.records, progress)
    removed_per_file = [0] * len(files)
    for members in result.groups:
        for i in members[1:]:  # the first record of a group stands for it; the others are removed
            removed_per_file[file_of[i]] += 1
    per_file_counts = [0] * len(files)
    for f in file_of:
        per_file_counts[f] += 1
    summary = FilesSummary(
        records=len(prepared),
        unique=len(prepared) - result.duplicates_removed,
        duplicates_removed=result.duplicates_removed,
        groups=len(result.groups),
        maybe=len(result.maybe),
        compared_pairs=result.compared,
        files=[
            {"file": str(f), "format": fmt, "records": n, "duplicates_removed": r}
            for f, fmt, n, r in zip(files, formats, per_file_counts, removed_per_file, strict=True)
        ],
        outputs={"groups": str(out / "groups.csv"), "maybe": str(out / "maybe.csv"), "unique": str(unique_path)},
        rules=dict(sorted(result.rules.items())),
    )
    summary.seconds = round(time.perf_counter() - started, 3)
    (out / "summary.json").write_text(json.dumps(asdict(summary), indent=2, ensure_ascii=False), encoding="utf-8")
    return summary
