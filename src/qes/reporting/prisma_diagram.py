"""The PRISMA 2020 flow diagram as a layout: boxes, their text and the arrows, in points. Pure.

`layout(counts)` takes the dict of `qes.services.prisma.prisma_counts` (the PRISMA2020 R package's
data names) and places it like the official PRISMA 2020 template for new and updated reviews:
phase bands on the left (Identification, Screening, Included); the column "Identification of new
studies via databases and registers" (records identified per database and register → removed before
screening; screened → excluded; reports sought → not retrieved; assessed → excluded with each reason);
the column "via other methods" when any report came from other methods; the column "Previous
studies" when the review updates an earlier version. Numbers recorded for steps done outside qes
carry a dagger and a note under the diagram. `prisma_draw` turns the one layout into SVG, PNG and PDF.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

FONT_SIZE = 9.5
LINE_HEIGHT = 1.3 * FONT_SIZE
CHAR_WIDTH = 0.53 * FONT_SIZE  # measured ~0.49 em for DejaVu Sans text; a little room to spare
PAD = 7.0
PHASE_WIDTH = 24.0
GAP = 16.0  # between a column's main and side boxes, and between rows (room for arrows)
COLUMN_GAP = 22.0
MAIN_WIDTH = 215.0
SIDE_WIDTH = 215.0
OTHER_MAIN = 175.0
OTHER_SIDE = 175.0
PREVIOUS_WIDTH = 165.0
HEADER_HEIGHT = 34.0
RECORDED_MARK = "†"


@dataclass(frozen=True)
class Line:
    text: str
    indent: int = 0  # sub-items (each database, each reason) are indented one level


@dataclass(frozen=True)
class Box:
    key: str  # what the box counts, e.g. "records_screened"
    x: float
    y: float
    w: float
    h: float
    lines: tuple[Line, ...]
    style: str = "box"  # box | header | header_other | phase


@dataclass(frozen=True)
class Arrow:
    points: tuple[tuple[float, float], ...]  # a polyline; the head is at the last point


@dataclass(frozen=True)
class Diagram:
    width: float
    height: float
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    notes: tuple[str, ...]

    def box(self, key: str) -> Box:
        return next(b for b in self.boxes if b.key == key)

    def text(self) -> str:
        """Every line of every box and note (what a reader sees), for checks and search."""
        return "\n".join([line.text for b in self.boxes for line in b.lines] + list(self.notes))


def number(n: int | None) -> str:
    return "–" if n is None else f"{n:,}"


class _Counts:
    """Formats counts as "(n = 5,188)", with the dagger when the number was recorded."""

    def __init__(self, counts: dict[str, Any]):
        self.counts = counts
        self.recorded: dict[str, str] = dict(counts.get("recorded") or {})

    def n(self, key: str) -> str:
        mark = RECORDED_MARK if key in self.recorded else ""
        # No-break spaces: "(n = 21)" never splits across lines.
        return f"(n\u00a0=\u00a0{number(self.counts.get(key, 0))}){mark}"

    def get(self, key: str) -> int:
        return int(self.counts.get(key) or 0)

    def items(self, key: str) -> list[dict[str, Any]]:
        return list(self.counts.get(key) or [])


def _wrap(lines: list[Line], width: float) -> tuple[Line, ...]:
    out: list[Line] = []
    for line in lines:
        chars = max(10, int((width - 2 * PAD - line.indent * 10) / CHAR_WIDTH))
        for i, part in enumerate(textwrap.wrap(line.text, chars) or [""]):
            out.append(Line(part, line.indent + (1 if i and line.indent else 0)))
    return tuple(out)


def _height(lines: tuple[Line, ...]) -> float:
    return 2 * PAD + len(lines) * LINE_HEIGHT


@dataclass
class _Column:
    x: float
    main: float
    side: float

    @property
    def width(self) -> float:
        return self.main + (GAP + self.side if self.side else 0)

    @property
    def side_x(self) -> float:
        return self.x + self.main + GAP


def _identification_lines(c: _Counts) -> list[Line]:
    lines = [Line("Records identified from:"), Line(f"Databases {c.n('database_results')}")]
    for item in c.items("database_specific_results"):
        lines.append(Line(f"{item['database']} (n\u00a0=\u00a0{number(item['n'])})", 1))
    lines.append(Line(f"Registers {c.n('register_results')}"))
    return lines


def _removed_lines(c: _Counts) -> list[Line]:
    return [
        Line("Records removed before screening:"),
        Line(f"Duplicate records removed {c.n('duplicates')}", 1),
        Line(f"Records marked as ineligible by automation tools {c.n('excluded_automatic')}", 1),
        Line(f"Records removed for other reasons {c.n('excluded_other')}", 1),
    ]


def _excluded_lines(c: _Counts, key: str) -> list[Line]:
    lines = [Line(f"Reports excluded (n\u00a0=\u00a0{number(sum(int(i['n']) for i in c.items(key)))})" + _mark(c, key) + ":")]
    lines += [Line(f"{item['reason']} (n\u00a0=\u00a0{number(item['n'])})", 1) for item in c.items(key)]
    return lines


def _records_excluded_lines(c: _Counts) -> list[Line]:
    """The total, then (with two or more record stages) each stage's exclusions of the records it screened."""
    lines = [Line(f"Records excluded {c.n('records_excluded')}")]
    stages = [(name, s) for name, s in (c.counts.get("stages") or {}).items() if s.get("kind") != "fulltext"]
    if len(stages) > 1 and "records_excluded" not in c.recorded:
        for name, s in stages:
            by_people = int(s.get("exclude", 0)) - int(s.get("excluded_automatic", 0))
            lines.append(Line(f"on {name}: {number(by_people)} of {number(int(s.get('resolved', 0)))}", 1))
    return lines


