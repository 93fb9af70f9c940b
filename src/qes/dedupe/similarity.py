"""Indel similarity of two strings (0–100), as rapidfuzz computes it, without paying for its import
on a small run.

rapidfuzz takes about 10 ms to import, a sixth of a standalone run on a small file. The first
comparisons are computed here in pure Python (the bit-parallel longest common subsequence: one
big-integer step per character); after `PURE_PYTHON_CALLS` of them the run is large enough for
rapidfuzz's import to pay off, and it takes over. Both give the same number.
"""

from __future__ import annotations

from collections.abc import Callable

PURE_PYTHON_CALLS = 256
_calls = 0
_rapidfuzz: Callable[[str, str], float] | None = None


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence (Hyyrö's bit-vector algorithm)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return 0
    masks: dict[str, int] = {}
    for position, char in enumerate(b):
        masks[char] = masks.get(char, 0) | (1 << position)
    width = (1 << len(b)) - 1
    row = width
    for char in a:
        matches = row & masks.get(char, 0)
        row = ((row + matches) | (row - matches)) & width
    return len(b) - row.bit_count()


def pure_indel_similarity(a: str, b: str) -> float:
    """1 - (characters inserted or deleted to turn a into b) / (len(a) + len(b)), times 100."""
    total = len(a) + len(b)
    if not total:
        return 100.0
    distance = total - 2 * lcs_length(a, b)
    return (1.0 - distance / total) * 100.0


def indel_similarity(a: str, b: str) -> float:
    global _calls, _rapidfuzz
    if _rapidfuzz is not None:
        return _rapidfuzz(a, b) * 100.0
    _calls += 1
    if _calls > PURE_PYTHON_CALLS:
        from rapidfuzz.distance import Indel

        _rapidfuzz = Indel.normalized_similarity
    return pure_indel_similarity(a, b)
