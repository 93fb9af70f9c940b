"""The one place that talks to the database (SQLAlchemy 2 + Alembic). See ARCHITECTURE.md."""

from qes.store.db import Store, normalise_url

__all__ = ["Store", "normalise_url"]
from qes.store import schema_team as _schema_team  # noqa: E402,F401  (registers the team workbench's tables)
