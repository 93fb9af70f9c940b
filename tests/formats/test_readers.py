"""Readers on small hand-written exports that carry the quirks of real ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from qes.errors import InputFileError
from qes.formats import detect_format, read_file, read_text

OVID = """1.
TY  - JOUR
ID  - 2019-1
T1  - Reciprocity in the therapeutic relationship
A1  - Smith, John A.
A1  - Jones, K
Y1  - 2019//
JF  - Journal of Mental Health
SP  - 157-64
DO  - http://dx.doi.org/10.1000/ABC.123
N2  - First line of the abstract.
ER  -
NL  - J Ment Health

Link to the Ovid Full Text or citation: http://ovidsp.example/1

2.
TY  - JOUR
T1  - Second record
ER  -
"""


def test_ovid_wrapper_lines_are_ignored_and_fields_normalised() -> None:
    first, second = read_text(OVID)
    assert first.title == "Reciprocity in the therapeutic relationship"
    assert [(a.family, a.given) for a in first.authors] == [("Smith", "John A."), ("Jones", "K.")]
    assert first.year == 2019 and first.journal == "Journal of Mental Health"
    assert (first.page_start, first.page_end) == ("157", "164")
    assert first.doi == "10.1000/abc.123"
    assert first.source_id == "2019-1"
    assert ("NL", "J Ment Health") in first.raw  # the tag Ovid writes after ER stays with its record
    assert first.field_tags["title"] == ["T1"] and first.field_tags["doi"] == ["DO"]
    assert second.title == "Second record" and second.origin.position == 2


def test_ebsco_copyright_abstract_is_not_part_of_the_abstract() -> None:
    text = (
        "TY  - JOUR\nTI  - A\nAB  - The real abstract.\n"
        "AB  - Copyright of Journal X is the property of Publisher Y and its content may not be copied.\nER  - \n"
    )
    (rec,) = read_text(text)
    assert rec.abstract == "The real abstract."
    assert sum(1 for tag, _ in rec.raw if tag == "AB") == 2  # kept in the raw record


def test_two_tags_on_one_line_and_untagged_continuations() -> None:
    text = (
        "TY  - JOUR\nTI  - Title\nUR  - https://example.org/x     U2  - L2029\n"
        "N1  - Times Cited: 13\nTotal Times Cited:  13\nAU  - Smith, J.; Jones, K.; Brown, L.\nER  - \n"
    )
    (rec,) = read_text(text)
    assert rec.urls == ["https://example.org/x"]
    assert ("U2", "L2029") in rec.raw
    assert ("N1", "Times Cited: 13\nTotal Times Cited:  13") in rec.raw
    assert [a.family for a in rec.authors] == ["Smith", "Jones", "Brown"]


def test_lone_cr_hides_a_tag_and_u2028_stays_inside_the_field(tmp_path: Path) -> None:
    path = tmp_path / "wos.ris"
    path.write_bytes("\ufeffTY  - JOUR\r\nTI  - T\r\nAD  - Univ A\rAD  - Univ B\r\nAB  - one\u2028two\r\nER  - \r\n".encode())
    with read_file(path) as reader:
        (rec,) = list(reader)
        assert reader.encoding == "utf-8-sig"
    assert [v for t, v in rec.raw if t == "AD"] == ["Univ A", "Univ B"]
    assert rec.abstract == "one two"


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "x.ris"
    path.write_bytes("TY  - JOUR\nTI  - Café Müller – “quoted”\nAU  - Gómez, José\nER  - \n".encode(encoding))
    with read_file(path) as reader:
        (rec,) = list(reader)
    assert rec.title == "Café Müller – “quoted”"
    assert rec.authors[0].family == "Gómez"


def test_truncated_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "psycinfo.ris"
    path.write_text("TY  - JOUR\nTI  - A\nER  - \nTY  - JOUR\nTI  - B\n")
    with pytest.raises(InputFileError) as err, read_file(path) as reader:
        list(reader)
    assert str(err.value).startswith("psycinfo.ris:5:")
    assert "truncated" in str(err.value)


def test_record_without_ty(tmp_path: Path) -> None:
    path = tmp_path / "bad.ris"
    path.write_text("TY  - JOUR\nTI  - A\nER  - \n\nTI  - B\nAU  - X\nER  - \n")
    with pytest.raises(InputFileError, match=r"bad.ris:5: record has no TY tag"), read_file(path) as reader:
        list(reader)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary file"),
        (b"hello world\n", "not a bibliographic"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "f.ris"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        read_file(path)


def test_detection_by_content_not_extension(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"  # the extension lies: this is MEDLINE
    path.write_text("PMID- 123\nTI  - A title\n      continued\nFAU - Smith, John\nDP  - 2001 Jan\nLID - 10.1234/XY [doi]\n")
    with read_file(path) as reader:
        (rec,) = list(reader)
        assert reader.format == "medline"
    assert rec.title == "A title continued" and rec.pmid == "123" and rec.doi == "10.1234/xy" and rec.year == 2001


def test_detect_format_names() -> None:
    assert detect_format("TY  - JOUR\nTI  - x\nER  - \n") == "ris"
    assert detect_format("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n") == "wos"
    assert detect_format("@article{k,\n title={x}\n}\n") == "bibtex"
    assert (
        detect_format('<?xml version="1.0"?><xml><records><record><ref-type name="Journal Article">17</ref-type>')
        == "endnote_xml"
    )
    assert detect_format('{"meta": {}, "results": [{"id": "https://openalex.org/W1"}]}') == "openalex"
    assert detect_format("Title,Authors,Year\nA,B,2000\n") == "csv"
    assert detect_format("just some words") is None


WOS = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Smith, J
   Jones, K
AF Smith, John
   Jones, Kate
TI A long title that
   continues here
SO JOURNAL OF THINGS
DE reciprocity; mental health
PY 2015
VL 3
BP 10
EP 19
DI 10.1234/WOS
UT WOS:000123
ER

EF
"""


