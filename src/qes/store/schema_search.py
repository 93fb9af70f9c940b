"""Search strategies (versioned, never overwritten) and the search log (PRISMA-S), created by migration 0005.

A strategy is a name in a project; each saved change is a new `SearchStrategyVersion` holding the
text as written, the syntax it was written in and the parsed tree (`qes.search` model `to_dict`).
A `SearchRun` is one search as run in one database through one interface: the exact text as run,
the hits the database reported, and the `sources` row and `imports` row (file) it produced.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qes.store.schema import Base, utcnow


class SearchStrategy(Base):
    """A named strategy of a project; its text lives in its versions."""

    __tablename__ = "search_strategies"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_search_strategies_project_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SearchStrategyVersion(Base):
    """One saved version (1..n) of a strategy: as written, in the syntax written, and as a tree."""

    __tablename__ = "search_strategy_versions"
    __table_args__ = (UniqueConstraint("strategy_id", "version", name="uq_search_strategy_versions_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("search_strategies.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    syntax: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    tree: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SearchRun(Base):
    """One search as run (PRISMA-S items 1-2, 8, 13): where, through what, when, exactly what, how many.

    `strategy_version_id` is NULL for a search typed into a database by hand; `import_id` is NULL
    until the export it produced is imported (or when it found nothing).
    """

    __tablename__ = "search_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    strategy_id: Mapped[int | None] = mapped_column(ForeignKey("search_strategies.id"), nullable=True, index=True)
    strategy_version_id: Mapped[int | None] = mapped_column(ForeignKey("search_strategy_versions.id"), nullable=True)
    database: Mapped[str] = mapped_column(String(200))  # "PsycINFO"
    interface: Mapped[str] = mapped_column(String(200))  # "Ovid"
    syntax: Mapped[str] = mapped_column(String(20), default="")
    run_on: Mapped[dt.date] = mapped_column(Date)
    strategy_text: Mapped[str] = mapped_column(Text)  # exactly as run
    hits_reported: Mapped[int | None] = mapped_column(Integer, nullable=True)
    limits: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(20), default="manual")  # manual | online
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), nullable=True, index=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True, index=True)
    logged_by: Mapped[str] = mapped_column(String(320), default="")
    logged_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
