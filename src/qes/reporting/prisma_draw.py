"""Draw a `prisma_diagram.Diagram`: SVG written directly (text stays text, numbers searchable), PNG
and PDF with matplotlib from the same layout, so the three files show the same diagram.
"""

from __future__ import annotations

import io
from html import escape
from typing import IO, Any

from qes.errors import UserError
from qes.reporting.prisma_diagram import FONT_SIZE, LINE_HEIGHT, PAD, Box, Diagram

FORMATS = ("svg", "png", "pdf")
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf", "json": "application/json"}
FONT_FAMILY = "DejaVu Sans, Arial, Helvetica, sans-serif"
INDENT = 10.0
NOTE_SIZE = 7.5
FILLS = {"box": "#ffffff", "header": "#ffc000", "header_other": "#d9d9d9", "phase": "#9dc3e6"}
NOTES_GAP = 14.0


def _note_height(diagram: Diagram) -> float:
    return (NOTES_GAP + len(diagram.notes) * NOTE_SIZE * 1.4) if diagram.notes else 0.0


def to_svg(diagram: Diagram) -> str:
    """A standalone SVG document (also valid inline in HTML)."""
    height = diagram.height + _note_height(diagram)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {diagram.width:.0f} {height:.0f}" '
        f'width="{diagram.width:.0f}" height="{height:.0f}" role="img" aria-labelledby="prisma-title" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}">',
        '<title id="prisma-title">PRISMA 2020 flow diagram</title>',
        '<defs><marker id="prisma-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#000"/></marker></defs>',
        f'<rect x="0" y="0" width="{diagram.width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    for box in diagram.boxes:
        out.append(_svg_box(box))
    for arrow in diagram.arrows:
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in arrow.points)
        out.append(f'<polyline points="{points}" fill="none" stroke="#000" stroke-width="1" marker-end="url(#prisma-arrow)"/>')
    y = diagram.height + NOTES_GAP
    for note in diagram.notes:
        out.append(f'<text x="4" y="{y:.1f}" font-size="{NOTE_SIZE}">{escape(note)}</text>')
        y += NOTE_SIZE * 1.4
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _svg_box(box: Box) -> str:
    rx = 6 if box.style.startswith("header") or box.style == "phase" else 0
    parts = [
        f'<g class="prisma-{box.style}" data-key="{escape(box.key)}">',
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="{rx}" '
        f'fill="{FILLS[box.style]}" stroke="{"#000" if box.style == "box" else "none"}"/>',
    ]
    if box.style == "phase":
        cx, cy = box.x + box.w / 2, box.y + box.h / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{cy:.1f}" transform="rotate(-90 {cx:.1f} {cy:.1f})" text-anchor="middle" '
            f'dominant-baseline="central" font-weight="bold">{escape(box.lines[0].text)}</text>'
        )
    elif box.style.startswith("header"):
        top = box.y + box.h / 2 - (len(box.lines) - 1) * LINE_HEIGHT / 2
        for i, line in enumerate(box.lines):
            parts.append(
                f'<text x="{box.x + box.w / 2:.1f}" y="{top + i * LINE_HEIGHT:.1f}" text-anchor="middle" '
                f'dominant-baseline="central" font-weight="bold">{escape(line.text)}</text>'
            )
    else:
        for i, line in enumerate(box.lines):
            x = box.x + PAD + line.indent * INDENT
            y = box.y + PAD + (i + 0.78) * LINE_HEIGHT
            parts.append(f'<text x="{x:.1f}" y="{y:.1f}">{escape(line.text)}</text>')
    parts.append("</g>")
    return "\n".join(parts)


def draw(diagram: Diagram, fmt: str, stream: IO[Any]) -> None:
    """Write the diagram as svg (text stream) or png / pdf (binary stream)."""
    if fmt == "svg":
        stream.write(to_svg(diagram))
        return
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt!r}: the PRISMA diagram is written as json, {', '.join(FORMATS)}")
    _draw_matplotlib(diagram, fmt, stream)


def draw_bytes(diagram: Diagram, fmt: str) -> bytes:
    if fmt == "svg":
        return to_svg(diagram).encode("utf-8")
    buffer = io.BytesIO()
    draw(diagram, fmt, buffer)
    return buffer.getvalue()


def _draw_matplotlib(diagram: Diagram, fmt: str, stream: IO[bytes]) -> None:
    # Imported here: matplotlib costs ~0.5 s to import and only PNG/PDF need it. The Agg backend
    # through the object API (no pyplot): no display, no global state.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
    from matplotlib.path import Path as MplPath

    height = diagram.height + _note_height(diagram)
    # One layout unit is one point (1/72 inch), so font sizes in points match the SVG.
    figure = Figure(figsize=(diagram.width / 72, height / 72))
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, diagram.width)
    axes.set_ylim(height, 0)
    axes.set_axis_off()
    font = {"family": "DejaVu Sans", "size": FONT_SIZE}
    for box in diagram.boxes:
        if box.style == "box":
            axes.add_patch(Rectangle((box.x, box.y), box.w, box.h, facecolor="white", edgecolor="black", linewidth=0.8))
            for i, line in enumerate(box.lines):
                x = box.x + PAD + line.indent * INDENT
                y = box.y + PAD + (i + 0.78) * LINE_HEIGHT
                axes.text(x, y, line.text, fontdict=font, va="baseline", ha="left")
            continue
        axes.add_patch(
            FancyBboxPatch(
                (box.x, box.y), box.w, box.h, boxstyle="round,pad=0,rounding_size=6", facecolor=FILLS[box.style], edgecolor="none"
            )
        )
        cx, cy = box.x + box.w / 2, box.y + box.h / 2
        if box.style == "phase":
            axes.text(cx, cy, box.lines[0].text, fontdict=font, weight="bold", rotation=90, ha="center", va="center")
        else:
            text = "\n".join(line.text for line in box.lines)
            axes.text(cx, cy, text, fontdict=font, weight="bold", ha="center", va="center", linespacing=1.3)
    for arrow in diagram.arrows:
        path = MplPath(list(arrow.points))
        axes.add_patch(FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=9, color="black", linewidth=0.8))
    y = diagram.height + NOTES_GAP
    for note in diagram.notes:
        axes.text(4, y, note, fontdict={"family": "DejaVu Sans", "size": NOTE_SIZE}, va="baseline")
        y += NOTE_SIZE * 1.4
    figure.savefig(stream, format=fmt, dpi=200 if fmt == "png" else 72, metadata=_metadata(fmt))


def _metadata(fmt: str) -> dict[str, Any]:
    # Fixed metadata so the same project gives the same PDF (no creation date, no software version).
    if fmt == "pdf":
        return {"Creator": "qes", "Producer": None, "CreationDate": None, "Title": "PRISMA 2020 flow diagram"}
    return {"Software": None}
