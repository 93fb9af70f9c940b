"""Screening in a real headless Chromium: ten records by keyboard alone, then the adjudicator resolves a conflict.

Set QES_SHOTS=/some/folder to keep screenshots of the screening, conflicts and full-text pages.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pdf_maker import make_pdf
from qes.services.project import opened
from qes.services.screening import decide, record_item
from qes.services.stopping import configure
from screening_setup import ADA, ANA, BEN, TA, screening_team
from support import sign_in

playwright_api = pytest.importorskip("playwright.sync_api")

TOPICS = ["nurses on hospital wards", "rural farming cooperatives", "online communities", "neighbourhood food sharing"]


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("QES_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _ana_decides(record: int) -> str:
    return "include" if record <= 5 else "exclude"


def _ben_decides(record: int) -> str:
    return "include" if record % 2 else "exclude"


@pytest.fixture
def screening_project(web_project: Path, tmp_path: Path) -> Path:
    """Twelve records, a title-abstract stage needing a reason to exclude, Ben's votes on the first ten."""
    rows = ["title,authors,year,journal,abstract"]
    for i in range(1, 13):
        topic = TOPICS[i % len(TOPICS)]
        rows.append(
            f'Reciprocity and exchange among {topic} ({i}),"Author{i}, Jo",{2000 + i},Journal {i},A qualitative study of {topic}.'
        )
    terms = {"include_terms": ("recipr*", "exchange"), "exclude_terms": ("online",)}
    screening_team(web_project, "\n".join(rows) + "\n", tmp_path, reason_required=True, **terms)  # type: ignore[arg-type]
    with opened(web_project) as p:
        configure(p, TA, ADA[0], order="file")  # this test walks the records in id order, not priority order
        for record in range(1, 11):
            decision = _ben_decides(record)
            decide(p, TA, record, BEN[0], decision, ("E1",) if decision == "exclude" else ())
    return web_project


def _record_shown(page) -> int:  # type: ignore[no-untyped-def]
    action = page.locator("#screening-item form.screen-form").get_attribute("action") or ""
    return int(action.rsplit("/", 1)[1])


@pytest.mark.browser
def test_screen_by_keyboard_then_adjudicate(screening_project: Path, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    sign_in(page, ANA)
    page.get_by_role("link", name="Screening", exact=True).click()
    page.wait_for_url(f"**/screening/{TA}")
    panel = page.locator("#screening-item")
    expect(panel.locator("mark.hl-include").first).to_be_visible()
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.stillTheSamePage = true")  # gone if any decision loaded a new page instead of swapping

    for n in range(1, 11):
        record = _record_shown(page)
        assert record == n  # served in order, none skipped
        if _ana_decides(record) == "include":
            if record == 1:  # a note, by keyboard too: n to write, Esc to leave
                page.keyboard.press("n")
                page.keyboard.type("clearly on topic")
                page.keyboard.press("Escape")
            page.keyboard.press("i")
        else:
            if record == 6:  # excluding without a reason: the service says why, nothing is saved
                page.keyboard.press("e")
                expect(panel.locator("#decision-error")).to_contain_text("needs at least one reason to exclude")
                _shot(page, "screening-refused")
                assert _record_shown(page) == 6
            page.keyboard.press("1")  # ticks E1
            expect(panel.locator('input[value="E1"]')).to_be_checked()
            page.keyboard.press("e")
        expect(panel.locator("#last-decision")).to_contain_text(f"record #{record} {_ana_decides(record)}")
    expect(page.locator("#tab-mine-0")).to_have_text("10")
    _shot(page, "screening-after-deciding")
    assert page.evaluate("window.stillTheSamePage") is True  # every decision swapped in place by HTMX

    with opened(screening_project) as p:
        for record in range(1, 11):
            mine = record_item(p, TA, record, ANA[0]).mine
            assert mine is not None and mine.decision == _ana_decides(record), record
            assert mine.reasons == ([] if mine.decision == "include" else ["E1"])
        assert record_item(p, TA, 1, ANA[0]).mine.note == "clearly on topic"  # type: ignore[union-attr]

    page.reload()
    expect(page.locator("#agreement-all tbody tr")).to_have_count(1)
    _shot(page, "screening")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    sign_in(page, ADA)
    page.get_by_role("link", name="Conflicts", exact=True).click()
    expect(page.locator("#conflict-total")).to_contain_text("4 conflicts")  # records 2, 4, 7, 9
    _shot(page, "conflicts")
    conflict = page.locator("article.conflict", has=page.get_by_role("button", name="Resolve #2"))
    expect(conflict.locator("table.votes tbody tr")).to_have_count(2)
    conflict.get_by_label("Include").check()
    conflict.get_by_label("Note").fill("qualitative interviews, on topic")
    conflict.get_by_role("button", name="Resolve #2").click()
    expect(page.locator("p.resolved")).to_contain_text("Record #2 resolved at title-abstract: include")
    expect(page.locator("article.conflict")).to_have_count(3)
    with opened(screening_project) as p:
        outcome = record_item(p, TA, 2, ADA[0]).outcome
        assert outcome is not None and outcome["decision"] == "include" and outcome["method"] == "adjudication"

    # The full-text page: attach a PDF, see it beside the decision form and its text by page.
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(make_pdf(["Reciprocity among nurses\nMethods: interviews", "Findings: shifts are swapped"]))
    page.get_by_role("link", name="Full texts", exact=True).click()
    expect(page.locator("section.waiting tbody tr")).to_have_count(4)  # 1, 3, 5 (both included) and 2 (adjudicated)
    _shot(page, "fulltexts")
    page.get_by_role("link", name="Reciprocity and exchange among rural farming cooperatives (1)").click()
    page.get_by_label("Attach the PDF").set_input_files(str(pdf))
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.locator("#fulltext-notice")).to_have_text("Attached report.pdf (2 pages).")
    expect(page.locator("iframe.pdf-frame")).to_be_visible()
    page.locator("#fulltext-pages summary").click()
    expect(page.locator("#fulltext-pages")).to_contain_text("Findings: shifts are swapped")
    page.wait_for_timeout(500)  # the browser's PDF viewer draws the first page
    _shot(page, "fulltext")
