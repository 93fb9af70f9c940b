"""rankings: store the record-id and score arrays uncompressed on PostgreSQL

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

A ranking is rewritten after every few decisions; PostgreSQL compressed its two arrays (600 kB at
50,000 records, hardly compressible) on each write: 50 ms of the database server's CPU, against
3-7 ms stored out of line uncompressed (EXTERNAL). SQLite stores blobs as they are: nothing to do.
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _storage(kind: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE rankings ALTER COLUMN record_ids SET STORAGE {kind}, ALTER COLUMN scores SET STORAGE {kind}")


def upgrade() -> None:
    _storage("EXTERNAL")


def downgrade() -> None:
    _storage("EXTENDED")
