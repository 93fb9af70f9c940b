"""The search log (PRISMA-S): runs, their files, the table and the appendix — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qes.errors import Conflict, NotFound, PermissionDenied, UserError
from qes.search import parse, write
from qes.services import search_log as log
from qes.services.importing import import_file
from qes.services.prisma import prisma_counts
from qes.services.project import Project, init_project
from qes.services.strategies import list_strategies, save_strategy
from qes.services.users import add_member
from qes.store.events import list_events
from qes.store.schema import Import, RecordRow, Source
from qes.store.schema_search import SearchRun
from support import FIXTURES

PSYCINFO = FIXTURES / "search" / "psycinfo_ovid.ris"
MAIN = 'recipr*[tiab] AND ("mental illness"[tiab] OR "Mental Disorders"[mh])'
OVID_AS_RUN = "1 recipr*.ti,ab.\n2 exp mental disorders/\n3 1 and 2"


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = init_project(tmp_path / "review", name="Log", database=db_url, actor="ea@example.org")
    yield p
    p.close()


def _count(project: Project, table: type) -> int:
    with project.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _psycinfo(project: Project, **extra: object) -> log.RunInfo:
    args: dict[str, object] = {
        "database": "PsycINFO",
        "interface": "Ovid",
        "run_on": "2015-02-10",
        "hits": 1043,
        "text": OVID_AS_RUN,
        "syntax": "ovid",
        "limits": "English language; 1990-2015",
    }
    run, _ = log.log_search(project, **(args | extra))  # type: ignore[arg-type]
    return run


def test_a_search_typed_by_hand_is_logged_exactly(project: Project) -> None:
    run = _psycinfo(project, notes="searched by EA")
    assert (run.database, run.interface, run.date, run.hits_reported) == ("PsycINFO", "Ovid", dt.date(2015, 2, 10), 1043)
    assert run.strategy_text == OVID_AS_RUN and run.strategy is None and run.import_id is None
    assert [r.id for r in log.search_log(project)] == [run.id]
    with project.store.read() as session:
        [event] = list_events(session, project.id, action_prefix="search.log")
    assert event.data["text"] == OVID_AS_RUN and event.data["hits"] == 1043 and event.entity_id == str(run.id)


def test_a_saved_strategy_is_logged_as_written_or_in_the_runs_syntax(project: Project) -> None:
    save_strategy(project, "main", MAIN, "pubmed")
    save_strategy(project, "main", MAIN + " AND english[la]", "pubmed")
    as_saved, _ = log.log_search(project, database="PubMed", interface="PubMed", run_on="2015-02-11", hits=87, strategy="main@1")
    assert (as_saved.strategy, as_saved.version, as_saved.syntax, as_saved.strategy_text) == ("main", 1, "pubmed", MAIN)
    translated, _ = log.log_search(
        project, database="MEDLINE", interface="Ovid", run_on="2015-02-11", hits=90, strategy="main@1", syntax="ovid"
    )
    assert translated.syntax == "ovid" and translated.strategy_text == write(parse(MAIN, "pubmed"), "ovid").text
    latest, _ = log.log_search(project, database="PubMed", interface="PubMed", run_on="2015-02-12", hits=80, strategy="main")
    assert latest.version == 2
    assert [r.runs for r in list_strategies(project)] == [3]
    assert [r.id for r in log.search_log(project, strategy="main")] == [as_saved.id, translated.id, latest.id]


def test_the_export_is_imported_in_the_same_transaction(project: Project) -> None:
    run, imported = log.log_search(
        project, database="PsycINFO", interface="Ovid", run_on="2015-02-10", hits=3, text=OVID_AS_RUN, file=PSYCINFO
    )
    assert imported is not None and imported.imported == 3 and imported.source == "PsycINFO (Ovid)"
    assert (run.import_id, run.file, run.records_imported, run.source) == (
        imported.import_id,
        "psycinfo_ovid.ris",
        3,
        "PsycINFO (Ovid)",
    )
    with project.store.read() as session:
        source = session.scalar(select(Source))
        assert source is not None
        facts = (source.database, source.interface, source.strategy, source.hits_reported, source.searched_on)
    assert facts == ("PsycINFO", "Ovid", OVID_AS_RUN, 3, dt.date(2015, 2, 10))


def test_an_unreadable_export_leaves_neither_run_nor_import(project: Project) -> None:
    with pytest.raises(UserError):
        log.log_search(
            project, database="PsycINFO", interface="Ovid", run_on="2015-02-10", hits=3, text=OVID_AS_RUN,
            file=FIXTURES / "search" / "not_an_export.txt",
        )  # fmt: skip
    assert (_count(project, SearchRun), _count(project, Import), _count(project, Source), _count(project, RecordRow)) == (
        0,
        0,
        0,
        0,
    )


def test_a_wrong_strategy_fails_before_the_file_is_imported(project: Project) -> None:
    with pytest.raises(NotFound, match="no search strategy 'main'"):
        log.log_search(
            project, database="PsycINFO", interface="Ovid", run_on="2015-02-10", hits=3, strategy="main", file=PSYCINFO
        )
    assert _count(project, Import) == 0


def test_linking_an_import_made_before_or_after(project: Project) -> None:
    imported = import_file(project, PSYCINFO, source="PsycINFO (Ovid)", searched="2015-02-10")
    run = _psycinfo(project, import_id=imported.import_id)
    assert run.file == "psycinfo_ovid.ris" and run.records_imported == 3
    with pytest.raises(Conflict, match="already the file of search"):
        _psycinfo(project, import_id=imported.import_id)
    later = _psycinfo(project, run_on="2016-01-05")
    with pytest.raises(Conflict, match="already the file of search"):
        log.link_import(project, later.id, imported.import_id)
    second = import_file(project, PSYCINFO, source="PsycINFO (Ovid)", again=True)
    linked = log.link_import(project, later.id, second.import_id)
    assert linked.import_id == second.import_id
    with pytest.raises(Conflict, match="already has its file"):
        log.link_import(project, later.id, second.import_id)
    with pytest.raises(NotFound, match="no import 99"):
        _psycinfo(project, import_id=99)
    with project.store.read() as session:
        assert [e.action for e in list_events(session, project.id, action_prefix="search.")] == [
            "search.log",
            "search.log",
            "search.link",
        ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"database": " "}, "--database is required"),
        ({"interface": ""}, "--interface is required"),
        ({"run_on": "10/02/2015"}, "not a date"),
        ({"run_on": (dt.date.today() + dt.timedelta(days=5)).isoformat()}, "in the future"),
        ({"hits": -1}, "cannot be negative"),
        ({"text": None}, "say what was run"),
        ({"syntax": "dialog"}, "unknown syntax 'dialog'"),
        ({"import_id": 1, "file": PSYCINFO}, "not both"),
    ],
)
def test_bad_input_is_refused_whole(project: Project, change: dict[str, object], message: str) -> None:
    with pytest.raises(UserError, match=message):
        _psycinfo(project, **change)
    assert _count(project, SearchRun) == 0 and _count(project, Import) == 0


def test_viewers_cannot_log(project: Project) -> None:
    add_member(project, "viewer@example.org", role="viewer")
    viewer = Project(project.config, project.store, project.id, "viewer@example.org")
    with pytest.raises(PermissionDenied):
        _psycinfo(viewer)
    with pytest.raises(PermissionDenied):
        log.log_search(
            viewer, database="PsycINFO", interface="Ovid", run_on="2015-02-10", hits=3, text=OVID_AS_RUN, file=PSYCINFO
        )
    assert _count(project, SearchRun) == 0 and _count(project, Import) == 0
    assert log.search_log(viewer) == []


def test_table_appendix_and_identification_counts(project: Project) -> None:
    log.log_search(
        project, database="PsycINFO", interface="Ovid", run_on="2015-02-10", hits=1043, text=OVID_AS_RUN, file=PSYCINFO
    )
    _psycinfo(project, run_on="2016-03-01", hits=57, limits="2015-2016 (update)")
    log.log_search(
        project, database="CINAHL", interface="EBSCOhost", run_on="2015-02-10", hits=412, text="TI recipr* OR AB recipr*"
    )
    table = log.search_log_table(project)
    assert table.key == "search-log"
    assert table.columns == log.LOG_COLUMNS
    assert table.rows[0] == ("PsycINFO", "Ovid", "2015-02-10", OVID_AS_RUN, "", "1,043", "3", "psycinfo_ovid.ris")
    assert table.rows[1][0] == "CINAHL" and table.rows[1][-1] == ""  # ordered by date, then as logged
    assert table.rows[2][4] == "2015-2016 (update)"
    assert any("no import linked" in note for note in table.notes)

    appendix = log.prisma_s_appendix(project)
    assert appendix.index("## PsycINFO") < appendix.index("## CINAHL")
    assert appendix.count("```\n" + OVID_AS_RUN + "\n```") == 2
    assert "- Date searched: 2016-03-01" in appendix and "- Records reported: 1,043" in appendix
    assert "- Interface: EBSCOhost" in appendix and "- Limits: 2015-2016 (update)" in appendix

    assert log.records_identified_per_database(project) == [{"database": "PsycINFO", "n": 1100}, {"database": "CINAHL", "n": 412}]


def test_the_prisma_identification_box_comes_from_the_log_once_every_search_has_a_number(project: Project) -> None:
    log.log_search(
        project, database="PsycINFO", interface="Ovid", run_on="2015-02-10", hits=1043, text=OVID_AS_RUN, file=PSYCINFO
    )
    counted = prisma_counts(project)  # the log's one search has its hits: they are the box
    assert counted["database_specific_results"] == [{"database": "PsycINFO", "n": 1043}]
    assert counted["database_results"] == 1043
    log.log_search(project, database="CINAHL", interface="EBSCOhost", run_on="2015-02-10", hits=None, text="TI recipr*")
    counted = prisma_counts(project)  # a search without hits or file: the imports' counts stand
    assert counted["database_results"] == 3
    assert [entry["n"] for entry in counted["database_specific_results"]] == [3]


def test_an_empty_log(project: Project) -> None:
    assert log.search_log_table(project).rows == ()
    assert "No searches have been logged yet." in log.prisma_s_appendix(project)
    assert log.records_identified_per_database(project) == []


def test_a_strategy_written_for_another_database_notes_what_changed(project: Project) -> None:
    save_strategy(project, "main", MAIN, "pubmed")
    run, _ = log.log_search(
        project,
        database="Scopus",
        interface="Elsevier",
        run_on="2015-02-11",
        hits=50,
        strategy="main",
        syntax="scopus",
        notes="EA",
    )
    messages = write(parse(MAIN, "pubmed"), "scopus").messages
    assert messages  # Scopus has no MeSH
    assert run.notes.startswith("EA\nWritten from main version 1 (pubmed) for scopus: ")
    assert all(m.code in run.notes for m in messages)
