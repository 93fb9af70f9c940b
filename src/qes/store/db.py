"""Engines, transactions and migrations. SQLite (WAL, foreign keys on) or PostgreSQL.

`Store(url)` is the one handle the rest of qes holds. Every write happens inside
`store.transaction()`: one transaction, committed whole or not at all.
"""

from __future__ import annotations

import contextvars
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from qes.errors import UserError

# Set while a write transaction is open: SQLite then begins with BEGIN IMMEDIATE (take the write
# lock up front, so two writers queue instead of failing mid-transaction).
_WRITING: contextvars.ContextVar[bool] = contextvars.ContextVar("qes_writing", default=False)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """'postgresql://' → the psycopg 3 driver; plain paths → sqlite URLs."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    if not isinstance(dbapi_conn, sqlite3.Connection):
        return
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _compact_json(value: Any) -> str:
    # Raw records are most of the bytes written on import: no spaces, no \u escapes.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), check_circular=False)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # Python's sqlite3 opens its own implicit transactions; let SQLAlchemy drive BEGIN so a
        # write transaction is one BEGIN IMMEDIATE ... COMMIT (no lost updates between writers).
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=_compact_json)
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_tx(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _WRITING.get() else "BEGIN")

        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, json_serializer=_compact_json)
    raise UserError(f"unsupported database URL {url!r}: use sqlite:///FILE or postgresql://...")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


class Store:
    """A database: engine, sessions, migrations."""

    def __init__(self, url: str):
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def upgrade(self) -> None:
        """Apply every pending migration (idempotent)."""
        cfg = alembic_config(self.url)
        token = _WRITING.set(True)
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        _WRITING.reset(token)

    def is_current(self) -> bool:
        script = ScriptDirectory.from_config(alembic_config(self.url))
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
        return set(current) == set(script.get_heads())

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One read-write transaction: commits on success, rolls back everything on error."""
        token = _WRITING.set(True)
        try:
            with self._sessions() as session, session.begin():
                yield session
        finally:
            _WRITING.reset(token)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (no write lock taken on SQLite)."""
        with self._sessions() as session:
            try:
                yield session
            finally:
                # Detach first: a rollback would expire what was loaded, and callers keep using it.
                session.expunge_all()
                session.rollback()

    def refresh_statistics(self, tables: tuple[str, ...] = ("records",)) -> None:
        """After a bulk write, bring the planner's picture of `tables` up to date (PostgreSQL).

        Autovacuum gets there eventually, but right after a 50,000-record import PostgreSQL still
        believes the project has a handful of rows: "next record" then filters the whole stage for
        its 256 candidates (20 ms instead of 0.7 ms) and counts read every heap page instead of the
        index. VACUUM cannot run inside a transaction, so this runs after the write has committed.
        SQLite plans well without statistics and needs nothing.
        """
        if self.dialect != "postgresql":
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")

    def dispose(self) -> None:
        self.engine.dispose()
