"""The pages in a real headless Chromium: sign in, import with progress, search, provenance."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support import FIXTURES, OWNER, VIEWER, sign_in

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
def test_import_search_and_provenance_in_the_browser(page) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    sign_in(page, OWNER)
    expect(page.locator("#record-count")).to_have_text("0")

    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Export file").set_input_files(str(FIXTURES / "import" / "small.ris"))
    page.get_by_label("Source (database and interface)").fill("PsycINFO (Ovid)")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(".job.done")).to_contain_text("3 records imported")

    page.get_by_role("link", name="Records", exact=True).click()
    expect(page.locator("#records-total")).to_have_text("3 records")
    first_title = page.locator("table.records tbody tr td:nth-child(2) a").first.inner_text()
    page.get_by_label("Search titles, authors, journals, DOIs").fill(first_title.split()[0])
    expect(page.locator("#records-total")).to_contain_text("matching")
    page.get_by_role("link", name=first_title).click()
    expect(page.locator("h1")).to_have_text(first_title)
    provenance = page.locator("#provenance")
    expect(provenance).to_contain_text("small.ris")
    expect(provenance).to_contain_text("PsycINFO (Ovid)")
    expect(provenance.locator("table.field-tags")).to_contain_text("TI")
    expect(provenance.locator("table.raw")).to_contain_text("TY")


@pytest.mark.browser
def test_import_page_shows_records_read_until_done(page, many_records_ris: Path) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    expected = many_records_ris.read_text(encoding="utf-8").count("TY  - ")
    sign_in(page, OWNER)
    page.goto("/import")
    page.get_by_label("Export file").set_input_files(str(many_records_ris))
    page.get_by_label("Source (database and interface)").fill("Scopus")
    page.get_by_role("button", name="Import", exact=True).click()
    running = page.locator(".job.running")
    expect(running).to_contain_text(re.compile(r"\b[1-9][0-9]* records read so far"), timeout=30_000)
    expect(page.locator(".job.done")).to_contain_text(f"{expected} records imported", timeout=60_000)
    page.goto("/")
    expect(page.locator("#record-count")).to_have_text(str(expected))


@pytest.mark.browser
def test_a_bad_file_shows_the_error_and_imports_nothing(page) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    sign_in(page, OWNER)
    page.goto("/import")
    # A refused request (here a forged CSRF token) is shown in the page, not silently dropped.
    page.locator("main input[name=csrf]").evaluate("field => field.value = 'forged'")
    page.get_by_label("Export file").set_input_files(str(FIXTURES / "import" / "small.ris"))
    page.get_by_label("Source (database and interface)").fill("CINAHL (EBSCO)")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#job [role=alert]")).to_contain_text("CSRF")

    page.goto("/import")
    page.get_by_label("Export file").set_input_files(str(FIXTURES / "import" / "truncated.ris"))
    page.get_by_label("Source (database and interface)").fill("CINAHL (EBSCO)")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(".job.failed")).to_contain_text("truncated.ris:")
    page.goto("/")
    expect(page.locator("#record-count")).to_have_text("0")


@pytest.mark.browser
def test_viewer_sees_no_import_form(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, VIEWER)
    page.goto("/import")
    playwright_api.expect(page.locator("[role=alert]")).to_contain_text("not import")
    assert page.locator("input[type=file]").count() == 0
