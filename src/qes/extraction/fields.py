"""Form fields as data, and the one place a value is checked and normalised for its field type.

A form (extraction form or appraisal checklist) is a tuple of `Field`s. Values are kept in JSON as
the normalised form `normalise` returns: text as typed (trimmed), numbers as int or float, a
choice as the field's own spelling of it, several choices as a list in the field's order,
countries by the name in `data/countries.tsv`, yes/no/unclear as "Yes" | "No" | "Unclear".
An empty value is None (missing), so "" and [] never count as filled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from qes.errors import UserError

FIELD_TYPES = ("text", "long_text", "number", "choice", "multi_choice", "country", "yes_no_unclear")
CHOICE_TYPES = ("choice", "multi_choice")
YES_NO_UNCLEAR = ("Yes", "No", "Unclear")
FORM_KINDS = ("extraction", "appraisal")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
_YNU_SPELLINGS = {
    "yes": "Yes",
    "y": "Yes",
    "no": "No",
    "n": "No",
    "unclear": "Unclear",
    "u": "Unclear",
    "?": "Unclear",
    "can't tell": "Unclear",
    "cannot tell": "Unclear",
}
# Several choices or countries typed in one string: "Interviews; Focus groups".
_LIST_SEPARATORS = re.compile(r"\s*;\s*|\s*\|\s*|\n")
_COUNTRY_SEPARATORS = re.compile(r"\s*,\s*|\s+and\s+|\s*&\s*|\s*/\s*")

Value = str | int | float | list[str] | None


@dataclass(frozen=True)
class Field:
    """One question of a form: what is stored under `key`, how it is asked, what it accepts."""

    key: str
    label: str
    type: str = "text"
    choices: tuple[str, ...] = ()
    help: str = ""
    required: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "type": self.type,
            "choices": list(self.choices),
            "help": self.help,
            "required": self.required,
        }

    @property
    def options(self) -> tuple[str, ...]:
        """The answers a person picks from (choices, or Yes/No/Unclear); empty for free fields."""
        return YES_NO_UNCLEAR if self.type == "yes_no_unclear" else self.choices


@dataclass(frozen=True)
class FormTemplate:
    """A built-in form: its name (as `qes form add --template NAME` takes it) and its fields."""

    name: str
    title: str
    kind: str
    fields: tuple[Field, ...]
    source: str = ""  # where the fields come from (a review's Table 1, a published checklist)
    notes: tuple[str, ...] = field(default_factory=tuple)


def parse_field(data: Mapping[str, Any], where: str) -> Field:
    """A field from its JSON/TOML form; `where` prefixes every message ("fields.json: field 2")."""
    if not isinstance(data, Mapping):
        raise UserError(f"{where}: a field is a table/object with key, label and type")
    unknown = set(data) - {"key", "label", "type", "choices", "help", "required"}
    if unknown:
        raise UserError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    key = str(data.get("key") or "").strip()
    if not _KEY.match(key):
        raise UserError(f"{where}: key {key!r} must be lower-case letters, digits and _ (starting with a letter)")
    kind = str(data.get("type") or "text").strip()
    if kind not in FIELD_TYPES:
        raise UserError(f"{where}: field {key!r} has unknown type {kind!r}; choose one of {', '.join(FIELD_TYPES)}")
    raw_choices = data.get("choices") or []
    if not isinstance(raw_choices, list) or not all(isinstance(c, str) for c in raw_choices):
        raise UserError(f"{where}: choices of field {key!r} must be a list of strings")
    choices = tuple(c.strip() for c in raw_choices if c.strip())
    if kind in CHOICE_TYPES and len(choices) < 2:
        raise UserError(f"{where}: field {key!r} of type {kind} needs at least two choices")
    if kind not in CHOICE_TYPES and choices:
        raise UserError(f"{where}: field {key!r} of type {kind} takes no choices")
    if len({c.casefold() for c in choices}) != len(choices):
        raise UserError(f"{where}: field {key!r} lists a choice twice")
    required = data.get("required", False)
    if not isinstance(required, bool):
        raise UserError(f"{where}: required of field {key!r} must be true or false")
    label = str(data.get("label") or key.replace("_", " ").capitalize()).strip()
    return Field(key, label, kind, choices, str(data.get("help") or "").strip(), required)


def parse_fields(items: Iterable[Mapping[str, Any]], where: str) -> tuple[Field, ...]:
    """A form's fields, checked: each valid, keys unique, at least one."""
    fields: list[Field] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        parsed = parse_field(item, f"{where}: field {number}")
        if parsed.key in seen:
            raise UserError(f"{where}: field {number}: key {parsed.key!r} is used twice")
        seen.add(parsed.key)
        fields.append(parsed)
    if not fields:
        raise UserError(f"{where}: a form needs at least one field")
    return tuple(fields)


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, list) and not value)


