"""Comparing two entries field by field, and reconciling them into the final record."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qes.errors import UserError
from qes.extraction.compare import compare_entries, differing
from qes.extraction.fields import Field
from qes.extraction.reconcile import reconcile

FIELDS = (
    Field("authors", "Authors", "text", required=True),
    Field("year", "Year", "number", required=True),
    Field("country", "Country", "country"),
    Field("design", "Design", "multi_choice", ("Interviews", "Focus groups")),
    Field("appraised", "Appraised", "yes_no_unclear"),
    Field("notes", "Notes", "long_text"),
)


def test_normalised_values_compare_equal() -> None:
    a = {"authors": "Beeber &  Caldwell", "year": 1996, "country": "USA", "design": ["Interviews", "Focus groups"]}
    b = {"authors": "Beeber & Caldwell", "year": "1996.0", "country": "United States", "design": "focus groups; interviews"}
    states = {c.key: c.state for c in compare_entries(FIELDS, {"a": a, "b": b})}
    assert states == {
        "authors": "equal",
        "year": "equal",
        "country": "equal",
        "design": "equal",
        "appraised": "empty",
        "notes": "empty",
    }


def test_differences_and_only_one_filled() -> None:
    comparisons = compare_entries(
        FIELDS,
        {"a": {"authors": "Cohen", "year": 1998, "appraised": "yes"}, "b": {"authors": "Cohen M", "year": 1998, "notes": "x"}},
    )
    by_key = {c.key: c for c in comparisons}
    assert by_key["authors"].state == "differ" and by_key["authors"].values == {"a": "Cohen", "b": "Cohen M"}
    assert by_key["appraised"].state == "only_one" and by_key["notes"].state == "only_one"
    assert differing(comparisons) == ["authors", "appraised", "notes"]
    assert by_key["year"].to_json()["state"] == "equal"


def test_a_comparison_needs_two_entries() -> None:
    with pytest.raises(UserError, match="needs two entries"):
        compare_entries(FIELDS, {"a": {}})


def test_reconcile_takes_agreed_values_and_a_decision_per_difference() -> None:
    entries = {"a": {"authors": "Cohen", "year": 1998, "country": "USA"}, "b": {"authors": "Cohen, M.", "year": 1998}}
    with pytest.raises(UserError, match="differ on authors, country"):
        reconcile(FIELDS, entries)
    final = reconcile(FIELDS, entries, take={"authors": "b", "country": "a"})
    assert final == {
        "authors": "Cohen, M.",
        "year": 1998,
        "country": "United States",
        "design": None,
        "appraised": None,
        "notes": None,
    }
    edited = reconcile(FIELDS, entries, set_values={"authors": "Cohen", "country": ""})
    assert edited["authors"] == "Cohen" and edited["country"] is None


def test_reconcile_refuses_what_it_cannot_do() -> None:
    entries = {"a": {"authors": "Cohen", "year": 1998}, "b": {"authors": "Cohen", "year": 1999}}
    cases = [
        ({"take": {"year": "c"}}, "c has no entry"),
        ({"take": {"colour": "a"}}, "not a field"),
        ({"take": {"year": "a"}, "set_values": {"year": 1998}}, "not both"),
        ({"set_values": {"year": "", "authors": "Cohen"}}, "required field"),
        ({"set_values": {"year": "soon"}}, "not a number"),
    ]
    for kwargs, message in cases:
        with pytest.raises(UserError, match=message):
            reconcile(FIELDS, entries, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="nothing to reconcile"):
        reconcile(FIELDS, {})


def test_one_entry_or_none_at_all() -> None:
    assert reconcile(FIELDS, {"a": {"authors": "Cohen", "year": "1998"}})["year"] == 1998
    assert reconcile(FIELDS, {}, set_values={"authors": "Cohen", "year": 1998})["notes"] is None


values = st.fixed_dictionaries(
    {"authors": st.sampled_from(["Cohen", "Cohen M", "Hem"]), "year": st.integers(1990, 2020)},
    optional={"country": st.sampled_from(["USA", "Norway", "UK"]), "appraised": st.sampled_from(["Yes", "No"])},
)


@given(values, values)
def test_taking_one_side_everywhere_gives_that_side(a: dict[str, object], b: dict[str, object]) -> None:
    undecided = differing(compare_entries(FIELDS, {"a": a, "b": b}))
    final = reconcile(FIELDS, {"a": a, "b": b}, take=dict.fromkeys(undecided, "b"))
    only_b = reconcile(FIELDS, {"b": b})
    for field in FIELDS:
        if field.key in undecided:
            assert final[field.key] == only_b[field.key]
    assert compare_entries(FIELDS, {"a": a, "a2": dict(a)}) == compare_entries(FIELDS, {"a": a, "a2": dict(a)})
    assert not differing(compare_entries(FIELDS, {"a": a, "a2": dict(a)}))
