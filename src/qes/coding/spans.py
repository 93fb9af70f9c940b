"""A document's text cut into pieces at every segment boundary, each piece knowing which segments cover it.

What the coding page draws: every piece is one run of text whose coding does not change inside it, so
a highlight is a piece with covering segments, and a selection's offsets are a piece's start plus the
position inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    text: str
    segments: tuple[int, ...] = field(default_factory=tuple)  # ids of the segments covering the piece


def pieces(text: str, segments: Sequence[tuple[int, int, int]]) -> list[Piece]:
    """Cut ``text`` at the boundaries of ``segments`` given as (id, start, end); pieces cover the text exactly."""
    cuts = {0, len(text)}
    for _, start, end in segments:
        cuts.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    edges = sorted(cuts)
    out = []
    for start, end in zip(edges, edges[1:], strict=False):
        covering = tuple(sid for sid, s, e in segments if s <= start and end <= e)
        out.append(Piece(start, end, text[start:end], covering))
    return out
