"""The one shape every manuscript table takes before it is rendered (Markdown, CSV, HTML, DOCX, LaTeX).

Each stage builds its tables as `Table` values from the project's facts; renderers take a `Table`
and a file-like object, so the same table is the same in every format and in the web page.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    """A titled grid of text cells: `columns` are the header, each row has one cell per column."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = field(default_factory=tuple)  # printed under the table (legend, abbreviations)
    key: str = ""  # a short machine name: "studies", "matrix", "grid", "soqf", "search-log", ...

    def __post_init__(self) -> None:
        width = len(self.columns)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(f"table {self.title!r}: row {number} has {len(row)} cells, the header {width}")

    def as_dicts(self) -> list[dict[str, str]]:
        """Rows keyed by column name (the JSON twin of a table)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]
