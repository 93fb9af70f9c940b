"""OpenAlex `/works`: a filter (and/or full-text search), read page by page with cursor paging.

    client = OpenAlexClient(email="me@example.org")
    found = client.search(openalex_params("title_and_abstract.search:reciprocity,publication_year:2000-2015"))
    with open("openalex.jsonl", "w") as out:
        client.fetch(found, out)       # every work, 200 a page, as JSON Lines (qes.formats.openalex reads them)

The hits OpenAlex reports are `meta.count` of the first page. Cursor paging (`cursor=*`, then each
page's `meta.next_cursor`) has no 10,000-result ceiling, unlike `page=`. `mailto` puts the client
in OpenAlex's polite pool; an API key, where the user has one, is sent as `api_key`.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from qes.errors import UserError
from qes.search.online.http import HttpClient, OnlineSearchError, build_url, masked

OPENALEX = "https://api.openalex.org"
PER_PAGE = 200  # the API's largest page


def openalex_params(text: str) -> dict[str, str]:
    """The query as `/works` parameters: 'filter=...&search=...' (optionally after '/works?'), or a bare filter."""
    text = text.strip()
    if text.startswith(("/works?", "works?", "?")):
        text = text.split("?", 1)[1]
    if text.startswith(("filter=", "search=")):
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=False, strict_parsing=False)
        params = {k: v for k, v in pairs}
        unknown = sorted(set(params) - {"filter", "search"})
        if unknown:
            raise UserError(f"OpenAlex query: only filter= and search= are searched; drop {', '.join(unknown)}")
        return params
    if not text:
        raise UserError("the OpenAlex query is empty")
    return {"filter": text}


@dataclass
class OpenAlexSearch:
    params: dict[str, str]
    count: int
    first_page: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


class OpenAlexClient:
    def __init__(
        self,
        *,
        base_url: str = OPENALEX,
        email: str | None = None,
        api_key: str | None = None,
        per_page: int = PER_PAGE,
        http: HttpClient | None = None,
    ):
        self.base_url = base_url
        self.identity = {"mailto": email or None, "api_key": api_key or None}
        self.per_page = max(1, min(per_page, PER_PAGE))
        self.http = http or HttpClient(per_second=10)

    def _page(self, params: dict[str, str], cursor: str) -> tuple[str, dict[str, Any]]:
        url = build_url(self.base_url, "works", {**params, "per-page": self.per_page, "cursor": cursor, **self.identity})
        data = self.http.get_json(url)
        if not isinstance(data, dict) or not isinstance(data.get("meta"), dict) or not isinstance(data.get("results"), list):
            raise OnlineSearchError(f"{masked(url)}: not an OpenAlex /works answer (no meta and results)")
        return url, data

    def search(self, params: dict[str, str]) -> OpenAlexSearch:
        """The first page: the count OpenAlex reports, its works and the cursor to the next page."""
        url, data = self._page(params, "*")
        try:
            count = int(data["meta"]["count"])
        except (KeyError, TypeError, ValueError):
            raise OnlineSearchError(f"{masked(url)}: the answer has no meta.count") from None
        return OpenAlexSearch(params, count, list(data["results"]), data["meta"].get("next_cursor"))

    def fetch(
        self,
        found: OpenAlexSearch,
        out: TextIO,
        *,
        limit: int | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Every work of the search (or the first `limit`) as JSON Lines into `out`; returns works written."""
        total = found.count if limit is None else min(found.count, limit)
        written = 0
        page, cursor = found.first_page, found.next_cursor
        while written < total:
            take = page[: total - written]
            for work in take:
                out.write(json.dumps(work, ensure_ascii=False, separators=(",", ":")) + "\n")
            written += len(take)
            if on_progress and take:
                on_progress(len(take))
            if written >= total or not cursor:
                break
            if not page:
                raise OnlineSearchError(f"OpenAlex returned an empty page after {written:,} of {total:,} works")
            _url, data = self._page(found.params, cursor)
            page, cursor = list(data["results"]), data["meta"].get("next_cursor")
        return written
