"""Each normaliser: messy values from real exports → the canonical form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qes.records.normalise import (
    clean_text,
    is_copyright_boilerplate,
    normalise_doi,
    normalise_issn,
    normalise_pmcid,
    normalise_pmid,
    parse_author,
    parse_year,
    split_author_list,
    split_pages,
)


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        ("http://dx.doi.org/10.1002/CPP.2398", "10.1002/cpp.2398"),
        ("https://doi.org/10.1016/j.cretres.2023.105752", "10.1016/j.cretres.2023.105752"),
        ("doi:10.1037/a0012345.", "10.1037/a0012345"),
        ("10.1186/s40337-018-0207-1 [doi]", "10.1186/s40337-018-0207-1"),
        ("10.1007/999-9-999-99999-9\\_3", "10.1007/999-9-999-99999-9_3"),
        ("http://sfx.example/x?id=doi:10.4103%2F2303-9027.138783&atitle=Duplication+cysts", "10.4103/2303-9027.138783"),
        ("S0022-3999(19)30123-4 [pii]", ""),
        ("", ""),
    ],
)
def test_normalise_doi(raw: str, doi: str) -> None:
    assert normalise_doi(raw) == doi


@pytest.mark.parametrize(
    ("raw", "pages"),
    [
        ("157-64", ("157", "164")),
        ("1234-8", ("1234", "1238")),
        ("376 -- 383", ("376", "383")),
        ("e0298242", ("e0298242", "")),
        ("704-704", ("704", "")),
        ("xii-xv", ("xii", "xv")),
        ("No Specified", ("No Specified", "")),
        ("", ("", "")),
    ],
)
def test_split_pages(raw: str, pages: tuple[str, str]) -> None:
    assert split_pages(raw) == pages


@pytest.mark.parametrize(
    ("raw", "family", "given", "corporate"),
    [
        ("Smith, John A.", "Smith", "John A.", False),
        ("Smith JA", "Smith", "J. A.", False),
        ("Liu R.", "Liu", "R.", False),
        ("Larsen, LJ", "Larsen", "L. J.", False),
        ("Longrich, N.R.", "Longrich", "N.R.", False),
        ("Alba Vicente", "Vicente", "Alba", False),
        ("van der Berg, J", "van der Berg", "J.", False),
        ("Liu, Fengyuan (60410297700)", "Liu", "Fengyuan", False),
        ("WHO Collaborating Group", "WHO Collaborating Group", "", True),
        ("SMITH, JOHN", "Smith", "John", False),
    ],
)
def test_parse_author(raw: str, family: str, given: str, corporate: bool) -> None:
    author = parse_author(raw)
    assert author is not None
    assert (author.family, author.given, author.corporate) == (family, given, corporate)


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Zuna, R E and Wang, S S", ["Zuna, R E", "Wang, S S"]),
        ("Yang, Z.; Jiang, B.", ["Yang, Z.", "Jiang, B."]),
        ("Liu R., Adler D.G.", ["Liu R.", "Adler D.G."]),
        ("Alba Vicente|Josep Sanjuan", ["Alba Vicente", "Josep Sanjuan"]),
        ("Longrich, N.R.\n and Pereda-Suberbiola, X.\n", ["Longrich, N.R.", "Pereda-Suberbiola, X."]),
        ("Pan, Y., Yu, C.", ["Pan, Y.", "Yu, C."]),
    ],
)
def test_split_author_list(raw: str, names: list[str]) -> None:
    assert split_author_list(raw) == names


@pytest.mark.parametrize(
    ("raw", "year"), [("2016/09//", 2016), ("2019 Apr 25", 2019), ("Aug 1 2019", 2019), ('="4/3/2024"', 2024), ("n.d.", None)]
)
def test_parse_year(raw: str, year: int | None) -> None:
    assert parse_year(raw) == year


def test_identifiers() -> None:
    assert normalise_issn('="19326203"') == "1932-6203"
    assert normalise_issn("0195-6671|1095-998x") == "0195-6671; 1095-998X"
    assert normalise_pmid("PMID: NLM34520387") == "34520387"
    assert normalise_pmid("0") == ""
    assert normalise_pmcid("pmc 6088416") == "PMC6088416"


def test_copyright_boilerplate() -> None:
    assert is_copyright_boilerplate("Copyright of Agriculture is the property of Elsevier and its content may not be copied")
    assert not is_copyright_boilerplate("We studied copyright law in 40 countries.")


@given(st.text())
def test_clean_text_is_idempotent_and_single_spaced(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert "  " not in once and "\n" not in once and "\u2028" not in once


_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


@given(st.text(alphabet=st.sampled_from("ab é\t\n\r\x0b\x1c\x85\xa0\u2009\u2028\u3000" + _ZERO_WIDTH)) | st.text())
def test_clean_text_equals_dropping_zero_width_then_joining_words(text: str) -> None:
    # The already-clean shortcut must give what the full rule gives, for every kind of whitespace.
    expected = " ".join("".join(c for c in text if c not in _ZERO_WIDTH).split())
    assert clean_text(text) == expected