def test_wos_plain_text() -> None:
    (rec,) = read_text(WOS)
    assert rec.title == "A long title that continues here"
    assert [(a.family, a.given) for a in rec.authors] == [("Smith", "John"), ("Jones", "Kate")]
    assert rec.keywords == ["reciprocity", "mental health"]
    assert (rec.page_start, rec.page_end, rec.doi, rec.source_id) == ("10", "19", "10.1234/wos", "WOS:000123")


def test_bibtex_latex_and_corporate_author() -> None:
    text = (
        "@article{key1,\n author = {M{\\'e}ndez, Ana and {World Health Organization}},\n"
        " title = {{DNA} in \\& out},\n pages = {1645--1654},\n year = 2019,\n}\n"
    )
    (rec,) = read_text(text)
    assert rec.title == "DNA in & out"
    assert rec.authors[0].family == "Méndez" and rec.authors[1].corporate
    assert (rec.page_start, rec.page_end, rec.year, rec.source_id) == ("1645", "1654", 2019, "key1")


def test_bibtex_broken_entry_names_line(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_text("@article{a, title={ok}}\n\n@article{b, title={unbalanced}\n")
    with pytest.raises(InputFileError, match=r"x.bib:3:"), read_file(path) as reader:
        list(reader)


ENDNOTE = (
    '<?xml version="1.0" encoding="UTF-8" ?><xml><records><record><rec-number>42</rec-number>'
    '<ref-type name="Journal Article">17</ref-type><contributors><authors><author><style>Smith, J.&#xD;Jones, K.</style>'
    "</author></authors></contributors><titles><title><style>A title</style></title><secondary-title><style>J Things</style>"
    "</secondary-title></titles><pages><style>1234-8</style></pages><keywords><keyword><style>a&#xD;b</style></keyword>"
    "</keywords><dates><year><style>2020</style></year></dates><electronic-resource-num><style>https://doi.org/10.5555/E</style>"
    "</electronic-resource-num></record></records></xml>"
)


def test_endnote_xml_multi_values_and_pages() -> None:
    (rec,) = read_text(ENDNOTE)
    assert [a.family for a in rec.authors] == ["Smith", "Jones"]
    assert rec.keywords == ["a", "b"]
    assert (rec.page_start, rec.page_end) == ("1234", "1238")
    assert (rec.doi, rec.source_id, rec.pub_type, rec.journal) == ("10.5555/e", "42", "Journal Article", "J Things")


def test_endnote_xml_malformed(tmp_path: Path) -> None:
    path = tmp_path / "lib.xml"
    path.write_text(ENDNOTE[: len(ENDNOTE) // 2] + "<<<")
    with pytest.raises(InputFileError, match="lib.xml:1: malformed XML"), read_file(path) as reader:
        list(reader)


def test_openalex_inverted_index_and_json_lines() -> None:
    work = (
        '{"id": "https://openalex.org/W1", "title": "T", "publication_year": 2020, '
        '"abstract_inverted_index": {"world": [1], "Hello": [0], "again": [2]}, '
        '"authorships": [{"author": {"display_name": "Ana Gómez"}}], "doi": "https://doi.org/10.9999/OA"}'
    )
    (rec,) = read_text('{"meta": {}, "results": [' + work + "]}")
    assert rec.abstract == "Hello world again"
    assert (rec.authors[0].family, rec.authors[0].given) == ("Gómez", "Ana")
    assert (rec.doi, rec.source_id, rec.year) == ("10.9999/oa", "W1", 2020)
    lines = read_text(work + "\n" + work.replace("W1", "W2") + "\n", fmt="openalex")
    assert [r.source_id for r in lines] == ["W1", "W2"]


def test_csv_ragged_rows_and_separator(tmp_path: Path) -> None:
    path = tmp_path / "screen.csv"
    path.write_text(
        'id,title,authors,year,notes\n1,First,"Smith, J.; Jones, K.",2001,x\n2,Second,Brown L.,NA\n'
        "not yet labeled\n3,Third,,2003,y,extra\n"
    )
    with read_file(path) as reader:
        records = list(reader)
        messages = [w.message for w in reader.warnings]
    assert [r.source_id for r in records] == ["1", "2", "3"]
    assert records[1].year is None and records[1].authors[0].family == "Brown"
    assert records[2].origin.line == 5
    assert any("not a record" in m for m in messages) and any("extra cells" in m for m in messages)
    assert ("column 6", "extra") in records[2].raw


def test_csv_unknown_layout(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with (
        pytest.raises(InputFileError, match=r"numbers.csv:1: unknown CSV layout: no title column among: a, b, c"),
        read_file(path, fmt="csv") as reader,
    ):
        list(reader)


def test_csv_semicolon_delimited_with_excel_protected_cells() -> None:
    (rec,) = read_text(
        'Article Title;Author;ISSN;Publication Date\nX;"Curry Rogers, K.; Martínez, R. N.";="19326203";="4/3/2024"\n'
    )
    assert rec.issn == "1932-6203" and rec.year == 2024 and len(rec.authors) == 2
