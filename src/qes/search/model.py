"""One generic query tree for every database's syntax.

A parser turns a database's text into this tree; a writer turns the tree into another database's
text. Conventions every syntax module maps to and from (tables in each module):

- `Term.text` keeps truncation and wildcards as a pattern: `*` = any run of characters (zero or
  more), `?` = exactly one character, `#` = zero or one character. A phrase is its words separated
  by single spaces.
- `Term.fields` is a set of `title`, `abstract`, `keywords` (author keywords), `headings` (the words
  of subject headings), or `{"all"}` (every field the database searches by default).
- `Near.distance` is the largest number of words allowed *between* the two operands (0 = next to
  each other). Databases count differently (Ovid `adj3` = 2 words between, EBSCO `N3` = 3): each
  syntax module converts.
- `Heading.explode` includes narrower headings; `major` restricts to the record's major topics.
- `Limits` is a leaf that matches the records inside the limits; a strategy's limits are AND-ed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

FIELDS = ("title", "abstract", "keywords", "headings", "all")
TEXT_FIELDS = frozenset({"title", "abstract", "keywords", "headings"})
THESAURI = ("mesh", "emtree", "cinahl", "apa", "amed", "any")
ALL = frozenset({"all"})
TIAB = frozenset({"title", "abstract"})
TIABKW = frozenset({"title", "abstract", "keywords"})


@dataclass(frozen=True)
class Term:
    """A word or phrase (with its truncation/wildcards) searched in some fields."""

    text: str
    is_phrase: bool = False
    fields: frozenset[str] = ALL

    def __post_init__(self) -> None:
        unknown = set(self.fields) - set(FIELDS)
        if unknown or not self.fields:
            raise ValueError(f"unknown fields {sorted(unknown)!r} for term {self.text!r}")
        if "all" in self.fields and len(self.fields) > 1:
            object.__setattr__(self, "fields", ALL)

    @property
    def has_pattern(self) -> bool:
        return any(c in self.text for c in "*?#")


@dataclass(frozen=True)
class Heading:
    """A controlled-vocabulary heading (MeSH, Emtree, CINAHL Headings, APA Thesaurus ...)."""

    thesaurus: str
    term: str
    explode: bool = True
    major: bool = False


@dataclass(frozen=True)
class And:
    children: tuple[Query, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Query, ...]


@dataclass(frozen=True)
class Not:
    """`left NOT right`: records matching left and not right."""

    left: Query
    right: Query


@dataclass(frozen=True)
class Near:
    """Both operands within `distance` words between them, in one field; `ordered`: left first.

    Operands are terms or ORs of terms (what every database with proximity accepts).
    """

    left: Query
    right: Query
    distance: int
    ordered: bool = False


@dataclass(frozen=True)
class Limits:
    """Publication years (inclusive, None = open), languages, age groups, publication types."""

    years: tuple[int | None, int | None] | None = None
    languages: tuple[str, ...] = ()
    age_groups: tuple[str, ...] = ()
    publication_types: tuple[str, ...] = ()

    @classmethod
    def of(cls, kind: str, values: tuple[str, ...]) -> Limits:
        """A limit of one kind: `Limits.of("languages", ("english",))`."""
        if kind == "languages":
            return cls(languages=values)
        if kind == "age_groups":
            return cls(age_groups=values)
        if kind == "publication_types":
            return cls(publication_types=values)
        raise ValueError(f"not a list limit: {kind!r}")

    def is_empty(self) -> bool:
        return self.years is None and not (self.languages or self.age_groups or self.publication_types)


Query = Union[Term, Heading, And, Or, Not, Near, Limits]  # noqa: UP007 (a runtime alias used by isinstance-free code)


@dataclass(frozen=True)
class Message:
    """A coded message, like a linter's: `Q101 target has no proximity operator ...`.

    `effect` says how a translation changed what the query retrieves: "broader", "narrower",
    "changed" (not comparable), or None (meaning kept).
    """

    code: str
    severity: str  # error | warning | info
    text: str
    position: int | None = None  # 0-based character offset in the source text, when known
    effect: str | None = None

    def __str__(self) -> str:
        where = f"col {self.position + 1}: " if self.position is not None else ""
        return f"{self.code} {where}{self.text}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "text": self.text,
            "position": self.position,
            "effect": self.effect,
        }


@dataclass(frozen=True)
class Written:
    """A query written in one syntax, with what the writer could not express exactly."""

    text: str
    messages: tuple[Message, ...] = ()


@dataclass(frozen=True)
class Block:
    """One concept of a strategy: its terms and headings, OR-ed."""

    name: str
    items: tuple[Query, ...]

    def to_query(self) -> Query:
        return self.items[0] if len(self.items) == 1 else Or(self.items)


@dataclass(frozen=True)
class Strategy:
    """Concept blocks combined with AND, plus limits: how reviews describe their searches."""

    blocks: tuple[Block, ...]
    limits: Limits = field(default_factory=Limits)
    exclude: tuple[Query, ...] = ()  # NOT-ed after the blocks are combined (e.g. animal studies)

    def to_query(self) -> Query:
        parts: list[Query] = [b.to_query() for b in self.blocks if b.items]
        if not self.limits.is_empty():
            parts.append(self.limits)
        if not parts:
            raise ValueError("a strategy needs at least one block with terms")
        query: Query = parts[0] if len(parts) == 1 else And(tuple(parts))
        for excluded in self.exclude:
            query = Not(query, excluded)
        return query

    def to_dict(self) -> dict[str, Any]:
        return {
            "blocks": [{"name": b.name, "items": [to_dict(q) for q in b.items]} for b in self.blocks],
            "limits": to_dict(self.limits),
            "exclude": [to_dict(q) for q in self.exclude],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Strategy:
        limits = from_dict(data["limits"]) if data.get("limits") else Limits()
        if not isinstance(limits, Limits):
            raise ValueError("strategy limits must be a limits node")
        return cls(
            blocks=tuple(Block(b["name"], tuple(from_dict(q) for q in b["items"])) for b in data.get("blocks", [])),
            limits=limits,
            exclude=tuple(from_dict(q) for q in data.get("exclude", [])),
        )


def to_dict(query: Query) -> dict[str, Any]:
    """The tree as JSON-ready dicts (`{"type": "term", ...}`), for storage."""
    if isinstance(query, Term):
        return {"type": "term", "text": query.text, "is_phrase": query.is_phrase, "fields": sorted(query.fields)}
    if isinstance(query, Heading):
        return {
            "type": "heading",
            "thesaurus": query.thesaurus,
            "term": query.term,
            "explode": query.explode,
            "major": query.major,
        }
    if isinstance(query, And | Or):
        return {"type": type(query).__name__.lower(), "children": [to_dict(c) for c in query.children]}
    if isinstance(query, Not):
        return {"type": "not", "left": to_dict(query.left), "right": to_dict(query.right)}
    if isinstance(query, Near):
        return {
            "type": "near",
            "left": to_dict(query.left),
            "right": to_dict(query.right),
            "distance": query.distance,
            "ordered": query.ordered,
        }
    if isinstance(query, Limits):
        return {
            "type": "limits",
            "years": list(query.years) if query.years else None,
            "languages": list(query.languages),
            "age_groups": list(query.age_groups),
            "publication_types": list(query.publication_types),
        }
    raise TypeError(f"not a query node: {query!r}")


def from_dict(data: dict[str, Any]) -> Query:
    """The inverse of `to_dict`; raises ValueError on a malformed tree."""
    kind = data.get("type")
    if kind == "term":
        return Term(str(data["text"]), bool(data.get("is_phrase", False)), frozenset(data.get("fields", ["all"])))
    if kind == "heading":
        return Heading(str(data["thesaurus"]), str(data["term"]), bool(data.get("explode", True)), bool(data.get("major")))
    if kind in ("and", "or"):
        children = tuple(from_dict(c) for c in data["children"])
        if len(children) < 2:
            raise ValueError(f"{kind} needs at least two children")
        return And(children) if kind == "and" else Or(children)
    if kind == "not":
        return Not(from_dict(data["left"]), from_dict(data["right"]))
    if kind == "near":
        return Near(from_dict(data["left"]), from_dict(data["right"]), int(data["distance"]), bool(data.get("ordered")))
    if kind == "limits":
        years = data.get("years")
        return Limits(
            years=(years[0], years[1]) if years else None,
            languages=tuple(data.get("languages", ())),
            age_groups=tuple(data.get("age_groups", ())),
            publication_types=tuple(data.get("publication_types", ())),
        )
    raise ValueError(f"unknown query node type {kind!r}")


def normalise(query: Query) -> Query:
    """The tree with nested ANDs/ORs flattened and ORs of one term over several fields merged.

    Meaning is unchanged (a word or phrase in field A or in field B is the word in A ∪ B, since a
    phrase never spans two fields); parse → write → parse is compared in this form.
    """
    if isinstance(query, And | Or):
        kind = type(query)
        flat: list[Query] = []
        for child in (normalise(c) for c in query.children):
            flat.extend(child.children if isinstance(child, kind) else (child,))
        flat = _merge_fields(flat) if kind is Or else flat
        flat = _merge_limits(flat, kind is And)
        return flat[0] if len(flat) == 1 else kind(tuple(flat))
    if isinstance(query, Not):
        return Not(normalise(query.left), normalise(query.right))
    if isinstance(query, Near):
        left, right = normalise(query.left), normalise(query.right)
        adjacent = query.ordered and query.distance == 0
        if adjacent and isinstance(left, Term) and isinstance(right, Term) and left.fields == right.fields:
            return Term(f"{left.text} {right.text}", True, left.fields)  # ordered and adjacent: a phrase
        return Near(left, right, query.distance, query.ordered)
    if isinstance(query, Term) and query.is_phrase and " " not in query.text.strip():
        return Term(query.text.strip(), False, query.fields)  # a quoted single word is the word
    return query


def _merge_fields(children: list[Query]) -> list[Query]:
    """One term (or proximity) searched in field A OR in field B is the same over A ∪ B."""
    out: list[Query] = []
    index: dict[Any, int] = {}
    for child in children:
        key = _unfielded_key(child)
        if key is not None and key in index:
            prev = out[index[key]]
            out[index[key]] = _refield(prev, _term_fields(prev) | _term_fields(child))
            continue
        if key is not None:
            index[key] = len(out)
        if child not in out:
            out.append(child)
    return out


def _term_fields(query: Query) -> frozenset[str]:
    found = {n.fields for n in walk(query) if isinstance(n, Term)}
    return next(iter(found)) if len(found) == 1 else frozenset()


def _unfielded_key(query: Query) -> Any:
    if isinstance(query, Term):
        return ("term", query.text.lower(), query.is_phrase)
    if isinstance(query, Near) and _term_fields(query):
        return ("near", repr(_refield(query, ALL)).lower())
    return None


def _refield(query: Query, fields: frozenset[str]) -> Query:
    if isinstance(query, Term):
        return Term(query.text, query.is_phrase, fields)
    if isinstance(query, Or):
        return Or(tuple(_refield(c, fields) for c in query.children))
    if isinstance(query, Near):
        return Near(_refield(query.left, fields), _refield(query.right, fields), query.distance, query.ordered)
    return query


LIMIT_KINDS = ("years", "languages", "age_groups", "publication_types")


def _limit_kinds(limits: Limits) -> set[str]:
    return {k for k in LIMIT_KINDS if getattr(limits, k)}


def _merge_limits(children: list[Query], conjunction: bool) -> list[Query]:
    """AND of limits on different kinds is one Limits; OR of one kind's values is one Limits."""
    out: list[Query] = []
    for child in children:
        if isinstance(child, Limits):
            for i, prev in enumerate(out):
                if not isinstance(prev, Limits):
                    continue
                a, b = _limit_kinds(prev), _limit_kinds(child)
                if conjunction and not a & b:
                    out[i] = Limits(
                        years=prev.years or child.years,
                        languages=prev.languages or child.languages,
                        age_groups=prev.age_groups or child.age_groups,
                        publication_types=prev.publication_types or child.publication_types,
                    )
                    break
                if not conjunction and a == b and len(a) == 1 and a != {"years"}:
                    kind = next(iter(a))
                    values = tuple(dict.fromkeys(getattr(prev, kind) + getattr(child, kind)))
                    out[i] = Limits.of(kind, values)
                    break
            else:
                out.append(child)
            continue
        out.append(child)
    return out


def walk(query: Query) -> list[Query]:
    """Every node of the tree, depth first (the node itself first)."""
    nodes: list[Query] = [query]
    if isinstance(query, And | Or):
        for c in query.children:
            nodes.extend(walk(c))
    elif isinstance(query, Not | Near):
        nodes.extend(walk(query.left))
        nodes.extend(walk(query.right))
    return nodes
