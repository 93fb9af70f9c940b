"""Agreement between coders of text: Cohen's kappa and percent agreement per code, Krippendorff's alpha.

Pure functions over plain data; no I/O.

**Units.** As NVivo's "coding comparison" does, agreement is judged per character: for a code, every
character of a document is a unit that each coder either coded with the code or did not. Rather than
iterating characters, the document is cut at every segment boundary of either coder into *elementary
ranges*; inside a range nothing changes, so a range is one unit weighted by its length. The figures are
identical to a per-character count and cost O(segments), not O(characters). ``unit="sentence"``
instead makes each sentence a unit (coded when any of the coder's segments with the code overlaps it),
which is kinder to coders who disagree only about where a passage begins or ends.

Only documents that every compared coder has coded (finished) take part; a coder who did not code a
document is *missing* there, not "coded nothing" — Krippendorff's alpha handles that, kappa needs pairs.

References
----------
- Cohen J (1960). A coefficient of agreement for nominal scales. Educ Psychol Meas 20:37-46.
- Krippendorff K (2011). Computing Krippendorff's alpha-reliability. Annenberg School for Communication
  Departmental Papers 43. (Coincidence matrix, nominal metric, missing values; worked examples A-C.)
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

Unit = Literal["character", "sentence"]

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n\s*\n")


@dataclass(frozen=True)
class CodedSpan:
    """One coder's application of one code to characters [start, end) of a document."""

    document: Hashable
    start: int
    end: int
    code: str
    coder: str


@dataclass(frozen=True)
class CodeAgreement:
    """Two coders' agreement on one code (units weighted by length: characters, or sentences)."""

    code: str
    units: int  # characters (or sentences) compared
    both: int  # coded by both coders
    first_only: int
    second_only: int
    neither: int
    percent_agreement: float | None
    kappa: float | None
    alpha: float | None

    def to_json(self) -> dict:
        """Every field as a JSON-ready dict; floats rounded to 4 decimals."""
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as [start, end) ranges covering it without gaps (a blank line also ends one)."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            bounds.append((start, match.end()))
            start = match.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def _covered(ranges: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in ranges)


def unit_table(
    text: str,
    spans: Sequence[CodedSpan],
    coders: Sequence[str],
    code: str,
    unit: Unit = "character",
) -> list[tuple[int, tuple[bool, ...]]]:
    """One document's units for ``code``: (weight, whether each coder coded the unit), in coder order.

    Character units: the elementary ranges between all boundaries of either coder's segments (plus the
    document's ends), each weighted by its length. Sentence units: each sentence, weight 1.
    """
    by_coder: dict[str, list[tuple[int, int]]] = {c: [] for c in coders}
    for span in spans:
        if span.code == code and span.coder in by_coder:
            start, end = max(0, span.start), min(len(text), span.end)
            if end > start:
                by_coder[span.coder].append((start, end))
    if unit == "sentence":
        return [(1, tuple(_covered(by_coder[c], s, e) for c in coders)) for s, e in sentence_bounds(text)]
    cuts = {0, len(text)}
    for ranges in by_coder.values():
        for s, e in ranges:
            cuts.update((s, e))
    edges = sorted(cuts)
    table: list[tuple[int, tuple[bool, ...]]] = []
    for s, e in zip(edges, edges[1:], strict=False):
        table.append((e - s, tuple(_covered(by_coder[c], s, e) for c in coders)))
    return table


def cohen_weighted(pairs: Iterable[tuple[int, bool, bool]]) -> tuple[int, int, int, int, float | None, float | None]:
    """Cohen's kappa of two binary raters over weighted units (weight, first, second).

    Returns (both, first_only, second_only, neither, percent agreement, kappa); kappa is ``None`` when chance
    agreement is 1 (both coders constant and equal, e.g. neither ever used the code).
    """
    cells = Counter[tuple[bool, bool]]()
    for weight, a, b in pairs:
        cells[(a, b)] += weight
    both, first_only = cells[(True, True)], cells[(True, False)]
    second_only, neither = cells[(False, True)], cells[(False, False)]
    n = both + first_only + second_only + neither
    if n == 0:
        return both, first_only, second_only, neither, None, None
    observed = both + neither
    # Integer arithmetic until the division, so "chance agreement is exactly 1" is decided exactly.
    chance = (both + first_only) * (both + second_only) + (neither + second_only) * (neither + first_only)
    kappa = None if chance == n * n else (n * observed - chance) / (n * n - chance)
    return both, first_only, second_only, neither, observed / n, kappa


