"""Export then import keeps every canonical field, for each writer (property-based)."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qes.formats import read_text, write_records
from qes.formats.csv_layouts import EMPTY_VALUES
from qes.formats.csvfile import ASREVIEW_COLUMNS
from qes.records.model import Author, Record
from qes.records.normalise import clean_text

# Letters (incl. accented), digits and the punctuation titles really contain. Characters with a
# markup meaning in some format (& < > \ { } $ % # _ ~ ^) have their own example tests. Every
# record has a type (RIS requires one), so pub_type is never empty.
_PROSE = st.characters(
    categories=("Lu", "Ll", "Nd", "Zs"),
    include_characters=".,:;()'\"-?!/[]*+=@",
    exclude_characters="\u2028\u2029\x85",
    max_codepoint=0x17F,
)
_TERM = st.characters(categories=("Lu", "Ll", "Nd"), include_characters=" -()/", max_codepoint=0x17F)


def _clean(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return strategy.map(clean_text)


prose = _clean(st.text(_PROSE, max_size=80)).filter(lambda t: t not in EMPTY_VALUES)
title = _clean(st.text(_PROSE, min_size=1, max_size=80)).filter(lambda t: bool(t) and t not in EMPTY_VALUES)
# 'NA', 'None', 'NULL' ... mean "empty" in CSV written by R/pandas/Excel (csv_layouts.EMPTY_VALUES).
term = _clean(st.text(_TERM, min_size=1, max_size=25)).filter(
    lambda t: bool(t) and not t.startswith("-") and t not in EMPTY_VALUES
)
terms = st.lists(term, max_size=4, unique=True)
word = st.from_regex(r"[A-Z][a-zà-ÿ]{1,9}(-[A-Z][a-z]{1,6})?", fullmatch=True)
given_name = st.one_of(st.from_regex(r"[A-Z]\.( [A-Z]\.)?", fullmatch=True), st.from_regex(r"[A-Z][a-z]{2,8}", fullmatch=True))
person = st.builds(lambda f, g: Author(family=f, given=g), word, given_name)
corporate = word.map(lambda w: Author(family=f"{w} Study Group", corporate=True))
digits = st.from_regex(r"[1-9][0-9]{0,4}", fullmatch=True)


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, str]:
    if draw(st.booleans()):
        return "", ""
    start = draw(st.integers(1, 5000))
    end = draw(st.one_of(st.just(0), st.integers(start + 1, start + 400)))
    return str(start), (str(end) if end else "")


@st.composite
def records(draw: st.DrawFn) -> Record:
    start, end = draw(pages())
    year = draw(st.one_of(st.none(), st.integers(1900, 2030)))
    # A date that names a year implies that year (readers take the year from it).
    dates = ["", "Aug"] if year is None else ["", f"{year} Mar", f"{year}-03-01", "Aug"]
    return Record(
        title=draw(title),
        abstract=draw(prose),
        authors=draw(st.lists(st.one_of(person, person, corporate), max_size=4)),
        year=year,
        journal=draw(prose),
        volume=draw(st.one_of(st.just(""), digits)),
        issue=draw(st.one_of(st.just(""), digits)),
        page_start=start,
        page_end=end,
        doi=draw(st.one_of(st.just(""), st.from_regex(r"10\.[0-9]{4,5}/[a-z0-9]+([._-][a-z0-9]+){0,3}", fullmatch=True))),
        pmid=draw(st.one_of(st.just(""), digits)),
        pmcid=draw(st.one_of(st.just(""), digits.map(lambda d: f"PMC{d}"))),
        issn=draw(st.one_of(st.just(""), st.from_regex(r"[0-9]{4}-[0-9]{3}[0-9X]", fullmatch=True))),
        isbn=draw(st.one_of(st.just(""), st.from_regex(r"97[89][0-9]{10}", fullmatch=True))),
        language=draw(st.sampled_from(["", "English", "eng", "French"])),
        pub_type=draw(st.sampled_from(["Journal Article", "Article", "Review", "Conference Abstract", "Book Chapter"])),
        publisher=draw(prose),
        date=draw(st.sampled_from(dates)),
        keywords=draw(terms),
        headings=draw(terms),
        urls=draw(st.lists(st.from_regex(r"https://example\.org/[a-z0-9]{1,10}", fullmatch=True), max_size=2, unique=True)),
        accession_numbers=draw(st.lists(st.from_regex(r"[A-Z]{2,4}:?[0-9]{3,9}", fullmatch=True), max_size=2, unique=True)),
        source_id=draw(st.from_regex(r"[a-z]{1,3}[0-9]{1,6}", fullmatch=True)),
    )


def _comparable(rec: Record, fields: tuple[str, ...] | None = None) -> dict[str, object]:
    data = rec.canonical()
    data["authors"] = [(a.family, a.given, a.corporate) for a in rec.authors]
    data["source_id"] = rec.source_id
    return data if fields is None else {k: data[k] for k in fields}


def _round_trip(recs: list[Record], fmt: str) -> list[Record]:
    out = io.StringIO()
    write_records(recs, fmt, out)
    return read_text(out.getvalue(), file_name=f"export.{fmt}")


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(records(), min_size=1, max_size=4))
def test_ris_round_trip(recs: list[Record]) -> None:
    assert [_comparable(r) for r in _round_trip(recs, "ris")] == [_comparable(r) for r in recs]


@SETTINGS
@given(st.lists(records(), min_size=1, max_size=4))
def test_csv_round_trip(recs: list[Record]) -> None:
    assert [_comparable(r) for r in _round_trip(recs, "csv")] == [_comparable(r) for r in recs]


@SETTINGS
@given(st.lists(records(), min_size=1, max_size=4, unique_by=lambda r: r.source_id))
def test_bibtex_round_trip(recs: list[Record]) -> None:
    assert [_comparable(r) for r in _round_trip(recs, "bibtex")] == [_comparable(r) for r in recs]


ASREVIEW_FIELDS = ("title", "abstract", "authors", "keywords", "year", "journal", "doi", "pmid", "source_id")


@SETTINGS
@given(st.lists(records(), min_size=1, max_size=4))
def test_asreview_round_trip_keeps_its_columns(recs: list[Record]) -> None:
    back = _round_trip(recs, "asreview")
    assert [_comparable(r, ASREVIEW_FIELDS) for r in back] == [_comparable(r, ASREVIEW_FIELDS) for r in recs]


def test_asreview_header_is_what_asreview_reads() -> None:
    out = io.StringIO()
    write_records([Record(title="T", source_id="7")], "asreview", out)
    assert out.getvalue().splitlines()[0] == ",".join(ASREVIEW_COLUMNS)
    assert {"record_id", "title", "abstract", "authors", "keywords", "doi", "included"} <= set(ASREVIEW_COLUMNS)


def test_bibtex_escapes_markup_characters() -> None:
    rec = Record(title="50% of A & B_c {x} $5 #1 ~ ^ a--b \\ end", source_id="k1")
    (back,) = _round_trip([rec], "bibtex")
    assert back.title == rec.title
