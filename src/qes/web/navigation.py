"""The main navigation marks where the person is: `aria-current="page"` on the link for this page.

The links are plain `<a href="/...">` in `base.html` (each stage adds its own); the filter picks the
one whose path is the longest prefix of the request's path, so /screening/title-abstract marks
"Screening" and /records/12 marks "Records", and "/" only marks "/" itself.
"""

from __future__ import annotations

import re

from markupsafe import Markup

_LINK = re.compile(r'<a href="(/[^"]*)"')


def current_link(hrefs: list[str], path: str) -> str | None:
    def matches(href: str) -> bool:
        return path == href or (href != "/" and path.startswith(href.rstrip("/") + "/"))

    found = [href for href in hrefs if matches(href)]
    return max(found, key=len) if found else None


def mark_current(html: str, path: str) -> Markup:
    """The navigation's HTML with the current page's link marked (for screen readers and the styles)."""
    html = str(html)  # plain text: Markup.replace would escape the attribute added
    current = current_link(_LINK.findall(html), path)
    if current is None:
        return Markup(html)
    marked = html.replace(f'<a href="{current}"', f'<a href="{current}" aria-current="page"', 1)
    return Markup(marked)  # noqa: S704 (the template's own markup, marked up; no user text in it)
