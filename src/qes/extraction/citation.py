"""Short citations for study labels: "Cohen (1998)", "Beeber and Caldwell (1996)",
"Goodman et al. (2014)", and "[21] Andreasson and Skärsäter (2012)" for a review citing by number."""

from __future__ import annotations

import string
from collections.abc import Collection, Sequence


def short_citation(authors: Sequence[str], year: int | str | None, number: int | None = None) -> str:
    """`authors` are family names in the paper's order; no year gives "(n.d.)", no authors "Anonymous"."""
    names = [" ".join(a.split()) for a in authors if a and a.strip()]
    if not names:
        who = "Anonymous"
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    when = str(year).strip() if year not in (None, "") else "n.d."
    label = f"{who} ({when})"
    return f"[{number}] {label}" if number is not None else label


def unique_label(label: str, taken: Collection[str]) -> str:
    """`label`, or with a letter after the year ("Smith et al. (2010b)") when it is already taken."""
    if label not in taken:
        return label
    head, _, tail = label.rpartition(")")
    for letter in string.ascii_lowercase[1:]:
        candidate = f"{head}{letter}){tail}" if head else f"{label} {letter}"
        if candidate not in taken:
            return candidate
    raise ValueError(f"too many studies labelled {label!r}")
