"""The final record of a study from its entries: what everyone agreed, plus a decision per field
where they did not (take one person's value, or type the value), checked as a whole.

Nothing is decided silently: a field the entries differ on, or that only some filled, must be
decided; a required field may not end up empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qes.errors import UserError
from qes.extraction.compare import compare_entries
from qes.extraction.fields import Field, Value, is_empty, missing_required, normalise


def reconcile(
    fields: Sequence[Field],
    entries: Mapping[str, Mapping[str, Any]],
    *,
    take: Mapping[str, str] | None = None,
    set_values: Mapping[str, Any] | None = None,
) -> dict[str, Value]:
    """Final values: `set_values[key]` (typed), else `entries[take[key]][key]`, else the agreed value."""
    take = dict(take or {})
    set_values = dict(set_values or {})
    keys = {f.key for f in fields}
    for key in [*take, *set_values]:
        if key not in keys:
            raise UserError(f"{key}: not a field of this form (fields: {', '.join(sorted(keys))})")
    both = sorted(set(take) & set(set_values))
    if both:
        raise UserError(f"{', '.join(both)}: either take a person's value or set one, not both")
    for key, person in take.items():
        if person not in entries:
            raise UserError(f"{key}: {person} has no entry for this study (entries: {', '.join(sorted(entries)) or 'none'})")
    if not entries and not set_values:
        raise UserError("nothing to reconcile: no submitted entries, and no values set")
    comparisons = {c.key: c for c in compare_entries(fields, entries)} if len(entries) >= 2 else {}
    final: dict[str, Value] = {}
    undecided: list[str] = []
    for field in fields:
        if field.key in set_values:
            final[field.key] = normalise(field, set_values[field.key])
        elif field.key in take:
            final[field.key] = normalise(field, entries[take[field.key]].get(field.key))
        elif not entries:
            final[field.key] = None
        elif len(entries) == 1:
            (only,) = entries.values()
            final[field.key] = normalise(field, only.get(field.key))
        elif comparisons[field.key].agreed:
            first = next((v for v in comparisons[field.key].values.values() if not is_empty(v)), None)
            final[field.key] = normalise(field, first)
        else:
            undecided.append(field.key)
    if undecided:
        raise UserError(f"the entries differ on {', '.join(undecided)}: decide each with --take KEY=PERSON or --set KEY=VALUE")
    missing = missing_required(fields, final)
    if missing:
        raise UserError(f"required field(s) empty in the final record: {', '.join(missing)}")
    return final
