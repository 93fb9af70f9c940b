"""One module per database syntax, each with `parse(text)`, `parse_with_messages(text)`, `write(query)`."""

from __future__ import annotations

import importlib
from types import ModuleType

from qes.search.syntax._base import QuerySyntaxError

# name → (module, the interface and databases it covers)
SYNTAXES: dict[str, str] = {
    "pubmed": "PubMed",
    "ovid": "Ovid (MEDLINE, Embase, PsycINFO, AMED)",
    "ebsco": "EBSCOhost (CINAHL)",
    "proquest": "ProQuest",
    "wos": "Web of Science",
    "scopus": "Scopus",
    "cochrane": "Cochrane Library",
    "openalex": "OpenAlex API",
}

__all__ = ["SYNTAXES", "QuerySyntaxError", "syntax_module"]


def syntax_module(name: str) -> ModuleType:
    """The module of syntax `name`; a UserError naming the known syntaxes otherwise."""
    key = name.strip().lower()
    if key not in SYNTAXES:
        raise QuerySyntaxError(f"unknown syntax {name!r} (one of: {', '.join(SYNTAXES)})")
    return importlib.import_module(f"qes.search.syntax.{key}")
