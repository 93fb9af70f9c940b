"""The main navigation marks the current page: the longest link path that is a prefix of the request's path."""

from __future__ import annotations

import pytest

from qes.web.navigation import current_link, mark_current

NAV = ["/", "/import", "/records", "/dedupe", "/screening", "/conflicts", "/fulltexts"]


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", "/"),
        ("/records", "/records"),
        ("/records/12", "/records"),
        ("/screening/title-abstract", "/screening"),
        ("/import/jobs/3", "/import"),
        ("/recordsx", None),  # a prefix of the text, not of the path
        ("/team", None),
    ],
)
def test_current_link(path: str, current: str | None) -> None:
    assert current_link(NAV, path) == current


def test_mark_current_adds_aria_current_once_and_keeps_the_rest() -> None:
    html = "".join(f'<a href="{href}">x</a>' for href in NAV)
    marked = str(mark_current(html, "/records/7"))
    assert marked.count('aria-current="page"') == 1 and '<a href="/records" aria-current="page">' in marked
    assert marked.replace(' aria-current="page"', "") == html
