"""The search log (PRISMA-S): every search as run, per database, with the file it produced.

    log_search(project, database="PsycINFO", interface="Ovid", run_on="2015-02-10", hits=1043,
               strategy="main", syntax="ovid", file=Path("psycinfo.ris"), source="PsycINFO (Ovid)")

A run records the database and interface, the date, the exact strategy as run (a saved strategy's
version written in the run's syntax, or text typed into the database by hand), the hits the
database reported, the limits applied, and the `sources`/`imports` rows of the export. With
`file`, the export is imported in the same transaction as the run is logged: both or neither.
The appendix and the PRISMA identification counts are derived from these rows, never typed in.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from qes.errors import Conflict, NotFound, UserError
from qes.reporting.render import markdown_inline
from qes.reporting.tables import Table
from qes.search import write
from qes.search.model import from_dict
from qes.services.importing import ImportResult, import_file, parse_date
from qes.services.project import Project
from qes.services.strategies import check_syntax, parse_reference, require_search_writer, version_row
from qes.store import search as search_store
from qes.store.events import log_event
from qes.store.schema import Import, Source
from qes.store.schema_search import SearchRun


@dataclass(frozen=True)
class RunInfo:
    id: int
    database: str
    interface: str
    date: dt.date
    syntax: str
    strategy_text: str
    hits_reported: int | None
    limits: str
    notes: str
    method: str
    strategy: str | None
    version: int | None
    source: str | None
    import_id: int | None
    file: str | None
    records_imported: int | None
    logged_by: str

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "date": self.date.isoformat()}


def _run_info(row: search_store.RunRow) -> RunInfo:
    r = row.run
    return RunInfo(
        r.id, r.database, r.interface, r.run_on, r.syntax, r.strategy_text, r.hits_reported, r.limits, r.notes, r.method,
        row.strategy, row.version, row.source, r.import_id, row.file, row.records_imported, r.logged_by,
    )  # fmt: skip


@dataclass(frozen=True)
class _Planned:
    """A run checked and ready to write (everything a user can get wrong is found before any write)."""

    fields: dict[str, Any]
    reference: tuple[str, int | None] | None


def _plan(
    project: Project,
    *,
    database: str,
    interface: str,
    run_on: str | dt.date | None,
    hits: int | None,
    strategy: str | None,
    text: str | None,
    syntax: str | None,
    limits: str,
    notes: str,
    method: str,
) -> _Planned:
    if not database.strip():
        raise UserError("--database is required: the database searched, e.g. PsycINFO")
    if not interface.strip():
        raise UserError("--interface is required: the platform searched through, e.g. Ovid, EBSCOhost, ProQuest")
    date = parse_date(run_on, "--date")
    if date is None:
        raise UserError("--date is required: the day the search was run, YYYY-MM-DD")
    if date > dt.date.today() + dt.timedelta(days=1):
        raise UserError(f"--date {date.isoformat()} is in the future")
    if hits is not None and hits < 0:
        raise UserError(f"--hits {hits}: the number of records the database reported cannot be negative")
    if not strategy and not (text and text.strip()):
        raise UserError("say what was run: --strategy NAME[@VERSION] (a saved strategy) or --text 'AS RUN'")
    syntax = check_syntax(syntax) if syntax else ""
    reference = parse_reference(strategy) if strategy else None
    fields: dict[str, Any] = {
        "project_id": project.id,
        "database": database.strip(),
        "interface": interface.strip(),
        "syntax": syntax,
        "run_on": date,
        "strategy_text": (text or "").strip(),
        "hits_reported": hits,
        "limits": limits.strip(),
        "notes": notes.strip(),
        "method": method,
        "logged_by": project.actor,
    }
    with project.store.read() as session:  # refused early, before a file is read (checked again when written)
        require_search_writer(session, project, "log searches")
    if reference:  # resolve now, so a wrong name fails before anything is imported
        with project.store.read() as session:
            row = version_row(session, project, *reference)
            fields["strategy_id"], fields["strategy_version_id"] = row.strategy_id, row.id
            if not fields["strategy_text"]:
                if not syntax or syntax == row.syntax:
                    fields["syntax"], fields["strategy_text"] = row.syntax, row.text
                else:  # written for this database now: what could not be said exactly goes in the notes
                    written = write(from_dict(row.tree), syntax)
                    fields["strategy_text"] = written.text
                    changes = [f"{m.code} {m.text}" for m in written.messages]
                    if changes:
                        origin = f"Written from {reference[0]} version {row.version} ({row.syntax}) for {syntax}: "
                        fields["notes"] = "\n".join(filter(None, [fields["notes"], origin + "; ".join(changes)]))
    return _Planned(fields, reference)


def _fill_source(source: Source, run: SearchRun) -> None:
    """The source row (PRISMA-S) takes the run's facts where it has none yet; it is never overwritten."""
    source.database = source.database or run.database
    source.interface = source.interface or run.interface
    source.strategy = source.strategy or run.strategy_text
    if source.hits_reported is None:
        source.hits_reported = run.hits_reported
    if source.searched_on is None:
        source.searched_on = run.run_on


