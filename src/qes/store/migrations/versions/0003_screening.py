"""screening: protocol criteria, stages, decisions, outcomes, pilot rounds, full texts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_project_status", "records", ["project_id", "status"], unique=False)
    op.create_table(
        "criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_criteria_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria")),
        sa.UniqueConstraint("project_id", "code", name="uq_criteria_project_code"),
    )
    with op.batch_alter_table("criteria", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_criteria_project_id"), ["project_id"], unique=False)

    op.create_table(
        "stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reviewers", sa.Integer(), nullable=False),
        sa.Column("blind", sa.Boolean(), nullable=False),
        sa.Column("allow_maybe", sa.Boolean(), nullable=False),
        sa.Column("maybe_advances", sa.Boolean(), nullable=False),
        sa.Column("reason_required", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_stages_project_id_projects"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stages")),
        sa.UniqueConstraint("project_id", "name", name="uq_stages_project_name"),
    )
    with op.batch_alter_table("stages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stages_project_id"), ["project_id"], unique=False)

    op.create_table(
        "pilot_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("record_ids", sa.JSON(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_pilot_rounds_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["stage_id"], ["stages.id"], name=op.f("fk_pilot_rounds_stage_id_stages"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pilot_rounds")),
    )
    with op.batch_alter_table("pilot_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pilot_rounds_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pilot_rounds_stage_id"), ["stage_id"], unique=False)

    op.create_table(
        "fulltexts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("stored_as", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_fulltexts_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_fulltexts_record_id_records"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulltexts")),
        sa.UniqueConstraint("project_id", "record_id", name="uq_fulltexts_project_record"),
    )
    with op.batch_alter_table("fulltexts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fulltexts_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fulltexts_record_id"), ["record_id"], unique=False)

    op.create_table(
        "screening_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=320), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_screening_decisions_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_screening_decisions_record_id_records"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["stages.id"], name=op.f("fk_screening_decisions_stage_id_stages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_decisions")),
        sa.UniqueConstraint("stage_id", "record_id", "reviewer", name="uq_screening_decisions_one"),
    )
    with op.batch_alter_table("screening_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_decisions_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_decisions_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_decisions_stage_id"), ["stage_id"], unique=False)
        batch_op.create_index("ix_screening_decisions_stage_reviewer", ["stage_id", "reviewer"], unique=False)

    op.create_table(
        "screening_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("resolved_by", sa.String(length=320), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_screening_outcomes_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_screening_outcomes_record_id_records"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["stages.id"], name=op.f("fk_screening_outcomes_stage_id_stages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_outcomes")),
        sa.UniqueConstraint("stage_id", "record_id", name="uq_screening_outcomes_one"),
    )
    with op.batch_alter_table("screening_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_outcomes_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_outcomes_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_outcomes_stage_id"), ["stage_id"], unique=False)

    op.create_table(
        "fulltext_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fulltext_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fulltext_id"], ["fulltexts.id"], name=op.f("fk_fulltext_pages_fulltext_id_fulltexts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulltext_pages")),
        sa.UniqueConstraint("fulltext_id", "page", name="uq_fulltext_pages_page"),
    )
    with op.batch_alter_table("fulltext_pages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fulltext_pages_fulltext_id"), ["fulltext_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_records_project_status", table_name="records")
    with op.batch_alter_table("fulltext_pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fulltext_pages_fulltext_id"))

    op.drop_table("fulltext_pages")
    with op.batch_alter_table("screening_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_outcomes_stage_id"))
        batch_op.drop_index(batch_op.f("ix_screening_outcomes_record_id"))
        batch_op.drop_index(batch_op.f("ix_screening_outcomes_project_id"))

    op.drop_table("screening_outcomes")
    with op.batch_alter_table("screening_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_screening_decisions_stage_reviewer")
        batch_op.drop_index(batch_op.f("ix_screening_decisions_stage_id"))
        batch_op.drop_index(batch_op.f("ix_screening_decisions_record_id"))
        batch_op.drop_index(batch_op.f("ix_screening_decisions_project_id"))

    op.drop_table("screening_decisions")
    with op.batch_alter_table("fulltexts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fulltexts_record_id"))
        batch_op.drop_index(batch_op.f("ix_fulltexts_project_id"))

    op.drop_table("fulltexts")
    with op.batch_alter_table("pilot_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pilot_rounds_stage_id"))
        batch_op.drop_index(batch_op.f("ix_pilot_rounds_project_id"))

    op.drop_table("pilot_rounds")
    with op.batch_alter_table("stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stages_project_id"))

    op.drop_table("stages")
    with op.batch_alter_table("criteria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criteria_project_id"))

    op.drop_table("criteria")
