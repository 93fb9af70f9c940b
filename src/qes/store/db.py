"""Engines, transactions and migrations. SQLite (WAL, foreign keys on) or PostgreSQL.

`Store(url)` is the one handle the rest of qes holds. Every write happens inside
`store.transaction()`: one transaction, committed whole or not at all.
"""

from __future__ import annotations

import contextvars
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from qes.errors import UserError

if TYPE_CHECKING:
    from alembic.config import Config

# Set while a write transaction is open: SQLite then begins with BEGIN IMMEDIATE (take the write
# lock up front, so two writers queue instead of failing mid-transaction).
_WRITING: contextvars.ContextVar[bool] = contextvars.ContextVar("qes_writing", default=False)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_PAGE_SIZE = 32768  # bytes; new SQLite databases only (see _sqlite_pragmas)


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
    # Takes effect only on a new, empty database (before WAL is on; a no-op on existing ones).
    # A records row is about 6.7 KB (the raw record is as large as the record's text in the
    # file): with 4 KB pages nearly every row spills into an overflow chain, and an import and
    # its checkpoint handle eight times as many pages (each a syscall, a WAL frame and its
    # checksum) for about the same bytes. See BENCHMARKS.md, import.
    cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
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
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


_REVISION = re.compile(r"^revision(?:\s*:[^=\n]*)?\s*=\s*(.*)$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:\s*:[^=\n]*)?\s*=\s*(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def migration_heads() -> frozenset[str]:
    """Revisions no migration script builds on, read from the scripts' text (empty: could not tell)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision is None or down is None or len(ids := _QUOTED.findall(revision.group(1))) != 1:
            return frozenset()
        revisions.add(ids[0])
        parents.update(_QUOTED.findall(down.group(1)))
    return frozenset(revisions - parents)


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
        if self._at_heads():
            return  # the usual case: no need to load Alembic and every migration script
        from alembic import command

        cfg = alembic_config(self.url)
        token = _WRITING.set(True)
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        _WRITING.reset(token)

    def is_current(self) -> bool:
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(alembic_config(self.url))
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
        return set(current) == set(script.get_heads())

    def _at_heads(self) -> bool:
        """True when the database is at the heads of the migration scripts, told without Alembic.

        Every command opens the project, and importing Alembic with its migration machinery
        costs about a tenth of a second each time. Anything unexpected answers False, and
        `upgrade` then asks Alembic itself.
        """
        heads = migration_heads()
        if not heads:
            return False
        try:
            with self.engine.connect() as conn:
                current = {row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
        except DBAPIError:  # a new database: no version table yet
            return False
        return current == heads

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
