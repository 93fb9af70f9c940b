"""Two extractors fill a study in a real headless Chromium; the comparison marks the field they
differ on, and a reconciliation makes the final record."""

from __future__ import annotations

from pathlib import Path

import pytest

from extraction_setup import ANA, BEN, STUDY, extraction_team
from support import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def team_page(web_project: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    extraction_team(web_project)  # before the server starts
    return request.getfixturevalue("page")


def _extract(page, who: tuple[str, str], methods: str) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, who)
    page.get_by_role("link", name="Extraction", exact=True).click()
    page.get_by_role("link", name=STUDY).click()
    page.get_by_label("Authors").fill("Beeber & Caldwell")
    page.get_by_label("Year").fill("1996")
    page.get_by_label("Country").fill("USA")
    page.get_by_label("Methods").fill(methods)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_selector("#entry-notice")
    assert "Submitted." in page.locator("#entry-notice").inner_text()


def test_two_extractors_compare_and_reconcile(team_page) -> None:  # type: ignore[no-untyped-def]
    page = team_page
    _extract(page, ANA, "Taped sessions")
    assert page.locator("#comparison").count() == 0  # blind: Ben has not submitted
    assert page.get_by_label("Country").input_value() == "United States"  # stored under its canonical name
    page.get_by_role("button", name="Sign out").click()

    _extract(page, BEN, "Taped clinical sessions over four months")
    rows = page.locator("#comparison tr.differs")
    assert rows.count() == 1 and rows.first.get_attribute("data-key") == "methods"
    assert page.locator('#comparison tr[data-key="country"]').get_attribute("data-state") == "equal"

    page.get_by_role("button", name="Save the final record").click()  # nothing picked: the browser asks first
    assert page.locator("#final").count() == 0
    page.locator("#pick-methods").get_by_label(f"{BEN[0]}:").check()
    page.get_by_label("Note").fill("Ben's is fuller")
    page.get_by_role("button", name="Save the final record").click()
    page.wait_for_selector("#final")
    final = page.locator("#final").inner_text()
    assert "Taped clinical sessions over four months" in final and "United States" in final
    assert "Reconciled by ben@example.org" in final
    assert page.locator("#entry-form").count() == 0  # final: no more entries
