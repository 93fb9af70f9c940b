"""Tabulations by study characteristics."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qes.synthesis.tabulate import NOT_REPORTED, tabulate, tabulation_table


def test_counts_most_first_with_several_values_and_missing_ones() -> None:
    values = {"A": "USA", "B": "Sweden", "C": "USA", "D": ["Italy", "USA"], "E": "", "F": None}
    tallies = tabulate(values, order=["A", "B", "C", "D", "E", "F", "G"])
    assert [(t.value, t.count) for t in tallies] == [("USA", 3), ("Italy", 1), ("Sweden", 1), (NOT_REPORTED, 3)]
    assert tallies[0].studies == ("A", "C", "D")
    table = tabulation_table("Country", tallies, 7)
    assert table.columns == ("Country", "studies", "which")
    assert table.rows[0] == ("USA", "3", "A; C; D")


@given(st.dictionaries(st.text("abc", min_size=1, max_size=3), st.sampled_from(["x", "y", "", None]), max_size=20))
def test_every_study_is_counted_once_for_a_single_valued_field(values: dict[str, str | None]) -> None:
    tallies = tabulate(values)
    assert sum(t.count for t in tallies) == len(values)
