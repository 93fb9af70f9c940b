"""Custom forms as JSON or TOML files: parsed, checked, and round-tripped."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qes.errors import UserError
from qes.extraction.fields import FIELD_TYPES, Field
from qes.extraction.formfile import parse_form_file
from qes.extraction.templates import TEMPLATES
from support import FIXTURES


def test_the_fixture_files_parse() -> None:
    kind, fields = parse_form_file((FIXTURES / "extraction" / "custom_checklist.toml").read_text(), "custom_checklist.toml")
    assert kind == "appraisal" and [f.key for f in fields] == ["q1", "q2", "overall"]
    kind, fields = parse_form_file((FIXTURES / "extraction" / "custom_form.json").read_text(), "custom_form.json")
    assert kind == "extraction" and fields[2].choices == ("Interviews", "Focus groups", "Observation")
    assert parse_form_file('[{"key": "aim"}]', "list.json") == (None, (Field("aim", "Aim"),))


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ("[{", "a.json", r"^a.json:1: not valid JSON"),
        ("kind = ", "a.toml", r"^a.toml: not valid TOML"),
        ('{"fields": 3}', "a.json", "expected a list of fields"),
        ('[{"key": "a", "type": "date"}]', "a.json", r"^a.json: field 1: field 'a' has unknown type 'date'"),
    ],
)
def test_bad_files_name_the_file(text: str, name: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_form_file(text, name)


keys = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
choices = st.lists(
    st.text(alphabet="abcdefgh XYZ", min_size=1).map(str.strip).filter(bool), min_size=2, max_size=4, unique_by=str.casefold
)


@st.composite
def fields(draw: st.DrawFn) -> Field:
    kind = draw(st.sampled_from(FIELD_TYPES))
    options = tuple(draw(choices)) if kind in ("choice", "multi_choice") else ()
    label = draw(st.text(alphabet="abcdefghij ?.", min_size=1)).strip() or "Label"
    return Field(draw(keys), label, kind, options, draw(st.text(alphabet="abc ,.", max_size=20)).strip(), draw(st.booleans()))


@given(st.lists(fields(), min_size=1, max_size=6, unique_by=lambda f: f.key), st.sampled_from(["extraction", "appraisal"]))
def test_a_form_round_trips_through_json(form: list[Field], kind: str) -> None:
    text = json.dumps({"kind": kind, "fields": [f.to_json() for f in form]})
    assert parse_form_file(text, "form.json") == (kind, tuple(form))


def test_every_built_in_template_round_trips() -> None:
    for template in TEMPLATES.values():
        text = json.dumps({"kind": template.kind, "fields": [f.to_json() for f in template.fields]}, ensure_ascii=False)
        assert parse_form_file(text, f"{template.name}.json") == (template.kind, template.fields)
