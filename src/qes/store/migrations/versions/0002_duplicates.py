"""duplicate groups and the review queue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duplicate_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("primary_record_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("absorbed_into", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_duplicate_groups_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_groups")),
    )
    op.create_index(op.f("ix_duplicate_groups_project_id"), "duplicate_groups", ["project_id"], unique=False)
    op.create_table(
        "duplicate_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("record_a", sa.Integer(), nullable=False),
        sa.Column("record_b", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=320), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_duplicate_pairs_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_pairs")),
        sa.UniqueConstraint("project_id", "record_a", "record_b", name="uq_duplicate_pairs_pair"),
    )
    op.create_index(op.f("ix_duplicate_pairs_project_id"), "duplicate_pairs", ["project_id"], unique=False)
    op.add_column("records", sa.Column("group_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_records_group_id"), "records", ["group_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_records_group_id"), table_name="records")
    with op.batch_alter_table("records") as batch_op:
        batch_op.drop_column("group_id")
    op.drop_table("duplicate_pairs")
    op.drop_table("duplicate_groups")
