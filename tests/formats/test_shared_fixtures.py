"""Every real export under ../shared/fixtures imports with the record count its PROVENANCE.md states."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qes.formats import read_file
from support import SHARED, shared_path

# Abstrackr's export holds a one-cell separator row ('citations that are not yet labeled by
# anyone') between its two tables. PROVENANCE.md counts every non-blank CSV row, so it counts
# that row as a record; qes skips it with a warning (asserted below), so one record fewer.
NOT_RECORDS = {"csv/citefmt___baseline_abstrackr.csv": 1}


def _provenance() -> list[tuple[str, int]]:
    path = SHARED / "fixtures" / "PROVENANCE.md"
    if not path.exists():
        return [("PROVENANCE.md", 0)]  # the test then skips (or fails in CI) via shared_path
    text = path.read_text(encoding="utf-8")
    found = re.findall(r"### `([^`]+)`.*?\*\*Records:\*\* (\d+)", text, re.S)
    return [(name, int(n)) for name, n in found]


@pytest.mark.shared
@pytest.mark.parametrize(("name", "expected"), _provenance())
def test_fixture_imports_with_provenance_count(name: str, expected: int) -> None:
    path = shared_path("fixtures", name)
    assert isinstance(path, Path)
    with read_file(path) as reader:
        records = list(reader)
        warnings = list(reader.warnings)
    skipped = NOT_RECORDS.get(name, 0)
    assert len(records) == expected - skipped
    if skipped:
        assert any("not a record" in w.message for w in warnings)
    # Titles present: every fixture has a title in every record.
    assert all(r.title for r in records), [r.origin.position for r in records if not r.title]
    for r in records:
        assert r.origin.file_name == path.name and r.origin.position >= 1
        assert r.raw, "the raw record is kept"
        if r.doi:
            assert r.doi == r.doi.lower() and r.doi.startswith("10.") and " " not in r.doi and "doi.org" not in r.doi
        for a in r.authors:
            assert a.family and not a.family.lower().startswith("and "), a
            assert ";" not in a.family and " and " not in a.family, a
    # Records that name authors in the file have them parsed (some records genuinely have none).
    author_tags = {"AU", "A1", "FAU", "AF", "author", "Authors", "Author", "Author Names", "Author full names", "authors"}
    for r in records:
        if any(tag in author_tags and value.strip() for tag, value in r.raw):
            assert r.authors, (r.origin.position, [p for p in r.raw if p[0] in author_tags])


@pytest.mark.shared
@pytest.mark.parametrize("name", ["Donners_2021.csv", "Nelson_2002.csv"])
def test_synergy_csv_reads_every_row(name: str) -> None:
    import csv

    path = shared_path("data", "synergy", name)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with read_file(path) as reader:
        records = list(reader)
    assert len(records) == len(rows)
    assert [r.source_id for r in records[:5]] == [row["record_id"] for row in rows[:5]]
    with_doi = [r for r, row in zip(records, rows, strict=True) if row["doi"]]
    assert all(r.doi for r in with_doi)


@pytest.mark.shared
def test_dedupe_benchmark_csv_reads_bibtex_style_columns() -> None:
    path = shared_path("data", "dedupe", "cytology_screening", "records_pre_merged.csv")
    with read_file(path) as reader:
        records = list(reader)
    first = records[0]
    assert first.source_id == "id_0000001"
    assert first.authors[0].family == "Zuna" and first.authors[0].given.startswith("R")
    assert (first.page_start, first.page_end) == ("288", "297")
    assert first.pub_type == "article" and first.journal == "Cancer"
