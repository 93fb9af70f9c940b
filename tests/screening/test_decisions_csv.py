"""Decisions from other tools' CSV exports: layouts, errors (file and line), a plain-layout round trip."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qes.errors import UserError
from qes.screening.decisions_csv import DecisionRow, read_decisions, read_decisions_with_skipped


def _write(tmp_path: Path, text: str, name: str = "decisions.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- plain -------------------------------------------------------------------------------------------------


def test_plain_layout(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "record_id,stage,reviewer,decision,reasons,note\n"
        "R1,title-abstract,ana@example.org,Included,,looks good\n"
        'R2,title-abstract,ben@example.org,out," E1 ; ;E3 ",\n'
        "R3,full-text,ana@example.org,?,,\n",
    )
    layout, rows = read_decisions(path)
    assert layout == "plain"
    assert rows == [
        DecisionRow(2, "R1", "title-abstract", "ana@example.org", "include", (), "looks good", {}),
        DecisionRow(3, "R2", "title-abstract", "ben@example.org", "exclude", ("E1", "E3"), "", {}),
        DecisionRow(4, "R3", "full-text", "ana@example.org", "maybe", (), "", {}),
    ]


def test_plain_header_is_case_insensitive_and_reasons_note_optional_with_bom_and_semicolons(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeff Record_ID ;STAGE;Reviewer;Decision;DOI\r\nR1;ta;ana;YES;10.1/x\r\n")
    assert read_decisions(path) == ("plain", [DecisionRow(2, "R1", "ta", "ana", "include", (), "", {"doi": "10.1/x"})])


def test_utf16_file_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffrecord_id,stage,reviewer,decision\nR1,ta,Zoë,no\n", encoding="utf-16-le")
    assert read_decisions(path)[1][0].reviewer == "Zoë"


def test_line_numbers_count_physical_lines_of_multiline_cells(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'record_id,stage,reviewer,decision,reasons,note\nR1,ta,ana,yes,,"two\nlines"\n\nR2,ta,ana,maybe-ish,,\n',
    )
    with pytest.raises(UserError, match=r"^decisions\.csv:5: decision 'maybe-ish' is not include, exclude or maybe$"):
        read_decisions(path)


def test_empty_record_id_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "record_id,stage,reviewer,decision\nR1,ta,ana,yes\n  ,ta,ana,yes\n")
    with pytest.raises(UserError, match=r"^decisions\.csv:3: empty record_id"):
        read_decisions(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"^empty\.csv: empty file"),
        (b"\n \n", r"^empty\.csv: empty file"),
        (b"%PDF-1.4\x00\x01\x02\x03binary", r"^empty\.csv: binary file"),
        (b"title,authors\nA,B\n", r"^empty\.csv:1: not a decisions file .*columns: title, authors.*layouts read: plain"),
    ],
)
def test_unusable_files_name_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        read_decisions(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"^nope\.csv: no such file"):
        read_decisions(tmp_path / "nope.csv")
    with pytest.raises(UserError, match=r"^sub: is a directory"):
        (tmp_path / "sub").mkdir()
        read_decisions(tmp_path / "sub")


def test_broken_csv_quoting_is_a_user_error_with_line(tmp_path: Path) -> None:
    path = _write(tmp_path, 'record_id,stage,reviewer,decision\nR1,ta,ana,"yes\n')
    with pytest.raises(UserError, match=r"^decisions\.csv:2: not valid CSV"):
        read_decisions(path)


# --- ASReview ---------------------------------------------------------------------------------------------


def test_asreview_export_skips_unlabelled_rows_and_counts_them(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "record_id,title,abstract,doi,included,asreview_ranking,exported_notes_1\n"
        "0,Trust in nurses,abs,10.1/a,1,1,relevant: see methods\n"
        "1,Other topic,abs,,0,2,\n"
        "2,Not seen,abs,,,3,\n"
        "3,Old style unseen,abs,,-1,4,\n",
    )
    layout, rows, skipped = read_decisions_with_skipped(path)
    assert (layout, skipped) == ("asreview", 2)
    assert rows == [
        DecisionRow(2, "0", "", "", "include", (), "relevant: see methods", {"doi": "10.1/a", "title": "Trust in nurses"}),
        DecisionRow(3, "1", "", "", "exclude", (), "", {"title": "Other topic"}),
    ]
    assert read_decisions(path) == (layout, rows)


def test_asreview_v2_label_column_and_bad_label(tmp_path: Path) -> None:
    path = _write(tmp_path, "record_id,title,asreview_label,asreview_note\n7,T,1.0,n\n8,U,yes,\n")
    with pytest.raises(UserError, match=r"^decisions\.csv:3: label 'yes' is not 1, 0 or blank"):
        read_decisions(path)
    path = _write(tmp_path, "record_id,title,asreview_label,asreview_note\n7,T,1.0,n\n")
    assert read_decisions(path)[1] == [DecisionRow(2, "7", "", "", "include", (), "n", {"title": "T"})]


# --- Rayyan -----------------------------------------------------------------------------------------------

_RAYYAN_HEADER = "key,title,authors,journal,issn,volume,issue,pages,year,publisher,url,abstract,notes,pubmed_id\n"


def _rayyan_row(key: str, notes: str, url: str = "", pmid: str = "") -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(
        [key, f"Title {key}", "A", "J", "", "", "", "", "2020", "", url, "", notes, pmid]
    )
    return buf.getvalue()


def test_rayyan_one_row_per_reviewer_with_reasons_on_excludes_and_notes(tmp_path: Path) -> None:
    notes = (
        'Imported note | RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Excluded", "Chen"=>"Maybe"} | '
        "RAYYAN-LABELS: qual,nursing | RAYYAN-EXCLUSION-REASONS: wrong population,__EXR__wrong outcome | "
        'USER-NOTES: {"Bob"=>["not nurses", "check again"]}'
    )
    path = _write(
        tmp_path,
        _RAYYAN_HEADER
        + _rayyan_row("101", notes, url="https://doi.org/10.1/xyz", pmid="123")
        + _rayyan_row("102", "RAYYAN-LABELS: qual")
        + _rayyan_row("103", ""),
    )
    layout, rows, skipped = read_decisions_with_skipped(path)
    assert (layout, skipped) == ("rayyan", 2)
    hints = {"doi": "10.1/xyz", "pmid": "123", "title": "Title 101"}
    assert rows == [
        DecisionRow(2, "101", "", "Alice", "include", (), "Imported note", hints),
        DecisionRow(
            2, "101", "", "Bob", "exclude", ("wrong population", "wrong outcome"), "Imported note\nnot nurses\ncheck again", hints
        ),
        DecisionRow(2, "101", "", "Chen", "maybe", (), "Imported note", hints),
    ]


def test_rayyan_unknown_decision_names_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _RAYYAN_HEADER
        + _rayyan_row("1", ' RAYYAN-INCLUSION: {"A"=>"Included"}')
        + _rayyan_row("2", 'RAYYAN-INCLUSION: {"A"=>"Pending"}'),
    )
    with pytest.raises(UserError, match=r"^decisions\.csv:3: decision 'Pending'"):
        read_decisions(path)


# --- Covidence --------------------------------------------------------------------------------------------

_COVIDENCE = (
    "Title,Authors,Abstract,Published Year,Published Month,Journal,Volume,Issue,Pages,Accession Number,DOI,Ref,"
    "Covidence #,Study,Notes,Tags\n"
    "Nurses and trust,Smith J,abs,2020,,J,1,2,3-4,,10.1/c1,,#12,Smith 2020,Exclusion reason: Wrong setting; ,qual\n"
    "Doctors,Jones K,abs,2021,,J,1,2,5,,,,#13,Jones 2021,,\n"
)


def test_covidence_needs_the_decision_the_list_stands_for(tmp_path: Path) -> None:
    path = _write(tmp_path, _COVIDENCE, name="review_123_excluded.csv")
    with pytest.raises(UserError, match=r"^review_123_excluded\.csv: covidence export: pass the decision .*--decision"):
        read_decisions(path)
    with pytest.raises(UserError, match=r"^review_123_excluded\.csv: decision 'nah'"):
        read_decisions(path, default_decision="nah")
    layout, rows = read_decisions(path, default_decision="Excluded")
    assert layout == "covidence"
    assert rows == [
        DecisionRow(2, "#12", "", "", "exclude", ("Wrong setting",), "", {"doi": "10.1/c1", "title": "Nurses and trust"}),
        DecisionRow(3, "#13", "", "", "exclude", (), "", {"title": "Doctors"}),
    ]


def test_covidence_empty_id_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "Title,Covidence #,Notes\nA,#1,\nB,,\n")
    with pytest.raises(UserError, match=r"^decisions\.csv:3: empty Covidence #"):
        read_decisions(path, default_decision="include")


# --- round trip -------------------------------------------------------------------------------------------

# Cells are trimmed on reading and line breaks arrive as "\n" (qes normalises CR/CRLF), so the generated
# text has no surrounding spaces, no CR and no other control characters.
_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\r") | st.just("\n"), max_size=30).map(
    str.strip
)
_ID = _TEXT.filter(bool)
_REASON = _TEXT.map(lambda s: s.replace(";", ",").strip()).filter(bool)
_SPELLINGS = {
    "include": ["include", "Included", "YES", "1", "in"],
    "exclude": ["exclude", "no", "0", "OUT"],
    "maybe": ["maybe", "Unsure", "?"],
}


@st.composite
def _plain_rows(draw: st.DrawFn) -> list[tuple[DecisionRow, str]]:
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        decision = draw(st.sampled_from(sorted(_SPELLINGS)))
        row = DecisionRow(
            line=0,
            record_ref=draw(_ID),
            stage=draw(_TEXT),
            reviewer=draw(st.one_of(st.emails(), _TEXT)),
            decision=decision,
            reasons=tuple(draw(st.lists(_REASON, max_size=3))),
            note=draw(_TEXT),
            hints={},
        )
        rows.append((row, draw(st.sampled_from(_SPELLINGS[decision]))))
    return rows


@settings(max_examples=150, deadline=None)
@given(_plain_rows())
def test_plain_round_trip(rows: list[tuple[DecisionRow, str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["record_id", "stage", "reviewer", "decision", "reasons", "note"])
    for row, spelling in rows:
        writer.writerow([row.record_ref, row.stage, row.reviewer, spelling, ";".join(row.reasons), row.note])
    with tempfile.TemporaryDirectory() as tmp:  # hypothesis reruns the body; pytest's tmp_path is per test
        path = Path(tmp) / "rt.csv"
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        layout, got = read_decisions(path)
    assert layout == "plain"
    assert [DecisionRow(**{**vars(r), "line": 0}) for r in got] == [row for row, _ in rows]
    assert [r.line for r in got] == sorted({r.line for r in got})  # lines rise, one row each
