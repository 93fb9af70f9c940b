"""The built-in frameworks are complete and in the papers' words: every theme and concept of review 001's
Table 2, review 000's four conceptions with behavioural and psychological components, and every definition
found in the paper's text."""

from __future__ import annotations

import re

import pytest

from qes.coding.frameworks import FRAMEWORKS, HELPFUL_RELATIONSHIPS, RECIPROCITY, framework
from support import shared_path


def _plain(text: str) -> str:
    """The paper's text without citations ("[24, 33–35]", "(Beeber & Caldwell 1996; ...)") or emphasis marks."""
    text = re.sub(r"\s*\[[\d,\s–\-p.]+\]", "", text)
    text = re.sub(r"\s*\((?:[^()]*?\d{4}[^()]*?)\)", "", text)
    return re.sub(r"\s+", " ", text.replace("*", ""))


def _seed(prefix: str) -> str:
    folder = shared_path("seeds")
    return next(folder.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize(("spec", "seed"), [(RECIPROCITY, "000"), (HELPFUL_RELATIONSHIPS, "001")], ids=["000", "001"])
def test_every_definition_is_the_papers_words(spec, seed: str) -> None:  # type: ignore[no-untyped-def]
    text = _plain(_seed(seed))
    for _parent, code in spec.walk():
        if code.kind == "component" and not code.definition:
            continue  # "Behavioural components" / "Psychological components": groups, defined by their members
        assert code.definition, code.name
        for passage in code.definition.split(" … "):
            assert passage in text, (code.name, passage)


def test_helpful_relationships_has_table_2_exactly() -> None:
    table = _seed("001").split("Table 2 Themes and concepts/metaphors", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in table.splitlines() if line and not line.startswith("Theme\t")]
    expected = {}
    for row in rows:
        theme, concepts = row.split("\t")
        expected[theme] = concepts
    assert [t.name for t in HELPFUL_RELATIONSHIPS.themes] == list(expected)
    for theme in HELPFUL_RELATIONSHIPS.themes:
        # Table 2 lists the concepts separated by spaces only: they must read it back in order
        assert " ".join(c.name for c in theme.children) == expected[theme.name], theme.name
    assert [c.name for c in HELPFUL_RELATIONSHIPS.codes if c.kind == "dimension"] == [
        "The professional dimension", "The interpersonal dimension",
    ]  # fmt: skip


def test_reciprocity_has_four_conceptions_each_with_both_kinds_of_component() -> None:
    assert [t.name for t in RECIPROCITY.themes] == [
        "Dynamic equilibrium", "Shared affect", "Asymmetric alliance", "Recognition as a fellow human being",
    ]  # fmt: skip
    for theme in RECIPROCITY.themes:
        groups = {g.name: g for g in theme.children}
        assert set(groups) == {"Behavioural components", "Psychological components"}, theme.name
        assert all(g.kind == "component" and g.children for g in groups.values()), theme.name
    table = _seed("000").split("TABLE 2", 1)[1]
    for theme in RECIPROCITY.themes:
        assert theme.name in table


def test_lookup_by_name() -> None:
    assert framework("reciprocity") is RECIPROCITY and set(FRAMEWORKS) == {"reciprocity", "helpful-relationships"}
    with pytest.raises(KeyError, match="there are: reciprocity, helpful-relationships"):
        framework("nope")
