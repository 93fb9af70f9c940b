"""Term highlighting: the search syntax (truncation, optional character, phrases), word boundaries, case, segments.

The property tests check segments against a small matcher written here from the docstring's rules, not against
the module's own regular expressions.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qes.screening.highlight import Terms, count_hits, highlight, parse_terms


def marked(text: str, terms: Terms) -> list[tuple[str, str]]:
    """Only the highlighted segments."""
    return [(t, k) for t, k in highlight(text, terms) if k]


# --- the syntax --------------------------------------------------------------------------------------------

SYNTAX = [
    # plain words, case-insensitive, whole words only
    ("Health and HEALTH", ("health",), [("Health", "include"), ("HEALTH", "include")]),
    ("healthcare, unhealthy, health.", ("health",), [("health", "include")]),
    ("Depression", ("DEPRESSION",), [("Depression", "include")]),
    # truncation: any word characters after, none required
    (
        "reciprocity, Reciprocal and recipr",
        ("recipr*",),
        [("reciprocity", "include"), ("Reciprocal", "include"), ("recipr", "include")],
    ),
    ("nonreciprocal", ("recipr*",), []),
    ("depressive-symptoms", ("depress*",), [("depressive", "include")]),
    # one optional character
    ("behaviour, behavior, behavr", ("behavio?r",), [("behaviour", "include"), ("behavior", "include")]),
    ("behaviuor", ("behavio?r",), []),
    ("colour color colours colouur", ("colo?r",), [("colour", "include"), ("color", "include")]),
    ("colour color", ("colou?r",), [("colour", "include")]),  # the ? stands for a character of its own
    # phrases: any run of whitespace between the words
    ("Mental health matters", ("mental health",), [("Mental health", "include")]),
    ("mental\n  health", ("mental health",), [("mental\n  health", "include")]),
    ("mentalhealth, mental-health", ("mental health",), []),
    # the longest term wins where two start at the same place
    ("mental health care", ("mental", "mental health"), [("mental health", "include")]),
    ("mental health care", ("mental health", "mental"), [("mental health", "include")]),
    ("mental state", ("mental", "mental health"), [("mental", "include")]),
    # regex characters are literal
    ("a.b and axb", ("a.b",), [("a.b", "include")]),
    ("covid-19 and covid19", ("COVID-19",), [("covid-19", "include")]),
    ("(x)", ("x",), [("x", "include")]),
]


@pytest.mark.parametrize(("text", "include", "expected"), SYNTAX)
def test_term_syntax(text: str, include: tuple[str, ...], expected: list[tuple[str, str]]) -> None:
    segments = highlight(text, Terms(include=include))
    assert marked(text, Terms(include=include)) == expected
    assert "".join(t for t, _ in segments) == text


def test_segments_keep_the_text_between_hits() -> None:
    assert highlight("Peer support for depression in adolescents", Terms(("depress*",), ("adolescen*",))) == [
        ("Peer support for ", ""),
        ("depression", "include"),
        (" in ", ""),
        ("adolescents", "exclude"),
    ]


def test_include_and_exclude_kinds() -> None:
    terms = Terms(include=("qualitative", "interview*"), exclude=("randomi?ed", "trial"))
    text = "A randomised trial with qualitative interviews; a randomized TRIAL."
    assert marked(text, terms) == [
        ("randomised", "exclude"),
        ("trial", "exclude"),
        ("qualitative", "include"),
        ("interviews", "include"),
        ("randomized", "exclude"),
        ("TRIAL", "exclude"),
    ]


def test_a_term_in_both_lists_is_shown_as_include() -> None:
    assert marked("trial", Terms(include=("trial",), exclude=("trial",))) == [("trial", "include")]


@pytest.mark.parametrize(
    ("text", "terms", "expected"),
    [
        ("", Terms(("x",)), []),
        ("", Terms(), []),
        ("some text", Terms(), [("some text", "")]),
        ("some text", Terms(("", "  "), (" ",)), [("some text", "")]),
        ("some text", Terms(("absent",)), [("some text", "")]),
        ("text", Terms(("text",)), [("text", "include")]),
        ("<b>x</b>", Terms(("b",)), [("<", ""), ("b", "include"), (">x</", ""), ("b", "include"), (">", "")]),
    ],
)
def test_edges(text: str, terms: Terms, expected: list[tuple[str, str]]) -> None:
    assert highlight(text, terms) == expected


def test_terms_given_as_lists_work_too() -> None:
    terms = Terms(include=["peer"], exclude=["trial"])  # type: ignore[arg-type]
    assert marked("peer trial", terms) == [("peer", "include"), ("trial", "exclude")]


def test_surrounding_spaces_of_a_term_are_ignored() -> None:
    assert marked("peer support", Terms(include=("  peer  ",))) == [("peer", "include")]


@pytest.mark.parametrize(("text", "term", "hit"), [("C++ programs", "C++", "C++"), ("the #metoo trend", "#metoo", "#metoo")])
def test_terms_with_punctuation_at_an_edge(text: str, term: str, hit: str) -> None:
    assert marked(text, Terms(include=(term,))) == [(hit, "include")]


def test_phrase_with_repeated_spaces_in_the_term() -> None:
    assert marked("mental health", Terms(include=("mental  health",))) == [("mental health", "include")]


# --- parse_terms, count_hits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("recipr*, mental health; depress*", ("recipr*", "mental health", "depress*")),
        ("a\nb\n\n c ", ("a", "b", "c")),
        (" , ;\n", ()),
        ("", ()),
        ("one", ("one",)),
        ("a,,b;;c", ("a", "b", "c")),
    ],
)
def test_parse_terms(text: str, expected: tuple[str, ...]) -> None:
    assert parse_terms(text) == expected


def test_count_hits() -> None:
    segments = highlight("trial trial qualitative", Terms(("qualitative",), ("trial",)))
    assert count_hits(segments) == {"include": 1, "exclude": 2}
    assert count_hits([]) == {"include": 0, "exclude": 0}
    assert count_hits([("plain", "")]) == {"include": 0, "exclude": 0}


# --- properties --------------------------------------------------------------------------------------------

# Short terms: `?` and `*` each add an optional run, and long runs of them backtrack slowly by nature.
term_chars = st.sampled_from(list("abcAB é-.*? "))
terms_strategy = st.lists(st.text(term_chars, max_size=6), max_size=4).map(tuple)
text_strategy = st.text(st.sampled_from(list("abcABCé É-. \n_1")), max_size=40)


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(max_size=60),
    include=st.lists(st.text(max_size=8), max_size=4),
    exclude=st.lists(st.text(max_size=8), max_size=4),
)
def test_segments_join_back_to_any_text(text: str, include: list[str], exclude: list[str]) -> None:
    segments = highlight(text, Terms(tuple(include), tuple(exclude)))
    assert "".join(t for t, _ in segments) == text
    assert all(t for t, _ in segments)  # no empty segments
    assert all(k in ("", "include", "exclude") for _, k in segments)


@settings(max_examples=400, deadline=None)
@given(text=text_strategy, include=terms_strategy, exclude=terms_strategy)
def test_segments_join_back_with_wildcard_terms(text: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> None:
    segments = highlight(text, Terms(include, exclude))
    assert "".join(t for t, _ in segments) == text
    assert all(t for t, _ in segments)


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _same_letter(a: str, b: str) -> bool:
    return a == b or a.lower() == b.lower() or a.upper() == b.upper() or a.casefold() == b.casefold()


def _matches(term: str, text: str) -> bool:
    """Does `text`, as a whole, match `term` in the search syntax? Written from the docstring, by recursion."""

    def go(i: int, j: int) -> bool:
        if i == len(term):
            return j == len(text)
        ch = term[i]
        if ch == "*":
            k = j
            while True:
                if go(i + 1, k):
                    return True
                if k < len(text) and _word(text[k]):
                    k += 1
                else:
                    return False
        if ch == "?":
            return go(i + 1, j) or (j < len(text) and _word(text[j]) and go(i + 1, j + 1))
        if ch.isspace():
            k = j
            while k < len(text) and text[k].isspace():
                k += 1
                if go(i + 1, k):
                    return True
            return False
        return j < len(text) and _same_letter(ch, text[j]) and go(i + 1, j + 1)

    return go(0, 0)


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [("recipr*", "Reciprocity", True), ("behavio?r", "behaviour", True), ("a b", "A \n B", True), ("a b", "ab", False)],
)
def test_reference_matcher(term: str, text: str, expected: bool) -> None:
    assert _matches(term, text) is expected


@settings(max_examples=400, deadline=None)
@given(text=text_strategy, include=terms_strategy, exclude=terms_strategy)
def test_include_segments_match_an_include_term(text: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> None:
    for segment, kind in highlight(text, Terms(include, exclude)):
        wanted = {"include": include, "exclude": exclude}.get(kind, ())
        if kind:
            assert any(_matches(term.strip(), segment) for term in wanted if term.strip()), (segment, kind, wanted)


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(["peer", "Peer", "PEER", "support", "trial", "Trial", "peers"]), max_size=10))
def test_every_whole_word_occurrence_is_found(words: list[str]) -> None:
    text = " ".join(words)
    hits = marked(text, Terms(include=("peer",), exclude=("trial",)))
    assert hits == [(w, "include" if w.lower() == "peer" else "exclude") for w in words if w.lower() in ("peer", "trial")]
