"""The linter: coded messages for the usual mistakes, never an exception."""

from __future__ import annotations

import pytest

from qes import search

CASES = [
    ("pubmed", "a[tiab] OR b[tiab] AND c[tiab]", "Q011", "warning"),  # left to right, no precedence
    ("pubmed", "rec*[tiab]", "Q015", "warning"),  # fewer than four characters before *
    ("pubmed", "a[xx]", "Q030", "error"),  # unknown field tag
    ("pubmed", "(a[ti] OR b[ti]", "Q006", "error"),  # unbalanced brackets
    ("pubmed", "a[ti] or b[ti]", "Q012", "warning"),  # lowercase operator
    ("pubmed", "mental health", "Q013", "info"),  # unquoted phrase
    ("pubmed", "wom?n[ti]", "Q034", "error"),  # wildcard PubMed does not have
    ("ovid", "recipr*.xx.", "Q030", "error"),
    ("ovid", "1 a.ti.\n2 3 and 1", "Q040", "error"),  # reference to a later line
    ("ovid", "recipr$2.ti.", "Q016", "warning"),  # limited truncation read as unlimited
    ("ebsco", "TI a)", "Q006", "error"),
    ("scopus", "TITLE(a OR b AND c)", "Q010", "warning"),  # Scopus: OR before AND
    ("wos", "TS=(a OR b AND c)", "Q010", "warning"),
    ("wos", "TS=(a NEAR/3 (b AND c))", "Q020", "error"),  # AND inside proximity
    ("cochrane", '"mental health*":ti', "Q018", "warning"),  # wildcards ignored inside quotes
    ("openalex", "title.search:recip*", "Q034", "error"),  # no truncation in OpenAlex
    ("openalex", "title.search:reciprocity", "Q121", "info"),  # stemming without .no_stem
    ("proquest", "ti(a", "Q006", "error"),
]


@pytest.mark.parametrize(("syntax", "text", "code", "severity"), CASES)
def test_lint_finds(syntax: str, text: str, code: str, severity: str) -> None:
    messages = search.lint(text, syntax)
    found = [m for m in messages if m.code == code]
    assert found, messages
    assert found[0].severity == severity
    assert found[0].position is not None


@pytest.mark.parametrize(
    ("syntax", "text"),
    [
        ("pubmed", '(recipr*[tiab] OR "mutual aid"[tiab]) AND "Mental Disorders"[mh]'),
        ("ovid", "1 recipr*.ti,ab.\n2 exp Mental Disorders/\n3 1 and 2"),
        ("ebsco", 'S1 TI recipr*\nS2 (MH "Mental Disorders+")\nS3 S1 AND S2'),
        ("scopus", "TITLE-ABS-KEY(recipr*) AND (TITLE(a) OR TITLE(b))"),
    ],
)
def test_clean_strategies_have_no_warnings(syntax: str, text: str) -> None:
    assert [m for m in search.lint(text, syntax) if m.severity != "info"] == []


def test_errors_name_the_column() -> None:
    with pytest.raises(search.QuerySyntaxError) as exc:
        search.parse("recipr*[tiab] AND (mental[tiab]", "pubmed")
    assert str(exc.value) == "QUERY:col 19: unbalanced brackets: '(' is never closed"
