"""Session-wide fixtures. Paths come from __file__, never from the working directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pgserver import PostgresServer
from support import FIXTURES, shared_path


@pytest.fixture
def shared_dir() -> Path:
    return shared_path()


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty database URL on each backend: the same store tests run on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'qes.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()
