"""Strategies saved in the project, versioned, shown in any syntax — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qes.errors import NotFound, PermissionDenied, UserError
from qes.search import parse, to_dict, write
from qes.services import strategies as service
from qes.services.project import Project, init_project
from qes.services.users import add_member
from qes.store.events import list_events
from qes.store.schema_search import SearchStrategy, SearchStrategyVersion

V1 = 'recipr*[tiab] AND ("mental illness"[tiab] OR "Mental Disorders"[mh])'
V2 = 'recipr*[tiab] AND ("mental illness"[tiab] OR "severe mental illness"[tiab] OR "Mental Disorders"[mh])'


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = init_project(tmp_path / "review", name="Strategies", database=db_url, actor="ea@example.org")
    yield p
    p.close()


def _as(project: Project, actor: str) -> Project:
    return Project(project.config, project.store, project.id, actor)


def _counts(project: Project) -> tuple[int, int]:
    with project.store.read() as session:
        strategies = session.scalar(select(func.count()).select_from(SearchStrategy)) or 0
        versions = session.scalar(select(func.count()).select_from(SearchStrategyVersion)) or 0
    return int(strategies), int(versions)


def _events(project: Project) -> list[str]:
    with project.store.read() as session:
        return [e.action for e in list_events(session, project.id, action_prefix="search.")]


def test_saving_changed_text_adds_a_version_and_keeps_the_old_one(project: Project) -> None:
    first = service.save_strategy(project, "main", V1, "pubmed", "as in the protocol")
    assert (first.version, first.changed, first.syntax, first.created_by) == (1, True, "pubmed", "ea@example.org")
    assert first.tree == to_dict(parse(V1, "pubmed"))

    again = service.save_strategy(project, "main", V1, "pubmed", "no change")
    assert (again.version, again.changed) == (1, False)
    assert _counts(project) == (1, 1) and _events(project) == ["search.save"]

    second = service.save_strategy(project, "main", V2, "pubmed", "added severe mental illness")
    assert (second.version, second.changed) == (2, True)
    assert service.get_strategy(project, "main", 1).text == V1  # nothing overwritten
    assert service.get_strategy(project, "main").text == V2
    assert [v.note for v in service.list_versions(project, "main")] == ["as in the protocol", "added severe mental illness"]
    assert _events(project) == ["search.save", "search.save"]


def test_the_save_event_holds_what_was_saved(project: Project) -> None:
    service.save_strategy(project, "main", V1, "pubmed")
    with project.store.read() as session:
        [event] = list_events(session, project.id, action_prefix="search.save")
    assert event.actor == "ea@example.org"
    assert event.data == {"name": "main", "version": 1, "syntax": "pubmed", "text": V1, "note": ""}


def test_a_strategy_that_does_not_parse_is_refused_and_nothing_is_saved(project: Project) -> None:
    with pytest.raises(UserError, match="col"):
        service.save_strategy(project, "main", 'recipr*[tiab] AND ("mental illness"[tiab]', "pubmed")
    with pytest.raises(UserError, match="unknown syntax 'medline'"):
        service.save_strategy(project, "main", V1, "medline")
    with pytest.raises(UserError, match="empty"):
        service.save_strategy(project, "main", "   ", "pubmed")
    with pytest.raises(UserError, match="strategy name"):
        service.save_strategy(project, "main@2", V1, "pubmed")
    assert _counts(project) == (0, 0) and _events(project) == []


def test_show_as_written_and_translated(project: Project) -> None:
    service.save_strategy(project, "main", V1, "pubmed")
    shown = service.show_strategy(project, "main")
    assert (shown.text, shown.messages, shown.version) == (V1, [], 1)
    for target in ("pubmed", "ovid", "scopus"):
        translated = service.show_strategy(project, "main", target)
        expected = write(parse(V1, "pubmed"), target)
        assert translated.text == expected.text and translated.syntax == target
        assert translated.messages == [m.to_dict() for m in expected.messages]
        assert translated.written_text == V1


def test_translations_side_by_side_cover_every_syntax(project: Project) -> None:
    side_by_side = service.translations(parse(V1, "pubmed"))
    assert [t.syntax for t in side_by_side] == list(service.SYNTAXES)
    assert all(t.text for t in side_by_side)


def test_unknown_names_and_versions(project: Project) -> None:
    service.save_strategy(project, "main", V1, "pubmed")
    with pytest.raises(NotFound, match="no search strategy 'other'"):
        service.get_strategy(project, "other")
    with pytest.raises(NotFound, match="no version 3"):
        service.get_strategy(project, "main", 3)
    assert service.parse_reference("main@2") == ("main", 2)
    assert service.parse_reference("main") == ("main", None)
    with pytest.raises(UserError, match="version after @"):
        service.parse_reference("main@two")


def test_list_strategies(project: Project) -> None:
    service.save_strategy(project, "main", V1, "pubmed")
    service.save_strategy(project, "main", V2, "pubmed", "v2")
    service.save_strategy(project, "animals", "animals[mh] NOT humans[mh]", "pubmed")
    rows = service.list_strategies(project)
    assert [(r.name, r.versions, r.text, r.runs) for r in rows] == [
        ("animals", 1, "animals[mh] NOT humans[mh]", 0),
        ("main", 2, V2, 0),
    ]


def test_roles_viewers_read_members_write(project: Project) -> None:
    service.save_strategy(project, "main", V1, "pubmed")  # a project without members: one person's
    add_member(project, "viewer@example.org", role="viewer")
    add_member(project, "rev@example.org", role="reviewer")
    with pytest.raises(PermissionDenied, match="viewer in this project and cannot save"):
        service.save_strategy(_as(project, "viewer@example.org"), "main", V2, "pubmed")
    with pytest.raises(PermissionDenied, match="not a member"):
        service.save_strategy(project, "main", V2, "pubmed")  # ea@example.org is no member now there are members
    assert _counts(project) == (1, 1)
    assert service.get_strategy(_as(project, "viewer@example.org"), "main").text == V1  # viewers read
    assert service.save_strategy(_as(project, "rev@example.org"), "main", V2, "pubmed").version == 2


def test_people_saving_at_once_get_consecutive_versions(project: Project) -> None:
    texts = [f"recipr*[tiab] AND topic{n}[tiab]" for n in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        saved = list(pool.map(lambda text: service.save_strategy(project, "shared", text, "pubmed"), texts))
    assert sorted(s.version for s in saved) == [1, 2, 3, 4]
    assert _counts(project) == (1, 4)
    assert sorted(v.text for v in service.list_versions(project, "shared")) == sorted(texts)
