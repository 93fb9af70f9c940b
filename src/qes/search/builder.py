"""The strategy builder's state: concept blocks of terms and headings, as a form (or JSON) holds them.

    state = BuilderState(blocks=[BuilderBlock("reciprocity", [BuilderItem(text="recipr", truncate=True)])])
    state.to_strategy()        # → model.Strategy (blocks AND-ed, items OR-ed, limits, excluded blocks NOT-ed)
    BuilderState.from_query(parse(text, "ovid"))   # a saved strategy opened in the builder again

Plain data with string fields, so the web form, the JSON API and tests build it alike; every
choice (field, thesaurus) is named data here rather than in the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qes.search.model import ALL, And, Block, Heading, Limits, Not, Or, Query, Strategy, Term

# Field choices the builder offers: label and the model's field set.
FIELD_CHOICES: dict[str, tuple[str, frozenset[str]]] = {
    "tiab": ("title/abstract", frozenset({"title", "abstract"})),
    "tiabkw": ("title/abstract/keywords", frozenset({"title", "abstract", "keywords"})),
    "ti": ("title", frozenset({"title"})),
    "ab": ("abstract", frozenset({"abstract"})),
    "kw": ("keywords", frozenset({"keywords"})),
    "all": ("all fields", ALL),
}
THESAURUS_CHOICES = {"mesh": "MeSH", "emtree": "Emtree", "cinahl": "CINAHL Headings", "apa": "APA Thesaurus"}


@dataclass
class BuilderItem:
    """A term (word or phrase, in some fields, truncated or not) or a heading (thesaurus, explode, major)."""

    kind: str = "term"  # term | heading
    text: str = ""
    field: str = "tiab"
    truncate: bool = False
    thesaurus: str = "mesh"
    explode: bool = True
    major: bool = False

    def to_query(self) -> Query | None:
        text = " ".join(self.text.replace('"', " ").split())
        if not text:
            return None
        if self.kind == "heading":
            return Heading(self.thesaurus if self.thesaurus in THESAURUS_CHOICES else "mesh", text, self.explode, self.major)
        if self.truncate and not text.endswith("*"):
            text += "*"
        fields = FIELD_CHOICES.get(self.field, FIELD_CHOICES["tiab"])[1]
        return Term(text, " " in text, fields)

    @classmethod
    def from_query(cls, query: Query) -> BuilderItem | None:
        if isinstance(query, Heading):
            return cls("heading", query.term, thesaurus=query.thesaurus, explode=query.explode, major=query.major)
        if isinstance(query, Term):
            choice = next((key for key, (_, fields) in FIELD_CHOICES.items() if fields == query.fields), "tiab")
            truncated = query.text.endswith("*") and "*" not in query.text[:-1]
            return cls("term", query.text[:-1] if truncated else query.text, choice, truncated)
        return None


@dataclass
class BuilderBlock:
    name: str = ""
    items: list[BuilderItem] = field(default_factory=lambda: [BuilderItem()])
    exclude: bool = False  # NOT-ed from the combined blocks (e.g. animal studies)

    def to_block(self, number: int) -> Block:
        items = tuple(q for q in (i.to_query() for i in self.items) if q is not None)
        return Block(self.name.strip() or f"concept {number}", items)


@dataclass
class BuilderState:
    blocks: list[BuilderBlock] = field(default_factory=lambda: [BuilderBlock()])
    year_from: str = ""
    year_to: str = ""
    languages: str = ""  # comma-separated

    def limits(self) -> Limits:
        years = (_year(self.year_from), _year(self.year_to))
        languages = tuple(x.strip().lower() for x in self.languages.split(",") if x.strip())
        return Limits(years=years if years != (None, None) else None, languages=languages)

    def to_strategy(self) -> Strategy:
        """The blocks as a strategy; ValueError when no block has a term yet."""
        blocks = [b.to_block(n) for n, b in enumerate(self.blocks, 1)]
        kept = tuple(b for b, source in zip(blocks, self.blocks, strict=True) if b.items and not source.exclude)
        excluded = tuple(b.to_query() for b, source in zip(blocks, self.blocks, strict=True) if b.items and source.exclude)
        strategy = Strategy(kept, self.limits(), excluded)
        strategy.to_query()  # raises ValueError("a strategy needs at least one block with terms")
        return strategy

    def to_dict(self) -> dict[str, Any]:
        return {
            "blocks": [{"name": b.name, "exclude": b.exclude, "items": [dict(i.__dict__) for i in b.items]} for b in self.blocks],
            "year_from": self.year_from,
            "year_to": self.year_to,
            "languages": self.languages,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BuilderState:
        blocks = [
            BuilderBlock(
                str(b.get("name", "")),
                [
                    BuilderItem(**{k: v for k, v in i.items() if k in BuilderItem.__dataclass_fields__})
                    for i in b.get("items", [])
                ],
                bool(b.get("exclude", False)),
            )
            for b in data.get("blocks", [])
        ]
        return cls(
            blocks or [BuilderBlock()],
            str(data.get("year_from", "")),
            str(data.get("year_to", "")),
            str(data.get("languages", "")),
        )

    @classmethod
    def from_query(cls, query: Query) -> BuilderState:
        """A parsed strategy as blocks: the AND-ed parts become blocks, each OR's parts its items.

        Parts the builder cannot show as items (a NEAR, a nested AND) are left out, so callers
        compare the result with the original and say so (`covers`)."""
        excluded: list[Query] = []
        while isinstance(query, Not):
            excluded.insert(0, query.right)
            query = query.left
        parts = list(query.children) if isinstance(query, And) else [query]
        state = cls(blocks=[])
        for part in parts:
            if isinstance(part, Limits):
                if part.years:
                    state.year_from, state.year_to = (str(y) if y else "" for y in part.years)
                state.languages = ", ".join(part.languages)
                continue
            state.blocks.append(_block(part, f"concept {len(state.blocks) + 1}", exclude=False))
        for part in excluded:
            state.blocks.append(_block(part, f"excluded {len(state.blocks) + 1}", exclude=True))
        if not state.blocks:
            state.blocks.append(BuilderBlock())
        return state


def _block(query: Query, name: str, *, exclude: bool) -> BuilderBlock:
    children = query.children if isinstance(query, Or) else (query,)
    items = [item for item in (BuilderItem.from_query(c) for c in children) if item is not None]
    return BuilderBlock(name, items or [BuilderItem()], exclude)


def _year(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) == 4 else None


def apply(state: BuilderState, op: str) -> BuilderState:
    """A builder button: add-block, add-term:B, add-heading:B, remove-item:B:I, remove-block:B."""
    verb, _, where = op.partition(":")
    at = [int(x) for x in where.split(":") if x.isdigit()]
    if verb == "add-block":
        state.blocks.append(BuilderBlock())
    elif verb in ("add-term", "add-heading") and at and at[0] < len(state.blocks):
        state.blocks[at[0]].items.append(BuilderItem(kind="heading" if verb == "add-heading" else "term"))
    elif verb == "remove-item" and len(at) == 2 and at[0] < len(state.blocks) and at[1] < len(state.blocks[at[0]].items):
        del state.blocks[at[0]].items[at[1]]
        if not state.blocks[at[0]].items:
            state.blocks[at[0]].items.append(BuilderItem())
    elif verb == "remove-block" and at and at[0] < len(state.blocks):
        del state.blocks[at[0]]
        if not state.blocks:
            state.blocks.append(BuilderBlock())
    return state
