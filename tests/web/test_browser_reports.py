"""Reports in a real headless Chromium: the dashboard's live diagram, and downloading the PRISMA diagram."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from qes.services.importing import import_file
from qes.services.project import opened
from support import FIXTURES, OWNER, sign_in

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def with_records(web_project: Path) -> Path:
    with opened(web_project) as p:
        import_file(p, FIXTURES / "screening" / "ten_records.ris", source="PsycINFO (Ovid)")
    return web_project


@pytest.mark.browser
def test_download_the_prisma_diagram_from_the_reports_page(with_records: Path, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    sign_in(page, OWNER)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.locator("#prisma-live svg")).to_be_visible()
    expect(page.locator("#prisma-live")).to_contain_text("Databases (n\u00a0=\u00a010)")

    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.locator("h1")).to_have_text("Reports")
    row = page.locator("table.downloads tr", has_text="PRISMA 2020 flow")
    with page.expect_download() as info:
        row.get_by_role("link", name="SVG", exact=True).click()
    download = info.value
    assert download.suggested_filename == "prisma.svg"
    saved = tmp_path / "prisma.svg"
    download.save_as(saved)
    root = ET.fromstring(saved.read_text(encoding="utf-8"))
    assert "Databases (n\u00a0=\u00a010)" in "".join(root.itertext())

    with page.expect_download() as info:
        row.get_by_role("link", name="PNG", exact=True).click()
    png = tmp_path / "prisma.png"
    info.value.save_as(png)
    assert png.read_bytes().startswith(b"\x89PNG")
