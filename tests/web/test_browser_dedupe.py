"""The duplicates page in a real headless Chromium: run, review side by side (keys and buttons), undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import OWNER, sign_in

playwright_api = pytest.importorskip("playwright.sync_api")
DIFFERS_BACKGROUND = "rgb(255, 246, 218)"  # table.pair tr.differs in qes.css


def _import(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto("/import")
    page.get_by_label("Export file").set_input_files(str(path))
    page.get_by_label("Source (database and interface)").fill("Scopus")
    page.get_by_role("button", name="Import", exact=True).click()
    playwright_api.expect(page.locator(".job.done")).to_contain_text("7 records imported")


@pytest.mark.browser
def test_find_review_and_undo_duplicates_in_the_browser(page, duplicates_csv: Path) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    sign_in(page, OWNER)
    _import(page, duplicates_csv)

    page.get_by_role("link", name="Duplicates", exact=True).click()
    expect(page.locator("#no-pairs")).to_have_text("No pairs to review.")
    page.get_by_role("button", name="Find duplicates").click()
    expect(page.locator("#dedupe-run")).to_contain_text("Checked 7 records.")
    expect(page.locator("#duplicates-removed")).to_have_text("1")

    # The pair side by side: a row per field, the differing rows highlighted, the changed title word marked.
    panel = page.locator("#dedupe-pair")
    expect(panel.locator("#pairs-left")).to_have_text("2 pairs left")
    title_row = panel.locator("table.pair tbody tr", has=page.locator("th", has_text="title"))
    expect(title_row).to_have_class("differs")
    expect(title_row.locator("td")).to_have_count(2)
    expect(title_row.locator("mark").first).to_be_visible()
    assert title_row.locator("td").first.evaluate("td => getComputedStyle(td).backgroundColor") == DIFFERS_BACKGROUND
    authors_row = panel.locator("table.pair tbody tr", has=page.locator("th", has_text="authors"))
    expect(authors_row).not_to_have_class("differs")
    first_pair = panel.locator("form.decide").get_attribute("action")

    # The "d" key presses "Different papers": the next pair replaces the panel, the page stays.
    page.keyboard.press("d")
    expect(panel.locator("#pairs-left")).to_have_text("1 pair left")
    expect(panel.locator("form.decide")).not_to_have_attribute("action", first_pair or "")
    assert page.url.endswith("/dedupe")

    page.get_by_role("button", name="Same paper").click()
    expect(panel.locator("#pairs-left")).to_have_text("0 pairs left")
    expect(page.locator("#no-pairs")).to_be_visible()
    expect(page.locator("#duplicates-removed")).to_have_text("2")  # updated out of band with the panel

    page.reload()
    rows = page.locator("#dedupe-groups table.groups tbody tr")
    expect(rows).to_have_count(2)
    newest = rows.first.get_attribute("id") or ""
    group = newest.removeprefix("group-")
    page.get_by_role("button", name=f"Undo group {group}").click()
    expect(page.locator("#dedupe-notice")).to_contain_text(f"Group {group} undone")
    expect(page.locator(f"#{newest}")).to_have_count(0)
    expect(rows).to_have_count(1)
    expect(page.locator("#duplicates-removed")).to_have_text("1")
