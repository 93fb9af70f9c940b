"""Field types: parsing a form's fields, and each type's validation and normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qes.errors import UserError
from qes.extraction.fields import (
    FIELD_TYPES,
    Field,
    canonical_countries,
    country_names,
    display,
    missing_required,
    normalise,
    normalise_values,
    parse_fields,
)

TEXT = Field("aim", "Aim", "text")
LONG = Field("notes", "Notes", "long_text")
NUMBER = Field("n", "Participants", "number")
CHOICE = Field("design", "Design", "choice", ("Interviews", "Focus groups", "Can't tell"))
MULTI = Field("data", "Data", "multi_choice", ("Interviews", "Focus groups", "Observation"))
COUNTRY = Field("country", "Country", "country")
YNU = Field("q1", "Clear aims?", "yes_no_unclear")


def test_text_is_trimmed_and_one_line_long_text_keeps_lines() -> None:
    assert normalise(TEXT, "  To  explore\n care ") == "To explore care"
    assert normalise(LONG, " first\nsecond \n") == "first\nsecond"
    assert normalise(TEXT, "   ") is None and normalise(TEXT, None) is None
    with pytest.raises(UserError, match="aim: expected text"):
        normalise(TEXT, {"a": 1})


@pytest.mark.parametrize(
    ("raw", "value"), [("12", 12), (" 12.0 ", 12), ("1,234", 1234), ("-3.5", -3.5), (7, 7), (2.25, 2.25), ("\u22122", -2)]
)
def test_numbers_normalise(raw: object, value: float) -> None:
    assert normalise(NUMBER, raw) == value
    assert type(normalise(NUMBER, raw)) is type(value)


@pytest.mark.parametrize("raw", ["twelve", "1.2.3", "nan", "inf", True, "12 persons"])
def test_not_numbers_are_refused_with_the_field_named(raw: object) -> None:
    with pytest.raises(UserError, match=r"^n: "):
        normalise(NUMBER, raw)


def test_choices_take_the_fields_own_spelling() -> None:
    assert normalise(CHOICE, "focus  GROUPS") == "Focus groups"
    assert normalise(CHOICE, "can't tell") == "Can't tell"
    with pytest.raises(UserError, match="design: 'Survey' is not one of Interviews, Focus groups, Can't tell"):
        normalise(CHOICE, "Survey")
    with pytest.raises(UserError, match="takes one value"):
        normalise(CHOICE, ["Interviews", "Focus groups"])


def test_multi_choice_from_a_list_or_a_string_in_the_fields_order() -> None:
    assert normalise(MULTI, "observation; interviews") == ["Interviews", "Observation"]
    assert normalise(MULTI, ["Focus groups", "Interviews", "interviews"]) == ["Interviews", "Focus groups"]
    assert normalise(MULTI, []) is None
    with pytest.raises(UserError, match="'Diaries' is not one of"):
        normalise(MULTI, "Interviews; Diaries")


def test_yes_no_unclear_spellings() -> None:
    assert [normalise(YNU, v) for v in ("y", "YES", "n", "No", "?", "unclear", "Can't tell")] == [
        "Yes",
        "Yes",
        "No",
        "No",
        "Unclear",
        "Unclear",
        "Unclear",
    ]
    with pytest.raises(UserError, match="q1: 'maybe' is not one of Yes, No, Unclear"):
        normalise(YNU, "maybe")


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("USA", "United States"),
        ("U.S.", "United States"),
        ("united states of america", "United States"),
        ("UK", "United Kingdom"),
        ("GBR", "United Kingdom"),
        ("England", "England"),
        ("the Netherlands", "Netherlands"),
        ("Korea, Republic of", "South Korea"),
        ("Sweden", "Sweden"),
        ("Italy, USA, Sweden and Norway", "Italy; United States; Sweden; Norway"),
        ("Norway; norway", "Norway"),
    ],
)
def test_countries_get_their_canonical_name(raw: str, name: str) -> None:
    assert normalise(COUNTRY, raw) == name


def test_an_unknown_country_is_named_in_the_message() -> None:
    with pytest.raises(UserError, match="'Multinational study' is not a country name"):
        canonical_countries("Multinational study; Italy")
    with pytest.raises(UserError, match="'Atlantis'"):
        normalise(COUNTRY, "Atlantis")


def test_the_country_list_is_iso_3166_complete() -> None:
    names = set(country_names().values())
    assert len(names) >= 249 and {"Sweden", "South Africa", "Australia", "Canada", "Norway"} <= names


@given(st.sampled_from(sorted(set(country_names().values()))))
def test_every_canonical_country_name_is_a_fixed_point(name: str) -> None:
    assert canonical_countries(name) == name
    assert canonical_countries(name.upper() if not name.isupper() else name) == name


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integers_round_trip_through_text(n: int) -> None:
    assert normalise(NUMBER, str(n)) == n


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9))
def test_floats_round_trip_through_repr(x: float) -> None:
    assert normalise(NUMBER, repr(x)) == x


@given(st.lists(st.sampled_from(MULTI.choices)))
def test_multi_choice_is_order_and_duplicate_free(picked: list[str]) -> None:
    value = normalise(MULTI, picked)
    assert value == ([c for c in MULTI.choices if c in picked] or None)
    assert normalise(MULTI, "; ".join(reversed(picked))) == value


@given(st.text())
def test_any_text_is_accepted_or_refused_with_a_user_error(raw: str) -> None:
    for field in (TEXT, NUMBER, CHOICE, MULTI, COUNTRY, YNU):
        try:
            value = normalise(field, raw)
        except UserError as exc:
            assert str(exc).startswith(f"{field.key}: ")
        else:
            assert value is None or display(value) != ""


def test_parse_fields_checks_every_setting() -> None:
    fields = parse_fields(
        [{"key": "aim", "type": "long_text", "required": True}, {"key": "design", "type": "choice", "choices": ["A", "B"]}],
        "form.json",
    )
    assert fields[0] == Field("aim", "Aim", "long_text", (), "", True)
    assert [f.to_json()["type"] for f in fields] == ["long_text", "choice"]
    bad = [
        ([{"key": "Aim"}], "key 'Aim' must be lower-case"),
        ([{"key": "a", "type": "date"}], "unknown type 'date'"),
        ([{"key": "a", "type": "choice", "choices": ["only"]}], "needs at least two choices"),
        ([{"key": "a", "type": "text", "choices": ["x", "y"]}], "takes no choices"),
        ([{"key": "a", "type": "choice", "choices": ["x", "X"]}], "lists a choice twice"),
        ([{"key": "a"}, {"key": "a"}], "field 2: key 'a' is used twice"),
        ([{"key": "a", "colour": "red"}], "unknown setting"),
        ([{"key": "a", "required": "yes"}], "must be true or false"),
        ([], "at least one field"),
    ]
    for items, message in bad:
        with pytest.raises(UserError, match=message):
            parse_fields(items, "form.json")
    assert set(FIELD_TYPES) == {"text", "long_text", "number", "choice", "multi_choice", "country", "yes_no_unclear"}


def test_values_of_an_entry_and_required_fields() -> None:
    fields = (Field("aim", "Aim", "text", required=True), NUMBER)
    assert normalise_values(fields, {"n": "3"}) == {"n": 3}
    assert missing_required(fields, {"n": 3, "aim": ""}) == ["aim"]
    with pytest.raises(UserError, match="unknown field"):
        normalise_values(fields, {"colour": "red"})
    assert display(["a", "b"]) == "a; b" and display(None) == "" and display(12) == "12"
