"""REFI-QDA codebooks and projects: written files validate against the shipped XSDs, read back unchanged,
and files in other tools' styles (nested codes without sets, inline text, "Sources/" folder) read."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qes.coding.qda import (
    QdaCase,
    QdaCode,
    QdaCoding,
    QdaLink,
    QdaNote,
    QdaProject,
    QdaSelection,
    QdaSet,
    QdaSource,
    QdaUser,
    stable_guid,
    walk_codes,
)
from qes.coding.refi import XSD_DIR, RefiError, dumps_codebook, loads_codebook, read_project, validate, write_project
from support import FIXTURES

# XML 1.0 cannot carry most control characters, and lxml drops a lone "\r"; names are otherwise free text.
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(lambda s: s.strip() == s)


def _codes(names: list[str], parent_of: list[int]) -> list[QdaCode]:
    codes = [QdaCode(stable_guid("p", "code", i), name, i % 3 != 0, None if i % 2 else "#12ab34", f"def {name}")
             for i, name in enumerate(names)]  # fmt: skip
    top: list[QdaCode] = []
    for i, code in enumerate(codes):
        parent = parent_of[i] if i else -1
        (codes[parent].children if 0 <= parent < i else top).append(code)
    return top


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=8), st.lists(st.integers(-1, 7), min_size=8, max_size=8))
def test_codebook_round_trip(names: list[str], parent_of: list[int]) -> None:
    codes = _codes(names, parent_of)
    sets = [QdaSet(stable_guid("p", "set", "theme"), "Themes", "qes code kind: theme", [codes[0].guid])]
    xml = dumps_codebook(codes, sets)
    assert validate(xml, "Codebook") == []
    assert loads_codebook(xml) == (codes, sets)


def test_the_shipped_schemas_are_package_data() -> None:
    assert {p.name for p in XSD_DIR.glob("*.xsd")} == {"Codebook.xsd", "Project.xsd"}
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert '"coding/xsd/*.xsd"' in pyproject


def test_another_tools_codebook_reads_with_its_hierarchy_and_colours() -> None:
    codes, sets = loads_codebook((FIXTURES / "coding" / "other_tool.qdc").read_bytes(), where="other_tool.qdc")
    assert sets == []
    assert [(p.name if p else None, c.name, c.codable, c.color) for p, c in walk_codes(codes)] == [
        (None, "Relationships", False, "#A1B2C3"),
        ("Relationships", "Trust", True, None),
        ("Trust", "Mutual trust", True, None),
        (None, "Time & availability", True, "#0f0"),
    ]
    assert codes[0].description == "Anything about how people relate."


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<CodeBook", "not XML"),
        (b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>", "not a valid REFI-QDA codebook"),
        (b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes><Code guid='nope' name='x' isCodable='true'/></Codes></CodeBook>",
         "not a valid REFI-QDA codebook"),
        (b"<Project xmlns='urn:QDA-XML:project:1.0' name='p'/>", "not a valid REFI-QDA codebook"),
    ],
)  # fmt: skip
def test_bad_codebooks_are_refused_with_where_and_why(xml: bytes, message: str) -> None:
    with pytest.raises(RefiError, match=f"^bad.qdc.*{message}"):
        loads_codebook(xml, where="bad.qdc")


def test_an_empty_codebook_is_not_written() -> None:
    with pytest.raises(RefiError, match="at least one code"):
        dumps_codebook([])


def _project() -> QdaProject:
    when = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    users = [QdaUser(stable_guid("p", "user", "a@x.org"), "a@x.org"), QdaUser(stable_guid("p", "user", "b@x.org"), "b@x.org")]
    child = QdaCode(stable_guid("p", "code", 2), "Listen", description="listens", note_refs=[stable_guid("p", "memo", 1)])
    codes = [QdaCode(stable_guid("p", "code", 1), "Trust", color="#ff0000", description="trust", children=[child])]
    text = "Línea uno — she listened.\nLine two: 🙂 emoji counts as one character.\n"
    start = text.index("she listened")
    selection = QdaSelection(
        stable_guid("p", "segment", 1), start, start + len("she listened"), "she listened",
        "First-order: participant quote\nSupports in part: Listen",
        [QdaCoding(stable_guid("p", "coding", 1), child.guid, users[0].guid, when)],
        [stable_guid("p", "memo", 2)], users[0].guid, when,
    )  # fmt: skip
    emoji = text.index("🙂")
    second = QdaSelection(stable_guid("p", "segment", 2), emoji, emoji + 1, codings=[
        QdaCoding(stable_guid("p", "coding", 2), codes[0].guid, users[1].guid)], creating_user=users[1].guid)  # fmt: skip
    source = QdaSource(stable_guid("p", "document", 1), "Interview 1", text, "qes document kind: transcript",
                       [selection, second], [], users[0].guid, when)  # fmt: skip
    notes = [QdaNote(stable_guid("p", "memo", i), f"memo {i}", f"text {i} <&>", users[0].guid, when) for i in (1, 2, 3)]
    case = QdaCase(stable_guid("p", "study", 1), "Beeber and Caldwell (1996)", "", [source.guid])
    link = QdaLink(stable_guid("p", "memo-link", 3), "memo", notes[2].guid, case.guid)
    sets = [QdaSet(stable_guid("p", "set", "theme"), "Themes", "", [codes[0].guid])]
    return QdaProject("Review", "qes test", users, codes, sets, [case], [source], notes, [link], "", [notes[2].guid],
                      users[0].guid, when)  # fmt: skip


def test_project_round_trip_validates_and_keeps_everything(tmp_path: Path) -> None:
    project = _project()
    path = tmp_path / "p.qdpx"
    write_project(project, path)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert names == {"project.qde", f"sources/{project.sources[0].guid}.txt"}
        assert validate(archive.read("project.qde"), "Project") == []
    again = read_project(path)
    assert again == project
    sel = again.sources[0].selections[0]
    assert again.sources[0].text[sel.start : sel.end] == "she listened"  # positions are characters, not bytes


def test_another_tools_project_reads_inline_text_and_capitalised_folders(tmp_path: Path) -> None:
    qde = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="From elsewhere" origin="Tool 2020">
  <CodeBook><Codes><Code guid="11111111-1111-4111-8111-111111111111" name="Care" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="22222222-2222-4222-8222-222222222222" name="Inline"><PlainTextContent>caring words</PlainTextContent>
      <PlainTextSelection guid="33333333-3333-4333-8333-333333333333" startPosition="0" endPosition="6">
        <Coding guid="44444444-4444-4444-8444-444444444444"><CodeRef targetGUID="11111111-1111-4111-8111-111111111111"/></Coding>
      </PlainTextSelection></TextSource>
    <TextSource guid="55555555-5555-4555-8555-555555555555" name="File" plainTextPath="internal://55555555-5555-4555-8555-555555555555.txt"/>
  </Sources>
</Project>"""
    path = tmp_path / "other.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("Sources/55555555-5555-4555-8555-555555555555.txt", "\ufefffile text")
    project = read_project(path)
    assert [s.text for s in project.sources] == ["caring words", "file text"]
    assert project.sources[0].selections[0].codings[0].code_guid == "11111111-1111-4111-8111-111111111111"


def test_a_project_with_a_missing_source_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.qdpx"
    write_project(_project(), path)
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
    with pytest.raises(RefiError, match="broken.qdpx: source 'Interview 1' has no text"):
        read_project(path)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=200).filter(lambda t: "\r" not in t and all(c >= " " or c in "\n\t" for c in t)))
def test_any_source_text_survives_the_zip(tmp_path: Path, text: str) -> None:
    project = QdaProject("t", sources=[QdaSource(stable_guid("t", "document", 1), "doc", text)])
    path = tmp_path / "t.qdpx"
    write_project(project, path)
    assert read_project(path).sources[0].text == text