def _mark(c: _Counts, key: str) -> str:
    return RECORDED_MARK if key in c.recorded else ""


def layout(counts: dict[str, Any]) -> Diagram:
    c = _Counts(counts)
    previous = c.get("previous_studies") > 0 or c.get("previous_reports") > 0
    other_found = sum(c.get(k) for k in ("website_results", "organisation_results", "citations_results"))
    other = other_found > 0 or c.get("other_sought_reports") > 0
    x = PHASE_WIDTH + 10
    prev_col = None
    if previous:
        prev_col = _Column(x, PREVIOUS_WIDTH, 0)
        x += prev_col.width + COLUMN_GAP
    db = _Column(x, MAIN_WIDTH, SIDE_WIDTH)
    x += db.width
    oth = None
    if other:
        x += COLUMN_GAP
        oth = _Column(x, OTHER_MAIN, OTHER_SIDE)
        x += oth.width
    width = x + 4

    # Box texts, wrapped to their widths, row by row (each row as tall as its tallest box).
    cells: dict[str, tuple[_Column, bool, list[Line]]] = {
        "identified": (db, False, _identification_lines(c)),
        "removed": (db, True, _removed_lines(c)),
        "records_screened": (db, False, [Line(f"Records screened {c.n('records_screened')}")]),
        "records_excluded": (db, True, _records_excluded_lines(c)),
        "dbr_sought_reports": (db, False, [Line(f"Reports sought for retrieval {c.n('dbr_sought_reports')}")]),
        "dbr_notretrieved_reports": (db, True, [Line(f"Reports not retrieved {c.n('dbr_notretrieved_reports')}")]),
        "dbr_assessed": (db, False, [Line(f"Reports assessed for eligibility {c.n('dbr_assessed')}")]),
        "dbr_excluded": (db, True, _excluded_lines(c, "dbr_excluded")),
        "new_studies": (
            db,
            False,
            [
                Line(f"New studies included in review {c.n('new_studies')}"),
                Line(f"Reports of new included studies {c.n('new_reports')}"),
            ],
        ),
    }
    if previous:
        cells["total_studies"] = (
            db,
            False,
            [
                Line(f"Total studies included in review {c.n('total_studies')}"),
                Line(f"Reports of total included studies {c.n('total_reports')}"),
            ],
        )
        assert prev_col is not None
        cells["previous_studies"] = (
            prev_col,
            False,
            [
                Line(f"Studies included in previous version of review {c.n('previous_studies')}"),
                Line(f"Reports of studies included in previous version of review {c.n('previous_reports')}"),
            ],
        )
    if oth is not None:
        cells["other_identified"] = (
            oth,
            False,
            [
                Line("Records identified from:"),
                Line(f"Websites {c.n('website_results')}", 1),
                Line(f"Organisations {c.n('organisation_results')}", 1),
                Line(f"Citation searching {c.n('citations_results')}", 1),
            ],
        )
        cells["other_sought_reports"] = (oth, False, [Line(f"Reports sought for retrieval {c.n('other_sought_reports')}")])
        cells["other_notretrieved_reports"] = (oth, True, [Line(f"Reports not retrieved {c.n('other_notretrieved_reports')}")])
        cells["other_assessed"] = (oth, False, [Line(f"Reports assessed for eligibility {c.n('other_assessed')}")])
        cells["other_excluded"] = (oth, True, _excluded_lines(c, "other_excluded"))

    wrapped = {k: _wrap(lines, col.side if side else col.main) for k, (col, side, lines) in cells.items()}
    rows = [
        ("identification", ["identified", "removed", "other_identified", "previous_studies"]),
        ("screening", ["records_screened", "records_excluded"]),
        ("screening", ["dbr_sought_reports", "dbr_notretrieved_reports", "other_sought_reports", "other_notretrieved_reports"]),
        ("screening", ["dbr_assessed", "dbr_excluded", "other_assessed", "other_excluded"]),
        ("included", ["new_studies"]),
        ("included", ["total_studies"]),
    ]
    boxes: list[Box] = []
    y = HEADER_HEIGHT + GAP
    phases: dict[str, list[float]] = {}
    for phase, keys in rows:
        present = [k for k in keys if k in wrapped]
        if not present:
            continue
        h = max(_height(wrapped[k]) for k in present)
        for k in present:
            col, side, _ = cells[k]
            bx = col.side_x if side else col.x
            boxes.append(Box(k, bx, y, col.side if side else col.main, h, wrapped[k]))
        span = phases.setdefault(phase, [y, y + h])
        span[1] = y + h
        y += h + GAP * 1.6
    height = y - GAP * 1.6 + 4

    # Column headers and phase bands.
    headers = [(db, "Identification of new studies via databases and registers", "header")]
    if oth is not None:
        headers.append((oth, "Identification of new studies via other methods", "header_other"))
    if prev_col is not None:
        headers.append((prev_col, "Previous studies", "header_other"))
    for col, title, style in headers:
        boxes.append(Box(f"{style}:{title}", col.x, 0, col.width, HEADER_HEIGHT, _wrap([Line(title)], col.width), style))
    for phase, (top, bottom) in phases.items():
        boxes.append(Box(f"phase:{phase}", 0, top, PHASE_WIDTH, bottom - top, (Line(phase.capitalize()),), "phase"))

    by_key = {b.key: b for b in boxes}
    arrows = _arrows(by_key, previous)
    return Diagram(width, height, tuple(boxes), tuple(arrows), _notes(c))


