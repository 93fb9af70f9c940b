"""Engines, transactions and migrations. SQLite (WAL, foreign keys on) or PostgreSQL.

`Store(url)` is the one handle the rest of qes holds. Every write happens inside
`store.transaction()`: one transaction, committed whole or not at all.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

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


# A pooled PostgreSQL connection idle this long is pinged before use (a restarted server or a
# proxy's idle timeout has dropped it). SQLAlchemy's pool_pre_ping pings on every checkout: a round
# trip more per session, several per request, on a server whose requests come back to back.
_PING_AFTER_IDLE = 5.0


def _custom_plans(dbapi_conn: Any, _record: Any) -> None:
    # psycopg prepares a statement run five times; PostgreSQL may then switch it to a generic plan,
    # blind to the values. "Next record"'s IN list of 256 candidates took 11.5 ms so, 2.5 ms planned
    # for its values (and one project's size is not another's). Planning each time costs far less.
    with dbapi_conn.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_conn.commit()


def _stamp_checkin(_dbapi_conn: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    if time.monotonic() - record.info.get("checked_in", 0.0) < _PING_AFTER_IDLE:
        return
    try:
        with dbapi_conn.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not dbapi_conn.autocommit:
            dbapi_conn.rollback()
    except Exception as exc:  # the driver's error for a dead connection: the pool opens a new one
        raise DisconnectionError(str(exc)) from exc


def _refuse_writes(session: Session) -> None:
    """A read session writes nothing: on PostgreSQL it runs in autocommit, where a write would stay."""

    def refuse(*_args: Any) -> None:
        raise RuntimeError("a write in a read-only session: use Store.transaction()")

    def check(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            refuse()

    event.listen(session, "before_flush", refuse)
    event.listen(session, "do_orm_execute", check)
    session.info["read_only"] = True  # what it reads stays true for the session, bar others' commits


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
        engine = create_engine(url, json_serializer=_compact_json)
        event.listen(engine, "connect", _custom_plans)
        event.listen(engine, "checkin", _stamp_checkin)
        event.listen(engine, "checkout", _ping_if_idle)
        return engine
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


# SQLite has one writer at a time; a writer that finds the lock taken sleeps in SQLite's busy
# handler (1, 2, 5, 10 ... 100 ms steps) however soon the lock is free. A server's request threads
# queue on this lock instead and wake the moment the writer before them commits (the 5-reviewer
# bench's "decide" p95: 102 ms before). Other processes still meet the busy handler.
class _WriterQueue:
    """The process's writers of one SQLite file, one at a time. After the busy timeout a writer goes
    on to SQLite's own lock (and its "database is locked" error), as it would without the queue."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._held = threading.local()

    def __enter__(self) -> None:
        self._held.stack = getattr(self._held, "stack", [])
        self._held.stack.append(self._lock.acquire(timeout=_SQLITE_BUSY_SECONDS))

    def __exit__(self, *_exc: object) -> None:
        if self._held.stack.pop():
            self._lock.release()


_SQLITE_BUSY_SECONDS = 30
_SQLITE_WRITERS: dict[str, _WriterQueue] = {}
_SQLITE_WRITERS_LOCK = threading.Lock()


def _sqlite_writers(url: str) -> _WriterQueue:
    with _SQLITE_WRITERS_LOCK:
        return _SQLITE_WRITERS.setdefault(url, _WriterQueue())


class Store:
    """A database: engine, sessions, migrations."""

    def __init__(self, url: str):
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writers = _sqlite_writers(self.url) if self.dialect == "sqlite" else contextlib.nullcontext()

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
            with self._writers, self._sessions() as session, session.begin():
                yield session
        finally:
            _WRITING.reset(token)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (no write lock taken on SQLite).

        On PostgreSQL in autocommit: under READ COMMITTED each statement sees its own snapshot inside a
        transaction too, so a BEGIN and a ROLLBACK (two round trips, per session) would buy nothing.
        """
        if self.dialect == "postgresql":
            with self._postgresql_read("AUTOCOMMIT") as session:
                yield session
            return
        with self._sessions() as session:
            _refuse_writes(session)
            try:
                yield session
            finally:
                # Detach first: a rollback would expire what was loaded, and callers keep using it.
                session.expunge_all()
                session.rollback()

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only session that sees one consistent state throughout, for reads streamed in batches
        (exports, the audit trail, a deduplication run): a REPEATABLE READ transaction on PostgreSQL
        (its server-side cursors need a transaction anyway); SQLite's read transaction already is one."""
        if self.dialect != "postgresql":
            with self.read() as session:
                yield session
            return
        with self._postgresql_read("REPEATABLE READ") as session:
            yield session

    @contextmanager
    def _postgresql_read(self, isolation_level: str) -> Iterator[Session]:
        """A session refusing writes on its own connection at `isolation_level` (no transaction in AUTOCOMMIT)."""
        with (
            self.engine.connect().execution_options(isolation_level=isolation_level) as conn,
            Session(conn, expire_on_commit=False) as session,
        ):
            _refuse_writes(session)
            try:
                yield session
            finally:
                session.expunge_all()  # detached first: callers keep using what was loaded
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