def _write_run(
    session: Session, project: Project, planned: _Planned, imp: Import | None, source: Source | None, action: str
) -> SearchRun:
    require_search_writer(session, project, "log searches")
    if imp is not None:
        linked = search_store.runs_of_import(session, imp.id)
        if linked:
            raise Conflict(f"import {imp.id} ({imp.file_name}) is already the file of search {linked[0].id}")
    run = search_store.add_run(
        session, **planned.fields, import_id=imp.id if imp else None, source_id=source.id if source else None
    )
    if source is not None:
        _fill_source(source, run)
    log_event(
        session,
        project_id=project.id,
        actor=project.actor,
        action=action,
        entity="search_run",
        entity_id=run.id,
        data={
            "database": run.database,
            "interface": run.interface,
            "date": run.run_on.isoformat(),
            "syntax": run.syntax,
            "text": run.strategy_text,
            "hits": run.hits_reported,
            "limits": run.limits,
            "strategy": planned.reference[0] if planned.reference else None,
            "strategy_version_id": run.strategy_version_id,
            "import_id": run.import_id,
        },
    )
    return run


def log_search(
    project: Project,
    *,
    database: str,
    interface: str,
    run_on: str | dt.date | None,
    hits: int | None,
    strategy: str | None = None,
    text: str | None = None,
    syntax: str | None = None,
    limits: str = "",
    notes: str = "",
    import_id: int | None = None,
    file: Path | None = None,
    source: str | None = None,
    method: str = "manual",
    action: str = "search.log",
    fmt: str | None = None,
    display_name: str | None = None,
    again: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[RunInfo, ImportResult | None]:
    """Log one search as run; with `file`, import its export in the same transaction."""
    if import_id is not None and file is not None:
        raise UserError("give either --import-id (a file already imported) or --file (import it now), not both")
    planned = _plan(
        project, database=database, interface=interface, run_on=run_on, hits=hits, strategy=strategy, text=text,
        syntax=syntax, limits=limits, notes=notes, method=method,
    )  # fmt: skip
    created: list[int] = []
    result: ImportResult | None = None
    if file is not None:
        name = (source or "").strip() or f"{planned.fields['database']} ({planned.fields['interface']})"

        def within(session: Session, imp: Import, src: Source) -> None:
            created.append(_write_run(session, project, planned, imp, src, action).id)

        result = import_file(
            project, file, source=name, searched=planned.fields["run_on"], fmt=fmt, display_name=display_name,
            again=again, on_progress=on_progress, within=within,
        )  # fmt: skip
    else:
        with project.store.transaction() as session:
            found = search_store.get_import(session, project.id, import_id) if import_id is not None else None
            if import_id is not None and found is None:
                raise NotFound(f"no import {import_id} in this project (qes import --report lists them)")
            imp, src = found if found else (None, None)
            created.append(_write_run(session, project, planned, imp, src, action).id)
    return get_run(project, created[0]), result


def link_import(project: Project, run_id: int, import_id: int) -> RunInfo:
    """Attach the file a logged search produced (imported later) to its run."""
    with project.store.transaction() as session:
        require_search_writer(session, project, "log searches")
        run = search_store.get_run(session, project.id, run_id)
        if run is None:
            raise NotFound(f"no search {run_id} in the search log")
        if run.import_id is not None:
            raise Conflict(f"search {run_id} already has its file (import {run.import_id})")
        found = search_store.get_import(session, project.id, import_id)
        if found is None:
            raise NotFound(f"no import {import_id} in this project (qes import --report lists them)")
        imp, src = found
        linked = search_store.runs_of_import(session, imp.id)
        if linked:
            raise Conflict(f"import {imp.id} ({imp.file_name}) is already the file of search {linked[0].id}")
        run.import_id, run.source_id = imp.id, src.id
        _fill_source(src, run)
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action="search.link",
            entity="search_run",
            entity_id=run.id,
            data={"import_id": imp.id, "file": imp.file_name, "source": src.name},
        )
    return get_run(project, run_id)


