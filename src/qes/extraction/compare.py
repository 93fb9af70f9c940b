"""Two (or more) people's entries for one study, field by field: equal, differ, or only some filled.

Values are compared as normalised (see `fields.normalise`): 12, "12" and "12.0" are one number;
"yes" and "Yes" one answer; choices in any order one set; text equal up to runs of white space.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qes.errors import UserError
from qes.extraction.fields import Field, is_empty, normalise

STATES = ("equal", "differ", "only_one", "empty")


@dataclass(frozen=True)
class FieldComparison:
    key: str
    label: str
    type: str
    values: dict[str, Any]  # person → value as entered (normalised)
    state: str  # equal | differ | only_one (some filled, some not) | empty (nobody filled it)

    @property
    def agreed(self) -> bool:
        return self.state in ("equal", "empty")

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "type": self.type, "state": self.state, "values": self.values}


def comparable(field: Field, value: Any) -> Any:
    """The form two values are compared in (a value that no longer fits the field compares as text)."""
    try:
        value = normalise(field, value)
    except UserError:
        value = " ".join(str(value).split())
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return frozenset(value)
    if isinstance(value, int | float):
        return float(value)
    return value


def compare_field(field: Field, values: Mapping[str, Any]) -> FieldComparison:
    filled = {person: v for person, v in values.items() if not is_empty(v)}
    if not filled:
        state = "empty"
    elif len(filled) < len(values):
        state = "only_one"
    else:
        state = "equal" if len({comparable(field, v) for v in filled.values()}) == 1 else "differ"
    return FieldComparison(field.key, field.label, field.type, dict(values), state)


def compare_entries(fields: Sequence[Field], entries: Mapping[str, Mapping[str, Any]]) -> list[FieldComparison]:
    """Each field of the form, with every person's value, in form order. Needs two entries or more."""
    if len(entries) < 2:
        raise UserError(f"a comparison needs two entries; there {'is' if len(entries) == 1 else 'are'} {len(entries)}")
    return [compare_field(f, {person: values.get(f.key) for person, values in entries.items()}) for f in fields]


def differing(comparisons: Sequence[FieldComparison]) -> list[str]:
    """The keys a reconciliation must decide."""
    return [c.key for c in comparisons if not c.agreed]
