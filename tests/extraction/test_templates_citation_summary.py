"""Built-in forms and checklists, short citations, and per-study appraisal summaries."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qes.errors import UserError
from qes.extraction.checklists import CASP_ANSWERS, CASP_QUALITATIVE, JBI_ANSWERS, JBI_QUALITATIVE
from qes.extraction.citation import short_citation, unique_label
from qes.extraction.fields import parse_fields
from qes.extraction.summary import summarise
from qes.extraction.templates import REVIEW000_TABLE1, REVIEW001_TABLE1, TEMPLATES, get_template
from support import shared_path


def test_every_template_is_a_valid_form() -> None:
    assert set(TEMPLATES) == {"review000-table1", "review001-table1", "qualitative", "casp-qualitative", "jbi-qualitative"}
    for template in TEMPLATES.values():
        assert parse_fields([f.to_json() for f in template.fields], template.name) == template.fields
    with pytest.raises(UserError, match="no built-in template 'casp'"):
        get_template("casp")


def test_casp_has_ten_questions_with_its_answers_and_hints() -> None:
    questions = [f for f in CASP_QUALITATIVE.fields if re.fullmatch(r"q\d+", f.key)]
    assert [f.key for f in questions] == [f"q{i}" for i in range(1, 11)]
    assert all(f.options == CASP_ANSWERS for f in questions[:9]) and CASP_ANSWERS == ("Yes", "No", "Can't tell")
    assert questions[9].type == "long_text"  # "How valuable is the research?" is answered in words
    assert all(f.help.startswith("Consider") for f in questions)
    assert questions[0].label == "1. Was there a clear statement of the aims of the research?"


def test_jbi_has_ten_questions_and_the_overall_appraisal() -> None:
    questions = [f for f in JBI_QUALITATIVE.fields if re.fullmatch(r"q\d+", f.key)]
    assert len(questions) == 10 and all(f.options == JBI_ANSWERS for f in questions)
    overall = next(f for f in JBI_QUALITATIVE.fields if f.key == "overall")
    assert overall.choices == ("Include", "Exclude", "Seek further info")
    assert "philosophical perspective" in questions[0].label and "voices" in questions[7].label


def test_the_seed_reviews_table_1_columns_are_the_templates() -> None:
    text = shared_path("seeds").glob("001_*.txt").__next__().read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("Citation\t"))
    assert header.split("\t")[1:] == [f.label for f in REVIEW001_TABLE1.fields]
    text0 = next(shared_path("seeds").glob("000_*.txt")).read_text(encoding="utf-8")
    header0 = next(line for line in text0.splitlines() if line.startswith("Authors\tYear\t"))
    labels = [f.label for f in REVIEW000_TABLE1.fields]
    assert header0.split("\t")[:5] == labels[:5]
    assert header0.split("\t")[5].startswith(labels[5])


@pytest.mark.parametrize(
    ("authors", "year", "number", "label"),
    [
        (["Cohen"], 1998, None, "Cohen (1998)"),
        (["Beeber", "Caldwell"], 1996, None, "Beeber and Caldwell (1996)"),
        (["Goodman", "Edwards", "Chung"], 2014, None, "Goodman et al. (2014)"),
        (["Andreasson", "Skärsäter"], 2012, 21, "[21] Andreasson and Skärsäter (2012)"),
        (["D'Antonio"], "2004", None, "D'Antonio (2004)"),
        ([" Järkestig  Berggren ", "Gunnarsson"], 2010, None, "Järkestig Berggren and Gunnarsson (2010)"),
        ([], 2001, None, "Anonymous (2001)"),
        (["Nehls"], None, None, "Nehls (n.d.)"),
        (["", "Lester", ""], 2005, None, "Lester (2005)"),
    ],
)
def test_short_citation(authors: list[str], year: int | str | None, number: int | None, label: str) -> None:
    assert short_citation(authors, year, number) == label


@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄÖ'-", min_size=1), min_size=1), st.integers(1900, 2100))
def test_short_citation_names_the_first_author_and_the_year(authors: list[str], year: int) -> None:
    label = short_citation(authors, year)
    assert label.startswith(authors[0]) and label.endswith(f"({year})")
    assert ("et al." in label) == (len(authors) >= 3)


def test_unique_labels_get_a_letter() -> None:
    taken = {"Smith et al. (2010)"}
    assert unique_label("Smith et al. (2010)", taken) == "Smith et al. (2010b)"
    assert unique_label("Smith et al. (2010)", taken | {"Smith et al. (2010b)"}) == "Smith et al. (2010c)"
    assert unique_label("Hem (2011)", taken) == "Hem (2011)"


def test_summary_counts_answers_and_names_the_no_questions() -> None:
    values = {f"q{i}": "Yes" for i in range(1, 10)} | {"q4": "No", "q6": "Can't tell", "q9": None, "q10": "Valuable"}
    summary = summarise(CASP_QUALITATIVE.fields, values)
    assert summary.counts == {"Yes": 6, "No": 1, "Can't tell": 1}
    assert summary.answered_no == ["4. Was the recruitment strategy appropriate to the aims of the research?"]
    assert summary.unanswered == ["9. Is there a clear statement of findings?"]
    assert summary.overall == "" and summary.questions == 9
    assert summary.line() == "Yes 6 · No 1 · Can't tell 1"
    jbi = summarise(JBI_QUALITATIVE.fields, {"q1": "Yes", "q2": "Not applicable", "overall": "Include"})
    assert jbi.counts == {"Yes": 1, "No": 0, "Unclear": 0, "Not applicable": 1} and jbi.overall == "Include"
    assert len(jbi.unanswered) == 8 and jbi.line().endswith("— Include")
