"""PubMed through NCBI's E-utilities: ESearch on the History server, then EFetch MEDLINE text in batches.

    client = PubMedClient(email="me@example.org")
    found = client.search('recipr*[tiab] AND "mental illness"[tiab]')    # count, WebEnv, query key
    with open("pubmed.nbib", "w") as out:
        client.fetch(found, out, limit=None)                              # every record, 500 a request

The hits PubMed reports are `found.count`; PubMed's own reading of the query (`querytranslation`)
and the parts it ignored (phrases or fields not found) come back as `found.warnings`, because an
ignored phrase changes what was searched. ESearch/EFetch give at most the first 10,000 records of
a PubMed search; a larger search is refused rather than cut short silently.
Without an API key NCBI allows 3 requests a second, with one 10. A strategy too long for a URL
is sent as a POST form, as NCBI recommends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from qes.search.online.http import HttpClient, OnlineSearchError, build_url, masked

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
MAX_RECORDS = 10_000  # NCBI: ESearch/EFetch reach only the first 10,000 records of a PubMed search
BATCH = 500
MAX_URL = 2000  # longer queries are POSTed (URLs past a few thousand characters are refused on the way)


@dataclass(frozen=True)
class PubMedSearch:
    term: str
    count: int
    webenv: str
    query_key: str
    query_translation: str
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _warnings(result: dict[str, Any]) -> tuple[str, ...]:
    out = []
    for group in ("errorlist", "warninglist"):
        for kind, items in (result.get(group) or {}).items():
            for item in items or []:
                if item:
                    out.append(f"PubMed {group[:-4]} ({kind}): {item}")
    return tuple(out)


class PubMedClient:
    def __init__(
        self,
        *,
        base_url: str = EUTILS,
        api_key: str | None = None,
        email: str | None = None,
        tool: str = "qes",
        batch: int = BATCH,
        http: HttpClient | None = None,
    ):
        self.base_url = base_url
        self.api_key = api_key or None
        self.identity = {"tool": tool, "email": email or None, "api_key": self.api_key}
        self.batch = max(1, min(batch, MAX_RECORDS))
        self.http = http or HttpClient(per_second=10 if self.api_key else 3)

    def search(self, term: str) -> PubMedSearch:
        """ESearch with usehistory=y: the count and where the result set is kept on NCBI's History server."""
        params = {"db": "pubmed", "term": term, "usehistory": "y", "retmax": 0, "retmode": "json", **self.identity}
        url = build_url(self.base_url, "esearch.fcgi", params)
        if len(url) > MAX_URL:  # a long strategy: NCBI takes the same parameters as a POST form
            url = build_url(self.base_url, "esearch.fcgi", {})
            data = self.http.get_json(url, form=params)
        else:
            data = self.http.get_json(url)
        result = data.get("esearchresult") if isinstance(data, dict) else None
        if not isinstance(result, dict):
            raise OnlineSearchError(f"{masked(url)}: not an ESearch answer (no esearchresult)")
        if result.get("ERROR"):
            raise OnlineSearchError(f"{masked(url)}: PubMed refused the search: {result['ERROR']}")
        try:
            count = int(result["count"])
        except (KeyError, TypeError, ValueError):
            raise OnlineSearchError(f"{masked(url)}: ESearch gave no count") from None
        webenv, query_key = str(result.get("webenv") or ""), str(result.get("querykey") or "")
        if count and not (webenv and query_key):
            raise OnlineSearchError(f"{masked(url)}: ESearch kept no History (no WebEnv/query_key)")
        return PubMedSearch(term, count, webenv, query_key, str(result.get("querytranslation") or ""), _warnings(result))

    def fetch(
        self,
        found: PubMedSearch,
        out: TextIO,
        *,
        limit: int | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """EFetch the result set as MEDLINE text into `out`, `batch` records a request; returns records written."""
        total = found.count if limit is None else min(found.count, limit)
        if total > MAX_RECORDS:
            raise OnlineSearchError(
                f"PubMed found {found.count:,} records; E-utilities return only the first {MAX_RECORDS:,} of a search: "
                f"split the search (e.g. by publication years) or pass --max {MAX_RECORDS}"
            )
        written = 0
        for start in range(0, total, self.batch):
            size = min(self.batch, total - start)
            params = {
                "db": "pubmed",
                "query_key": found.query_key,
                "WebEnv": found.webenv,
                "retstart": start,
                "retmax": size,
                "rettype": "medline",
                "retmode": "text",
                **self.identity,
            }
            url = build_url(self.base_url, "efetch.fcgi", params)
            text = self.http.get(url).decode("utf-8", "replace")
            head = text.lstrip()[:200]
            if head.startswith(("<", "{")) or "PMID- " not in text:
                raise OnlineSearchError(f"{masked(url)}: EFetch did not return MEDLINE records ({head[:120]!r})")
            records = sum(1 for line in text.splitlines() if line.startswith("PMID- "))
            out.write(text.strip("\n") + "\n\n")
            written += records
            if on_progress:
                on_progress(records)
        return written
