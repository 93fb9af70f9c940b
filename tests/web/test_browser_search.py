"""The strategy builder in a real headless Chromium: two concept blocks, the Ovid and Scopus translations
(Scopus with its coded warning), saved as a strategy. QES_SHOTS=/folder keeps screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qes.search import And, Heading, Or, Term, write
from qes.search.model import TIAB
from qes.services.project import opened
from qes.services.strategies import get_strategy
from support import OWNER, sign_in

playwright_api = pytest.importorskip("playwright.sync_api")

MEANT = And(
    (Term("recipr*", False, TIAB), Or((Term("mental illness", True, TIAB), Heading("mesh", "Mental Disorders", True, False))))
)


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("QES_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _settled(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until HTMX has swapped and processed the new builder (typing earlier would go unheard)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


@pytest.mark.browser
def test_build_two_blocks_see_translations_and_save(page, web_project: Path) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    sign_in(page, OWNER)
    page.get_by_role("link", name="Search", exact=True).click()
    page.wait_for_url("**/search")
    page.wait_for_function("() => window.htmx !== undefined")
    expect(page.locator("#no-terms")).to_be_visible()

    page.get_by_label("Concept name of block 1", exact=True).fill("reciprocity")
    page.get_by_label("Term 1 of block 1", exact=True).fill("recipr")
    page.get_by_label("Truncate term 1 of block 1", exact=True).check()
    expect(page.locator("#translation-pubmed pre")).to_have_text("recipr*[tiab]")  # live, as the block changes

    page.get_by_role("button", name="Add block").click()
    expect(page.locator("fieldset.block")).to_have_count(2)
    _settled(page)
    page.get_by_label("Concept name of block 2", exact=True).fill("mental illness")
    page.get_by_label("Term 1 of block 2", exact=True).fill("mental illness")
    page.get_by_role("button", name="Add heading to block 2").click()
    expect(page.get_by_label("Heading 2 of block 2", exact=True)).to_be_visible()
    _settled(page)
    page.get_by_label("Heading 2 of block 2", exact=True).fill("Mental Disorders")

    ovid, scopus = write(MEANT, "ovid"), write(MEANT, "scopus")
    assert scopus.messages and any(m.severity == "warning" for m in scopus.messages)
    expect(page.locator("#translation-ovid pre")).to_have_text(ovid.text)
    expect(page.locator("#translation-scopus pre")).to_have_text(scopus.text)
    warning = next(m for m in scopus.messages if m.severity == "warning")
    expect(page.locator("#translation-scopus ul.messages")).to_contain_text(warning.code)
    expect(page.locator("#translation-scopus ul.messages li.warning").first).to_be_visible()

    page.get_by_label("Show in").select_option("ovid")
    expect(page.locator("#chosen-strategy")).to_have_text(ovid.text)
    _shot(page, "search-builder")

    page.get_by_label("Save as", exact=True).fill("main")
    page.get_by_label("Note for this version", exact=True).fill("two concepts")
    page.get_by_role("button", name="Save strategy").click()
    page.wait_for_url("**/search/main")
    expect(page.locator("#search-notice")).to_have_text("Saved main version 1.")
    expect(page.locator("#as-written")).to_have_text(ovid.text)
    expect(page.locator("#translation-scopus ul.messages")).to_contain_text(warning.code)
    _shot(page, "search-strategy")

    with opened(web_project) as p:
        saved = get_strategy(p, "main")
    assert (saved.version, saved.syntax, saved.text, saved.note, saved.created_by) == (
        1,
        "ovid",
        ovid.text,
        "two concepts",
        OWNER[0],
    )

    # Run it (by hand, in Ovid) and log the search.
    page.get_by_role("link", name="Log a search").click()
    page.wait_for_url("**/search-log")
    page.get_by_label("Database", exact=True).fill("PsycINFO")
    page.get_by_label("Interface", exact=True).fill("Ovid")
    page.get_by_label("Date run").fill("2015-02-10")
    page.get_by_label("Hits reported").fill("1043")
    page.get_by_role("combobox", name="Saved strategy").select_option("main@1")
    page.get_by_label("Limits and filters").fill("English")
    page.get_by_role("button", name="Log search").click()
    expect(page.locator("#search-log-notice")).to_have_text("Logged search 1: PsycINFO via Ovid on 2015-02-10.")
    row = page.locator("#search-log tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("1,043")
    expect(row.locator("pre")).to_have_text(ovid.text)
    _shot(page, "search-log")
