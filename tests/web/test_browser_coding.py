"""A coder's journey in headless Chromium: select a passage with the mouse, pick a code, see it highlighted and listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from coding_setup import CODER_A, coding_team
from support import sign_in

pytestmark = pytest.mark.browser

# Where a run of characters of the document text sits on screen: the first character's left edge and the
# last one's right edge, on its line (a Range over the single text node that holds them).
RECTS = """([needle]) => {
  const article = document.getElementById('doc-text');
  for (const span of article.querySelectorAll('span')) {
    const node = span.firstChild; const at = node ? node.textContent.indexOf(needle) : -1;
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + 1);
    const first = range.getBoundingClientRect();
    range.setStart(node, at + needle.length - 1); range.setEnd(node, at + needle.length);
    const last = range.getBoundingClientRect();
    return {x1: first.left + 1, y1: first.top + first.height / 2, x2: last.right - 0.5, y2: last.top + last.height / 2};
  }
  return null;
}"""


@pytest.fixture
def coder_page(web_project: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    coding_team(web_project)  # before the server starts
    return request.getfixturevalue("page")


def _drag_select(page, needle: str) -> None:  # type: ignore[no-untyped-def]
    box = page.evaluate(RECTS, [needle])
    assert box, f"{needle!r} is not on the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()


def test_code_a_passage_with_the_mouse(coder_page) -> None:  # type: ignore[no-untyped-def]
    page = coder_page
    sign_in(page, CODER_A)
    page.get_by_role("link", name="Coding", exact=True).click()
    page.get_by_role("link", name="Interview extract").click()
    assert page.locator("#doc-text .coded").count() == 0

    _drag_select(page, "She listened to me")
    page.wait_for_function("document.getElementById('sel-text').value.length > 0")
    assert page.locator("#sel-text").input_value() == "She listened to me"
    assert "She listened to me" in page.locator("#selection").inner_text()
    # the suggestions panel answers for the selection; picking one only ticks the code
    page.wait_for_selector("#suggestions button.suggestion")
    assert page.locator("#suggestions li").first.inner_text().startswith("Trust/Listen")
    page.locator("#suggestions button.suggestion").first.click()
    assert page.locator("#code-form input[name=code]:checked").count() == 1
    assert page.locator("#segments tbody tr[data-segment]").count() == 0  # nothing applied yet

    page.get_by_label("author interpretation (second order)").check()
    page.get_by_role("button", name="Code selection").click()
    page.wait_for_selector("#doc-text span.coded")
    assert page.locator("#doc-text span.coded").inner_text() == "She listened to me"
    assert "Trust/Listen" in (page.locator("#doc-text span.coded").get_attribute("title") or "")
    row = page.locator("#segments tbody tr[data-segment]")
    assert row.count() == 1
    assert (
        "She listened to me" in row.inner_text() and "Trust/Listen" in row.inner_text() and "interpretation" in row.inner_text()
    )

    # keyboard: select another passage, tick the first code with "1", code it with "c"
    _drag_select(page, "every week")
    page.wait_for_function("document.getElementById('sel-text').value === 'every week'")
    page.locator("#doc-text").click(position={"x": 1, "y": 1}, trial=True)
    page.keyboard.press("1")
    page.keyboard.press("c")
    page.wait_for_function("document.querySelectorAll('#segments tbody tr[data-segment]').length === 2")
    texts = page.locator("#doc-text span.coded").all_inner_texts()
    assert "every week" in texts and "She listened to me" in texts

    # uncode from the list
    page.locator("#segments tbody tr[data-segment]", has_text="every week").get_by_role("button", name="Uncode").click()
    page.wait_for_function("document.querySelectorAll('#segments tbody tr[data-segment]').length === 1")