def krippendorff_alpha(
    data: Sequence[Sequence[Hashable | None]],
    weights: Sequence[int] | None = None,
) -> float | None:
    """Krippendorff's alpha for nominal data, any number of coders, missing values as ``None``.

    ``data[i][u]`` is coder i's value for unit u. Units with fewer than two values are not pairable and drop
    out. ``weights[u]`` counts unit u that many times (a run of identical characters). Coincidences
    o_ck = sum_u w_u * (number of c-k pairs of values from different coders in u) / (m_u - 1);
    alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k  (Krippendorff 2011).
    ``None`` when there are no pairable values or only one value occurs (no variation to be reliable about).
    """
    if not data:
        return None
    width = len(data[0])
    if any(len(row) != width for row in data):
        raise ValueError("every coder needs one value (or None) per unit")
    if weights is not None and len(weights) != width:
        raise ValueError(f"{len(weights)} weights for {width} units")
    coincidence: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for u in range(width):
        values = [row[u] for row in data if row[u] is not None]
        m = len(values)
        if m < 2:
            continue
        weight = 1 if weights is None else weights[u]
        counts = Counter(values)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                if pairs:
                    coincidence[(c, k)] += weight * pairs / (m - 1)
    totals: defaultdict[Hashable, float] = defaultdict(float)
    for (c, _k), o in coincidence.items():
        totals[c] += o
    n = sum(totals.values())
    if n <= 1 or len(totals) < 2:
        return None
    disagreement = sum(o for (c, k), o in coincidence.items() if c != k)
    expected = n * n - sum(t * t for t in totals.values())  # sum over c != k of n_c * n_k
    return 1.0 - (n - 1) * disagreement / expected


def agreement_by_code(
    texts: Mapping[Any, str],
    spans: Sequence[CodedSpan],
    first: str,
    second: str,
    codes: Sequence[str] | None = None,
    unit: Unit = "character",
) -> list[CodeAgreement]:
    """Per code, two coders' agreement over every document in ``texts`` (the documents both finished).

    ``codes`` fixes the order and lets a code neither coder used appear (kappa ``None``); by default every
    code either coder used, sorted.
    """
    names = list(codes) if codes is not None else sorted({s.code for s in spans if s.coder in (first, second)})
    by_document: defaultdict[Hashable, list[CodedSpan]] = defaultdict(list)
    for span in spans:
        by_document[span.document].append(span)
    results = []
    for code in names:
        units: list[tuple[int, bool, bool]] = []
        for document, text in texts.items():
            for weight, (a, b) in unit_table(text, by_document[document], (first, second), code, unit):
                units.append((weight, a, b))
        both, first_only, second_only, neither, percent, kappa = cohen_weighted(units)
        alpha = krippendorff_alpha([[a for _, a, _ in units], [b for _, _, b in units]], [w for w, _, _ in units])
        total = both + first_only + second_only + neither
        results.append(CodeAgreement(code, total, both, first_only, second_only, neither, percent, kappa, alpha))
    return results


def alpha_by_code(
    texts: Mapping[Any, str],
    spans: Sequence[CodedSpan],
    coders_by_document: Mapping[Any, Sequence[str]],
    coders: Sequence[str],
    codes: Sequence[str] | None = None,
    unit: Unit = "character",
) -> dict[str, float | None]:
    """Krippendorff's alpha per code for any number of coders; a coder absent from a document is missing there.

    ``coders_by_document[d]`` lists who coded (finished) document d; the others contribute ``None`` for its units.
    """
    names = list(codes) if codes is not None else sorted({s.code for s in spans})
    by_document: defaultdict[Hashable, list[CodedSpan]] = defaultdict(list)
    for span in spans:
        by_document[span.document].append(span)
    out: dict[str, float | None] = {}
    for code in names:
        rows: list[list[Hashable | None]] = [[] for _ in coders]
        weights: list[int] = []
        for document, text in texts.items():
            present = set(coders_by_document.get(document, ()))
            for weight, flags in unit_table(text, by_document[document], coders, code, unit):
                weights.append(weight)
                for i, coder in enumerate(coders):
                    rows[i].append(flags[i] if coder in present else None)
        out[code] = krippendorff_alpha(rows, weights) if weights else None
    return out