def _as_text(field: Field, raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise UserError(f"{field.key}: expected text, got {type(raw).__name__}")
    text = str(raw).strip()
    if field.type == "text":
        text = " ".join(text.split())  # one line
    return text


def _as_number(field: Field, raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise UserError(f"{field.key}: expected a number, got {raw!r}")
    if isinstance(raw, int):
        return raw
    text = str(raw).strip().replace("\u2212", "-")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text):  # 1,234 as a thousands separator
        text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        raise UserError(f"{field.key}: {raw!r} is not a number") from None
    if not math.isfinite(number):
        raise UserError(f"{field.key}: {raw!r} is not a finite number")
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _pick(field: Field, raw: str) -> str:
    wanted = " ".join(raw.split()).casefold()
    for choice in field.options:
        if choice.casefold() == wanted:
            return choice
    if field.type == "yes_no_unclear" and wanted in _YNU_SPELLINGS:
        return _YNU_SPELLINGS[wanted]
    raise UserError(f"{field.key}: {raw.strip()!r} is not one of {', '.join(field.options)}")


def _as_choices(field: Field, raw: Any) -> list[str]:
    parts = raw if isinstance(raw, list) else _LIST_SEPARATORS.split(str(raw))
    picked = {_pick(field, str(p)) for p in parts if str(p).strip()}
    return [c for c in field.choices if c in picked]  # the field's order, once each


def normalise(field: Field, raw: Any) -> Value:
    """The value stored for `raw` in `field`, or UserError("key: why") when it does not fit."""
    if is_empty(raw):
        return None
    if field.type in ("text", "long_text"):
        return _as_text(field, raw) or None
    if field.type == "number":
        return _as_number(field, raw)
    if isinstance(raw, list) and field.type != "multi_choice":
        raise UserError(f"{field.key}: takes one value, got a list")
    if field.type in ("choice", "yes_no_unclear"):
        return _pick(field, str(raw))
    if field.type == "multi_choice":
        return _as_choices(field, raw) or None
    return canonical_countries(str(raw), field.key)


def normalise_values(fields: Iterable[Field], raw: Mapping[str, Any]) -> dict[str, Value]:
    """Every value of an entry normalised; unknown keys refused (nothing silently dropped)."""
    by_key = {f.key: f for f in fields}
    unknown = [k for k in raw if k not in by_key]
    if unknown:
        raise UserError(f"unknown field(s) {', '.join(unknown)}; the form has {', '.join(by_key)}")
    return {key: normalise(by_key[key], value) for key, value in raw.items()}


def missing_required(fields: Iterable[Field], values: Mapping[str, Any]) -> list[str]:
    return [f.key for f in fields if f.required and is_empty(values.get(f.key))]


def display(value: Any) -> str:
    """A stored value as a table cell."""
    if is_empty(value):
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


# --- countries ---------------------------------------------------------------------------------


@cache
def country_names() -> dict[str, str]:
    """Every accepted spelling (case-folded) → the name qes stores, from data/countries.tsv."""
    names: dict[str, str] = {}
    text = resources.files("qes.extraction").joinpath("data/countries.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        alpha2, alpha3, name, variants = (line.split("\t") + [""] * 4)[:4]
        for spelling in (name, *filter(None, variants.split("|"))):
            names[spelling.casefold()] = name
        names[f"code:{alpha2}"] = name
        if alpha3:
            names[f"code:{alpha3}"] = name
    return names


def _one_country(text: str) -> str | None:
    names = country_names()
    cleaned = " ".join(text.split())
    if cleaned.isupper() and f"code:{cleaned}" in names:
        return names[f"code:{cleaned}"]
    for candidate in (cleaned, cleaned.rstrip(".")):
        folded = candidate.casefold()
        found = names.get(folded) or (names.get(folded[4:]) if folded.startswith("the ") else None)
        if found is not None:
            return found
    return None


def canonical_countries(raw: str, key: str = "country") -> str:
    """ "USA" → "United States"; several ("Italy, USA and Sweden") → "Italy; United States; Sweden"."""
    whole = _one_country(raw)
    if whole is not None:
        return whole
    found: list[str] = []
    for part in _LIST_SEPARATORS.split(raw.strip()):
        if not part.strip():
            continue
        pieces = [part] if _one_country(part) is not None else [p for p in _COUNTRY_SEPARATORS.split(part) if p.strip()]
        for piece in pieces:
            name = _one_country(piece)
            if name is None:
                raise UserError(f"{key}: {piece.strip()!r} is not a country name qes knows (ISO 3166, e.g. 'United Kingdom')")
            if name not in found:
                found.append(name)
    if not found:
        raise UserError(f"{key}: {raw!r} is not a country name qes knows")
    return "; ".join(found)
