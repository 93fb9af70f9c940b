"""Tabulations by study characteristics: how many studies per country, design, setting ...

Input is each study's final (reconciled) value of one extraction field: a string, a list (a
multi-choice field: the study counts once under each value), or empty (counted as "Not
reported", so no study silently drops out). Review 001 words its countries this way: "Seven
studies were conducted in the USA, five in Sweden, four in the UK ...".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qes.reporting.tables import Table

NOT_REPORTED = "Not reported"


@dataclass(frozen=True)
class Tally:
    value: str
    studies: tuple[str, ...]  # study labels, in table order

    @property
    def count(self) -> int:
        return len(self.studies)


def _values(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    return [text] if text else []


def tabulate(values: Mapping[str, object], order: Sequence[str] | None = None) -> list[Tally]:
    """Studies per value, most studies first (ties by value); `values` maps study label → field value."""
    labels = list(order) if order is not None else list(values)
    groups: dict[str, list[str]] = {}
    for label in labels:
        found = _values(values.get(label))
        for v in dict.fromkeys(found) if found else [NOT_REPORTED]:
            groups.setdefault(v, []).append(label)
    tallies = [Tally(v, tuple(s)) for v, s in groups.items()]
    return sorted(tallies, key=lambda t: (t.value == NOT_REPORTED, -t.count, t.value.casefold()))


def tabulation_table(field_label: str, tallies: Sequence[Tally], total: int) -> Table:
    rows = tuple((t.value, str(t.count), "; ".join(t.studies)) for t in tallies)
    notes = (f"{total} studies; a study with several values is counted under each.",)
    return Table(f"Studies by {field_label.lower()}", (field_label, "studies", "which"), rows, notes, key="tabulation")
