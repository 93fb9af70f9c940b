"""search: versioned strategies and the search log (PRISMA-S)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_strategies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_search_strategies_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_strategies")),
        sa.UniqueConstraint("project_id", "name", name="uq_search_strategies_project_name"),
    )
    with op.batch_alter_table("search_strategies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_strategies_project_id"), ["project_id"], unique=False)

    op.create_table(
        "search_strategy_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("syntax", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tree", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["search_strategies.id"],
            name=op.f("fk_search_strategy_versions_strategy_id_search_strategies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_strategy_versions")),
        sa.UniqueConstraint("strategy_id", "version", name="uq_search_strategy_versions_version"),
    )
    with op.batch_alter_table("search_strategy_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_strategy_versions_strategy_id"), ["strategy_id"], unique=False)

    op.create_table(
        "search_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=True),
        sa.Column("strategy_version_id", sa.Integer(), nullable=True),
        sa.Column("database", sa.String(length=200), nullable=False),
        sa.Column("interface", sa.String(length=200), nullable=False),
        sa.Column("syntax", sa.String(length=20), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("strategy_text", sa.Text(), nullable=False),
        sa.Column("hits_reported", sa.Integer(), nullable=True),
        sa.Column("limits", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("logged_by", sa.String(length=320), nullable=False),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_search_runs_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["strategy_id"], ["search_strategies.id"], name=op.f("fk_search_runs_strategy_id_search_strategies")
        ),
        sa.ForeignKeyConstraint(
            ["strategy_version_id"],
            ["search_strategy_versions.id"],
            name=op.f("fk_search_runs_strategy_version_id_search_strategy_versions"),
        ),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name=op.f("fk_search_runs_source_id_sources")),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"], name=op.f("fk_search_runs_import_id_imports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_runs")),
    )
    with op.batch_alter_table("search_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_runs_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_search_runs_strategy_id"), ["strategy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_search_runs_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_search_runs_import_id"), ["import_id"], unique=False)


def downgrade() -> None:
    op.drop_table("search_runs")
    op.drop_table("search_strategy_versions")
    op.drop_table("search_strategies")
