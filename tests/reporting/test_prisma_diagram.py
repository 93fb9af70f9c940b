"""The PRISMA 2020 diagram: the layout places every count like the template; SVG/PNG/PDF are real files."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from qes.errors import UserError
from qes.reporting.prisma_diagram import RECORDED_MARK, Diagram, layout
from qes.reporting.prisma_draw import draw, draw_bytes, to_svg

SVG = "{http://www.w3.org/2000/svg}"


def counts(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "previous_studies": 0,
        "previous_reports": 0,
        "database_results": 5188,
        "database_specific_results": [{"database": "PsycINFO", "n": 3000}, {"database": "CINAHL", "n": 2188}],
        "register_results": 0,
        "website_results": 0,
        "organisation_results": 0,
        "citations_results": 0,
        "duplicates": 12,
        "excluded_automatic": 3,
        "excluded_other": 0,
        "records_screened": 5173,
        "records_excluded": 5152,
        "dbr_sought_reports": 21,
        "dbr_notretrieved_reports": 1,
        "other_sought_reports": 0,
        "other_notretrieved_reports": 0,
        "dbr_assessed": 20,
        "dbr_excluded": [{"reason": "Not a dyadic relationship", "n": 7}, {"reason": "Peer support", "n": 2}],
        "other_assessed": 0,
        "other_excluded": [],
        "new_studies": 11,
        "new_reports": 12,
        "total_studies": 11,
        "total_reports": 12,
        "recorded": {},
    }
    return base | changes


def box_text(diagram: Diagram, key: str) -> str:
    return " ".join(line.text for line in diagram.box(key).lines).replace("\u00a0", " ")


def overlaps(a: Any, b: Any) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def test_each_box_shows_its_count_in_template_order() -> None:
    d = layout(counts())
    assert "Databases (n = 5,188)" in box_text(d, "identified")
    assert "PsycINFO (n = 3,000)" in box_text(d, "identified") and "Registers (n = 0)" in box_text(d, "identified")
    removed = box_text(d, "removed")
    assert "Duplicate records removed (n = 12)" in removed and "automation tools (n = 3)" in removed
    assert box_text(d, "records_screened") == "Records screened (n = 5,173)"
    assert box_text(d, "records_excluded") == "Records excluded (n = 5,152)"
    assert "(n = 21)" in box_text(d, "dbr_sought_reports") and "(n = 1)" in box_text(d, "dbr_notretrieved_reports")
    excluded = box_text(d, "dbr_excluded")
    assert "Reports excluded (n = 9)" in excluded and "Not a dyadic relationship (n = 7)" in excluded
    assert "New studies included in review (n = 11)" in box_text(d, "new_studies")
    assert "Reports of new included studies (n = 12)" in box_text(d, "new_studies")
    # Rows run top to bottom, main boxes in one column, side boxes to their right, nothing overlapping.
    order = ["identified", "records_screened", "dbr_sought_reports", "dbr_assessed", "new_studies"]
    ys = [d.box(k).y for k in order]
    assert ys == sorted(ys) and len({d.box(k).x for k in order}) == 1
    assert d.box("records_excluded").x > d.box("records_screened").x + d.box("records_screened").w
    assert d.box("records_excluded").y == d.box("records_screened").y
    boxes = [b for b in d.boxes if b.style != "phase"]
    assert not any(overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert all(b.x + b.w <= d.width and b.y + b.h <= d.height for b in d.boxes)
    assert {b.key for b in d.boxes if b.style == "phase"} == {"phase:identification", "phase:screening", "phase:included"}


def test_text_fits_its_box() -> None:
    d = layout(counts(dbr_excluded=[{"reason": "A very long reason for exclusion " * 4, "n": 9}]))
    for box in d.boxes:
        if box.style == "box":
            assert all(len(line.text) * 0.49 * 9.5 + 14 + line.indent * 10 <= box.w for line in box.lines), box.key


def test_other_methods_and_previous_columns_appear_only_when_used() -> None:
    plain = layout(counts())
    assert not any(b.key.startswith("other_") or b.key == "previous_studies" for b in plain.boxes)
    d = layout(
        counts(
            citations_results=14,
            other_sought_reports=5,
            other_assessed=4,
            other_notretrieved_reports=1,
            previous_studies=6,
            previous_reports=7,
            total_studies=17,
        )
    )
    assert "Citation searching (n = 14)" in box_text(d, "other_identified")
    assert d.box("other_identified").x > d.box("removed").x and d.box("previous_studies").x < d.box("identified").x
    assert "Total studies included in review (n = 17)" in box_text(d, "total_studies")
    assert "previous version of review (n = 6)" in box_text(d, "previous_studies")
    headers = [line.text for b in d.boxes if b.style.startswith("header") for line in b.lines]
    assert "Previous studies" in headers and any("other methods" in h for h in headers)
    assert d.width > plain.width


def test_recorded_numbers_carry_a_mark_and_a_note() -> None:
    d = layout(counts(recorded={"database_results": "searches of 2013; records not published"}))
    assert f"(n = 5,188){RECORDED_MARK}" in box_text(d, "identified")
    assert RECORDED_MARK not in box_text(d, "records_screened")
    assert d.notes and "searches of 2013; records not published" in d.notes[0]


def test_svg_is_valid_xml_with_every_number_as_text() -> None:
    c = counts(recorded={"records_screened": "screened <in> another tool & co"})
    root = ET.fromstring(to_svg(layout(c)))
    assert root.tag == f"{SVG}svg"
    text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text")).replace("\u00a0", " ")
    for n in ("5,188", "12", "5,173", "5,152", "21", "20", "(n = 9)", "(n = 7)", "(n = 11)"):
        assert n in text
    assert "screened <in> another tool & co" in text
    assert len(list(root.iter(f"{SVG}polyline"))) == 8


def test_png_and_pdf_are_real_images_of_the_same_layout() -> None:
    d = layout(counts())
    png = draw_bytes(d, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    assert abs(width - d.width / 72 * 200) <= 2  # 200 dpi of the layout's points
    pdf = draw_bytes(d, "pdf")
    assert pdf.startswith(b"%PDF") and draw_bytes(d, "pdf") == pdf  # deterministic
    with pytest.raises(UserError):
        draw(d, "gif", io.BytesIO())