def _arrows(by_key: dict[str, Box], previous: bool) -> list[Arrow]:
    def down(a: str, b: str) -> Arrow:
        top, bottom = by_key[a], by_key[b]
        x = top.x + top.w / 2
        return Arrow(((x, top.y + top.h), (x, bottom.y)))

    def right(a: str, b: str) -> Arrow:
        left, side = by_key[a], by_key[b]
        y = left.y + left.h / 2
        return Arrow(((left.x + left.w, y), (side.x, y)))

    arrows = [
        right("identified", "removed"),
        down("identified", "records_screened"),
        right("records_screened", "records_excluded"),
        down("records_screened", "dbr_sought_reports"),
        right("dbr_sought_reports", "dbr_notretrieved_reports"),
        down("dbr_sought_reports", "dbr_assessed"),
        right("dbr_assessed", "dbr_excluded"),
        down("dbr_assessed", "new_studies"),
    ]
    if "other_identified" in by_key:
        arrows += [
            down("other_identified", "other_sought_reports"),
            right("other_sought_reports", "other_notretrieved_reports"),
            down("other_sought_reports", "other_assessed"),
            right("other_assessed", "other_excluded"),
        ]
        # From the other methods' assessed reports down and across into the included box.
        a, b = by_key["other_assessed"], by_key["new_studies"]
        x = a.x + a.w / 2
        arrows.append(Arrow(((x, a.y + a.h), (x, b.y + b.h / 2), (b.x + b.w, b.y + b.h / 2))))
    if previous:
        arrows.append(down("new_studies", "total_studies"))
        p, t = by_key["previous_studies"], by_key["total_studies"]
        x = p.x + p.w / 2
        arrows.append(Arrow(((x, p.y + p.h), (x, t.y + t.h / 2), (t.x, t.y + t.h / 2))))
    return arrows


def _notes(c: _Counts) -> tuple[str, ...]:
    if not c.recorded:
        return ()
    by_note: dict[str, list[str]] = {}
    for key, note in c.recorded.items():
        by_note.setdefault(note or "no note", []).append(key)
    return tuple(f"{RECORDED_MARK} Recorded, not derived by qes (step done outside qes): {note}" for note in by_note)