def get_run(project: Project, run_id: int) -> RunInfo:
    for run in search_log(project):
        if run.id == run_id:
            return run
    raise NotFound(f"no search {run_id} in the search log")


def search_log(project: Project, *, strategy: str | None = None) -> list[RunInfo]:
    """Every search logged, in the order run (or those run with one strategy)."""
    with project.store.read() as session:
        strategy_id = None
        if strategy is not None:
            found = search_store.get_strategy(session, project.id, strategy)
            if found is None:
                raise NotFound(f"no search strategy {strategy!r} in this project (qes search list)")
            strategy_id = found.id
        return [_run_info(r) for r in search_store.list_runs(session, project.id, strategy_id=strategy_id)]


LOG_COLUMNS = ("Database", "Interface", "Date", "Strategy as run", "Limits", "Hits reported", "Records imported", "File")


def _count(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


def search_log_table(project: Project) -> Table:
    """PRISMA-S items 1, 2, 8, 9, 13 and 16 for every search: one row per search as run."""
    return table_of(search_log(project))


def table_of(runs: list[RunInfo]) -> Table:
    """The search-log table of these runs (a page showing runs and table shows the same rows)."""
    rows = tuple(
        (r.database, r.interface, r.date.isoformat(), r.strategy_text, r.limits, _count(r.hits_reported),
         _count(r.records_imported), r.file or "")
        for r in runs
    )  # fmt: skip
    notes = ["Hits reported: as the database reported them on the day; records imported: in the export file."]
    if any(r.file is None for r in runs):
        notes.append("A search without a file has no import linked to it yet (qes search log link SEARCH IMPORT).")
    return Table("Database searches", LOG_COLUMNS, rows, tuple(notes), key="search-log")


def prisma_s_appendix(project: Project) -> str:
    """Markdown: for each database, the full strategy as run with its date, interface and hits (PRISMA-S 8, 13)."""
    runs = search_log(project)
    lines = ["# Search strategies", ""]
    if not runs:
        return "\n".join([*lines, "No searches have been logged yet.", ""])
    by_database: dict[str, list[RunInfo]] = defaultdict(list)
    for run in runs:
        by_database[run.database].append(run)
    # What people typed (database, interface, limits, notes) is escaped: Markdown passes raw HTML through,
    # and the appendix is pasted into manuscripts rendered as HTML. The strategy, in a fence, is literal.
    md = markdown_inline
    for database, database_runs in by_database.items():
        lines += [f"## {md(database)}", ""]
        for run in database_runs:
            facts = [f"Interface: {md(run.interface)}", f"Date searched: {run.date.isoformat()}"]
            facts.append(f"Records reported: {_count(run.hits_reported) or 'not recorded'}")
            if run.records_imported is not None:
                facts.append(f"Records exported: {run.records_imported:,}")
            if run.limits:
                facts.append(f"Limits: {md(run.limits)}")
            if run.strategy:
                facts.append(f"Strategy: {md(run.strategy)}, version {run.version}")
            lines += [f"- {fact}" for fact in facts]
            if run.notes:
                lines.append(f"- Notes: {md(run.notes)}")
            fence = "~~~~" if "```" in run.strategy_text else "```"
            lines += ["", fence, run.strategy_text, fence, ""]
    return "\n".join(lines)


def records_identified_per_database(project: Project) -> list[dict[str, Any]]:
    """PRISMA 2020's identification box: records per database, from the hits each search reported
    (the records imported where a search has no hits recorded), databases in the order first searched."""
    totals: dict[str, int] = {}
    for run in search_log(project):
        n = run.hits_reported if run.hits_reported is not None else (run.records_imported or 0)
        totals[run.database] = totals.get(run.database, 0) + n
    return [{"database": database, "n": n} for database, n in totals.items()]
