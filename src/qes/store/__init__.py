"""The one place that talks to the database (SQLAlchemy 2 + Alembic). See ARCHITECTURE.md."""

from qes.store.db import Store, normalise_url

__all__ = ["Store", "normalise_url"]
import qes.store.schema_search  # noqa: E402,F401  (registers the search tables)
import qes.store.schema_synthesis  # noqa: E402, F401  (registers the issue 7 tables on Base.metadata)
from qes.store import schema_team as _schema_team  # noqa: E402,F401  (registers the team workbench's tables)
