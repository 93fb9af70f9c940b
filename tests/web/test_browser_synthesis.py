"""/synthesis in a real headless Chromium: read the matrix, edit a translation-grid cell, assess a finding.

Set QES_SHOTS=/some/folder to keep screenshots of the page.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import OWNER, sign_in
from synthesis_setup import BEEBER, synthesis_project

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def populated(web_project: Path) -> dict[str, int]:
    return synthesis_project(web_project)


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("QES_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_grid_cell_and_finding_in_the_browser(populated: dict[str, int], page) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    sign_in(page, OWNER)
    page.get_by_role("link", name="Synthesis").click()
    expect(page.locator("#matrix")).to_contain_text("✓ (in part)")
    expect(page.locator("#matrix tfoot")).to_contain_text("half")
    page.get_by_role("link", name=f"Listen × {BEEBER}").click()
    page.get_by_label("The study's own term, metaphor or quote").fill("she listened to me")
    page.get_by_label("reciprocal", exact=True).check()
    page.locator(f"#segment-{populated['segment']} input").check()
    page.get_by_role("button", name="Save cell").click()
    cell = page.locator(f"#cell-{populated['listen']}-{populated['beeber']}")
    expect(cell).to_contain_text("(R) she listened to me")
    expect(cell).to_contain_text("[1]")
    page.locator("#finding-form textarea[name=statement]").fill("Being listened to helps")
    page.locator("#finding-form select[name=studies]").select_option(label=BEEBER)
    page.get_by_role("button", name="Add finding").click()
    worksheet = page.locator("#finding-1")
    worksheet.get_by_label("Adequacy concern").select_option("moderate")
    worksheet.get_by_label("Adequacy explanation").fill("two short passages")
    for name in ("Methodological limitations", "Coherence", "Relevance"):
        worksheet.get_by_label(f"{name} concern").select_option("no_or_very_minor")
    worksheet.get_by_label("Overall confidence").select_option("moderate")
    worksheet.get_by_label("Why").fill("moderate concerns about adequacy")
    worksheet.get_by_role("button", name="Save assessment").click()
    expect(page.locator("#finding-1 .overall")).to_have_text("Moderate confidence")
    _shot(page, "synthesis")
